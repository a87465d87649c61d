"""GeoJSON FeatureCollections (RFC 7946) answered by the searches."""

from __future__ import annotations

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
