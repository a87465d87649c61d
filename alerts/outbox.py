"""The SMS outbox: claiming due messages and recording what became of them.

Three outbox tables are served: callout messages (`CalloutRecipient`, queued, of an active
callout whose need is not yet covered), later notices (`CalloutNotice`), and messages outside
any callout (`OutgoingMessage`: exercise reminders, by SMS or e-mail; `Claim.channel` says
which gateway the worker hands it to). No gateway is
called here and nothing is committed: the worker commits each step, and it commits a claim
BEFORE it calls the gateway, so a message is never sent without a trace in the database.

Claiming is safe with any number of workers: on PostgreSQL the due rows are read with
`FOR UPDATE SKIP LOCKED`, so each goes to one worker; on SQLite the worker's transaction
takes the database's single write lock up front (`BEGIN IMMEDIATE`), so claims cannot
interleave there either. A claimed row is `sending`, with `attempts` counted and
`attempt_started_at` set: the mark that lets a row left in flight by a killed worker be
reconciled with the provider's message list (`claim_stale`, `record_reconciled`) before any
resend.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, or_, select, update
from sqlalchemy.orm import Session

from alerts import sms_texts
from alerts.gateway import FailureKind, MessageStatus, SendAccepted, SendResult, SentMessage
from alerts.models import (
    Callout,
    CalloutNotice,
    CalloutRecipient,
    CalloutStatus,
    MessageChannel,
    OutgoingMessage,
    RecipientState,
)
from alerts.references import OutboxRow

OutboxTable = type[CalloutRecipient] | type[CalloutNotice] | type[OutgoingMessage]
TABLES: tuple[OutboxTable, ...] = (CalloutRecipient, CalloutNotice, OutgoingMessage)
_PREFIX = {CalloutRecipient: "r", CalloutNotice: "n", OutgoingMessage: "m"}
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
    reconcile_retry_s: float = 30.0

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


class Outcome(StrEnum):
    """What recording a result did to the row."""

    SENT = "sent"
    FAILED = "failed"
    RETRY = "retry"  # queued again for later
    CANCELLED = "cancelled"  # not sent, and no longer wanted (the callout was stopped)
    UNSETTLED = "unsettled"  # left `sending` for reconciliation
    PAUSE = "pause"  # our configuration was refused: queued again, sending should pause
    STALE = "stale"  # the row had moved on meanwhile; nothing changed


def claim_due(session: Session, *, now: datetime, limit: int) -> list[Claim]:
    """Claim up to `limit` due messages (callout messages first, then notices, then other
    messages) and mark them `sending`."""
    claims: list[Claim] = []
    for table in TABLES:
        if len(claims) >= limit:
            break
        claims += _claim(session, table, _due(table, now), now, limit - len(claims))
    return claims


def claim_stale(session: Session, *, now: datetime, lease: timedelta, limit: int) -> list[Claim]:
    """Claim messages left `sending` for longer than `lease`, for reconciliation.

    The row stays `sending` with its `attempt_started_at` (the time to search the provider's
    list from); `next_attempt_at` becomes the reconciler's own lease, so that another worker
    does not check the same row at the same time, and one that dies checking is redone.
    """
    claims: list[Claim] = []
    for table in TABLES:
        if len(claims) >= limit:
            break
        statement = _select(table).where(
            table.state == RecipientState.SENDING,
            table.attempt_started_at <= now - lease,
            or_(table.next_attempt_at.is_(None), table.next_attempt_at <= now),
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
                {"next_attempt_at": now + lease},
            )
            claims += [claim for claim in found if claim.row_id in taken]
    session.flush()
    return claims


def record_result(
    session: Session,
    claim: Claim,
    result: SendResult,
    *,
    now: datetime,
    policy: RetryPolicy,
    rng: random.Random,
    pause: timedelta = timedelta(minutes=1),
) -> Outcome:
    """Record the gateway's answer to `claim` on its row. Never moves a row backwards."""
    row = _lock(session, claim)
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
        row.error_reason = reason  # the officer sees why it is still "sending"
        return Outcome.UNSETTLED
    row.error_code = str(result.code) if result.code is not None else None
    row.error_reason = reason
    if result.kind is FailureKind.CONFIGURATION:
        row.attempts = max(row.attempts - 1, 0)  # not the recipient's fault: no attempt spent
        return _requeue(row, now + pause, Outcome.PAUSE)
    if row.attempts >= policy.max_attempts:
        row.state = RecipientState.FAILED
        row.error_reason = f"gave up after {row.attempts} attempts: {reason}"[:REASON_LENGTH]
        return Outcome.FAILED
    return _requeue(row, now + policy.delay(row.attempts, rng), Outcome.RETRY)


def record_reconciled(
    session: Session,
    claim: Claim,
    found: list[SentMessage] | None,
    *,
    now: datetime,
    policy: RetryPolicy,
) -> Outcome:
    """Record what the provider's list said about a stale attempt.

    `found` is the list since the attempt began (a message with the claim's body there means
    it was sent), or None when the list could not be read: then the row is left for later.
    """
    row = _lock(session, claim)
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
    if row.attempts >= policy.max_attempts:
        row.state = RecipientState.FAILED
        row.error_reason = f"not sent after {row.attempts} attempts"
        return Outcome.FAILED
    return _requeue(row, None, Outcome.RETRY)


# -- helpers ---------------------------------------------------------------------------------


def _due(table: OutboxTable, now: datetime) -> Select[Any]:
    return _select(table).where(
        table.state == RecipientState.QUEUED,
        or_(table.next_attempt_at.is_(None), table.next_attempt_at <= now),
    )


def _select(table: OutboxTable) -> Select[Any]:
    """The row's id, number, attempts, attempt start, and what is needed for its body."""
    if table is CalloutRecipient:
        return (
            select(
                CalloutRecipient.id,
                CalloutRecipient.mobile,
                CalloutRecipient.attempts,
                CalloutRecipient.attempt_started_at,
                Callout.message,
                Callout.code,
                Callout.exercise,
            )
            .join(Callout, Callout.id == CalloutRecipient.callout_id)
            # A covered callout has cancelled what it had not sent; a stopped one too.
            .where(Callout.status == CalloutStatus.ACTIVE, Callout.covered_at.is_(None))
        )
    if table is OutgoingMessage:
        return select(
            OutgoingMessage.id,
            OutgoingMessage.to.label("mobile"),
            OutgoingMessage.attempts,
            OutgoingMessage.attempt_started_at,
            OutgoingMessage.body,
            OutgoingMessage.channel,
            OutgoingMessage.subject,
        )
    return select(
        CalloutNotice.id,
        CalloutNotice.mobile,
        CalloutNotice.attempts,
        CalloutNotice.attempt_started_at,
        CalloutNotice.body,
    )


def _read(session: Session, table: OutboxTable, statement: Select[Any], limit: int) -> list[Claim]:
    rows = session.execute(
        statement.order_by(table.id).limit(limit).with_for_update(skip_locked=True, of=table)
    ).all()
    prefix = _PREFIX[table]
    bodies: dict[tuple[str, str, bool], str] = {}
    claims = []
    other = table is OutgoingMessage
    for row in rows:
        if table is CalloutRecipient:
            key = (row.message, row.code, bool(row.exercise))
            if key not in bodies:
                bodies[key] = sms_texts.callout_message(
                    row.message, code=row.code, exercise=bool(row.exercise)
                )
            body = bodies[key]
        else:
            body = row.body
        claims.append(
            Claim(
                table=table,
                row_id=row.id,
                reference=f"{prefix}{row.id}",
                to=row.mobile,
                body=body,
                attempts=row.attempts,
                attempt_started_at=row.attempt_started_at,
                channel=MessageChannel(row.channel) if other else MessageChannel.SMS,
                subject=row.subject if other else None,
            )
        )
    return claims


def _claim(
    session: Session, table: OutboxTable, statement: Select[Any], now: datetime, limit: int
) -> list[Claim]:
    if limit <= 0:
        return []
    found = _read(session, table, statement, limit)
    if not found:
        return []
    taken = _guarded_update(
        session,
        table,
        [claim.row_id for claim in found],
        (table.state == RecipientState.QUEUED,),
        {
            "state": RecipientState.SENDING,
            "attempts": table.attempts + 1,
            "attempt_started_at": now,
            "next_attempt_at": None,
            "updated_at": now,
        },
    )
    session.flush()
    return [
        Claim(
            table=claim.table,
            row_id=claim.row_id,
            reference=claim.reference,
            to=claim.to,
            body=claim.body,
            attempts=claim.attempts + 1,
            attempt_started_at=now,
            channel=claim.channel,
            subject=claim.subject,
        )
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


def _lock(session: Session, claim: Claim) -> OutboxRow | None:
    return session.get(claim.table, claim.row_id, with_for_update=True)


def _attributed(session: Session, provider_id: str) -> bool:
    return any(
        session.scalar(select(exists().where(table.provider_id == provider_id))) for table in TABLES
    )


def _current(row: OutboxRow, claim: Claim) -> bool:
    """The row is still in the attempt the claim made (no receipt, stop or retry since)."""
    return row.state == RecipientState.SENDING and row.attempts == claim.attempts


def _accepted(
    row: OutboxRow, provider_id: str, sent_at: datetime, *, delivered: bool = False
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


def _requeue(row: OutboxRow, not_before: datetime | None, outcome: Outcome) -> Outcome:
    """Back to the queue, unless the callout no longer wants it sent (stopped or covered)."""
    if isinstance(row, CalloutRecipient) and (
        row.callout.status != CalloutStatus.ACTIVE or row.callout.covered_at is not None
    ):
        row.state = RecipientState.CANCELLED
        return Outcome.CANCELLED
    row.state = RecipientState.QUEUED
    row.next_attempt_at = not_before
    return outcome
