"""The settings section of SMS callout: Twilio, SMS sending, callouts, e-mail."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, field_validator, model_validator

from beredskap.platform.settings import PlatformSettings, absolute_https_url, empty_is_unset


class AlertSettings(PlatformSettings):
    """`BEREDSKAP_TWILIO_*`, `_SMS_*`, `_CALLOUT_*`, `_SMTP_*`."""

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

    # --- Readiness reminders (alerts/reminders) ---------------------------------------------
    # The Oslo wall-clock hour from which the day's reminders are sent (once a day; a worker
    # down at that hour sends them when it is back, the same day).
    reminder_hour: int = Field(default=7, ge=0, le=23)
    # Who gets the agreements' reminders (review date, notice period); unset: every active
    # admin user.
    coordinator_email: str | None = Field(
        default=None, max_length=254, pattern=r"^[^@\s<>]+@[^@\s<>]+$"
    )

    @field_validator("coordinator_email", mode="before")
    @classmethod
    def _coordinator_email_empty_is_unset(cls, value: object) -> object:
        return empty_is_unset(value)

    @field_validator(
        "twilio_account_sid",
        "twilio_auth_token",
        "twilio_from",
        "twilio_messaging_service_sid",
        "smtp_host",
        "smtp_username",
        "smtp_password",
        "smtp_from",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return empty_is_unset(value)

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

    @field_validator("twilio_api_base")
    @classmethod
    def _absolute_https_url(cls, value: str) -> str | None:
        return absolute_https_url(value)

    @model_validator(mode="after")
    def _twilio_complete_or_absent(self) -> AlertSettings:
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
