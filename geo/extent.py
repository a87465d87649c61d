"""Norway's extent: points outside it are almost certainly mistakes (swapped lat/lon, typos)."""

from __future__ import annotations

from dataclasses import dataclass


class OutsideNorwayError(ValueError):
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
        raise OutsideNorwayError(
            f"({lat}, {lon}) is not a coordinate: latitude must be within -90..90 "
            "and longitude within -180..180"
        )
    if not NORWAY_WITH_MARGIN.contains(lon, lat):
        box = NORWAY_WITH_MARGIN
        raise OutsideNorwayError(
            f"latitude {lat}, longitude {lon} is outside Norway "
            f"(latitude {box.min_lat}..{box.max_lat}, longitude {box.min_lon}..{box.max_lon}); "
            "are latitude and longitude swapped?"
        )
    return lon, lat


class InvalidBoxError(ValueError):
    """A bounding box that is malformed, inverted or outside the world."""


def parse_bbox(text: str) -> BoundingBox:
    """`min_lon,min_lat,max_lon,max_lat` in WGS84 (the OGC API and GeoJSON order).

    A box need not lie inside Norway (a GIS client may ask for a wider view), but must be a
    real, non-inverted box on the globe.
    """
    parts = text.split(",")
    if len(parts) != 4:
        raise InvalidBoxError("bbox needs four numbers: min_lon,min_lat,max_lon,max_lat")
    try:
        min_lon, min_lat, max_lon, max_lat = (float(part) for part in parts)
    except ValueError:
        raise InvalidBoxError("bbox needs four numbers: min_lon,min_lat,max_lon,max_lat") from None
    values = (min_lon, min_lat, max_lon, max_lat)
    if any(value != value or value in (float("inf"), float("-inf")) for value in values):
        raise InvalidBoxError("bbox numbers must be finite")
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise InvalidBoxError("bbox longitudes must be within -180..180")
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise InvalidBoxError("bbox latitudes must be within -90..90")
    if min_lon > max_lon or min_lat > max_lat:
        raise InvalidBoxError("bbox minimum must not exceed its maximum")
    return BoundingBox(min_lon, min_lat, max_lon, max_lat)
