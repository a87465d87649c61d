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
