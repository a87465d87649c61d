"""The second SMS provider's settings: all or none, refused at start with a message naming
what is wrong and never what was given; the primary and secondary as configured."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from alerts.gateway.factory import gateway_from_settings, providers_from_settings
from alerts.gateway.linkmobility_gateway import LinkMobilityGateway
from alerts.gateway.local_gateway import InMemoryLocalMessageStore, LocalGateway
from alerts.gateway.twilio_gateway import TwilioGateway
from beredskap.main.settings import Settings

PASSWORD = "link-secret-password-4711"
GATE_PASSWORD = "gate-secret-password-0815"
TOKEN = "0123456789abcdef0123456789abcdef"
LINK: dict[str, object] = {
    "linkmobility_username": "beredskap",
    "linkmobility_password": PASSWORD,
    "linkmobility_platform_id": "COMMON_API",
    "linkmobility_platform_partner_id": "12345",
    "linkmobility_source": "+4759440001",
    "linkmobility_gate_id": "gate-1",
    "linkmobility_webhook_username": "link-gate",
    "linkmobility_webhook_password": GATE_PASSWORD,
}
TWILIO: dict[str, object] = {
    "twilio_account_sid": "AC" + "1" * 32,
    "twilio_auth_token": TOKEN,
    "twilio_from": "+4790000000",
}
PUBLIC = {"public_url": "https://beredskap.example.no"}


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def refused(**values: object) -> str:
    with pytest.raises(ValidationError) as caught:
        settings(**values)
    return str(caught.value)


@pytest.mark.parametrize("left_out", sorted(LINK))
def test_half_a_link_configuration_is_refused_naming_what_is_missing(left_out: str) -> None:
    given = {name: value for name, value in LINK.items() if name != left_out}
    message = refused(**given, **PUBLIC)
    assert "LINK Mobility is half configured" in message
    assert "BEREDSKAP_" + left_out.upper() in message
    assert PASSWORD not in message and GATE_PASSWORD not in message  # nothing echoed


def test_link_needs_the_public_url_for_its_webhooks() -> None:
    assert "BEREDSKAP_PUBLIC_URL is required with LINK Mobility" in refused(**LINK)


@pytest.mark.parametrize("source", ["12", "+47 912", "1abc", "A" * 12, ""])
def test_a_sender_link_cannot_use_is_refused(source: str) -> None:
    if source == "":
        # Empty is unset: half a configuration.
        assert "half configured" in refused(**(LINK | {"linkmobility_source": source}), **PUBLIC)
        return
    message = refused(**(LINK | {"linkmobility_source": source}), **PUBLIC)
    assert "sender ID of 2-11" in message


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"sms_primary": "twilio"}, "BEREDSKAP_SMS_PRIMARY is twilio, which is not configured"),
        (
            {"sms_primary": "linkmobility", "sms_secondary": "twilio"},
            "BEREDSKAP_SMS_SECONDARY is twilio, which is not configured",
        ),
        ({"sms_secondary": "linkmobility"}, "BEREDSKAP_SMS_SECONDARY needs BEREDSKAP_SMS_PRIMARY"),
        (
            {"sms_primary": "linkmobility", "sms_secondary": "linkmobility"},
            "must differ",
        ),
        ({"sms_primary": "vonage"}, "sms_primary"),
        ({"sms_failover_after": 0}, "sms_failover_after"),
        ({"linkmobility_api_base": "http://link.example.com"}, "https"),
    ],
)
def test_provider_choices_that_cannot_work_are_refused(
    values: dict[str, object], expected: str
) -> None:
    message = refused(**LINK, **PUBLIC, **values)
    assert expected in message
    assert PASSWORD not in message


def test_the_configured_provider_is_the_primary() -> None:
    store = InMemoryLocalMessageStore()
    only_link = settings(**LINK, **PUBLIC)
    assert only_link.sms_providers == ("linkmobility",)
    gateway = gateway_from_settings(only_link, store)
    assert isinstance(gateway, LinkMobilityGateway)
    assert PASSWORD not in repr(gateway) and PASSWORD not in repr(only_link)
    gateway.close()
    assert isinstance(gateway_from_settings(settings(), store), LocalGateway)


def test_primary_and_secondary_as_set() -> None:
    store = InMemoryLocalMessageStore()
    both = settings(
        **LINK,
        **TWILIO,
        **PUBLIC,
        sms_primary="linkmobility",
        sms_secondary="twilio",
        sms_failover_after=5,
        sms_failover_cool_down_s=30,
    )
    providers = providers_from_settings(both, store)
    assert isinstance(providers.primary, LinkMobilityGateway)
    assert isinstance(providers.secondary, TwilioGateway)
    assert providers.failover and providers.label == "linkmobility>twilio"
    assert providers.policy.failover_after == 5
    assert providers.policy.cool_down.total_seconds() == 30
    providers.close()
    # Twilio first when both are configured and nothing is chosen; no failover unless asked.
    default = providers_from_settings(settings(**LINK, **TWILIO, **PUBLIC), store)
    assert isinstance(default.primary, TwilioGateway) and not default.failover
