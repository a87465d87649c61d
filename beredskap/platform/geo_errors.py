"""A refusal of the spatial toolkit as the register's validation error, on a field.

`geo` imports nothing of ours, so its codes are plain English templates; each is given here
as an `N_`-marked template with the same words and placeholders, so the catalogs hold it and a
page can translate it (`tests/unit/test_error_codes.py` checks that every code of `geo` is
known here and reads the same).
"""

from __future__ import annotations

from beredskap.platform.errors import N_, DomainValidationError
from geo import areas, crs, extent
from geo.errors import GeoError


def geo_invalid(field: str, error: GeoError) -> DomainValidationError:
    """The validation error on `field` saying what `error` says, with its parameters."""
    p = error.params
    match error.code:
        case extent.NOT_A_COORDINATE:
            return DomainValidationError(
                field,
                N_(
                    "(%(lat)s, %(lon)s) is not a coordinate: latitude must be within -90..90 "
                    "and longitude within -180..180"
                ),
                **p,
            )
        case extent.OUTSIDE_NORWAY:
            return DomainValidationError(
                field,
                N_(
                    "latitude %(lat)s, longitude %(lon)s is outside Norway (latitude "
                    "%(min_lat)s..%(max_lat)s, longitude %(min_lon)s..%(max_lon)s); are "
                    "latitude and longitude swapped?"
                ),
                **p,
            )
        case extent.BBOX_NOT_FOUR_NUMBERS:
            return DomainValidationError(
                field, N_("bbox needs four numbers: min_lon,min_lat,max_lon,max_lat"), **p
            )
        case extent.BBOX_NOT_FINITE:
            return DomainValidationError(field, N_("bbox numbers must be finite"), **p)
        case extent.BBOX_LONGITUDES:
            return DomainValidationError(field, N_("bbox longitudes must be within -180..180"), **p)
        case extent.BBOX_LATITUDES:
            return DomainValidationError(field, N_("bbox latitudes must be within -90..90"), **p)
        case extent.BBOX_INVERTED:
            return DomainValidationError(field, N_("bbox minimum must not exceed its maximum"), **p)
        case areas.NOT_AN_AREA:
            return DomainValidationError(
                field, N_("an area is a GeoJSON Polygon or MultiPolygon"), **p
            )
        case areas.NOT_VALID_GEOJSON:
            return DomainValidationError(field, N_("not a valid GeoJSON %(kind)s"), **p)
        case areas.NO_RING:
            return DomainValidationError(
                field, N_("an area needs at least one ring of four or more positions"), **p
            )
        case areas.TOO_MANY_POSITIONS:
            return DomainValidationError(
                field,
                N_("the area has %(positions)s positions; at most %(limit)s (simplify it)"),
                **p,
            )
        case areas.HAS_HEIGHT:
            return DomainValidationError(
                field, N_("positions are [longitude, latitude] without height"), **p
            )
        case areas.NOT_FINITE:
            return DomainValidationError(field, N_("positions must be finite numbers"), **p)
        case areas.AREA_OUTSIDE_NORWAY:
            return DomainValidationError(
                field,
                N_(
                    "the area reaches outside Norway (positions are [longitude, latitude] in "
                    "EPSG:4326; are they swapped?)"
                ),
                **p,
            )
        case areas.NOT_A_VALID_POLYGON:
            return DomainValidationError(field, N_("the area is not a valid polygon"), **p)
        case areas.NOT_A_VALID_POLYGON_NEAR:
            return DomainValidationError(
                field,
                N_(
                    "the area is not a valid polygon: its edges cross or touch near longitude "
                    "%(lon)s, latitude %(lat)s"
                ),
                **p,
            )
        case areas.RING_NOT_CLOSED:
            return DomainValidationError(
                field,
                N_("every ring must be closed: its last position repeats its first (RFC 7946)"),
                **p,
            )
        case crs.UNSUPPORTED_CRS:
            return DomainValidationError(
                field, N_("EPSG:%(srid)s is not supported; use one of %(supported)s"), **p
            )
        case crs.NOT_CONVERTIBLE:
            return DomainValidationError(
                field, N_("(%(x)s, %(y)s) cannot be converted from EPSG:%(srid)s"), **p
            )
    return DomainValidationError(field, N_("is not a valid place"))
