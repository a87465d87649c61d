"""Twilio Voice through the twilio library: placing a call, and its call list (reconciling).

One `Client` per thread from `ClientPerThread`, as the SMS gateway takes its own, through the
same `RelayingHttpClient`: `BEREDSKAP_TWILIO_API_BASE` points calls at a test gateway as it
does messages. Nothing here knows callouts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pydantic import SecretStr
from twilio.base.exceptions import TwilioRestException

from alerts.gateway.twilio_http import ClientPerThread
from alerts.settings import AlertSettings

# The status callbacks we ask for: the final one ("completed" covers answered calls; busy,
# no-answer, failed and canceled come as it) and "answered".
STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]


@dataclass(frozen=True)
class Placed:
    call_sid: str


@dataclass(frozen=True)
class Refused:
    """Twilio answered and refused (a bad number, our account): placing again will not help."""

    code: str


@dataclass(frozen=True)
class Unknown:
    """No answer, or a 5xx / 429: the call may or may not have been placed."""

    reason: str


PlaceResult = Placed | Refused | Unknown


@dataclass(frozen=True)
class VoiceConfig:
    account_sid: str
    auth_token: SecretStr = field(repr=False)
    from_number: str
    api_base: str
    ring_timeout_s: int = 30
    request_timeout_s: float = 10.0
    clock_skew: timedelta = timedelta(minutes=2)

    @classmethod
    def from_settings(cls, settings: AlertSettings) -> VoiceConfig:
        if not settings.voice_configured:
            raise ValueError("voice is not configured (Twilio and BEREDSKAP_TWILIO_VOICE_FROM)")
        assert settings.twilio_account_sid and settings.twilio_auth_token
        assert settings.twilio_voice_from
        return cls(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token,
            from_number=settings.twilio_voice_from,
            api_base=settings.twilio_api_base,
            ring_timeout_s=settings.voice_ring_timeout_s,
        )


class TwilioCalls:
    """Places calls and lists them; safe from many threads."""

    def __init__(self, config: VoiceConfig) -> None:
        self.config = config
        self._clients = ClientPerThread(lambda: self.config)

    def __repr__(self) -> str:  # never the token
        return f"TwilioCalls(account={self.config.account_sid}, api={self.config.api_base})"

    def place(self, to: str, *, twiml_url: str, status_url: str) -> PlaceResult:
        try:
            call = self._clients.get().calls.create(
                to=to,
                from_=self.config.from_number,
                url=twiml_url,
                method="POST",
                status_callback=status_url,
                status_callback_method="POST",
                status_callback_event=STATUS_EVENTS,
                timeout=self.config.ring_timeout_s,
            )
        except TwilioRestException as error:
            status = error.status or 0
            if 400 <= status < 500 and status != 429:
                return Refused(str(error.code or status))
            return Unknown(f"HTTP {status}")
        except Exception as error:  # a timeout or a lost connection: it may have been placed
            return Unknown(type(error).__name__)
        return Placed(str(call.sid))

    def find_placed(self, to: str, since: datetime) -> list[str]:
        """SIDs of calls to `to` Twilio took since `since` (less the clock skew).

        Two list requests, as for messages: filtered by `StartTime>`, and the newest page for
        the number without it, because a call still queued has no start time yet. Kept:
        calls created at or after `since` less the skew.
        """
        earliest = since.astimezone(UTC) - self.config.clock_skew
        client = self._clients.get()
        found: dict[str, None] = {}
        for call in client.calls.list(to=to, start_time_after=earliest, limit=50) + (
            client.calls.list(to=to, limit=50)
        ):
            created = call.date_created
            if created is None or created >= earliest:
                found.setdefault(str(call.sid))
        return list(found)

    def close(self) -> None:
        self._clients.close()
