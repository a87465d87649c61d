"""Points in and out of the API: GeoJSON (RFC 7946, lon/lat), {lat, lon}, or EUREF89 UTM.

Everything is stored in EPSG:4326 and must lie in Norway (with a margin at sea).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from geoalchemy2 import WKBElement, WKTElement
from geoalchemy2.shape import to_shape
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag
from shapely.geometry import Point

from beredskap.platform.geo_errors import geo_invalid
from geo.areas import MAX_AREA_POSITIONS, area_geojson
from geo.crs import UnsupportedCrsError, to_wgs84
from geo.extent import OutsideNorwayError, check_lon_lat
from geo.srid import EUREF89_UTM32, EUREF89_UTM33

_FINITE: dict[str, Any] = {"allow_inf_nan": False}
Coordinate = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]


class GeoJsonPoint(BaseModel):
    """A GeoJSON Point: coordinates are [longitude, latitude]."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"title": "GeoJSON Point"})
    type: Literal["Point"]
    coordinates: tuple[Coordinate, Coordinate] = Field(
        description="[longitude, latitude] in EPSG:4326"
    )


class LatLonPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lat: float = Field(ge=-90, le=90, **_FINITE)
    lon: float = Field(ge=-180, le=180, **_FINITE)


class UtmPoint(BaseModel):
    """EUREF89 UTM zone 32 or 33 (EPSG:25832 / 25833), in metres."""

    model_config = ConfigDict(extra="forbid")
    east: float = Field(ge=-10_000_000, le=10_000_000, **_FINITE)
    north: float = Field(ge=0, le=10_000_000, **_FINITE)
    epsg: Literal[25832, 25833]


def _point_format(value: Any) -> str | None:
    """Which of the three formats a point is written in, judged by its keys."""
    if isinstance(value, dict):
        if "type" in value or "coordinates" in value:
            return "geojson"
        if "east" in value or "north" in value or "epsg" in value:
            return "utm"
        return "latlon"
    return {GeoJsonPoint: "geojson", LatLonPoint: "latlon", UtmPoint: "utm"}.get(type(value))


PointIn = Annotated[
    Annotated[GeoJsonPoint, Tag("geojson")]
    | Annotated[LatLonPoint, Tag("latlon")]
    | Annotated[UtmPoint, Tag("utm")],
    Discriminator(
        _point_format,
        custom_error_type="point_format",
        custom_error_message="a point is GeoJSON, {lat, lon} or {east, north, epsg}",
    ),
]


def to_point(field: str, value: PointIn | None) -> Point | None:
    """A shapely point in EPSG:4326 inside Norway, or a DomainValidationError on `field`."""
    if value is None:
        return None
    try:
        if isinstance(value, GeoJsonPoint):
            lon, lat = value.coordinates
        elif isinstance(value, LatLonPoint):
            lon, lat = value.lon, value.lat
        else:
            assert value.epsg in (EUREF89_UTM32, EUREF89_UTM33)
            lon, lat = to_wgs84(value.east, value.north, value.epsg)
        lon, lat = check_lon_lat(lon, lat)
    except (OutsideNorwayError, UnsupportedCrsError) as error:
        raise geo_invalid(field, error) from None
    return Point(lon, lat)


def point_out(value: WKBElement | WKTElement | None) -> dict[str, Any] | None:
    """A stored point as a GeoJSON Point (lon, lat)."""
    if value is None:
        return None
    shape = to_shape(value)
    return {"type": "Point", "coordinates": [round(shape.x, 7), round(shape.y, 7)]}


Position = tuple[Coordinate, Coordinate]
LinearRing = Annotated[
    list[Position],
    Field(min_length=4, max_length=MAX_AREA_POSITIONS, description="Closed: first = last"),
]
MAX_RINGS = 200
MAX_POLYGONS = 200


class GeoJsonPolygon(BaseModel):
    """A GeoJSON Polygon in EPSG:4326: an outer ring, then any holes."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"title": "GeoJSON Polygon"})
    type: Literal["Polygon"]
    coordinates: list[LinearRing] = Field(min_length=1, max_length=MAX_RINGS)


class GeoJsonMultiPolygon(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"title": "GeoJSON MultiPolygon"})
    type: Literal["MultiPolygon"]
    coordinates: list[Annotated[list[LinearRing], Field(min_length=1, max_length=MAX_RINGS)]] = (
        Field(min_length=1, max_length=MAX_POLYGONS)
    )


AreaIn = Annotated[GeoJsonPolygon | GeoJsonMultiPolygon, Field(discriminator="type")]


def area_out(value: WKBElement | WKTElement | None) -> dict[str, Any] | None:
    """A stored area as a GeoJSON MultiPolygon (lon, lat)."""
    if value is None:
        return None
    return area_geojson(to_shape(value))  # type: ignore[arg-type]
