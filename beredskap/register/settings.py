"""The settings section of the register: the maps' tiles, the municipality, the travel
assumption."""

from __future__ import annotations

import re

from pydantic import Field, ValidationInfo, field_validator

from beredskap.platform.settings import PlatformSettings

# Map tiles: Kartverket's topographic map (WMTS, web mercator) by default, OpenStreetMap as
# the alternative. Closed networks point both at a tile server of their own.
KARTVERKET_TOPO_TILES = (
    "https://cache.kartverket.no/v1/wmts/1.0.0/topo/default/webmercator/{z}/{y}/{x}.png"
)
OPENSTREETMAP_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
# A tile URL goes into the pages' Content-Security-Policy: no quotes, spaces, ; or ,.
TILE_URL_PATTERN = re.compile(r"^(https?://[^/\s'\";,\\]+)?/(?!/)[^\s'\";,\\]*$")


class MapSettings(PlatformSettings):
    """`BEREDSKAP_MAP_*`."""

    # Map pages: the base layer and the alternative one (an empty URL leaves it out).
    map_tiles_url: str = Field(
        default=KARTVERKET_TOPO_TILES,
        description="Leaflet URL template ({z}, {x}, {y}; {s} for subdomains) of the default "
        "base layer: https://host/... or a path on this app",
    )
    map_tiles_attribution: str = Field(default="© Kartverket", max_length=300)
    map_tiles_max_zoom: int = Field(default=18, ge=1, le=22)
    map_alternative_tiles_url: str = Field(default=OPENSTREETMAP_TILES)
    map_alternative_tiles_attribution: str = Field(
        default="© OpenStreetMap contributors", max_length=300
    )
    map_alternative_tiles_max_zoom: int = Field(default=19, ge=1, le=22)
    # The municipality whose entities `beredskap import brreg` keeps (Enhetsregisteret's
    # kommunenummer; the demo is Lillestrøm).
    municipality_number: str = Field(default="3205", pattern=r"^\d{4}$")
    # How fast people and equipment are assumed to travel (readiness/travel.py): the
    # straight-line distance times the detour factor, at this speed. Pages say so.
    travel_speed_kmh: float = Field(default=50.0, gt=0, le=300)
    travel_detour_factor: float = Field(default=1.3, ge=1, le=5)
    # Reach (GET /api/v1/reach, the maps' reach panel): the mobilisation assumed for an
    # organisation with no agreement in force stating one. Pages say so.
    reach_default_mobilisation_minutes: int = Field(default=60, ge=0, le=1440)

    @field_validator("map_tiles_url", "map_alternative_tiles_url")
    @classmethod
    def _tile_url(cls, value: str, info: ValidationInfo) -> str:
        if not value and info.field_name == "map_alternative_tiles_url":
            return value
        if not TILE_URL_PATTERN.match(value) or not all(
            part in value for part in ("{z}", "{x}", "{y}")
        ):
            raise ValueError(
                "a tile URL is https://host/path or /path with {z}, {x} and {y}, "
                "without quotes, spaces, ';' or ','"
            )
        return value
