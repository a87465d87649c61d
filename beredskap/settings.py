"""Application settings: the only module that reads the environment."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
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
    # Database connections per process. Web requests are admitted to the database only while
    # a connection is free for them (a few are kept for webhooks and the health check); the
    # rest wait at most `request_queue_timeout_s`, then get 503 with Retry-After.
    database_pool_size: int = Field(default=10, ge=1, le=200)
    database_max_overflow: int = Field(default=10, ge=0, le=200)
    database_pool_timeout_s: float = Field(default=5.0, gt=0, le=60)
    request_queue_timeout_s: float = Field(default=3.0, gt=0, le=60)
    request_queue_max: int = Field(default=500, ge=1, le=100_000)
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

    # --- SMS callout (alerts/) --------------------------------------------------------------
    # Twilio is used only when the account SID, the auth token and a sender (From number or
    # Messaging Service) are all set; without any of them the local gateway records messages
    # and no real SMS can go out by accident. Half a configuration is refused, not ignored.
    twilio_account_sid: str | None = Field(default=None, pattern=r"^AC[0-9a-fA-F]{32}$")
    twilio_auth_token: SecretStr | None = None
    twilio_from: str | None = Field(
        default=None,
        description="E.164 number (replies need a number) or an alphanumeric sender ID",
    )
    twilio_messaging_service_sid: str | None = Field(default=None, pattern=r"^MG[0-9a-fA-F]{32}$")
    twilio_api_base: str = Field(
        default="https://api.twilio.com",
        description="Where the twilio library's requests go: a test gateway or a relay",
    )
    public_url: str | None = Field(
        default=None,
        description="The externally visible base URL of this app; Twilio signs webhooks "
        "against it, so it is never taken from a request's Host header",
    )
    sms_validity_period_s: int = Field(default=3600, ge=1, le=36000)
    sms_max_concurrency: int = Field(default=50, ge=1, le=500)
    # A message left `sending` longer than this (its worker died, or the gateway could not
    # say) is checked against the provider's message list before any resend. Well above the
    # gateway's own retry time (30 s) plus request timeouts, so a live send is never judged.
    sms_send_lease_s: int = Field(default=300, ge=1, le=24 * 3600)
    # The most volunteers one callout may ask (planning refuses more, naming the radius).
    callout_max_recipients: int = Field(default=20_000, ge=1, le=200_000)

    # --- E-mail (reminders) ------------------------------------------------------------------
    # SMTP only when a host and a from address are set; otherwise e-mail is recorded locally
    # (the outbox row) and nothing is sent.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s<>]+@[^@\s<>]+$")
    smtp_security: str = Field(default="starttls", pattern="^(starttls|ssl|none)$")
    smtp_timeout_s: float = Field(default=30.0, gt=0, le=300)

    # --- Exercise scheduler (exercises/, in `beredskap worker` or `beredskap scheduler`) -----
    # How often exercise rows are turned into scheduler jobs.
    scheduler_sync_s: float = Field(default=30.0, ge=0.5, le=3600)
    # How often the leader checks it still holds the lock, and others try to take over.
    scheduler_leader_check_s: float = Field(default=5.0, ge=0.1, le=300)
    # SQLite: the lock file of the one scheduler (default: next to the database file).
    scheduler_lock_path: Path | None = None
    # --- Exercises (exercises/) -------------------------------------------------------------
    # Minutes before an exercise's start at which participants are reminded, comma-separated
    # (default a week and a day); an exercise may set its own. Alert drills have none unless
    # asked for: a drill is often unannounced.
    exercise_reminder_offsets_min: str = Field(
        default="10080,1440", max_length=200, pattern=r"^\s*(\d{1,5}\s*(,\s*\d{1,5}\s*)*)?$"
    )

    @property
    def exercise_reminder_offsets(self) -> list[int]:
        """The default reminder offsets as minutes, largest first."""
        text = self.exercise_reminder_offsets_min.strip()
        return sorted({int(part) for part in text.split(",")} if text else set(), reverse=True)

    @field_validator("exercise_reminder_offsets_min")
    @classmethod
    def _offsets_in_range(cls, value: str) -> str:
        # 1 minute to 60 days, as an exercise's own offsets (exercises.schemas).
        if any(not 1 <= int(part) <= 86_400 for part in value.split(",") if part.strip()):
            raise ValueError("each offset is from 1 to 86400 minutes (60 days)")
        return value

    @field_validator(
        "twilio_account_sid",
        "twilio_auth_token",
        "twilio_from",
        "twilio_messaging_service_sid",
        "public_url",
        "smtp_host",
        "smtp_username",
        "smtp_password",
        "smtp_from",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `BEREDSKAP_TWILIO_ACCOUNT_SID=` in a compose file or .env means "not set".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("twilio_from")
    @classmethod
    def _sender(cls, value: str | None) -> str | None:
        if value is None:
            return None
        number = re.fullmatch(r"\+[1-9]\d{6,14}", value)
        # An alphanumeric sender ID: 1-11 letters, digits and spaces, at least one letter.
        sender_id = re.fullmatch(r"[A-Za-z0-9 ]{1,11}", value) and re.search("[A-Za-z]", value)
        if not (number or sender_id):
            raise ValueError("must be an E.164 number (+4791234567) or a sender ID of 1-11 letters")
        return value

    @field_validator("twilio_api_base", "public_url")
    @classmethod
    def _absolute_https_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
        if not parts.hostname or parts.scheme not in ("https", "http"):
            raise ValueError("must be an absolute URL such as https://beredskap.example.no")
        if parts.scheme != "https" and not loopback:
            raise ValueError("must use https (plain http only for localhost)")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError("must not carry a query, fragment or credentials")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _twilio_complete_or_absent(self) -> Settings:
        given = {
            "BEREDSKAP_TWILIO_ACCOUNT_SID": self.twilio_account_sid,
            "BEREDSKAP_TWILIO_AUTH_TOKEN": self.twilio_auth_token,
            "BEREDSKAP_TWILIO_FROM or _MESSAGING_SERVICE_SID": self.twilio_from
            or self.twilio_messaging_service_sid,
        }
        missing = [name for name, value in given.items() if not value]
        if len(missing) < len(given) and missing:
            raise ValueError("Twilio is half configured; also set " + ", ".join(missing))
        if not missing and self.public_url is None:
            raise ValueError(
                "BEREDSKAP_PUBLIC_URL is required with Twilio: delivery receipts and replies "
                "come to webhooks under it"
            )
        return self

    @property
    def twilio_configured(self) -> bool:
        return bool(
            self.twilio_account_sid
            and self.twilio_auth_token
            and self.twilio_auth_token.get_secret_value()
            and (self.twilio_from or self.twilio_messaging_service_sid)
        )

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host and self.smtp_from)

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
