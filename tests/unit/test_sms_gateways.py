"""The local gateway, the choice of gateway, and the SMS settings."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from alerts.gateway.factory import gateway_from_settings
from alerts.gateway.local_gateway import InMemoryLocalMessageStore, LocalGateway
from alerts.gateway.port import FailureKind, MessageStatus, SendAccepted, SendFailed, SmsGateway
from alerts.gateway.twilio_gateway import TwilioConfig, TwilioGateway
from alerts.redaction import mask_phone, redact_phone_numbers
from beredskap.main.settings import Settings

SID = "AC" + "0123456789abcdef" * 2
SERVICE = "MG" + "0123456789abcdef" * 2
TWILIO = {
    "twilio_account_sid": SID,
    "twilio_auth_token": "secret-token",
    "twilio_from": "+4759440000",
    "public_url": "https://beredskap.example.no",
}


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_the_local_gateway_records_instead_of_sending() -> None:
    store, clock = InMemoryLocalMessageStore(), _Clock()
    gateway = LocalGateway(store, clock=clock)
    assert isinstance(gateway, SmsGateway) and gateway.name == "local"
    result = gateway.send(
        "+4791234567",
        "Oppmøte",
        reference="outbox-1",
        status_callback_url="https://x.example/cb",
        validity_period_s=600,
    )
    assert isinstance(result, SendAccepted)
    assert result.provider_id.startswith("LM") and len(result.provider_id) == 34
    assert result.status is MessageStatus.DELIVERED
    [message] = store.all()
    assert (message.to, message.body, message.reference) == ("+4791234567", "Oppmøte", "outbox-1")
    assert (message.status_callback_url, message.validity_period_s) == ("https://x.example/cb", 600)


def test_the_local_gateway_sends_a_reference_once() -> None:
    store = InMemoryLocalMessageStore()
    gateway = LocalGateway(store)
    first = gateway.send("+4791234567", "Oppmøte", reference="outbox-1")
    again = gateway.send("+4791234567", "Oppmøte", reference="outbox-1")
    assert first == again and len(store.all()) == 1


def test_the_local_gateway_refuses_what_a_provider_would() -> None:
    gateway = LocalGateway(InMemoryLocalMessageStore())
    for to, body, code in [("91234567", "x", 21211), ("+4791234567", " ", 21602)]:
        result = gateway.send(to, body, reference="r")
        assert isinstance(result, SendFailed)
        assert (result.kind, result.code) == (FailureKind.PERMANENT, code)
    result = gateway.send("+4791234567", "x" * 1601, reference="r")
    assert isinstance(result, SendFailed) and result.code == 21617


def test_the_local_gateway_lists_what_it_sent_for_reconciliation() -> None:
    clock = _Clock()
    gateway = LocalGateway(InMemoryLocalMessageStore(), clock=clock)
    gateway.send("+4791234567", "old", reference="r0")
    start = clock.now + timedelta(minutes=1)
    clock.now = start
    gateway.send("+4791234567", "first", reference="r1")
    clock.now += timedelta(seconds=5)
    gateway.send("+4791234567", "second", reference="r2")
    gateway.send("+4799999999", "other", reference="r3")
    assert [m.body for m in gateway.find_sent("+4791234567", start)] == ["second", "first"]
    with pytest.raises(ValueError):
        gateway.find_sent("+4791234567", datetime(2026, 1, 1))


def test_the_in_memory_store_is_thread_safe() -> None:
    store = InMemoryLocalMessageStore()
    gateway = LocalGateway(store)

    def send(worker: int) -> None:
        for index in range(200):
            gateway.send("+4791234567", "x", reference=f"{index % 100}")

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.all()) == 100


def test_without_twilio_settings_the_local_gateway_is_chosen() -> None:
    store = InMemoryLocalMessageStore()
    gateway = gateway_from_settings(Settings(), store)
    assert isinstance(gateway, LocalGateway) and gateway.store is store


@pytest.mark.parametrize(
    "sender",
    [
        {"twilio_from": "+4759440000"},
        {"twilio_from": None, "twilio_messaging_service_sid": SERVICE},
    ],
)
def test_with_complete_twilio_settings_twilio_is_chosen(sender: dict[str, str | None]) -> None:
    settings = Settings(**{**TWILIO, **sender}, sms_validity_period_s=900, sms_max_concurrency=20)
    gateway = gateway_from_settings(settings, InMemoryLocalMessageStore())
    assert isinstance(gateway, TwilioGateway)
    config = gateway.config
    assert (config.account_sid, config.validity_period_s, config.max_concurrency) == (SID, 900, 20)
    assert config.auth_token.get_secret_value() == "secret-token"
    assert config.api_base == "https://api.twilio.com"
    assert "secret-token" not in repr(gateway) + repr(config) + repr(settings)


@pytest.mark.parametrize(
    "partial",
    [
        {"twilio_account_sid": SID},
        {"twilio_auth_token": "t"},
        {"twilio_from": "+4759440000"},
        {"twilio_messaging_service_sid": SERVICE},
        {"twilio_account_sid": SID, "twilio_auth_token": "t"},
        {"twilio_account_sid": SID, "twilio_from": "+4759440000"},
    ],
)
def test_half_a_twilio_configuration_is_refused_not_ignored(partial: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="half configured"):
        Settings(**partial)


def test_twilio_needs_a_public_url_for_its_webhooks() -> None:
    with pytest.raises(ValidationError, match="PUBLIC_URL"):
        Settings(**{**TWILIO, "public_url": None})


@pytest.mark.parametrize(
    "field, value",
    [
        ("twilio_account_sid", "AC123"),
        ("twilio_account_sid", "XX" + "0" * 32),
        ("twilio_messaging_service_sid", "MG1"),
        ("twilio_from", "12345"),
        ("twilio_from", "Beredskapsetaten"),  # a sender ID has at most 11 characters
        ("twilio_from", "+47 594 40 000"),
        ("public_url", "http://beredskap.example.no"),
        ("public_url", "beredskap.example.no"),
        ("public_url", "https://beredskap.example.no/?a=1"),
        ("public_url", "https://user:pw@beredskap.example.no"),
        ("twilio_api_base", "http://relay.example.no"),
        ("twilio_api_base", "ftp://relay.example.no"),
        ("sms_validity_period_s", 0),
        ("sms_validity_period_s", 36001),
        ("sms_max_concurrency", 0),
    ],
)
def test_bad_sms_settings_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        Settings(**{**TWILIO, field: value})


def test_sms_settings_defaults_and_loopback_urls() -> None:
    settings = Settings()
    assert (settings.sms_validity_period_s, settings.sms_max_concurrency) == (3600, 50)
    assert settings.twilio_api_base == "https://api.twilio.com"
    assert not settings.twilio_configured and settings.public_url is None
    local = Settings(
        **{
            **TWILIO,
            "public_url": "http://localhost:8000/",
            "twilio_api_base": "http://127.0.0.1:9",
        }
    )
    assert local.public_url == "http://localhost:8000" and local.twilio_configured
    assert Settings(**{**TWILIO, "twilio_from": "Beredskap"}).twilio_from == "Beredskap"


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in TWILIO.items():
        monkeypatch.setenv(f"BEREDSKAP_{name.upper()}", value)
    monkeypatch.setenv("BEREDSKAP_SMS_MAX_CONCURRENCY", "7")
    settings = Settings()
    assert settings.twilio_configured and settings.sms_max_concurrency == 7
    monkeypatch.setenv("BEREDSKAP_TWILIO_ACCOUNT_SID", "")  # an empty variable is unset
    with pytest.raises(ValidationError, match="half configured"):
        Settings()


def test_a_twilio_config_needs_a_sender() -> None:
    from pydantic import SecretStr

    with pytest.raises(ValueError):
        TwilioConfig(account_sid=SID, auth_token=SecretStr("t"))
    with pytest.raises(ValueError):
        TwilioConfig.from_settings(Settings())


@pytest.mark.parametrize(
    "number, masked",
    [("+4791234567", "+47******67"), ("91234567", "******67"), ("+447700900123", "+44********23")],
)
def test_phone_numbers_are_masked(number: str, masked: str) -> None:
    assert mask_phone(number) == masked


def test_phone_numbers_are_masked_in_free_text() -> None:
    text = "The 'To' number +4791234567 is not valid; nor is 912 34 567 or %2B4791234567"
    redacted = redact_phone_numbers(text)
    assert "91234567" not in redacted.replace(" ", "") and "4791234567" not in redacted
    assert redacted.startswith("The 'To' number +47******67 is not valid")
    assert redact_phone_numbers("HTTP 429 at 12:30, code 20429") == "HTTP 429 at 12:30, code 20429"
