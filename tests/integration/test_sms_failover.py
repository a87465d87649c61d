"""Failover between two SMS providers with the real worker, over real HTTP, on both backends:
Twilio (the fake Twilio) as the primary and LINK Mobility (the fake LINK) as the secondary.

The worker runs in a thread on the test's rolled-back connection with a clock the test
moves (the cool-down), while the gateways speak real HTTP with their real clients.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.gateway.failover import FailoverPolicy, ProviderHealth, Providers, Route, judge
from alerts.gateway.linkmobility_gateway import LinkMobilityConfig, LinkMobilityGateway
from alerts.gateway.linkmobility_gateway import RetryPolicy as LinkRetry
from alerts.gateway.port import FailureKind, MessageStatus, SendAccepted, SendFailed
from alerts.gateway.twilio_gateway import RetryPolicy as TwilioRetry
from alerts.gateway.twilio_gateway import TwilioConfig, TwilioGateway
from alerts.models import CalloutRecipient, RecipientState, SmsProviderState
from alerts.outbox.worker import SmsWorker
from tests.support.callout_outbox import queue_callout
from tests.support.fake_linkmobility import (
    TEST_GATE_ID,
    TEST_PARTNER_ID,
    TEST_PASSWORD,
    TEST_PLATFORM_ID,
    TEST_SOURCE,
    TEST_USERNAME,
    FakeLinkMobility,
)
from tests.support.fake_twilio import (
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    TEST_FROM,
    FakeTwilio,
    FaultPlan,
)
from tests.support.outbox_worker import Clock, make_worker

POLICY = FailoverPolicy(failover_after=3, cool_down=timedelta(seconds=60))
REACHED_WITHIN_S = 30  # the bound, a deadline for the behaviour (not a benchmark)
ALWAYS_500 = FaultPlan(share_500=1.0)  # every send Twilio is asked for answers 500


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio(auto_progress=False) as fake:
        yield fake


@pytest.fixture
def link() -> Iterator[FakeLinkMobility]:
    with FakeLinkMobility() as fake:
        yield fake


@pytest.fixture
def providers(twilio: FakeTwilio, link: FakeLinkMobility) -> Iterator[Providers]:
    primary = TwilioGateway(
        TwilioConfig(
            account_sid=TEST_ACCOUNT_SID,
            auth_token=SecretStr(TEST_AUTH_TOKEN),
            from_number=TEST_FROM,
            api_base=twilio.base_url,
            request_timeout_s=2.0,
            retry=TwilioRetry(max_attempts=3, base_delay_s=0.01, max_delay_s=0.02),
        )
    )
    secondary = LinkMobilityGateway(
        LinkMobilityConfig(
            username=TEST_USERNAME,
            password=SecretStr(TEST_PASSWORD),
            platform_id=TEST_PLATFORM_ID,
            platform_partner_id=TEST_PARTNER_ID,
            source=TEST_SOURCE,
            gate_id=TEST_GATE_ID,
            api_base=link.base_url,
            request_timeout_s=2.0,
            retry=LinkRetry(max_attempts=3, base_delay_s=0.01, max_delay_s=0.02),
        )
    )
    both = Providers(primary, secondary, POLICY)
    yield both
    both.close()


def _worker(
    sessions: sessionmaker[Session], providers: Providers, clock: Clock, **config: object
) -> SmsWorker:
    worker = make_worker(sessions, providers.primary, clock, **config)
    worker.providers = providers
    return worker


def _run_until(worker: SmsWorker, done: Callable[[], bool], within_s: float) -> float:
    """Run the worker until nothing is due (`run(once=True)`, on this thread: it shares the
    test's connection), then check `done`; seconds taken, at most `within_s`."""
    started = time.monotonic()
    worker.run(once=True)
    took = time.monotonic() - started
    assert done(), "the worker drained the outbox without doing it"
    assert took < within_s, f"took {took:.1f} s"
    return took


def _rows(session: Session, numbers: list[str]) -> list[CalloutRecipient]:
    session.expire_all()
    return list(
        session.scalars(select(CalloutRecipient).where(CalloutRecipient.mobile.in_(numbers)))
    )


def test_primary_failing_every_recipient_reached_once_through_the_secondary(
    session: Session,
    sessions: sessionmaker[Session],
    providers: Providers,
    twilio: FakeTwilio,
    link: FakeLinkMobility,
) -> None:
    twilio.set_faults(ALWAYS_500)
    queued = queue_callout(session, 40)
    session.commit()
    clock = Clock()
    worker = _worker(sessions, providers, clock)

    def all_sent() -> bool:
        rows = _rows(session, queued.numbers)
        return all(row.state is RecipientState.SENT for row in rows)

    _run_until(worker, all_sent, REACHED_WITHIN_S)

    assert twilio.accepted() == []  # asked, and refused every time
    assert any(request.status == 500 for request in twilio.requests)
    by_number = {message.to: message for message in link.accepted()}
    assert len(link.accepted()) == len(queued.numbers) == len(by_number)  # each exactly once
    for row in _rows(session, queued.numbers):
        assert row.provider == "linkmobility"
        assert row.provider_id == by_number[row.mobile].message_id
        assert by_number[row.mobile].ref_id == f"r{row.id}"
    state = session.get(SmsProviderState, "twilio", populate_existing=True)
    assert state is not None and state.failing_until is not None
    assert state.consecutive_failures >= POLICY.failover_after
    assert "500" in (state.last_failure or "")


def test_back_to_the_primary_when_it_recovers(
    session: Session,
    sessions: sessionmaker[Session],
    providers: Providers,
    twilio: FakeTwilio,
    link: FakeLinkMobility,
) -> None:
    twilio.set_faults(ALWAYS_500)
    first = queue_callout(session, 10)
    session.commit()
    clock = Clock()
    worker = _worker(sessions, providers, clock)
    _run_until(
        worker,
        lambda: all(r.state is RecipientState.SENT for r in _rows(session, first.numbers)),
        REACHED_WITHIN_S,
    )
    assert len(link.accepted()) == 10 and twilio.accepted() == []

    # Twilio answers again; within the cool-down nothing goes to it.
    twilio.set_faults()
    during = queue_callout(session, 5, first_number=100)
    session.commit()
    _run_until(
        _worker(sessions, providers, clock),
        lambda: all(r.state is RecipientState.SENT for r in _rows(session, during.numbers)),
        REACHED_WITHIN_S,
    )
    assert twilio.accepted() == []
    assert {r.provider for r in _rows(session, during.numbers)} == {"linkmobility"}

    # After it, one message probes Twilio; it takes it, and everything goes there again.
    clock.advance(POLICY.cool_down.total_seconds() + 1)
    probe = queue_callout(session, 1, first_number=200)
    session.commit()
    _run_until(
        _worker(sessions, providers, clock),
        lambda: all(r.state is RecipientState.SENT for r in _rows(session, probe.numbers)),
        REACHED_WITHIN_S,
    )
    assert [message.to for message in twilio.accepted()] == probe.numbers
    after = queue_callout(session, 12, first_number=300)
    session.commit()
    _run_until(
        _worker(sessions, providers, clock),
        lambda: all(r.state is RecipientState.SENT for r in _rows(session, after.numbers)),
        REACHED_WITHIN_S,
    )
    assert {r.provider for r in _rows(session, after.numbers)} == {"twilio"}
    assert sorted(m.to for m in twilio.accepted()) == sorted(probe.numbers + after.numbers)
    assert len(link.accepted()) == 15  # nothing more went to LINK, nothing twice
    state = session.get(SmsProviderState, "twilio", populate_existing=True)
    assert state is not None and state.failing_until is None and state.consecutive_failures == 0


def test_a_refused_configuration_fails_over_at_once_without_pausing(
    session: Session,
    sessions: sessionmaker[Session],
    providers: Providers,
    twilio: FakeTwilio,
    link: FakeLinkMobility,
) -> None:
    providers.primary.config = TwilioConfig(  # type: ignore[attr-defined]
        account_sid=TEST_ACCOUNT_SID,
        auth_token=SecretStr("a-wrong-token-000000000000000000"),
        from_number=TEST_FROM,
        api_base=twilio.base_url,
    )
    queued = queue_callout(session, 8)
    session.commit()
    worker = _worker(sessions, providers, Clock())
    _run_until(
        worker,
        lambda: all(r.state is RecipientState.SENT for r in _rows(session, queued.numbers)),
        REACHED_WITHIN_S,
    )
    assert sorted(m.to for m in link.accepted()) == sorted(queued.numbers)
    assert twilio.accepted() == []
    # Refused, not the recipients' fault: no attempt was spent on them at Twilio.
    assert all(row.attempts == 1 for row in _rows(session, queued.numbers))


def test_a_message_in_doubt_at_the_primary_is_never_sent_through_the_secondary(
    session: Session,
    sessions: sessionmaker[Session],
    providers: Providers,
    twilio: FakeTwilio,
    link: FakeLinkMobility,
) -> None:
    """Twilio answers 500 to sending AND to its message list: whether it took the first
    messages cannot be known, so they wait for Twilio's list; the rest go through LINK."""
    twilio.set_faults(FaultPlan(share_500=1.0, methods=frozenset({"POST", "GET"})))
    queued = queue_callout(session, 20)
    session.commit()
    clock = Clock()
    worker = _worker(sessions, providers, clock, concurrency=2, prefetch_share=0.0)

    def settled_but_doubtful() -> bool:
        rows = _rows(session, queued.numbers)
        waiting = [row for row in rows if row.state is not RecipientState.SENT]
        return all(
            row.state is RecipientState.SENDING and row.provider == "twilio" for row in waiting
        )

    _run_until(worker, settled_but_doubtful, REACHED_WITHIN_S)
    rows = _rows(session, queued.numbers)
    doubtful = [row for row in rows if row.state is not RecipientState.SENT]
    assert doubtful and all(row.provider == "twilio" for row in doubtful)
    assert not {row.mobile for row in doubtful} & {m.to for m in link.accepted()}

    # Twilio's list answers again and shows nothing: only now do they go, through LINK.
    twilio.set_faults()
    clock.advance(120)
    _run_until(
        _worker(sessions, providers, clock),
        lambda: all(r.state is RecipientState.SENT for r in _rows(session, queued.numbers)),
        REACHED_WITHIN_S,
    )
    # Each exactly once across the two providers (the first probes Twilio again).
    reached = [m.to for m in link.accepted()] + [m.to for m in twilio.accepted()]
    assert sorted(reached) == sorted(queued.numbers)


# The judging, without HTTP ---------------------------------------------------------------------


def test_judging_counts_failures_in_a_row_and_a_success_forgives() -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    transient = SendFailed(FailureKind.TRANSIENT, "HTTP 500")
    accepted = SendAccepted("SM1", MessageStatus.QUEUED)
    permanent = SendFailed(FailureKind.PERMANENT, "invalid number")
    health = judge(ProviderHealth("twilio"), [transient, transient], now=now, policy=POLICY)
    assert health.consecutive_failures == 2 and not health.failing(now)
    health = judge(health, [permanent], now=now, policy=POLICY)  # the recipient's trouble
    assert health.consecutive_failures == 2
    health = judge(health, [transient], now=now, policy=POLICY)
    assert health.failing(now) and health.failing_until == now + POLICY.cool_down
    assert judge(health, [accepted], now=now, policy=POLICY) == ProviderHealth(
        "twilio", last_failure=health.last_failure, last_failure_at=now, last_success_at=now
    )
    refused = SendFailed(FailureKind.CONFIGURATION, "authentication failed")
    assert judge(ProviderHealth("twilio"), [refused], now=now, policy=POLICY).failing(now)


class _Named:
    """A stand-in gateway: only its name matters to the route."""

    longest_send_s = 1.0

    def __init__(self, name: str) -> None:
        self.name = name


def test_the_route_follows_the_shared_health() -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    both = Providers(_Named("twilio"), _Named("linkmobility"), POLICY)  # type: ignore[arg-type]
    later = now + timedelta(seconds=30)
    earlier = now - timedelta(seconds=1)
    assert both.route({}, now).provider == "twilio"
    failing = {"twilio": ProviderHealth("twilio", 3, later)}
    assert both.route(failing, now) == Route("linkmobility")
    probation = {"twilio": ProviderHealth("twilio", 3, earlier)}
    assert both.route(probation, now) == Route("linkmobility", probe="twilio")
    # Both failing: wait, unless the primary's cool-down is over (then probe it alone).
    second_failing = {"linkmobility": ProviderHealth("linkmobility", 3, later)}
    assert both.route(failing | second_failing, now) == Route(None)
    assert both.route(probation | second_failing, now) == Route(None, probe="twilio")
    alone = Providers(_Named("twilio"))  # type: ignore[arg-type]
    assert alone.route(failing, now) == Route("twilio") and not alone.failover
    assert both.gateway("linkmobility").name == "linkmobility"
    assert both.gateway(None).name == both.gateway("vonage").name == "twilio"
