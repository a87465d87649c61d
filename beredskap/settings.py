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
