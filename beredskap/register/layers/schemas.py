"""GeoJSON (RFC 7946) shapes of the layers, shared by /api/v1/layers and /ogc."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

Position = list[float]


class PointGeometry(BaseModel):
    type: Literal["Point"] = "Point"
    coordinates: Position = Field(description="[x, y]: [lon, lat], or [east, north] in UTM")


class MultiPolygonGeometry(BaseModel):
    type: Literal["MultiPolygon"] = "MultiPolygon"
    coordinates: list[list[list[Position]]] = Field(description="Polygons of rings of positions")


Geometry = Annotated[PointGeometry | MultiPolygonGeometry, Field(discriminator="type")]


class Feature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: int
    geometry: Geometry
    properties: dict[str, Any] = Field(description="See each layer")


class LayerCollection(BaseModel):
    """One page of a layer; `total` features match in all."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    epsg: int = Field(description="Coordinate system of the geometries (4326 unless asked)")
    total: int
    limit: int
    offset: int
    features: list[Feature]
