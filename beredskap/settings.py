"""Application settings: the only module that reads the environment."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("var/beredskap.db")

# Map tiles: Kartverket's topographic map (WMTS, web mercator) by default, OpenStreetMap as
# the alternative. Closed networks point both at a tile server of their own.
KARTVERKET_TOPO_TILES = (
    "https://cache.kartverket.no/v1/wmts/1.0.0/topo/default/webmercator/{z}/{y}/{x}.png"
)
OPENSTREETMAP_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
# A tile URL goes into the pages' Content-Security-Policy: no quotes, spaces, ; or ,.
TILE_URL_PATTERN = re.compile(r"^(https?://[^/\s'\";,\\]+)?/(?!/)[^\s'\";,\\]*$")


class Settings(BaseSettings):
    """Settings read from `BEREDSKAP_*` environment variables (or a `.env` file)."""

    model_config = SettingsConfigDict(env_prefix="BEREDSKAP_", env_file=".env", extra="ignore")

    database_url: SecretStr = Field(
        default=SecretStr(f"sqlite:///{DEFAULT_SQLITE_PATH}"),
        description="sqlite:///path.db (SpatiaLite) or postgresql+psycopg://user@host/db (PostGIS)",
    )
    spatialite_module: str = Field(
        default="mod_spatialite",
        description="Name or path of the SpatiaLite loadable extension.",
    )
    echo_sql: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    # Web sessions and API tokens.
    cookie_secure: bool = Field(
        default=True,
        description="Send the session cookie over HTTPS only (browsers also allow it on "
        "http://localhost and 127.0.0.1, so the demo works).",
    )
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    token_days: int = Field(default=90, ge=1, le=3650)
    # Failed logins: after `login_free_failures` within the window, each further attempt
    # waits twice as long as the one before, up to `login_max_delay_seconds`.
    login_free_failures: int = Field(default=5, ge=1, le=100)
    login_failure_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    login_max_delay_seconds: int = Field(default=900, ge=1, le=24 * 3600)
    default_language: str = Field(default="nb", pattern="^(nb|en)$")

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

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value()
        if not url.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:", "postgres:")):
            raise ValueError(
                "BEREDSKAP_DATABASE_URL must be a sqlite:/// (SpatiaLite) "
                "or postgresql:// (PostGIS) URL"
            )
        return value

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


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
