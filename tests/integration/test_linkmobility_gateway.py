"""The LINK Mobility gateway over real HTTP against the fake LINK (tests/support/
fake_linkmobility.py): what it sends, how it sorts LINK's answers, and how it keeps a message
from going out twice without a message list. No database: these run once."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from alerts.gateway.linkmobility_gateway import (
    LinkMobilityConfig,
    LinkMobilityGateway,
    RetryPolicy,
)
from alerts.gateway.port import (
    FailureKind,
    GatewayUnavailableError,
    MessageStatus,
    SendAccepted,
    SendFailed,
    SmsGateway,
)
from tests.support.fake_linkmobility import (
    TEST_GATE_ID,
    TEST_PARTNER_ID,
    TEST_PASSWORD,
    TEST_PLATFORM_ID,
    TEST_SOURCE,
    TEST_USERNAME,
    FakeLinkMobility,
)
from tests.support.fake_twilio import Fault

TO = "+4791234567"
FAST = RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.05, max_total_s=10)


def config(base_url: str, **overrides: object) -> LinkMobilityConfig:
    values: dict[str, object] = {
        "username": TEST_USERNAME,
        "password": SecretStr(TEST_PASSWORD),
        "platform_id": TEST_PLATFORM_ID,
        "platform_partner_id": TEST_PARTNER_ID,
        "source": TEST_SOURCE,
        "gate_id": TEST_GATE_ID,
        "api_base": base_url,
        "validity_period_s": 900,
        "request_timeout_s": 1.0,
        "retry": FAST,
    }
    values.update(overrides)
    return LinkMobilityConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
def fake() -> Iterator[FakeLinkMobility]:
    with FakeLinkMobility(stall_s=2.0) as running:
        yield running


@pytest.fixture
def gateway_for() -> Iterator[Callable[..., LinkMobilityGateway]]:
    made: list[LinkMobilityGateway] = []

    def make(base_url: str, **overrides: object) -> LinkMobilityGateway:
        gateway = LinkMobilityGateway(config(base_url, **overrides))
        made.append(gateway)
        return gateway

    yield make
    for gateway in made:
        gateway.close()


def test_is_an_sms_gateway(fake: FakeLinkMobility, gateway_for: Callable[..., Any]) -> None:
    assert isinstance(gateway_for(fake.base_url), SmsGateway)


def test_sends_one_message_with_our_reference_and_gate(
    fake: FakeLinkMobility, gateway_for: Callable[..., LinkMobilityGateway]
) -> None:
    result = gateway_for(fake.base_url).send(TO, "Øvelse: møt ved stasjonen", reference="r17")
    assert isinstance(result, SendAccepted)
    assert result.status is MessageStatus.QUEUED and result.provider == "linkmobility"
    [message] = fake.accepted()
    assert result.provider_id == message.message_id
    assert (message.to, message.body, message.source) == (
        TO,
        "Øvelse: møt ved stasjonen",
        TEST_SOURCE,
    )
    assert message.ref_id == "r17"  # mirrored in its delivery reports: finds the row
    assert message.gates == (TEST_GATE_ID,)
    assert message.validity_ms == 900_000  # our validity, in LINK's milliseconds


def test_validity_of_the_call_wins(
    fake: FakeLinkMobility, gateway_for: Callable[..., LinkMobilityGateway]
) -> None:
    gateway_for(fake.base_url).send(TO, "Hei", reference="r1", validity_period_s=120)
    assert fake.accepted()[0].validity_ms == 120_000


def test_wrong_password_is_our_configuration(
    fake: FakeLinkMobility,
    gateway_for: Callable[..., LinkMobilityGateway],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "not-the-password-987"
    gateway = gateway_for(fake.base_url, password=SecretStr(wrong))
    result = gateway.send(TO, "Hei", reference="r2")
    assert isinstance(result, SendFailed) and result.kind is FailureKind.CONFIGURATION
    assert result.http_status == 401 and fake.accepted() == []
    assert fake.posts() == 1  # not retried
    assert wrong not in caplog.text and wrong not in repr(gateway) and wrong not in result.reason


def test_wrong_platform_is_our_configuration(
    fake: FakeLinkMobility, gateway_for: Callable[..., LinkMobilityGateway]
) -> None:
    result = gateway_for(fake.base_url, platform_partner_id="999").send(TO, "Hei", reference="r3")
    assert isinstance(result, SendFailed) and result.kind is FailureKind.CONFIGURATION
    assert result.code == 104


def test_a_number_link_refuses_is_permanent(
    gateway_for: Callable[..., LinkMobilityGateway],
) -> None:
    with FakeLinkMobility(invalid_numbers=frozenset({TO})) as fake:
        result = gateway_for(fake.base_url).send(TO, "Hei", reference="r4")
        assert isinstance(result, SendFailed) and result.kind is FailureKind.PERMANENT
        assert result.code == 2104 and "unknown subscriber" in result.reason
        assert fake.posts() == 1


@pytest.mark.parametrize("to", ["91234567", "+47 912", ""])
def test_not_a_number_is_refused_without_asking(
    fake: FakeLinkMobility, gateway_for: Callable[..., LinkMobilityGateway], to: str
) -> None:
    result = gateway_for(fake.base_url).send(to, "Hei", reference="r5")
    assert isinstance(result, SendFailed) and result.kind is FailureKind.PERMANENT
    assert fake.posts() == 0


@pytest.mark.parametrize("fault", [Fault.SERVICE_UNAVAILABLE, Fault.RATE_LIMIT])
def test_refusals_before_acting_are_retried_and_sent_once(
    fake: FakeLinkMobility, gateway_for: Callable[..., LinkMobilityGateway], fault: Fault
) -> None:
    fake.script(fault, fault)
    result = gateway_for(fake.base_url).send(TO, "Hei", reference="r6")
    assert isinstance(result, SendAccepted) and result.attempts == 3
    assert len(fake.messages_to(TO)) == 1


def test_always_refused_ends_transient(
    fake: FakeLinkMobility, gateway_for: Callable[..., LinkMobilityGateway]
) -> None:
    fake.script(*[Fault.SERVICE_UNAVAILABLE] * 10)
    result = gateway_for(fake.base_url).send(TO, "Hei", reference="r7")
    assert isinstance(result, SendFailed) and result.kind is FailureKind.TRANSIENT
    assert result.attempts == FAST.max_attempts and fake.accepted() == []


@pytest.mark.parametrize(
    "fault", [Fault.SERVER_ERROR, Fault.TIMEOUT_AFTER_ACCEPT, Fault.DISCONNECT_AFTER_ACCEPT]
)
def test_an_answer_that_may_come_after_acting_is_never_retried(
    fake: FakeLinkMobility, gateway_for: Callable[..., LinkMobilityGateway], fault: Fault
) -> None:
    fake.script(fault)
    result = gateway_for(fake.base_url).send(TO, "Hei", reference="r8")
    assert isinstance(result, SendFailed) and result.kind is FailureKind.UNKNOWN
    assert fake.posts() == 1  # one request: LINK keeps no list to check a retry against
    assert len(fake.messages_to(TO)) <= 1


def test_nobody_listening_is_transient(gateway_for: Callable[..., LinkMobilityGateway]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = gateway_for(f"http://127.0.0.1:{port}").send(TO, "Hei", reference="r9")
    assert isinstance(result, SendFailed) and result.kind is FailureKind.TRANSIENT


def test_find_sent_waits_for_the_delivery_report_then_says_none(
    fake: FakeLinkMobility,
) -> None:
    """No message list: in doubt until a report would certainly have come, then 'not sent'."""
    now = datetime.now(UTC)
    clock = [now]
    gateway = LinkMobilityGateway(
        config(fake.base_url, report_grace=timedelta(minutes=10)), clock=lambda: clock[0]
    )
    try:
        began = now - timedelta(seconds=5)
        with pytest.raises(GatewayUnavailableError):
            gateway.find_sent(TO, began)
        clock[0] = began + timedelta(seconds=900) + timedelta(minutes=10) - timedelta(seconds=1)
        with pytest.raises(GatewayUnavailableError):
            gateway.find_sent(TO, began)
        clock[0] += timedelta(seconds=2)
        assert gateway.find_sent(TO, began) == []
        with pytest.raises(ValueError):
            gateway.find_sent(TO, datetime.now())
    finally:
        gateway.close()


def test_sends_in_parallel_each_once(
    fake: FakeLinkMobility, gateway_for: Callable[..., LinkMobilityGateway]
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    gateway = gateway_for(fake.base_url, max_concurrency=8)
    numbers = [f"+4791{index:06d}" for index in range(40)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda n: gateway.send(n, "Hei", reference=f"r{n[-4:]}"), numbers))
    assert all(isinstance(result, SendAccepted) for result in results)
    assert sorted(message.to for message in fake.accepted()) == sorted(numbers)
