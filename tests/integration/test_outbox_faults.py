"""The outbox under faults, on both backends: claims in doubt settle in seconds, stopped
callouts settle, the database going away loses no answer, and what matters goes first.

Fast regression tests of what `bench/worker_faults.py` and `bench/callout_priority.py`
measure with real processes.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from alerts.callouts import notices, service
from alerts.callouts.sending_status import current as sending_now
from alerts.gateway.health import GatewayAlarm
from alerts.gateway.port import MessageStatus, SendResult, SentMessage
from alerts.models import (
    Answer,
    Callout,
    CalloutNotice,
    CalloutRecipient,
    OutgoingMessage,
    RecipientState,
    WorkerHeartbeat,
)
from alerts.outbox import claims as outbox
from alerts.outbox import worker_status
from alerts.outbox.worker import WorkerConfig
from alerts.outbox.worker_status import ProcessIdentity
from alerts.sms_texts import callout_message
from beredskap.platform.columns import utcnow
from tests.support.callout_outbox import queue_callout
from tests.support.outbox_worker import Clock, ScriptedGateway, make_worker

GONE = "elsewhere:4242:1"  # a worker on another host: whether it lives cannot be told


def _claim_all(sessions: sessionmaker[Session], worker: str, clock: Clock) -> list[outbox.Claim]:
    with sessions() as claiming:
        claims = outbox.claim_due(claiming, now=clock.now, limit=100, worker=worker)
        claiming.commit()
    return claims


def _beat(session: Session, name: str, at: object, identity: ProcessIdentity) -> None:
    worker_status.beat(session, name, now=at, started_at=at, identity=identity)  # type: ignore[arg-type]
    session.flush()


def _states(session: Session, callout_id: int) -> list[RecipientState]:
    session.expire_all()
    return list(
        session.scalars(
            select(CalloutRecipient.state)
            .where(CalloutRecipient.callout_id == callout_id)
            .order_by(CalloutRecipient.id)
        )
    )


def _found(claim: outbox.Claim, sid: str, clock: Clock) -> SentMessage:
    return SentMessage(sid, claim.to, claim.body, MessageStatus.SENT, clock.now)


def test_a_silent_workers_claims_are_settled_in_seconds_not_after_the_lease(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queued = queue_callout(session, 2)
    clock = Clock()
    other_host = ProcessIdentity("elsewhere", 4242, "1", "100")
    _beat(session, GONE, clock.now, other_host)
    went_out, lost = _claim_all(sessions, GONE, clock)
    gateway = ScriptedGateway()
    gateway.listed[went_out.to] = [_found(went_out, "SMwent", clock)]

    clock.advance(10)  # still beating as far as anyone knows: its claims are its own
    make_worker(sessions, gateway, clock, lease=timedelta(minutes=5)).run(once=True)
    assert _states(session, queued.callout_id) == [RecipientState.SENDING] * 2

    clock.advance(10)  # 20 s of silence, far short of the 5-minute lease
    make_worker(sessions, gateway, clock, lease=timedelta(minutes=5)).run(once=True)
    states = _states(session, queued.callout_id)
    assert states[0] == RecipientState.SENT  # found in the provider's list: not sent again
    # Not found, but its worker's send could still be on its way: not yet sent again.
    assert states[1] == RecipientState.SENDING and gateway.sends_to(lost.to) == 0

    clock.advance(gateway.longest_send_s)  # nothing of that attempt can be under way now
    make_worker(sessions, gateway, clock, lease=timedelta(minutes=5)).run(once=True)
    assert _states(session, queued.callout_id) == [RecipientState.SENT] * 2
    assert gateway.sends_to(went_out.to) == 0 and gateway.sends_to(lost.to) == 1


def test_a_claim_of_a_process_gone_from_this_host_is_sent_again_at_once(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queued = queue_callout(session, 1)
    clock = Clock()
    finished = subprocess.Popen(["true"])
    finished.wait()
    here = ProcessIdentity.current()
    dead = ProcessIdentity(here.host, finished.pid, here.pid_namespace, "1")
    _beat(session, "here:dead:1", clock.now, dead)
    (claim,) = _claim_all(sessions, "here:dead:1", clock)
    gateway = ScriptedGateway()

    clock.advance(16)
    make_worker(sessions, gateway, clock).run(once=True)
    if here.pid_namespace is None:
        pytest.skip("this system does not tell processes apart by pid namespace")
    assert _states(session, queued.callout_id) == [RecipientState.SENT]
    assert gateway.sends_to(claim.to) == 1


def test_in_doubt_rows_of_a_stopped_callout_settle(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queued = queue_callout(session, 2)
    clock = Clock()
    went_out, _lost = _claim_all(sessions, GONE, clock)  # no heartbeat at all: in doubt
    callout = session.get(Callout, queued.callout_id)
    assert callout is not None
    service.stop(session, callout)
    session.flush()
    gateway = ScriptedGateway()
    gateway.listed[went_out.to] = [_found(went_out, "SMwent", clock)]

    clock.advance(60)
    make_worker(sessions, gateway, clock).run(once=True)
    # The one that went out is sent; the other is not sent again for a stopped callout.
    assert _states(session, queued.callout_id) == [RecipientState.SENT, RecipientState.CANCELLED]
    assert gateway.sent == []


def test_answers_received_while_the_database_is_away_are_recorded_when_it_is_back(
    session: Session,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    queued = queue_callout(session, 2)
    down = threading.Event()
    failures = []
    import alerts.outbox.worker as worker_module

    real_transaction = worker_module.transaction

    def transaction(factory: object, actor: str):  # type: ignore[no-untyped-def]
        if down.is_set():
            failures.append(actor)
            if len(failures) >= 3:
                down.clear()  # back after a few tries
            raise OperationalError("COMMIT", None, Exception("database or disk is full"))
        return real_transaction(factory, actor=actor)  # type: ignore[arg-type]

    monkeypatch.setattr(worker_module, "transaction", transaction)

    class GoesAway(ScriptedGateway):
        def send(self, to: str, body: str, **kwargs: object) -> SendResult:
            result = super().send(to, body, **kwargs)  # type: ignore[arg-type]
            down.set()  # the answer comes back while the database is gone
            return result

    gateway = GoesAway()
    caplog.set_level(logging.INFO, logger="alerts.worker")
    make_worker(
        sessions, gateway, concurrency=2, database_pause_s=0.01, database_longest_pause_s=0.02
    ).run(once=True)

    assert failures and not down.is_set()
    assert _states(session, queued.callout_id) == [RecipientState.SENT] * 2
    assert len(gateway.sent) == 2  # recorded from memory: no resend, no reconciliation
    errors = [record.message for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1 and "disk is full" in errors[0]  # in words, and once
    assert any("answers again" in record.message for record in caplog.records)


def test_real_callouts_go_before_exercises_and_share_the_places_evenly(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    clock = Clock()
    drill = queue_callout(session, 10, exercise=True, first_number=0)
    big = queue_callout(session, 10, first_number=100)
    small = queue_callout(session, 3, first_number=200)
    for callout_id, minutes_ago in ((drill.callout_id, 10), (big.callout_id, 5)):
        found = session.get(Callout, callout_id)
        assert found is not None
        found.sent_at = clock.now - timedelta(minutes=minutes_ago)
    session.flush()

    first = _claim_all_limited(sessions, clock, 4)
    # Two real callouts: two places each (the older first), none for the drill yet.
    assert [_callout_of(session, claim) for claim in first] == [
        big.callout_id,
        big.callout_id,
        small.callout_id,
        small.callout_id,
    ]
    second = _claim_all_limited(sessions, clock, 10)
    by_callout = [_callout_of(session, claim) for claim in second]
    # The small one's last, the big one's remaining eight, then the drill.
    assert by_callout.count(small.callout_id) == 1
    assert by_callout.count(big.callout_id) == 8
    assert by_callout.count(drill.callout_id) == 1


def test_first_messages_go_before_notices_and_notices_before_reminders(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    clock = Clock()
    queued = queue_callout(session, 3)
    (yes, *_rest) = _claim_all_limited(sessions, clock, 1)
    row = session.get(CalloutRecipient, yes.row_id)
    assert row is not None
    row.state, row.answer = RecipientState.SENT, Answer.YES
    callout = session.get(Callout, queued.callout_id)
    assert callout is not None
    session.flush()
    assert notices.follow_up(session, callout, "Oppmøte ved brannstasjonen") == 1
    session.add(
        OutgoingMessage(
            channel="sms", to="+4791999999", body="Påminnelse: øvelse", dedupe_key="reminder:1"
        )
    )
    session.flush()

    claims = _claim_all_limited(sessions, clock, 10)
    assert [claim.table for claim in claims] == [
        CalloutRecipient,
        CalloutRecipient,
        CalloutNotice,
        OutgoingMessage,
    ]
    assert claims[0].body == callout_message(callout.message, code=callout.code, exercise=False)


def test_a_refusing_gateway_raises_its_alarm_to_the_sending_status(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    from alerts.gateway.port import FailureKind, SendFailed

    queued = queue_callout(session, 12)
    refusal = SendFailed(FailureKind.PERMANENT, "invalid 'To' number", code=21211)
    gateway = ScriptedGateway({number: [refusal] for number in queued.numbers})
    sender = make_worker(sessions, gateway, concurrency=4)
    sender.run(once=True)
    sender._beat()  # the heartbeat thread's next beat, now
    status = sending_now(session)
    assert [alarm.code for alarm in status.alarms] == [GatewayAlarm.NUMBERS_REFUSED.value]
    assert status.alarms[0].count == 12
    heartbeat = session.scalars(select(WorkerHeartbeat)).one()
    assert heartbeat.gateway == "scripted" and heartbeat.alarm == "numbers_refused"


def test_sending_status_counts_what_waits_and_what_is_in_doubt(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    clock = Clock()
    queue_callout(session, 4)
    _claim_all_limited(sessions, clock, 1, worker=GONE)  # nobody beats for it: in doubt
    _beat(session, "alive", utcnow(), ProcessIdentity.current())
    _claim_all_limited(sessions, clock, 1, worker="alive")
    status = sending_now(session)
    assert (status.queued, status.sending, status.in_doubt) == (2, 1, 1)
    assert status.workers == 1 and not status.alarms
    figures = service.figures_for(session, [_only_callout(session)], clock.now.date())
    counts = next(iter(figures.values())).counts
    assert (counts["queued"], counts["in_doubt"]) == (3, 1)


def test_with_no_worker_alive_the_status_says_so(session: Session) -> None:
    queue_callout(session, 1)
    status = sending_now(session)
    assert [alarm.code for alarm in status.alarms] == ["no_sender"]


def test_worker_config_takes_the_largest_callout_from_the_settings() -> None:
    from beredskap.main.settings import Settings

    assert WorkerConfig.from_settings(Settings(callout_max_recipients=30_000)).max_recipients == (
        30_000
    )


# -- helpers ---------------------------------------------------------------------------------


def _claim_all_limited(
    sessions: sessionmaker[Session], clock: Clock, limit: int, worker: str = "test"
) -> list[outbox.Claim]:
    with sessions() as claiming:
        claims = outbox.claim_due(claiming, now=clock.now, limit=limit, worker=worker)
        claiming.commit()
    return claims


def _callout_of(session: Session, claim: outbox.Claim) -> int:
    row = session.get(CalloutRecipient, claim.row_id)
    assert row is not None
    return row.callout_id


def _only_callout(session: Session) -> int:
    return int(session.scalars(select(Callout.id)).one())


def test_this_process_is_alive_to_itself() -> None:
    here = ProcessIdentity.current()
    row = WorkerHeartbeat(
        name="me",
        started_at=utcnow(),
        last_seen_at=utcnow(),
        host=here.host,
        pid=os.getpid(),
        pid_namespace=here.pid_namespace,
        process_started=here.started,
    )
    assert not worker_status.confirmed_dead(row, here)
    row.host = "another-host"
    assert not worker_status.confirmed_dead(row, here)  # cannot be told from here
