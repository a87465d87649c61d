"""Recording what became of claimed outbox messages: the gateway's answers and the lookups of
messages in doubt.

`record_results` maps a batch of answers (its rows read in one statement per table):
accepted -> `sent` (a receipt that came first is never undone), permanent -> `failed` with
code and masked reason, transient -> queued with backoff (failed after the last attempt),
unknown -> let go and looked up after `settle_s`, configuration -> queued, no attempt spent;
what is not sent for a stopped or covered callout becomes `cancelled`. `record_reconciled`
records what the provider's message list said of a claim in doubt (`claims.claim_stale`).
Nothing is committed here: the worker commits each step.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, bindparam, exists, select, update
from sqlalchemy.orm import Session

from alerts.gateway.port import FailureKind, MessageStatus, SendAccepted, SendResult, SentMessage
from alerts.models import (
    Callout,
    CalloutRecipient,
    CalloutStatus,
    RecipientState,
)
from alerts.outbox.claims import Claim
from alerts.outbox.references import OUTBOX_TABLES, OutboxTable
from alerts.verification.failures import flag_permanent_failures
from beredskap.platform.columns import NORWAY

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


class Outcome(StrEnum):
    """What recording a result did to the row."""

    SENT = "sent"
    FAILED = "failed"
    RETRY = "retry"  # queued again for later
    CANCELLED = "cancelled"  # not sent, and no longer wanted (the callout was stopped)
    UNSETTLED = "unsettled"  # left `sending` for reconciliation
    PAUSE = "pause"  # our configuration was refused: queued again, sending should pause
    STALE = "stale"  # the row had moved on meanwhile; nothing changed


def record_results(
    session: Session,
    answers: Sequence[tuple[Claim, SendResult]],
    *,
    now: datetime,
    policy: RetryPolicy,
    rng: random.Random,
    retry_at_once: frozenset[str] = frozenset(),
) -> list[Outcome]:
    """Record the gateway's answers on their rows. Set-based: the rows are read (and on
    PostgreSQL locked) with one statement per table, and what changed is written with one
    executemany per table. Never moves a row backwards. A transient failure at a provider in
    `retry_at_once` (failing, with another to fail over to) is due again at once."""
    rows = _read_rows(session, [claim for claim, _result in answers])
    outcomes = [
        _record(
            rows.get((claim.table, claim.row_id)),
            claim,
            result,
            now=now,
            policy=policy,
            rng=rng,
            at_once=claim.provider is not None and claim.provider in retry_at_once,
        )
        for claim, result in answers
    ]
    _write_rows(session, rows.values(), now)
    # A number refused for good is flagged to its organisation (alerts.verification).
    failed = [
        answer
        for answer, outcome in zip(answers, outcomes, strict=True)
        if outcome is Outcome.FAILED
    ]
    if failed:
        flag_permanent_failures(session, failed, on=now.astimezone(NORWAY).date())
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
    # Locked in id order, as the claims lock them: two workers recording overlapping rows
    # (one taking over a killed worker's claims) otherwise deadlocked on PostgreSQL.
    return statement.order_by(table.id).with_for_update(of=table)


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
    at_once: bool = False,
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
    if at_once:  # its provider is failing: the next claim goes to the other one
        return _requeue(row, now, Outcome.RETRY)
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
