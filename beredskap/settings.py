"""Application settings: the only module that reads the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("var/beredskap.db")


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


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
