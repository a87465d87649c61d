"""The settings section of SMS callout: Twilio, SMS sending, callouts, e-mail."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from beredskap.platform.settings import PlatformSettings, absolute_https_url, empty_is_unset

# The voice of a call's <Say> (`voice_say_voice`): Amazon Polly's Norwegian voice, as Twilio
# names it. Twilio's own default voice does not speak nb-NO.
DEFAULT_SAY_VOICE = "Polly.Liv"


class AlertSettings(PlatformSettings):
    """`BEREDSKAP_TWILIO_*`, `_LINKMOBILITY_*`, `_SMS_*`, `_CALLOUT_*`, `_SMTP_*`."""

    # A refused setting's message names the setting, never echoes what was given: these
    # hold passwords and tokens.
    model_config = SettingsConfigDict(**PlatformSettings.model_config, hide_input_in_errors=True)

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
    # LINK Mobility's SMS REST API ("Common"), a Norwegian aggregator: used only when every
    # field below but the API base is set (half is refused, as for Twilio). The gate id is
    # the delivery report gate LINK Support made for our receipt webhook; the webhook user and
    # password are what that gate (and the MO gate) must present to our webhooks.
    linkmobility_username: str | None = Field(default=None, max_length=200)
    linkmobility_password: SecretStr | None = None
    linkmobility_platform_id: str | None = Field(default=None, max_length=100)
    linkmobility_platform_partner_id: str | None = Field(default=None, max_length=100)
    linkmobility_source: str | None = Field(
        default=None, description="E.164 number (replies need one) or a sender ID of 2-11"
    )
    linkmobility_gate_id: str | None = Field(default=None, max_length=100)
    linkmobility_webhook_username: str | None = Field(default=None, max_length=200)
    linkmobility_webhook_password: SecretStr | None = None
    # A message LINK took reports back, at the latest when its validity ends; a row still
    # in doubt this long after that was never taken (LINK keeps no message list to ask).
    linkmobility_report_grace_s: int = Field(default=600, ge=5, le=24 * 3600)
    linkmobility_api_base: str = Field(
        default="https://n-eu.linkmobility.io",
        description="LINK's API node (n-eu, c-eu, s-eu), a test gateway or a relay",
    )
    # Which configured provider sends, and which takes over while it fails; unset: the one
    # configured (Twilio first). Failover after this many transient failures in a row (or at
    # once on a refused configuration); the primary is tried again after the cool-down.
    sms_primary: str | None = Field(default=None, pattern="^(twilio|linkmobility)$")
    sms_secondary: str | None = Field(default=None, pattern="^(twilio|linkmobility)$")
    sms_failover_after: int = Field(default=3, ge=1, le=1000)
    sms_failover_cool_down_s: int = Field(default=60, ge=1, le=3600)
    sms_validity_period_s: int = Field(default=3600, ge=1, le=36000)
    sms_max_concurrency: int = Field(default=50, ge=1, le=500)
    # A message left `sending` longer than this (its worker died, or the gateway could not
    # say) is checked against the provider's message list before any resend. Well above the
    # gateway's own retry time (30 s) plus request timeouts, so a live send is never judged.
    sms_send_lease_s: int = Field(default=300, ge=1, le=24 * 3600)
    # Voice fallback (alerts/voice): calls through Twilio Voice from this number, which must
    # be a voice-capable Twilio number (E.164; an alphanumeric sender cannot call). Unset: no
    # calls (a callout's `voice_after_min` is kept, and nothing is called).
    twilio_voice_from: str | None = Field(default=None, pattern=r"^\+[1-9]\d{6,14}$")
    # The voice every <Say> of a call speaks in (language nb-NO): one that speaks Norwegian.
    # Twilio's default ("man") and "woman" do not, so they are refused; Amazon Polly's Liv
    # (standard) by default, or e.g. Polly.Ida-Neural, Google.nb-NO-Standard-A (Twilio's names).
    voice_say_voice: str = Field(
        default=DEFAULT_SAY_VOICE,
        pattern=r"^(Polly\.[A-Z][a-z]+(-Neural|-Generative)?|Google\.nb-NO-[A-Za-z0-9]+-[A-Z])$",
    )
    # How long a call may ring before it counts as not answered.
    voice_ring_timeout_s: int = Field(default=30, ge=5, le=120)
    # The most calls placed at once (each is one request to Twilio).
    voice_max_concurrency: int = Field(default=10, ge=1, le=100)
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

    @field_validator("voice_say_voice", mode="before")
    @classmethod
    def _say_voice_empty_is_default(cls, value: object) -> object:
        return empty_is_unset(value) or DEFAULT_SAY_VOICE

    @field_validator(
        "twilio_account_sid",
        "twilio_auth_token",
        "twilio_from",
        "twilio_messaging_service_sid",
        "linkmobility_username",
        "linkmobility_password",
        "linkmobility_platform_id",
        "linkmobility_platform_partner_id",
        "linkmobility_source",
        "linkmobility_gate_id",
        "linkmobility_webhook_username",
        "linkmobility_webhook_password",
        "sms_primary",
        "sms_secondary",
        "twilio_voice_from",
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

    @field_validator("linkmobility_source")
    @classmethod
    def _link_source(cls, value: str | None) -> str | None:
        if value is None:
            return None
        number = re.fullmatch(r"\+[1-9]\d{6,14}", value)
        # LINK: an alphanumeric sender of 2-11 characters, beginning with a letter.
        sender_id = re.fullmatch(r"[A-Za-z][A-Za-z0-9 ]{1,10}", value)
        if not (number or sender_id):
            raise ValueError(
                "must be an E.164 number (+4791234567) or a sender ID of 2-11 letters and "
                "digits, beginning with a letter"
            )
        return value

    @field_validator("twilio_api_base", "linkmobility_api_base")
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

    @model_validator(mode="after")
    def _linkmobility_complete_or_absent(self) -> AlertSettings:
        given = {
            "BEREDSKAP_LINKMOBILITY_USERNAME": self.linkmobility_username,
            "BEREDSKAP_LINKMOBILITY_PASSWORD": _secret(self.linkmobility_password),
            "BEREDSKAP_LINKMOBILITY_PLATFORM_ID": self.linkmobility_platform_id,
            "BEREDSKAP_LINKMOBILITY_PLATFORM_PARTNER_ID": self.linkmobility_platform_partner_id,
            "BEREDSKAP_LINKMOBILITY_SOURCE": self.linkmobility_source,
            "BEREDSKAP_LINKMOBILITY_GATE_ID": self.linkmobility_gate_id,
            "BEREDSKAP_LINKMOBILITY_WEBHOOK_USERNAME": self.linkmobility_webhook_username,
            "BEREDSKAP_LINKMOBILITY_WEBHOOK_PASSWORD": _secret(self.linkmobility_webhook_password),
        }
        missing = [name for name, value in given.items() if not value]
        if len(missing) < len(given) and missing:
            raise ValueError("LINK Mobility is half configured; also set " + ", ".join(missing))
        if not missing and self.public_url is None:
            raise ValueError(
                "BEREDSKAP_PUBLIC_URL is required with LINK Mobility: its delivery reports and "
                "replies come to webhooks under it"
            )
        return self

    @model_validator(mode="after")
    def _voice_needs_twilio(self) -> AlertSettings:
        if self.twilio_voice_from is not None and not self.twilio_configured:
            raise ValueError(
                "BEREDSKAP_TWILIO_VOICE_FROM needs Twilio: also set BEREDSKAP_TWILIO_ACCOUNT_SID, "
                "_AUTH_TOKEN and _FROM or _MESSAGING_SERVICE_SID (calls go through Twilio Voice, "
                "and its webhooks are signed with that token)"
            )
        return self

    @property
    def voice_configured(self) -> bool:
        """Calls can be placed: Twilio is configured and a voice number is set."""
        return bool(self.twilio_voice_from and self.twilio_configured)

    @model_validator(mode="after")
    def _providers_configured(self) -> AlertSettings:
        configured = self.sms_providers
        for setting, provider in (
            ("BEREDSKAP_SMS_PRIMARY", self.sms_primary),
            ("BEREDSKAP_SMS_SECONDARY", self.sms_secondary),
        ):
            if provider is not None and provider not in configured:
                raise ValueError(f"{setting} is {provider}, which is not configured")
        if self.sms_secondary is not None:
            if self.sms_primary is None:
                raise ValueError("BEREDSKAP_SMS_SECONDARY needs BEREDSKAP_SMS_PRIMARY")
            if self.sms_secondary == self.sms_primary:
                raise ValueError("BEREDSKAP_SMS_SECONDARY must differ from BEREDSKAP_SMS_PRIMARY")
        return self

    @property
    def linkmobility_configured(self) -> bool:
        return bool(
            self.linkmobility_username
            and _secret(self.linkmobility_password)
            and self.linkmobility_platform_id
            and self.linkmobility_platform_partner_id
            and self.linkmobility_source
            and self.linkmobility_gate_id
            and self.linkmobility_webhook_username
            and _secret(self.linkmobility_webhook_password)
        )

    @property
    def sms_providers(self) -> tuple[str, ...]:
        """The SMS providers fully configured, Twilio first."""
        found = []
        if self.twilio_configured:
            found.append("twilio")
        if self.linkmobility_configured:
            found.append("linkmobility")
        return tuple(found)

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


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None
