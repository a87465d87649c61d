"""Norway's extent: points outside it are almost certainly mistakes (swapped lat/lon, typos)."""

from __future__ import annotations

from dataclasses import dataclass

from geo.errors import GeoError

# The codes of the errors below (English templates; `GeoError` explains).
NOT_A_COORDINATE = (
    "(%(lat)s, %(lon)s) is not a coordinate: latitude must be within -90..90 "
    "and longitude within -180..180"
)
OUTSIDE_NORWAY = (
    "latitude %(lat)s, longitude %(lon)s is outside Norway (latitude %(min_lat)s..%(max_lat)s, "
    "longitude %(min_lon)s..%(max_lon)s); are latitude and longitude swapped?"
)
BBOX_NOT_FOUR_NUMBERS = "bbox needs four numbers: min_lon,min_lat,max_lon,max_lat"
BBOX_NOT_FINITE = "bbox numbers must be finite"
BBOX_LONGITUDES = "bbox longitudes must be within -180..180"
BBOX_LATITUDES = "bbox latitudes must be within -90..90"
BBOX_INVERTED = "bbox minimum must not exceed its maximum"


class OutsideNorwayError(GeoError):
    """A coordinate lies outside Norway's extent (with margin) or is not a coordinate at all."""


@dataclass(frozen=True)
class BoundingBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lon: float, lat: float) -> bool:
        return self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat


# Mainland Norway, Svalbard and Jan Mayen, with about half a degree of margin at sea.
NORWAY_WITH_MARGIN = BoundingBox(min_lon=-9.5, min_lat=57.0, max_lon=35.0, max_lat=81.5)


def check_lon_lat(lon: float, lat: float) -> tuple[float, float]:
    """Return (lon, lat) if it is a valid WGS84 coordinate inside Norway, else raise."""
    if not (-180.0 <= lon <= 180.0) or not (-90.0 <= lat <= 90.0):
        raise OutsideNorwayError(NOT_A_COORDINATE, lat=lat, lon=lon)
    if not NORWAY_WITH_MARGIN.contains(lon, lat):
        box = NORWAY_WITH_MARGIN
        raise OutsideNorwayError(
            OUTSIDE_NORWAY,
            lat=lat,
            lon=lon,
            min_lat=box.min_lat,
            max_lat=box.max_lat,
            min_lon=box.min_lon,
            max_lon=box.max_lon,
        )
    return lon, lat


class InvalidBoxError(GeoError):
    """A bounding box that is malformed, inverted or outside the world."""


def parse_bbox(text: str) -> BoundingBox:
    """`min_lon,min_lat,max_lon,max_lat` in WGS84 (the OGC API and GeoJSON order).

    A box need not lie inside Norway (a GIS client may ask for a wider view), but must be a
    real, non-inverted box on the globe.
    """
    parts = text.split(",")
    if len(parts) != 4:
        raise InvalidBoxError(BBOX_NOT_FOUR_NUMBERS)
    try:
        min_lon, min_lat, max_lon, max_lat = (float(part) for part in parts)
    except ValueError:
        raise InvalidBoxError(BBOX_NOT_FOUR_NUMBERS) from None
    values = (min_lon, min_lat, max_lon, max_lat)
    if any(value != value or value in (float("inf"), float("-inf")) for value in values):
        raise InvalidBoxError(BBOX_NOT_FINITE)
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise InvalidBoxError(BBOX_LONGITUDES)
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise InvalidBoxError(BBOX_LATITUDES)
    if min_lon > max_lon or min_lat > max_lat:
        raise InvalidBoxError(BBOX_INVERTED)
    return BoundingBox(min_lon, min_lat, max_lon, max_lat)
