"""The documents of OGC API - Features Part 1 (core) and Part 2 (crs), as Pydantic models."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from beredskap.register.layers.schemas import Feature


class Link(BaseModel):
    href: str
    rel: str
    type: str | None = None
    title: str | None = None


class LandingPage(BaseModel):
    title: str
    description: str
    links: list[Link]


class Conformance(BaseModel):
    conformsTo: list[str]  # noqa: N815 - the standard's name


class SpatialExtent(BaseModel):
    bbox: list[list[float]] = Field(description="[[min_lon, min_lat, max_lon, max_lat]]")
    crs: str


class Extent(BaseModel):
    spatial: SpatialExtent


class Collection(BaseModel):
    id: str
    title: str
    description: str
    links: list[Link]
    extent: Extent | None = Field(None, description="Left out while the collection is empty")
    itemType: Literal["feature"] = "feature"  # noqa: N815
    crs: list[str]
    storageCrs: str  # noqa: N815


class Collections(BaseModel):
    links: list[Link]
    collections: list[Collection]


class SingleFeature(Feature):
    """One feature by its id, with links to itself and its collection."""

    links: list[Link]


class FeatureCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[Feature]
    links: list[Link]
    numberMatched: int  # noqa: N815
    numberReturned: int  # noqa: N815
    timeStamp: datetime  # noqa: N815
