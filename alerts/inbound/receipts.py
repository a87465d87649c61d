"""Delivery receipts (Twilio's StatusCallback) applied to the outbox. Flushes, never commits.

A receipt names its row by our reference (`ref` in the signed callback URL, so it is found
even when the worker died before storing Twilio's MessageSid) or else by the MessageSid.
Receipts come out of order and more than once, so a state only ever moves forward:
queued/sending -> sent -> delivered or failed; delivered and failed are final (a failure
after delivered is ignored, and so is a late "sent"). One conditional UPDATE does it, so two
receipts for one message handled at once cannot move it backwards either.

A receipt for a row still `sending` means Twilio took the message: it gets the provider's id
and its state, so the worker's reconciliation finds it sent and never sends it again.

A failure whose code says the number reaches no mobile (`number_gone`, sorted by the route
from the provider's codes) flags the volunteers holding that number, as a refusal at sending
does (`alerts.verification.failures`): few, so through the ORM and its audit trail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from alerts.gateway.twilio_errors import describe
from alerts.models import MessageChannel, OutgoingMessage, RecipientState
from alerts.outbox.references import OUTBOX_TABLES, OutboxTable, parse_reference, reference_of
from alerts.verification.failures import flag_numbers
from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.platform.digits import parse_digits

_logger = logging.getLogger("alerts.receipts")

# Twilio's MessageStatus values and the outbox state each one means.
_STATES: dict[str, RecipientState] = {
    "accepted": RecipientState.SENT,
    "scheduled": RecipientState.SENT,
    "queued": RecipientState.SENT,
    "sending": RecipientState.SENT,
    "sent": RecipientState.SENT,
    "delivered": RecipientState.DELIVERED,
    "read": RecipientState.DELIVERED,
    "undelivered": RecipientState.FAILED,
    "failed": RecipientState.FAILED,
    "canceled": RecipientState.FAILED,
}
# The states a row may be in for a receipt to move it to the key. A cancelled row cannot
# have been sent (only queued rows are cancelled), but if a receipt says it was, the
# receipt is the truth.
_BEFORE: dict[RecipientState, tuple[RecipientState, ...]] = {
    RecipientState.SENT: (
        RecipientState.PLANNED,
        RecipientState.QUEUED,
        RecipientState.SENDING,
        RecipientState.CANCELLED,
    ),
    RecipientState.DELIVERED: (
        RecipientState.PLANNED,
        RecipientState.QUEUED,
        RecipientState.SENDING,
        RecipientState.SENT,
        RecipientState.CANCELLED,
    ),
}
_BEFORE[RecipientState.FAILED] = _BEFORE[RecipientState.DELIVERED]
MAX_SID_CHARS = 64  # provider_id


class ReceiptOutcome(StrEnum):
    APPLIED = "applied"  # the row moved forward
    STALE = "stale"  # the row is already as far or further: nothing changed
    IGNORED = "ignored"  # a status that says nothing about delivery
    UNKNOWN = "unknown"  # no row has that reference or SID
    MISMATCH = "mismatch"  # the reference's row has another message's SID


@dataclass(frozen=True)
class ReceiptResult:
    outcome: ReceiptOutcome
    reference: str | None = None
    state: RecipientState | None = None


def _error_code(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return parse_digits(raw)


def _move(table: OutboxTable, target: RecipientState) -> Any:
    """UPDATE the row to `target` if it is not there yet and names no other message."""
    values: dict[str, Any] = {
        "state": target,
        "updated_at": bindparam("now"),
        # A receipt for a row still `sending` means Twilio took it: keep its SID, so it is
        # never resent.
        "provider_id": func.coalesce(table.provider_id, func.nullif(bindparam("sid"), "")),
    }
    if target is not RecipientState.FAILED:
        values["sent_at"] = func.coalesce(table.sent_at, bindparam("now"))
    if target is RecipientState.DELIVERED:
        values["delivered_at"] = bindparam("now")
    if target is RecipientState.FAILED:
        values["error_code"] = bindparam("error_code")
        values["error_reason"] = bindparam("error_reason")
    return (
        update(table)
        .where(
            table.id == bindparam("row_id"),
            table.state.in_(_BEFORE[target]),
            or_(
                table.provider_id.is_(None),
                table.provider_id == bindparam("sid"),
                bindparam("sid") == "",
            ),
        )
        .values(**values)
        .returning(table.id)
    )


def _current(table: OutboxTable) -> Any:
    return select(table.id, table.state, table.provider_id).where(table.id == bindparam("row_id"))


def _by_sid(table: OutboxTable) -> Any:
    return select(table.id).where(table.provider_id == bindparam("sid"))


# Built once: a burst of receipts spends its time applying them, not building SQL.
_MOVES = {(table, target): _move(table, target) for table in OUTBOX_TABLES for target in _BEFORE}
_CURRENT = {table: _current(table) for table in OUTBOX_TABLES}
_BY_SID = {table: _by_sid(table) for table in OUTBOX_TABLES}


def _find(
    connection: Connection, reference: str | None, message_sid: str
) -> tuple[OutboxTable, int] | None:
    found = parse_reference(reference)
    if found is not None or not message_sid:
        return found
    for table in OUTBOX_TABLES:
        row_id = connection.execute(_BY_SID[table], {"sid": message_sid}).scalar()
        if row_id is not None:
            return table, int(row_id)
    return None


def _sms_number(session: Session, table: OutboxTable, row_id: int) -> str | None:
    """The mobile an outbox row's SMS went to (None for an e-mail)."""
    if table is OutgoingMessage:
        row = session.execute(
            select(OutgoingMessage.to, OutgoingMessage.channel).where(OutgoingMessage.id == row_id)
        ).first()
        return row.to if row is not None and row.channel is MessageChannel.SMS else None
    return session.scalar(select(table.mobile).where(table.id == row_id))


def apply_receipt(
    session: Session,
    *,
    message_sid: str | None,
    message_status: str | None,
    error_code: str | None = None,
    reference: str | None = None,
    error_reason: str | None = None,
    number_gone: bool = False,
) -> ReceiptResult:
    """Move the row the receipt names forward to what the receipt says. Never raises for
    unknown references, SIDs, statuses or codes: they are logged and change nothing.
    `number_gone`: the provider's code says the number reaches no mobile.

    One conditional UPDATE when it applies; the row is read only to say why it did not."""
    sid = (message_sid or "").strip()[:MAX_SID_CHARS]
    status = (message_status or "").strip().lower()
    target = _STATES.get(status)
    connection = session.connection()
    found = _find(connection, reference, sid)
    if found is None:
        _logger.info("receipt %r for no outbox row (ref %r, SID %s)", status, reference, sid)
        return ReceiptResult(ReceiptOutcome.UNKNOWN)
    table, row_id = found
    name = reference_of(table, row_id)
    if target is not None:
        parameters: dict[str, Any] = {"row_id": row_id, "sid": sid, "now": utcnow()}
        if target is RecipientState.FAILED:
            code = _error_code(error_code)
            parameters["error_code"] = str(code) if code is not None else status
            parameters["error_reason"] = (
                error_reason
                or describe(code)
                or (f"Twilio error {code}" if code is not None else None)
                or f"{status} at Twilio"
            )[:300]
        if connection.execute(_MOVES[(table, target)], parameters).first() is not None:
            _logger.info("receipt for %s: %s", name, target.value)
            if target is RecipientState.FAILED and number_gone:
                number = _sms_number(session, table, row_id)
                if number and flag_numbers(session, [number], on=today_in_norway()):
                    _logger.info("receipt for %s: its number reaches no mobile; flagged", name)
            return ReceiptResult(ReceiptOutcome.APPLIED, name, target)
    row = connection.execute(_CURRENT[table], {"row_id": row_id}).first()
    if row is None:
        _logger.info("receipt %r for no outbox row (ref %r, SID %s)", status, reference, sid)
        return ReceiptResult(ReceiptOutcome.UNKNOWN)
    if sid and row.provider_id is not None and row.provider_id != sid:
        _logger.warning("receipt for %s names SID %s, the row has another; ignored", name, sid)
        return ReceiptResult(ReceiptOutcome.MISMATCH, name, row.state)
    if target is None:
        return ReceiptResult(ReceiptOutcome.IGNORED, name, row.state)
    return ReceiptResult(ReceiptOutcome.STALE, name)
