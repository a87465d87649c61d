"""The platform's settings section; with the capabilities' sections the only code that reads
the environment."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("var/beredskap.db")


class PlatformSettings(BaseSettings):
    """The platform's section of the settings, read from `BEREDSKAP_*` environment variables
    (or a `.env` file). Each capability's section subclasses it (`alerts.settings`,
    `exercises.settings`, `beredskap.register.settings`), and the composition root's
    `Settings` is made of them all."""

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
    # The largest request body any route reads (413 above it, before anything parses it).
    max_request_body_bytes: int = Field(default=1_048_576, ge=1024, le=1_073_741_824)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    # Web sessions and API tokens.
    cookie_secure: bool = Field(
        default=True,
        description="Send the session cookie over HTTPS only (browsers also allow it on "
        "http://localhost and 127.0.0.1, so the demo works).",
    )
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    # A web session not used for this long ends (besides the absolute `session_hours`).
    session_idle_minutes: int = Field(default=120, ge=15, le=24 * 60)
    token_days: int = Field(default=90, ge=1, le=3650)
    # Where the accessibility statement (/tilgjengelighet) asks for feedback: an e-mail address
    # or a web page of the municipality; without it, the statement names the coordinator.
    accessibility_contact: str | None = Field(
        default=None, max_length=254, pattern=r"^[^\s<>\"']+$"
    )
    # Failed logins: after `login_free_failures` within the window, each further attempt
    # waits twice as long as the one before, up to `login_max_delay_seconds`.
    login_free_failures: int = Field(default=5, ge=1, le=100)
    login_failure_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    login_max_delay_seconds: int = Field(default=900, ge=1, le=24 * 3600)
    default_language: str = Field(default="nb", pattern="^(nb|en)$")
    # Proxies whose X-Forwarded-For / -Proto are believed (comma-separated addresses or
    # networks, e.g. "10.0.0.5" or "10.0.0.0/24"); empty: none, the peer is the client. The
    # login slow-down is keyed by the client's address, so a header from anyone else is
    # ignored.
    trusted_proxies: str = Field(default="", max_length=1000, pattern=r"^[0-9A-Fa-f:.,/\s*]*$")

    public_url: str | None = Field(
        default=None,
        description="The externally visible base URL of this app; Twilio signs webhooks "
        "against it, so it is never taken from a request's Host header",
    )
    # --- Retention of personal data (days; applied daily by the worker's scheduler and by
    # `beredskap retention run`) -----------------------------------------------------------
    # Callout recipients' numbers, notices and the replies received, after the callout.
    retention_callout_days: int = Field(default=365, ge=1, le=36_500)
    # Logs of SMS and e-mail sent (the local gateway's log, reminders and other messages).
    retention_message_log_days: int = Field(default=90, ge=1, le=36_500)
    # Personal values in the audit trail's before/after copies (the entries themselves stay).
    retention_audit_personal_days: int = Field(default=1_825, ge=1, le=36_500)
    # Volunteers marked inactive this long are purged.
    retention_inactive_volunteer_days: int = Field(default=365, ge=1, le=36_500)
    # Web sessions (who was logged in when) and failed logins (address typed, from where).
    retention_security_log_days: int = Field(default=30, ge=1, le=36_500)
    # --- The scheduler (in `beredskap worker` or `beredskap scheduler`) ----------------------
    # How often the capabilities' jobs are synced (exercise rows turned into date jobs).
    scheduler_sync_s: float = Field(default=30.0, ge=0.5, le=3600)
    # How often the leader checks it still holds the lock, and others try to take over.
    scheduler_leader_check_s: float = Field(default=5.0, ge=0.1, le=300)
    # SQLite: the lock file of the one scheduler (default: next to the database file).
    scheduler_lock_path: Path | None = None

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

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        return absolute_https_url(value)

    @field_validator("public_url", mode="before")
    @classmethod
    def _public_url_empty_is_unset(cls, value: object) -> object:
        return empty_is_unset(value)


def empty_is_unset(value: object) -> object:
    """`BEREDSKAP_TWILIO_ACCOUNT_SID=` in a compose file or .env means "not set"."""
    return None if isinstance(value, str) and not value.strip() else value


def absolute_https_url(value: str | None) -> str | None:
    """An absolute https URL (plain http only for localhost), without query, fragment or
    credentials, and without a trailing slash."""
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
