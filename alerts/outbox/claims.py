"""The SMS outbox: claiming due messages and recording what became of them.

Three outbox tables are served: callout messages (`CalloutRecipient`, queued, of an active
callout whose need is not yet covered), later notices (`CalloutNotice`), and messages outside
any callout (`OutgoingMessage`: exercise reminders, by SMS or e-mail; `Claim.channel` says
which gateway the worker hands it to). No gateway is called here and nothing is committed:
the worker commits each step, and it commits a claim BEFORE it calls the gateway, so a
message is never sent without a trace in the database.

Order (`claim_due`): first messages of real callouts, then their notices, then first messages
of exercise callouts, then theirs, then everything else. Among callouts of a kind the free
places are shared out evenly, the older callout first with what does not divide, so a
small callout sent after a big one starts at once instead of waiting for the big one's
queue. Within a callout, in id order (nearest first, as planned).

Claiming is safe with any number of workers: on PostgreSQL the due rows are read with
`FOR UPDATE SKIP LOCKED`, so each goes to one worker; on SQLite the worker's transaction
takes the database's single write lock up front (`BEGIN IMMEDIATE`), so claims cannot
interleave there either. A claimed row is `sending`, with `attempts` counted,
`attempt_started_at` set and `claimed_by` naming the worker: the marks that let a row left in
flight be reconciled with the provider's message list (`claim_stale`, `record_reconciled`)
before any resend, as soon as its claim is in doubt (`worker_status.claim_in_doubt`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, exists, or_, select, update
from sqlalchemy.orm import Session

from alerts import sms_texts
from alerts.gateway.port import FailureKind, MessageStatus, SendAccepted, SendResult, SentMessage
from alerts.models import (
    Callout,
    CalloutNotice,
    CalloutRecipient,
    CalloutStatus,
    MessageChannel,
    OutgoingMessage,
    RecipientState,
)
from alerts.outbox.references import OUTBOX_TABLES, OutboxTable, reference_of
from alerts.outbox.worker_status import STALE_AFTER, claim_in_doubt

REASON_LENGTH = 300  # the error_reason column


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how soon a message the provider did not take is tried again.

    The pause before attempt n+1 is drawn between half and all of base * 2**(n-1), capped:
    never zero (the provider just said "not now"), spread so that a burst of refusals does
    not come back as one burst.
    """

    max_attempts: int = 6
    base_delay_s: float = 15.0
    max_delay_s: float = 600.0
    # After the provider's message list could not be read: ask again after this.
    reconcile_retry_s: float = 5.0
    # A claim let go of after an unknown answer is looked up this much later (the
    # provider's list may take a moment to show a message it took).
    settle_s: float = 5.0

    def delay(self, attempts: int, rng: random.Random) -> timedelta:
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=rng.uniform(ceiling / 2, ceiling))


@dataclass(frozen=True)
class Claim:
    """One message a worker has claimed: what to send, and which attempt of which row."""

    table: OutboxTable
    row_id: int
    reference: str
    to: str
    body: str
    attempts: int  # counting this attempt: identifies it when the result is recorded
    attempt_started_at: datetime
    channel: MessageChannel = MessageChannel.SMS
    subject: str | None = None  # e-mail only
    claimed_by: str | None = None  # a stale claim: the worker that held it (None: let go)


class Outcome(StrEnum):
    """What recording a result did to the row."""

    SENT = "sent"
    FAILED = "failed"
    RETRY = "retry"  # queued again for later
    CANCELLED = "cancelled"  # not sent, and no longer wanted (the callout was stopped)
    UNSETTLED = "unsettled"  # left `sending` for reconciliation
    PAUSE = "pause"  # our configuration was refused: queued again, sending should pause
    STALE = "stale"  # the row had moved on meanwhile; nothing changed


@dataclass(frozen=True)
class _Due:
    """An active callout with queued messages: its id and the text its messages carry."""

    callout_id: int
    exercise: bool
    body: str


def claim_due(session: Session, *, now: datetime, limit: int, worker: str) -> list[Claim]:
    """Claim up to `limit` due messages in the order of the module docstring and mark them
    `sending` by `worker`."""
    claims: list[Claim] = []
    callouts = _callouts_with_queued(session)
    for exercise in (False, True):
        kind = [callout for callout in callouts if callout.exercise is exercise]
        claims += _claim_fairly(session, kind, now, limit - len(claims), worker)
        claims += _claim(
            session, CalloutNotice, {"exercise": exercise}, now, limit - len(claims), worker
        )
    claims += _claim(session, OutgoingMessage, {}, now, limit - len(claims), worker)
    return claims


def claim_stale(
    session: Session,
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
    stale_after: timedelta = STALE_AFTER,
    check_lease: timedelta = timedelta(seconds=60),
) -> list[Claim]:
    """Claim `sending` rows whose claim is in doubt (`worker_status.claim_in_doubt`), for
    reconciliation, whatever their callout's status: a stopped or covered callout's rows
    settle too.

    The row stays `sending` with its `attempt_started_at` (the time to search the provider's
    list from) and its `claimed_by` (whether that worker is known dead decides how soon a
    message not in the list may be sent again); `next_attempt_at` becomes the reconciler's
    own lease, so another worker does not check the same row at once, and one that dies
    checking is redone.
    """
    claims: list[Claim] = []
    for table in OUTBOX_TABLES:
        if len(claims) >= limit:
            break
        statement = _stale_select(table).where(
            table.state == RecipientState.SENDING,
            or_(table.next_attempt_at.is_(None), table.next_attempt_at <= now),
            claim_in_doubt(
                table.claimed_by,
                table.attempt_started_at,
                now=now,
                lease=lease,
                stale_after=stale_after,
            ),
        )
        found = _read(session, table, statement, limit - len(claims))
        if found:
            taken = _guarded_update(
                session,
                table,
                [claim.row_id for claim in found],
                (
                    table.state == RecipientState.SENDING,
                    or_(table.next_attempt_at.is_(None), table.next_attempt_at <= now),
                ),
                {"next_attempt_at": now + check_lease},
            )
            claims += [claim for claim in found if claim.row_id in taken]
    session.flush()
    return claims


def release(session: Session, claims: Sequence[Claim], *, worker: str) -> int:
    """Give back claims whose message was never handed to the gateway: queued again, as if
    never claimed. Only rows still `sending` by `worker`; how many."""
    released = 0
    for table in OUTBOX_TABLES:
        ids = [claim.row_id for claim in claims if claim.table is table]
        if ids:
            released += (
                session.connection()
                .execute(_RELEASE_STATEMENTS[table], {"ids": ids, "worker": worker})
                .rowcount
            )
    return released


def record_results(
    session: Session,
    answers: Sequence[tuple[Claim, SendResult]],
    *,
    now: datetime,
    policy: RetryPolicy,
    rng: random.Random,
) -> list[Outcome]:
    """Record the gateway's answers on their rows. Set-based: the rows are read (and on
    PostgreSQL locked) with one statement per table, and what changed is written with one
    executemany per table. Never moves a row backwards."""
    rows = _read_rows(session, [claim for claim, _result in answers])
    outcomes = [
        _record(
            rows.get((claim.table, claim.row_id)),
            claim,
            result,
            now=now,
            policy=policy,
            rng=rng,
        )
        for claim, result in answers
    ]
    _write_rows(session, rows.values(), now)
    return outcomes


def record_result(
    session: Session,
    claim: Claim,
    result: SendResult,
    *,
    now: datetime,
    policy: RetryPolicy,
    rng: random.Random,
) -> Outcome:
    """Record one answer (`record_results` for one)."""
    return record_results(session, [(claim, result)], now=now, policy=policy, rng=rng)[0]


def record_reconciled(
    session: Session,
    claim: Claim,
    found: list[SentMessage] | None,
    *,
    now: datetime,
    policy: RetryPolicy,
    may_resend: bool = True,
    recheck_at: datetime | None = None,
) -> Outcome:
    """Record what the provider's list said about an attempt in doubt.

    `found` is the list since the attempt began (a message with the claim's body there means
    it was sent), or None when the list could not be read: then the row is asked about
    again shortly. A message not in the list is sent again only when `may_resend` (nothing
    of that attempt can still be on its way); otherwise it is looked up again at
    `recheck_at`.
    """
    rows = _read_rows(session, [claim])
    try:
        return _reconciled(
            session,
            rows.get((claim.table, claim.row_id)),
            claim,
            found,
            now=now,
            policy=policy,
            may_resend=may_resend,
            recheck_at=recheck_at,
        )
    finally:
        _write_rows(session, rows.values(), now)


def _reconciled(
    session: Session,
    row: _Row | None,
    claim: Claim,
    found: list[SentMessage] | None,
    *,
    now: datetime,
    policy: RetryPolicy,
    may_resend: bool,
    recheck_at: datetime | None,
) -> Outcome:
    if row is None or not _current(row, claim):
        return Outcome.STALE
    if found is None:
        row.next_attempt_at = now + timedelta(seconds=policy.reconcile_retry_s)
        return Outcome.UNSETTLED
    # Same number and text since the attempt began, and not another row's message (two
    # rows may share a number: a family phone asked twice, or two identical notices).
    match = next(
        (
            message
            for message in found
            if message.body == claim.body and not _attributed(session, message.provider_id)
        ),
        None,
    )
    if match is not None:
        return _accepted(row, match.provider_id, match.sent_at or match.created_at)
    if not may_resend:
        row.next_attempt_at = recheck_at or now + timedelta(seconds=policy.reconcile_retry_s)
        return Outcome.UNSETTLED
    if row.attempts >= policy.max_attempts:
        row.state = RecipientState.FAILED
        row.error_reason = f"not sent after {row.attempts} attempts"
        return Outcome.FAILED
    row.error_code = row.error_reason = None
    return _requeue(row, None, Outcome.RETRY)


# -- helpers ---------------------------------------------------------------------------------


_CALLOUTS_WITH_QUEUED = (
    select(Callout.id, Callout.exercise, Callout.message, Callout.code)
    .where(
        Callout.status == CalloutStatus.ACTIVE,
        Callout.covered_at.is_(None),
        exists().where(
            CalloutRecipient.callout_id == Callout.id,
            CalloutRecipient.state == RecipientState.QUEUED,
        ),
    )
    .order_by(Callout.exercise, Callout.sent_at, Callout.id)
)


def _callouts_with_queued(session: Session) -> list[_Due]:
    """Active callouts not yet covered that hold queued messages: real first, then
    exercises, each oldest first."""
    rows = session.connection().execute(_CALLOUTS_WITH_QUEUED).all()
    return [
        _Due(
            int(row.id),
            bool(row.exercise),
            sms_texts.callout_message(row.message, code=row.code, exercise=bool(row.exercise)),
        )
        for row in rows
    ]


def _claim_fairly(
    session: Session, callouts: list[_Due], now: datetime, room: int, worker: str
) -> list[Claim]:
    """`room` places shared out evenly among `callouts` (see the module docstring)."""
    claims: list[Claim] = []
    waiting = list(callouts)
    while room > 0 and waiting:
        share = -(-room // len(waiting))  # ceiling: the older ones take what does not divide
        more = []
        for callout in waiting:
            wanted = min(share, room)
            if wanted <= 0:
                break
            got = _claim(
                session,
                CalloutRecipient,
                {"callout_id": callout.callout_id},
                now,
                wanted,
                worker,
                callout.body,
            )
            claims += got
            room -= len(got)
            if len(got) == wanted:
                more.append(callout)
        waiting = more
    return claims


def _due(table: OutboxTable, now: Any) -> Select[Any]:
    return _columns(table).where(
        table.state == RecipientState.QUEUED,
        or_(table.next_attempt_at.is_(None), table.next_attempt_at <= now),
    )


def _columns(table: OutboxTable) -> Select[Any]:
    """The row's id, number, attempts, attempt start and claimer, and its body if stored."""
    common = (table.id, table.attempts, table.attempt_started_at, table.claimed_by)
    if table is CalloutRecipient:
        return select(*common, CalloutRecipient.mobile)
    if table is OutgoingMessage:
        return select(
            *common,
            OutgoingMessage.to.label("mobile"),
            OutgoingMessage.body,
            OutgoingMessage.channel,
            OutgoingMessage.subject,
        )
    return select(*common, CalloutNotice.mobile, CalloutNotice.body)


def _stale_select(table: OutboxTable) -> Select[Any]:
    """As `_columns`, with a callout message's text (of a callout in any status)."""
    if table is not CalloutRecipient:
        return _columns(table)
    return (
        _columns(table)
        .add_columns(Callout.message, Callout.code, Callout.exercise)
        .join(Callout, Callout.id == CalloutRecipient.callout_id)
    )


def _read(
    session: Session,
    table: OutboxTable,
    statement: Select[Any],
    limit: int,
    body: str | None = None,
) -> list[Claim]:
    rows = session.execute(
        statement.order_by(table.id).limit(limit).with_for_update(skip_locked=True, of=table)
    ).all()
    return _claims_of(table, rows, body)


def _claims_of(table: OutboxTable, rows: Sequence[Any], body: str | None) -> list[Claim]:
    other = table is OutgoingMessage
    claims = []
    for row in rows:
        text = body
        if text is None:
            mapping = row._mapping
            text = (
                sms_texts.callout_message(
                    mapping["message"], code=mapping["code"], exercise=bool(mapping["exercise"])
                )
                if "message" in mapping
                else mapping["body"]
            )
        claims.append(
            Claim(
                table=table,
                row_id=row.id,
                reference=reference_of(table, row.id),
                to=row.mobile,
                body=text,
                attempts=row.attempts,
                attempt_started_at=row.attempt_started_at,
                channel=MessageChannel(row.channel) if other else MessageChannel.SMS,
                subject=row.subject if other else None,
                claimed_by=row.claimed_by,
            )
        )
    return claims


def _due_statement(table: OutboxTable) -> Select[Any]:
    """A table's due rows in id order, at most `limit`, locked and skipped if locked."""
    statement = _due(table, bindparam("now"))
    if table is CalloutRecipient:
        statement = statement.where(CalloutRecipient.callout_id == bindparam("callout_id"))
    elif table is CalloutNotice:
        statement = statement.where(
            CalloutNotice.callout_id.in_(
                select(Callout.id).where(Callout.exercise == bindparam("exercise"))
            )
        )
    return (
        statement.order_by(table.id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True, of=table)
    )


def _claim_statement(table: OutboxTable) -> Any:
    return (
        update(table)
        .where(table.id.in_(bindparam("ids", expanding=True)), table.state == RecipientState.QUEUED)
        .values(
            state=RecipientState.SENDING,
            attempts=table.attempts + 1,
            attempt_started_at=bindparam("now"),
            next_attempt_at=None,
            claimed_by=bindparam("worker"),
            updated_at=bindparam("now"),
        )
        .returning(table.id)
        .execution_options(synchronize_session=False)
    )


def _release_statement(table: OutboxTable) -> Any:
    return (
        update(table)
        .where(
            table.id.in_(bindparam("ids", expanding=True)),
            table.state == RecipientState.SENDING,
            table.claimed_by == bindparam("worker"),
        )
        .values(
            state=RecipientState.QUEUED,
            attempts=table.attempts - 1,
            attempt_started_at=None,
            claimed_by=None,
        )
    )


# Built once with bound parameters: a worker claims every few milliseconds, and building and
# cache-keying these statements cost more than running them.
_DUE_STATEMENTS = {table: _due_statement(table) for table in OUTBOX_TABLES}
_CLAIM_STATEMENTS = {table: _claim_statement(table) for table in OUTBOX_TABLES}
_RELEASE_STATEMENTS = {table: _release_statement(table) for table in OUTBOX_TABLES}


def _claim(
    session: Session,
    table: OutboxTable,
    parameters: dict[str, Any],
    now: datetime,
    limit: int,
    worker: str,
    body: str | None = None,
) -> list[Claim]:
    """Claim up to `limit` due rows of `table` (`parameters`: the callout or the kind)."""
    if limit <= 0:
        return []
    # On the connection, not the session: these are Core statements, and the ORM's execution
    # layer around them cost as much as running them.
    connection = session.connection()
    rows = connection.execute(
        _DUE_STATEMENTS[table], {**parameters, "now": now, "limit": limit}
    ).all()
    found = _claims_of(table, rows, body)
    if not found:
        return []
    taken = set(
        connection.scalars(
            _CLAIM_STATEMENTS[table],
            {"ids": [claim.row_id for claim in found], "now": now, "worker": worker},
        )
    )
    return [
        replace(claim, attempts=claim.attempts + 1, attempt_started_at=now, claimed_by=worker)
        for claim in found
        if claim.row_id in taken
    ]


def _guarded_update(
    session: Session,
    table: OutboxTable,
    ids: list[int],
    still: tuple[ColumnElement[bool], ...],
    values: dict[str, Any],
) -> set[int]:
    """Update the rows that still qualify; their ids. The rows are locked (PostgreSQL) or
    the database is (SQLite), so this is all of them: the condition is a second guard,
    should a caller ever claim in a transaction that did not declare its write intent."""
    return set(
        session.scalars(
            update(table)
            .where(table.id.in_(ids), *still)
            .values(**values)
            .returning(table.id)
            .execution_options(synchronize_session=False)
        )
    )


@dataclass
class _Row:
    """What recording reads of an outbox row, changed in place and written back if changed."""

    table: OutboxTable
    id: int
    state: RecipientState
    attempts: int
    provider_id: str | None
    sent_at: datetime | None
    delivered_at: datetime | None
    next_attempt_at: datetime | None
    error_code: str | None
    error_reason: str | None
    claimed_by: str | None
    # A callout message's callout: is it still to be sent (active and not covered)?
    wanted: bool = True
    read: tuple[Any, ...] = ()

    def values(self) -> tuple[Any, ...]:
        return (
            self.state,
            self.attempts,
            self.provider_id,
            self.sent_at,
            self.delivered_at,
            self.next_attempt_at,
            self.error_code,
            self.error_reason,
            self.claimed_by,
        )


_FIELDS = (
    "state",
    "attempts",
    "provider_id",
    "sent_at",
    "delivered_at",
    "next_attempt_at",
    "error_code",
    "error_reason",
    "claimed_by",
)


def _row_reader(table: OutboxTable) -> Select[Any]:
    columns = [table.id, *(getattr(table, name) for name in _FIELDS)]
    statement = select(*columns).where(table.id.in_(bindparam("ids", expanding=True)))
    if table is CalloutRecipient:
        wanted = (Callout.status == CalloutStatus.ACTIVE) & Callout.covered_at.is_(None)
        statement = statement.add_columns(wanted.label("wanted")).join(
            Callout, Callout.id == CalloutRecipient.callout_id
        )
    return statement.with_for_update(of=table)


def _row_writer(table: OutboxTable) -> Any:
    return (
        update(table)
        .where(table.id == bindparam("row_id"))
        .values(
            **{name: bindparam(f"new_{name}") for name in _FIELDS},
            updated_at=bindparam("new_updated_at"),
        )
        .execution_options(synchronize_session=False)
    )


# Built once: recording runs every round, and building and cache-keying a statement cost
# more than running it.
_ROW_READERS = {table: _row_reader(table) for table in OUTBOX_TABLES}
_ROW_WRITERS = {table: _row_writer(table) for table in OUTBOX_TABLES}


def _read_rows(session: Session, claims: list[Claim]) -> dict[tuple[OutboxTable, int], _Row]:
    """The rows of `claims`, read (and on PostgreSQL locked) with one statement per table."""
    rows: dict[tuple[OutboxTable, int], _Row] = {}
    for table in OUTBOX_TABLES:
        ids = [claim.row_id for claim in claims if claim.table is table]
        if not ids:
            continue
        for found in session.connection().execute(_ROW_READERS[table], {"ids": ids}):
            values = dict(zip(_FIELDS, found[1 : 1 + len(_FIELDS)], strict=True))
            row = _Row(
                table,
                int(found[0]),
                **values,
                wanted=bool(found[-1]) if table is CalloutRecipient else True,
            )
            row.read = row.values()
            rows[(table, row.id)] = row
    return rows


def _write_rows(session: Session, rows: Any, now: datetime) -> None:
    """What changed, one executemany per table."""
    changed: dict[OutboxTable, list[dict[str, Any]]] = {}
    for row in rows:
        if row.values() == row.read:
            continue
        parameters = {f"new_{name}": getattr(row, name) for name in _FIELDS}
        changed.setdefault(row.table, []).append(
            {"row_id": row.id, "new_updated_at": now, **parameters}
        )
        row.read = row.values()
    for table, parameters in changed.items():
        # Core's executemany: the ORM would take a list of parameters as a bulk update by
        # primary key of its own.
        session.connection().execute(_ROW_WRITERS[table], parameters)


def _record(
    row: _Row | None,
    claim: Claim,
    result: SendResult,
    *,
    now: datetime,
    policy: RetryPolicy,
    rng: random.Random,
) -> Outcome:
    if row is None:
        return Outcome.STALE
    if isinstance(result, SendAccepted):
        return _accepted(
            row, result.provider_id, now, delivered=result.status is MessageStatus.DELIVERED
        )
    if not _current(row, claim):
        return Outcome.STALE
    reason = result.reason[:REASON_LENGTH]
    if result.kind is FailureKind.PERMANENT:
        row.state = RecipientState.FAILED
        row.error_code = str(result.code) if result.code is not None else None
        row.error_reason = reason
        return Outcome.FAILED
    if result.kind is FailureKind.UNKNOWN:
        # Let go: it may have been sent. Anyone looks it up in the provider's list shortly
        # (the call is over, so nothing of this attempt is still on its way from us).
        row.error_reason = reason
        row.claimed_by = None
        row.next_attempt_at = now + timedelta(seconds=policy.settle_s)
        return Outcome.UNSETTLED
    row.error_code = str(result.code) if result.code is not None else None
    row.error_reason = reason
    if result.kind is FailureKind.CONFIGURATION:
        row.attempts = max(row.attempts - 1, 0)  # not the recipient's fault: no attempt spent
        # Due at once: the refused worker pauses itself, and a worker with mended settings
        # (or another host's) sends these first instead of a minute after everyone else.
        return _requeue(row, now, Outcome.PAUSE)
    if row.attempts >= policy.max_attempts:
        row.state = RecipientState.FAILED
        row.error_reason = f"gave up after {row.attempts} attempts: {reason}"[:REASON_LENGTH]
        return Outcome.FAILED
    return _requeue(row, now + policy.delay(row.attempts, rng), Outcome.RETRY)


def _attributed(session: Session, provider_id: str) -> bool:
    return any(
        session.scalar(select(exists().where(table.provider_id == provider_id)))
        for table in OUTBOX_TABLES
    )


def _current(row: _Row, claim: Claim) -> bool:
    """The row is still in the attempt the claim made (no receipt, stop or retry since)."""
    return row.state == RecipientState.SENDING and row.attempts == claim.attempts


def _accepted(
    row: _Row, provider_id: str, sent_at: datetime, *, delivered: bool = False
) -> Outcome:
    """The provider took it: whatever the row says, the message went out. `delivered`: the
    provider says so already (the local gateway, which delivers at once)."""
    if row.provider_id is None:
        row.provider_id = provider_id
    if row.sent_at is None:
        row.sent_at = sent_at
    # A receipt may have come first (delivered, or failed at the carrier): that is further on.
    if row.state in (RecipientState.DELIVERED, RecipientState.FAILED):
        return Outcome.STALE
    row.state = RecipientState.DELIVERED if delivered else RecipientState.SENT
    if delivered and row.delivered_at is None:
        row.delivered_at = sent_at
    row.next_attempt_at = None
    row.error_code = row.error_reason = None
    return Outcome.SENT


def _requeue(row: _Row, not_before: datetime | None, outcome: Outcome) -> Outcome:
    """Back to the queue, unless the callout no longer wants it sent (stopped or covered)."""
    if not row.wanted:
        row.state = RecipientState.CANCELLED
        return Outcome.CANCELLED
    row.state = RecipientState.QUEUED
    row.next_attempt_at = not_before
    return outcome
