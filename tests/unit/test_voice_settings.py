"""Voice settings: a voice number without Twilio, or one that cannot call (not E.164), is
refused at start with a message naming the settings, never echoing the token."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from alerts.voice.twilio_calls import TwilioCalls, VoiceConfig
from beredskap.main.settings import Settings

TOKEN = "0123456789abcdef0123456789abcdef"
TWILIO: dict[str, object] = {
    "twilio_account_sid": "AC" + "1" * 32,
    "twilio_auth_token": TOKEN,
    "twilio_from": "+4790000000",
    "public_url": "https://beredskap.example.no",
}


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_voice_is_off_unless_a_voice_number_is_set() -> None:
    assert not settings().voice_configured
    assert not settings(**TWILIO).voice_configured
    assert settings(**TWILIO, twilio_voice_from="+4759440001").voice_configured


def test_a_voice_number_without_twilio_is_refused_naming_what_is_missing() -> None:
    with pytest.raises(ValidationError) as raised:
        settings(twilio_voice_from="+4759440001")
    message = str(raised.value)
    assert "BEREDSKAP_TWILIO_VOICE_FROM needs Twilio" in message
    assert "BEREDSKAP_TWILIO_ACCOUNT_SID" in message


@pytest.mark.parametrize("value", ["Beredskap", "4759440001", "+0123", "+47 594 40 001"])
def test_a_voice_number_that_cannot_call_is_refused(value: str) -> None:
    with pytest.raises(ValidationError) as raised:
        settings(**TWILIO, twilio_voice_from=value)
    assert "twilio_voice_from" in str(raised.value)
    assert TOKEN not in str(raised.value)


def test_an_empty_voice_number_is_unset() -> None:
    assert settings(**TWILIO, twilio_voice_from="").twilio_voice_from is None


@pytest.mark.parametrize(
    ("field", "value"), [("voice_ring_timeout_s", 2), ("voice_max_concurrency", 0)]
)
def test_voice_limits_out_of_range_are_refused(field: str, value: int) -> None:
    with pytest.raises(ValidationError):
        settings(**TWILIO, twilio_voice_from="+4759440001", **{field: value})


def test_the_calls_client_never_shows_the_token() -> None:
    config = VoiceConfig.from_settings(settings(**TWILIO, twilio_voice_from="+4759440001"))
    assert TOKEN not in repr(config) and TOKEN not in repr(TwilioCalls(config))
    with pytest.raises(ValueError, match="voice is not configured"):
        VoiceConfig.from_settings(settings(**TWILIO))
