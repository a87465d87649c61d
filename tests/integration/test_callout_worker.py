"""The SMS worker and the outbox on both backends: each gateway answer recorded as it should
be, reconciliation before any resend, notices, exercises, heartbeat and the local store."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.callouts import notices, service
from alerts.gateway.local_gateway import InMemoryLocalMessageStore, LocalGateway, LocalMessage
from alerts.gateway.local_store import DatabaseLocalMessageStore
from alerts.gateway.port import (
    FailureKind,
    MessageStatus,
    SendAccepted,
    SendFailed,
    SendResult,
    SentMessage,
)
from alerts.inbound.signature import status_callback_url
from alerts.models import (
    Answer,
    Callout,
    CalloutNotice,
    CalloutRecipient,
    LocalSms,
    RecipientState,
    WorkerHeartbeat,
)
from alerts.outbox import claims as outbox
from alerts.outbox import recording as outbox_recording
from alerts.outbox import worker_status
from alerts.outbox.recording import Outcome
from alerts.outbox.worker import SmsWorker, WorkerConfig
from alerts.sms_texts import callout_message
from beredskap.platform.runtime import Database
from tests.support.callout_outbox import queue_callout
from tests.support.outbox_worker import NO_RETRY_SPREAD, PUBLIC_URL, Clock, ScriptedGateway
from tests.support.outbox_worker import make_worker as _worker

MARKER = "ØVELSE ØVELSE ØVELSE"


def _rows(session: Session, callout_id: int) -> list[CalloutRecipient]:
    session.expire_all()
    return list(
        session.scalars(
            select(CalloutRecipient)
            .where(CalloutRecipient.callout_id == callout_id)
            .order_by(CalloutRecipient.id)
        )
    )


# -- sending ----------------------------------------------------------------------------------


def test_accepted_messages_are_recorded_with_callback_and_validity(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queued = queue_callout(session, 3)
    store = InMemoryLocalMessageStore()
    outcomes = _worker(sessions, LocalGateway(store)).run(once=True)

    assert outcomes[Outcome.SENT] == 3
    rows = _rows(session, queued.callout_id)
    # The local gateway delivers at once and says so: no receipt will come to move them on.
    assert {row.state for row in rows} == {RecipientState.DELIVERED}
    assert all(row.provider_id and row.sent_at and row.attempts == 1 for row in rows)
    assert all(row.delivered_at == row.sent_at for row in rows)
    messages = {message.reference: message for message in store.all()}
    assert len(messages) == 3
    for row in rows:
        message = messages[f"r{row.id}"]
        assert message.provider_id == row.provider_id
        assert message.to == row.mobile
        assert message.body.startswith("Leteaksjon ved Nitelva")
        assert queued.code in message.body  # the code a reply may start with
        assert message.validity_period_s == 900
        assert message.status_callback_url == status_callback_url(
            PUBLIC_URL, "/webhooks/twilio/status", f"r{row.id}"
        )


def test_no_status_callback_without_a_public_url(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queue_callout(session, 1)
    gateway = ScriptedGateway()
    _worker(sessions, gateway, public_url=None).run(once=True)
    assert [record["callback"] for record in gateway.sent] == [None]


def test_exercise_marker_on_every_message_and_notices_are_sent(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queued = queue_callout(session, 2, exercise=True)
    gateway = ScriptedGateway()
    _worker(sessions, gateway).run(once=True)
    callout = session.get(Callout, queued.callout_id)
    assert callout is not None
    first = _rows(session, queued.callout_id)[0]
    first.answer = Answer.YES
    session.flush()
    assert notices.follow_up(session, callout, "Oppmøte ved brannstasjonen kl 18") == 1
    session.flush()

    _worker(sessions, gateway).run(once=True)

    assert len(gateway.sent) == 3
    assert all(str(record["body"]).startswith(MARKER) for record in gateway.sent)
    expected = callout_message(callout.message, code=callout.code, exercise=True)
    assert [record["body"] for record in gateway.sent[:2]] == [expected, expected]
    notice = session.scalars(select(CalloutNotice)).one()
    session.refresh(notice)
    assert gateway.sent[2]["body"] == notice.body
    assert gateway.sent[2]["reference"] == f"n{notice.id}"
    assert notice.state == RecipientState.SENT and notice.provider_id


def test_permanent_failure_is_recorded_and_never_retried(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queued = queue_callout(session, 2)
    bad = queued.numbers[0]
    gateway = ScriptedGateway(
        {bad: [SendFailed(FailureKind.PERMANENT, "invalid 'To' number +47*****000", code=21211)]}
    )
    clock = Clock()
    _worker(sessions, gateway, clock).run(once=True)
    clock.advance(3600)
    _worker(sessions, gateway, clock).run(once=True)

    failed, sent = _rows(session, queued.callout_id)
    assert failed.state == RecipientState.FAILED
    assert failed.error_code == "21211"
    assert failed.error_reason == "invalid 'To' number +47*****000"
    assert sent.state == RecipientState.SENT
    assert gateway.sends_to(bad) == 1


def test_transient_failure_is_retried_after_a_backoff(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queued = queue_callout(session, 1)
    to = queued.numbers[0]
    gateway = ScriptedGateway({to: [SendFailed(FailureKind.TRANSIENT, "rate limited", 20429)]})
    clock = Clock()
    _worker(sessions, gateway, clock).run(once=True)
    (row,) = _rows(session, queued.callout_id)
    assert row.state == RecipientState.QUEUED
    assert row.next_attempt_at is not None and row.next_attempt_at > clock.now
    assert row.error_reason == "rate limited"

    _worker(sessions, gateway, clock).run(once=True)  # not due yet
    assert gateway.sends_to(to) == 1
    clock.advance(11)
    _worker(sessions, gateway, clock).run(once=True)

    (row,) = _rows(session, queued.callout_id)
    assert row.state == RecipientState.SENT and row.attempts == 2
    assert row.error_reason is None
    assert gateway.sends_to(to) == 2


def test_transient_failures_give_up_after_the_last_attempt(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queued = queue_callout(session, 1)
    to = queued.numbers[0]
    refusal = SendFailed(FailureKind.TRANSIENT, "unavailable", 20503)
    gateway = ScriptedGateway({to: [refusal] * 5})
    clock = Clock()
    for _ in range(5):
        _worker(sessions, gateway, clock).run(once=True)
        clock.advance(11)
    (row,) = _rows(session, queued.callout_id)
    assert row.state == RecipientState.FAILED
    assert row.error_reason == "gave up after 3 attempts: unavailable"
    assert gateway.sends_to(to) == 3


def test_unknown_result_is_reconciled_and_found_sent_once(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queued = queue_callout(session, 1)
    to = queued.numbers[0]
    gateway = ScriptedGateway({to: [SendFailed(FailureKind.UNKNOWN, "timed out")]})
    clock = Clock()
    _worker(sessions, gateway, clock).run(once=True)
    (row,) = _rows(session, queued.callout_id)
    assert row.state == RecipientState.SENDING
    body = str(gateway.sent[0]["body"])

    _worker(sessions, gateway, clock).run(once=True)  # within the lease: left alone
    assert gateway.sends_to(to) == 1
    gateway.listed[to] = [
        SentMessage("SMother", to, "another callout's text", MessageStatus.SENT, clock.now),
        SentMessage("SMfound", to, body, MessageStatus.DELIVERED, clock.now),
    ]
    clock.advance(61)
    outcomes = _worker(sessions, gateway, clock).run(once=True)

    assert outcomes[Outcome.SENT] == 1
    (row,) = _rows(session, queued.callout_id)
    assert row.state == RecipientState.SENT and row.provider_id == "SMfound"
    assert gateway.sends_to(to) == 1


def test_unknown_result_not_found_is_sent_again_once(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queued = queue_callout(session, 1)
    to = queued.numbers[0]
    gateway = ScriptedGateway({to: [SendFailed(FailureKind.UNKNOWN, "timed out")]})
    clock = Clock()
    _worker(sessions, gateway, clock).run(once=True)
    clock.advance(61)
    _worker(sessions, gateway, clock).run(once=True)
    _worker(sessions, gateway, clock).run(once=True)

    (row,) = _rows(session, queued.callout_id)
    assert row.state == RecipientState.SENT and row.attempts == 2
    assert gateway.sends_to(to) == 2  # the lost one and the resend: nothing more


def test_reconciling_never_takes_another_rows_message(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queued = queue_callout(session, 2)
    shared = queued.numbers[0]
    first, second = _rows(session, queued.callout_id)
    second.mobile = shared  # two recipients on one phone (the same text to both)
    session.flush()
    gateway = ScriptedGateway({shared: [SendAccepted("SMfirst", MessageStatus.QUEUED)]})
    gateway.script[shared].append(SendFailed(FailureKind.UNKNOWN, "timed out"))
    clock = Clock()
    _worker(sessions, gateway, clock, concurrency=1).run(once=True)
    body = str(gateway.sent[0]["body"])
    gateway.listed[shared] = [SentMessage("SMfirst", shared, body, MessageStatus.SENT, clock.now)]
    clock.advance(61)
    _worker(sessions, gateway, clock).run(once=True)

    first, second = _rows(session, queued.callout_id)
    assert first.provider_id == "SMfirst"
    assert second.state == RecipientState.SENT and second.provider_id not in (None, "SMfirst")
    assert gateway.sends_to(shared) == 3  # the first, the lost one, its resend


def test_one_row_that_cannot_be_recorded_does_not_hold_up_the_others(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queued = queue_callout(session, 3)
    duplicate = SendAccepted("SMsame", MessageStatus.QUEUED)  # a provider gone wrong
    gateway = ScriptedGateway({queued.numbers[0]: [duplicate], queued.numbers[1]: [duplicate]})
    _worker(sessions, gateway, concurrency=3).run(once=True)
    states = sorted(row.state.value for row in _rows(session, queued.callout_id))
    assert states == ["sending", "sent", "sent"]  # the clash is left to reconciliation


def test_unreadable_message_list_leaves_the_row_for_later(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queued = queue_callout(session, 1)
    to = queued.numbers[0]
    gateway = ScriptedGateway({to: [SendFailed(FailureKind.UNKNOWN, "timed out")]})
    gateway.list_unavailable = True
    clock = Clock()
    _worker(sessions, gateway, clock).run(once=True)
    clock.advance(61)
    _worker(sessions, gateway, clock).run(once=True)
    (row,) = _rows(session, queued.callout_id)
    assert row.state == RecipientState.SENDING
    assert row.next_attempt_at is not None and row.next_attempt_at > clock.now
    assert gateway.sends_to(to) == 1  # "could not ask" never reads as "not sent"

    gateway.list_unavailable = False
    clock.advance(31)
    _worker(sessions, gateway, clock).run(once=True)
    (row,) = _rows(session, queued.callout_id)
    assert row.state == RecipientState.SENT and gateway.sends_to(to) == 2


def test_configuration_error_keeps_the_message_queued_and_pauses(
    session: Session, sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    queued = queue_callout(session, 3)
    refusal = SendFailed(FailureKind.CONFIGURATION, "authentication failed", 20003)
    gateway = ScriptedGateway({number: [refusal] for number in queued.numbers})
    clock = Clock()
    outcomes = _worker(sessions, gateway, clock, concurrency=1).run(once=True)

    assert outcomes[Outcome.PAUSE] == 1
    assert len(gateway.sent) == 1  # paused after the first refusal
    rows = _rows(session, queued.callout_id)
    assert [row.state for row in rows] == [RecipientState.QUEUED] * 3
    assert rows[0].attempts == 0  # not the recipient's fault
    # Due at once for a worker with mended settings: only the refused worker waits.
    assert all(row.next_attempt_at is None or row.next_attempt_at <= clock() for row in rows)
    assert "ALARM" in caplog.text and queued.numbers[0] not in caplog.text


def test_stop_during_sending(session: Session, sessions: sessionmaker[Session]) -> None:
    queued = queue_callout(session, 4)
    with sessions() as claiming:
        claims = outbox.claim_due(claiming, now=datetime.now(UTC), limit=2, worker="test")
        claiming.commit()
    callout = session.get(Callout, queued.callout_id)
    assert callout is not None
    session.refresh(callout)
    service.stop(session, callout)
    session.flush()

    now = datetime.now(UTC)
    with sessions() as recording:
        accepted = outbox_recording.record_result(
            recording,
            claims[0],
            SendAccepted("SMaccepted", MessageStatus.QUEUED),
            now=now,
            policy=NO_RETRY_SPREAD,
            rng=random.Random(1),
        )
        retried = outbox_recording.record_result(
            recording,
            claims[1],
            SendFailed(FailureKind.TRANSIENT, "rate limited", 20429),
            now=now,
            policy=NO_RETRY_SPREAD,
            rng=random.Random(1),
        )
        recording.commit()
    assert (accepted, retried) == (Outcome.SENT, Outcome.CANCELLED)
    states = [row.state for row in _rows(session, queued.callout_id)]
    # The accepted one did go out; the refused one stays unsent; the unsent were cancelled.
    assert states == [RecipientState.SENT] + [RecipientState.CANCELLED] * 3
    gateway = ScriptedGateway()
    _worker(sessions, gateway).run(once=True)
    assert gateway.sent == []


def test_a_receipt_that_came_first_is_not_undone(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queued = queue_callout(session, 1)
    with sessions() as claiming:
        (claim,) = outbox.claim_due(claiming, now=datetime.now(UTC), limit=5, worker="test")
        claiming.commit()
    (row,) = _rows(session, queued.callout_id)
    row.state = RecipientState.DELIVERED  # as the receipt webhook would
    row.delivered_at = datetime.now(UTC)
    session.flush()
    with sessions() as recording:
        outcome = outbox_recording.record_result(
            recording,
            claim,
            SendAccepted("SMlate", MessageStatus.QUEUED),
            now=datetime.now(UTC),
            policy=NO_RETRY_SPREAD,
            rng=random.Random(1),
        )
        recording.commit()
    (row,) = _rows(session, queued.callout_id)
    assert outcome is Outcome.STALE
    assert row.state == RecipientState.DELIVERED and row.provider_id == "SMlate"


def test_claims_skip_what_is_claimed_and_what_is_not_due(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queued = queue_callout(session, 3)
    rows = _rows(session, queued.callout_id)
    now = datetime.now(UTC)
    rows[2].next_attempt_at = now + timedelta(minutes=1)
    session.flush()
    with sessions() as claiming:
        first = outbox.claim_due(claiming, now=now, limit=1, worker="test")
        second = outbox.claim_due(claiming, now=now, limit=10, worker="test")
        claiming.commit()
    assert [claim.row_id for claim in first] == [rows[0].id]
    assert [claim.row_id for claim in second] == [rows[1].id]
    assert first[0].attempts == 1 and first[0].attempt_started_at == now


def test_worker_runs_due_escalations(session: Session, sessions: sessionmaker[Session]) -> None:
    queued = queue_callout(session, 1)
    callout = session.get(Callout, queued.callout_id)
    assert callout is not None
    callout.wanted = 2  # nobody has said yes yet
    callout.escalate_after_min = 5
    callout.escalation_due_at = datetime.now(UTC) - timedelta(minutes=1)
    session.flush()
    _worker(sessions, ScriptedGateway()).run(once=True)
    session.refresh(callout)
    assert callout.escalation_due_at is None and callout.escalated_at is not None


def test_stop_request_finishes_what_is_in_flight(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queued = queue_callout(session, 6)
    both_in_flight, release = threading.Barrier(3), threading.Event()

    class SlowGateway(ScriptedGateway):
        def send(self, to: str, body: str, **kwargs: object) -> SendResult:
            both_in_flight.wait(10)
            release.wait(5)
            return super().send(to, body, **kwargs)  # type: ignore[arg-type]

    gateway = SlowGateway()
    sender = _worker(sessions, gateway, concurrency=2)
    thread = threading.Thread(target=sender.run)
    thread.start()
    try:
        both_in_flight.wait(10)  # two sends are at the gateway, one more claim waits
        sender.stop()
    finally:
        release.set()
        thread.join(10)
    assert not thread.is_alive()
    rows = _rows(session, queued.callout_id)
    states = [row.state for row in rows]
    # The two in flight were recorded; the claim waiting for a thread was given back, not
    # sent, and nothing more was claimed after the stop.
    assert states.count(RecipientState.SENT) == len(gateway.sent) == 2
    assert states.count(RecipientState.QUEUED) == 4
    assert all(
        row.attempts == 0 and row.claimed_by is None for row in rows if row.state == "queued"
    )


# -- heartbeat --------------------------------------------------------------------------------


def test_heartbeat_tells_whether_a_sender_runs(session: Session) -> None:
    now = datetime.now(UTC)
    assert not worker_status.sender_running(session, now)
    worker_status.beat(session, "host:1:1", now=now, started_at=now)
    worker_status.beat(session, "host:1:1", now=now + timedelta(seconds=5), started_at=now)
    assert worker_status.sender_running(session, now + timedelta(seconds=15))
    assert not worker_status.sender_running(session, now + timedelta(seconds=30))
    latest = worker_status.latest_heartbeat(session)
    assert latest is not None and latest.last_seen_at == now + timedelta(seconds=5)
    worker_status.forget(session, "host:1:1", now=now)
    assert worker_status.latest_heartbeat(session) is None


def test_a_worker_beats_while_it_runs_and_leaves_when_stopped(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    seen: list[bool] = []
    queue_callout(session, 1)

    class LookingGateway(ScriptedGateway):
        def send(self, to: str, body: str, **kwargs: object) -> SendResult:
            with sessions() as looking:
                seen.append(worker_status.sender_running(looking, datetime.now(UTC)))
            return super().send(to, body, **kwargs)  # type: ignore[arg-type]

    _worker(sessions, LookingGateway()).run(once=True)
    assert seen == [True]
    assert session.scalar(select(func.count()).select_from(WorkerHeartbeat)) == 0


# -- the local gateway's table ----------------------------------------------------------------


def _local(reference: str, to: str, at: datetime, provider_id: str | None = None) -> LocalMessage:
    return LocalMessage(
        provider_id=provider_id or f"LM{reference:0>32}",
        reference=reference,
        to=to,
        body=f"text {reference}",
        created_at=at,
    )


def test_local_store_records_once_per_reference_newest_first(
    sessions: sessionmaker[Session],
) -> None:
    store = DatabaseLocalMessageStore(sessions)
    start = datetime.now(UTC)
    first = store.record(_local("r1", "+4791000001", start))
    again = store.record(_local("r1", "+4791000001", start, provider_id="LM" + "f" * 32))
    store.record(_local("r2", "+4791000001", start + timedelta(seconds=1)))
    store.record(_local("r3", "+4791000002", start + timedelta(seconds=2)))
    store.record(_local("r0", "+4791000001", start - timedelta(seconds=1)))

    assert again.provider_id == first.provider_id
    assert [m.reference for m in store.sent_to("+4791000001", start)] == ["r2", "r1"]
    assert store.sent_to("+4791000009", start) == []
    assert store.recent(2)[0].reference == "r3"
    found = store.sent_to("+4791000001", start)[0]
    assert found.status is MessageStatus.DELIVERED and found.created_at.tzinfo is not None


def test_local_store_race_on_one_reference_records_one(fresh_database: Database) -> None:
    store = DatabaseLocalMessageStore(fresh_database.sessions)
    now = datetime.now(UTC)
    barrier = threading.Barrier(6)
    answers: list[str] = []

    def record(index: int) -> None:
        barrier.wait()
        message = _local("r7", "+4791000007", now, provider_id=f"LM{index:032d}")
        answers.append(store.record(message).provider_id)

    threads = [threading.Thread(target=record, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with fresh_database.sessions() as session:
        stored = session.scalars(select(LocalSms)).all()
    assert len(stored) == 1
    assert answers == [stored[0].provider_id] * 6


def test_two_workers_through_the_local_table_send_each_once(fresh_database: Database) -> None:
    with fresh_database.sessions() as session:
        session.info["actor"] = "test"
        queued = queue_callout(session, 60)
        session.commit()
    store = DatabaseLocalMessageStore(fresh_database.sessions)
    workers = [
        SmsWorker(
            fresh_database.sessions,
            LocalGateway(store),
            WorkerConfig(concurrency=5, idle_poll_s=0.01, housekeeping_every_s=0.5),
        )
        for _ in range(2)
    ]
    threads = [threading.Thread(target=sender.run, kwargs={"once": True}) for sender in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    with fresh_database.sessions() as session:
        per_number = dict(
            session.execute(select(LocalSms.to, func.count()).group_by(LocalSms.to)).all()
        )
        states = set(
            session.scalars(
                select(CalloutRecipient.state).where(
                    CalloutRecipient.callout_id == queued.callout_id
                )
            )
        )
    assert per_number == {number: 1 for number in queued.numbers}
    assert states == {RecipientState.DELIVERED}  # the local gateway delivers at once
    assert sum(sender.outcomes[Outcome.SENT] for sender in workers) == 60
