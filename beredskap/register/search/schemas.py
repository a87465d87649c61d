"""GeoJSON FeatureCollections (RFC 7946) answered by the searches."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field


class PointGeometry(BaseModel):
    type: Literal["Point"] = "Point"
    coordinates: list[float] = Field(description="[x, y]: [lon, lat], or [east, north] in UTM")


class Feature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: int
    geometry: PointGeometry
    properties: dict[str, Any] = Field(description="distance_m first; see each search")


class FeatureCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    epsg: int = Field(description="Coordinate system of the geometries (4326 unless asked)")
    features: list[Feature]


class PolygonGeometry(BaseModel):
    type: Literal["Polygon"] = "Polygon"
    coordinates: list[list[list[float]]] = Field(description="One closed ring, [x, y] positions")


class CellCounts(BaseModel):
    cell_id: str = Field(description="EPSG/size/east/north of the south-west corner (SSB grid)")
    cell_m: int
    equipment: dict[str, dict[str, int]] = Field(
        description="Ready equipment per capability group: {lines, quantity}"
    )
    volunteers: dict[str, int | None] = Field(
        description="Volunteers holding each qualification valid on the day; null: fewer than "
        "`suppressed_below`, not shown"
    )
    volunteer_total: int | None = Field(description="Distinct qualified volunteers; null: too few")


class CellFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: str
    geometry: PolygonGeometry
    properties: CellCounts


class CellCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    epsg: int
    cell_m: int
    on: date
    suppressed_below: int = Field(description="Volunteer counts under this are not shown")
    features: list[CellFeature]
