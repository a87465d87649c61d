"""Areas (service areas, search areas): GeoJSON polygons checked and normalised to MultiPolygons.

A drawn area is easy to get subtly wrong (a ring that crosses itself, lat/lon swapped, a
polygon of the whole world); these checks turn such input into a clear message instead of a
geometry the database stores but every spatial query then misreads.
"""

from __future__ import annotations

import math
import re
from typing import Any

from shapely.errors import ShapelyError
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.validation import explain_validity

from geo.errors import GeoError
from geo.extent import NORWAY_WITH_MARGIN

MAX_AREA_POSITIONS = 20_000  # a municipality outline simplified for a map has a few thousand

# The codes of InvalidAreaError (English templates; `GeoError` explains).
NOT_AN_AREA = "an area is a GeoJSON Polygon or MultiPolygon"
NOT_VALID_GEOJSON = "not a valid GeoJSON %(kind)s"
NO_RING = "an area needs at least one ring of four or more positions"
TOO_MANY_POSITIONS = "the area has %(positions)s positions; at most %(limit)s (simplify it)"
HAS_HEIGHT = "positions are [longitude, latitude] without height"
NOT_FINITE = "positions must be finite numbers"
AREA_OUTSIDE_NORWAY = (
    "the area reaches outside Norway (positions are [longitude, latitude] in "
    "EPSG:4326; are they swapped?)"
)
NOT_A_VALID_POLYGON = "the area is not a valid polygon"
NOT_A_VALID_POLYGON_NEAR = (
    "the area is not a valid polygon: its edges cross or touch near longitude %(lon)s, "
    "latitude %(lat)s"
)
RING_NOT_CLOSED = "every ring must be closed: its last position repeats its first (RFC 7946)"

# Where GEOS says a polygon is invalid: "Self-intersection[10.95 59.95]".
_WHERE = re.compile(r"\[(-?[\d.eE+-]+) (-?[\d.eE+-]+)\]")


class InvalidAreaError(GeoError):
    """A GeoJSON area that is malformed, self-intersecting or outside Norway."""


def to_multipolygon(geojson: dict[str, Any]) -> MultiPolygon:
    """A valid MultiPolygon in EPSG:4326 inside Norway from a GeoJSON Polygon or MultiPolygon."""
    kind = geojson.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise InvalidAreaError(NOT_AN_AREA)
    try:
        _check_rings_closed(geojson)
        area = shape(geojson)
    except InvalidAreaError:
        raise
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, ShapelyError):
        raise InvalidAreaError(NOT_VALID_GEOJSON, kind=str(kind)) from None
    polygons = [area] if isinstance(area, Polygon) else list(area.geoms)
    if not polygons or any(polygon.is_empty for polygon in polygons):
        raise InvalidAreaError(NO_RING)
    positions = sum(
        len(polygon.exterior.coords) + sum(len(ring.coords) for ring in polygon.interiors)
        for polygon in polygons
    )
    if positions > MAX_AREA_POSITIONS:
        raise InvalidAreaError(TOO_MANY_POSITIONS, positions=positions, limit=MAX_AREA_POSITIONS)
    if any(polygon.has_z for polygon in polygons):
        raise InvalidAreaError(HAS_HEIGHT)
    box = NORWAY_WITH_MARGIN
    min_lon, min_lat, max_lon, max_lat = MultiPolygon(polygons).bounds
    coordinates = [c for polygon in polygons for c in polygon.exterior.coords]
    if not all(math.isfinite(value) for xy in coordinates for value in xy):
        raise InvalidAreaError(NOT_FINITE)
    if (
        min_lon < box.min_lon
        or max_lon > box.max_lon
        or min_lat < box.min_lat
        or (max_lat > box.max_lat)
    ):
        raise InvalidAreaError(AREA_OUTSIDE_NORWAY)
    multipolygon = MultiPolygon(polygons)
    if not multipolygon.is_valid:
        where = _WHERE.search(explain_validity(multipolygon))
        if where is None:
            raise InvalidAreaError(NOT_A_VALID_POLYGON)
        lon, lat = (round(float(value), 6) for value in where.groups())
        raise InvalidAreaError(NOT_A_VALID_POLYGON_NEAR, lon=lon, lat=lat)
    return multipolygon


def _check_rings_closed(geojson: dict[str, Any]) -> None:
    # shapely would close an open ring silently; an open ring is more often a truncated one.
    coordinates = geojson.get("coordinates")
    polygons = [coordinates] if geojson["type"] == "Polygon" else coordinates
    for polygon in polygons or []:
        for ring in polygon or []:
            if (
                isinstance(ring, (list, tuple))
                and len(ring) >= 2
                and (list(ring[0]) != list(ring[-1]))
            ):
                raise InvalidAreaError(RING_NOT_CLOSED)


def area_geojson(area: MultiPolygon, digits: int = 6) -> dict[str, Any]:
    """A MultiPolygon as GeoJSON, rounded (6 decimals of a degree are about 10 cm)."""
    result: dict[str, Any] = mapping(area)  # type: ignore[assignment]
    return {
        "type": "MultiPolygon",
        "coordinates": [
            [[[round(x, digits), round(y, digits)] for x, y, *_ in ring] for ring in polygon]
            for polygon in result["coordinates"]
        ],
    }
