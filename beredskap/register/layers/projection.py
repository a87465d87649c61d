"""GeoJSON geometries from EPSG:4326 (lon/lat) into the output systems the layers offer."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from geo.crs import transform
from geo.srid import WGS84

# Enough to tell sites apart and not more: about 1 cm in degrees, 1 cm in metres.
DEGREE_DIGITS = 7
METRE_DIGITS = 2


def as_lists(value: Any) -> Any:
    """Shapely's nested coordinate tuples as the nested lists of JSON."""
    if isinstance(value, (list, tuple)):
        return [as_lists(item) for item in value]
    return float(value)


def project(geometry: dict[str, Any], srid: int) -> dict[str, Any]:
    """The geometry in `srid` (x = lon or east, y = lat or north), rounded to about 1 cm."""
    digits = DEGREE_DIGITS if srid == WGS84 else METRE_DIGITS
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"][:2]
        x, y = transform(lon, lat, WGS84, srid) if srid != WGS84 else (lon, lat)
        return {"type": "Point", "coordinates": [round(x, digits), round(y, digits)]}

    def to_target(coordinates: np.ndarray) -> np.ndarray:
        if srid != WGS84:
            coordinates = np.array([transform(x, y, WGS84, srid) for x, y in coordinates])
        return np.round(coordinates, digits)

    projected = shapely.transform(shape(geometry), to_target)
    return {"type": geometry["type"], "coordinates": as_lists(mapping(projected)["coordinates"])}


def swap_axes(geometry: dict[str, Any]) -> dict[str, Any]:
    """[x, y] to [y, x] in every position: for CRSs whose first axis is north (EPSG:4326)."""

    def swap(value: Any) -> Any:
        if value and isinstance(value[0], (int, float)):
            return [value[1], value[0], *value[2:]]
        return [swap(item) for item in value]

    return {"type": geometry["type"], "coordinates": swap(geometry["coordinates"])}
