"""Coordinate reference systems of /ogc, by their OGC URIs, and bounding boxes given in them.

CRS84 is WGS84 with longitude first (the default, and how everything is stored). EPSG:4326
is the same datum with latitude first, as its EPSG definition says; EUREF89 UTM 32/33 are
east, north.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import isfinite
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Point, box
from shapely.geometry.base import BaseGeometry

from beredskap.register.layers.projection import project, swap_axes
from geo.crs import UnsupportedCrsError, to_wgs84
from geo.extent import BoundingBox, InvalidBoxError, parse_bbox
from geo.srid import EUREF89_UTM32, EUREF89_UTM33, WGS84

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
# A UTM box's edges are straight in metres but curved in degrees: this many points per edge
# keep its outline in degrees within centimetres of the real one.
EDGE_POINTS = 64
MAX_METRES = 10_000_000.0


class BadParameterError(ValueError):
    """A query parameter /ogc cannot serve (answered with 400)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class Crs:
    uri: str
    srid: int
    lat_first: bool = False  # EPSG:4326's axis order

    def geometry(self, geometry: dict[str, Any]) -> dict[str, Any]:
        """A stored (lon/lat) GeoJSON geometry in this CRS and its axis order."""
        projected = project(geometry, self.srid)
        return swap_axes(projected) if self.lat_first else projected

    @property
    def header(self) -> str:
        return f"<{self.uri}>"


SUPPORTED = (
    Crs(CRS84, WGS84),
    Crs(f"{EPSG}{WGS84}", WGS84, lat_first=True),
    Crs(f"{EPSG}{EUREF89_UTM32}", EUREF89_UTM32),
    Crs(f"{EPSG}{EUREF89_UTM33}", EUREF89_UTM33),
)
BY_URI = {crs.uri: crs for crs in SUPPORTED}
URIS = tuple(BY_URI)


def crs_named(parameter: str, uri: str | None) -> Crs:
    """The CRS a parameter names (CRS84 when absent)."""
    if uri is None:
        return BY_URI[CRS84]
    crs = BY_URI.get(uri.strip())
    if crs is None:
        raise BadParameterError(parameter, f"{uri!r} is not offered; use one of {', '.join(URIS)}")
    return crs


@dataclass(frozen=True)
class BoxFilter:
    """A bbox as the layers take it: a WGS84 box, and its exact outline when it was given in
    another CRS (the box is then the outline's envelope)."""

    bbox: BoundingBox
    outline: BaseGeometry | None = None


def _numbers(text: str) -> list[float]:
    parts = text.split(",")
    if len(parts) not in (4, 6):
        raise BadParameterError("bbox", "four numbers (or six with heights) separated by commas")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise BadParameterError("bbox", "four numbers separated by commas") from None
    if not all(isfinite(number) for number in numbers):
        raise BadParameterError("bbox", "numbers must be finite")
    if len(numbers) == 6:  # heights are not stored: a 3D box filters as its footprint
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    return numbers


def parse_box(text: str, crs: Crs) -> BoxFilter:
    """`bbox` in `crs` (`bbox-crs`) as a filter on the WGS84 layers."""
    a, b, c, d = _numbers(text)
    if crs.srid == WGS84:
        lon_lat = (b, a, d, c) if crs.lat_first else (a, b, c, d)
        try:
            return BoxFilter(parse_bbox(",".join(repr(value) for value in lon_lat)))
        except InvalidBoxError as error:
            raise BadParameterError("bbox", str(error)) from None
    if a > c or b > d:
        raise BadParameterError("bbox", "the minimum must not exceed the maximum")
    if max(abs(a), abs(b), abs(c), abs(d)) > MAX_METRES:
        raise BadParameterError("bbox", f"coordinates in metres must be within ±{MAX_METRES:.0f}")
    if a == c or b == d:  # a line or a point: still a fair question for points on a map
        edge: BaseGeometry = LineString([(a, b), (c, d)]) if (a, b) != (c, d) else Point(a, b)
    else:
        edge = box(a, b, c, d)
    densified = edge.segmentize(max(c - a, d - b, 1.0) / EDGE_POINTS)
    try:
        outline = shapely.transform(
            densified,
            lambda xy: np.array([to_wgs84(x, y, crs.srid) for x, y in xy]),
        )
    except UnsupportedCrsError as error:
        raise BadParameterError("bbox", str(error)) from None
    if not outline.is_valid:
        raise BadParameterError("bbox", "the box folds over itself on the globe in this CRS")
    return BoxFilter(BoundingBox(*outline.bounds), outline)
