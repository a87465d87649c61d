"""Delivery receipts (Twilio's StatusCallback) applied to the outbox. Flushes, never commits.

A receipt names its row by our reference (`ref` in the signed callback URL, so it is found
even when the worker died before storing Twilio's MessageSid) or else by the MessageSid.
Receipts come out of order and more than once, so a state only ever moves forward:
queued/sending -> sent -> delivered or failed; delivered and failed are final (a failure
after delivered is ignored, and so is a late "sent"). One conditional UPDATE does it, so two
receipts for one message handled at once cannot move it backwards either.

A receipt for a row still `sending` means Twilio took the message: it gets the provider's id
and its state, so the worker's reconciliation finds it sent and never sends it again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alerts.models import CalloutNotice, CalloutRecipient, OutgoingMessage, RecipientState
from alerts.references import OutboxRow, reference_for, row_for_reference
from alerts.twilio_errors import describe
from beredskap.columns import utcnow
from beredskap.digits import parse_digits

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


def _find(session: Session, reference: str | None, message_sid: str) -> OutboxRow | None:
    row = row_for_reference(session, reference)
    if row is not None or not message_sid:
        return row
    for model in (CalloutRecipient, CalloutNotice, OutgoingMessage):
        found = session.scalars(select(model).where(model.provider_id == message_sid)).first()
        if found is not None:
            return found
    return None


def apply_receipt(
    session: Session,
    *,
    message_sid: str | None,
    message_status: str | None,
    error_code: str | None = None,
    reference: str | None = None,
) -> ReceiptResult:
    """Move the row the receipt names forward to what the receipt says. Never raises for
    unknown references, SIDs, statuses or codes: they are logged and change nothing."""
    sid = (message_sid or "").strip()[:MAX_SID_CHARS]
    status = (message_status or "").strip().lower()
    target = _STATES.get(status)
    row = _find(session, reference, sid)
    if row is None:
        _logger.info("receipt %r for no outbox row (ref %r, SID %s)", status, reference, sid)
        return ReceiptResult(ReceiptOutcome.UNKNOWN)
    name = reference_for(row)
    if sid and row.provider_id is not None and row.provider_id != sid:
        _logger.warning("receipt for %s names SID %s, the row has another; ignored", name, sid)
        return ReceiptResult(ReceiptOutcome.MISMATCH, name, row.state)
    if target is None:
        return ReceiptResult(ReceiptOutcome.IGNORED, name, row.state)
    now = utcnow()
    model = type(row)
    values: dict[str, object] = {"state": target, "updated_at": now}
    if sid and row.provider_id is None:
        values["provider_id"] = sid
    if row.sent_at is None and target is not RecipientState.FAILED:
        values["sent_at"] = now
    if target is RecipientState.DELIVERED:
        values["delivered_at"] = now
    if target is RecipientState.FAILED:
        code = _error_code(error_code)
        values["error_code"] = str(code) if code is not None else status
        values["error_reason"] = (
            describe(code)
            or (f"Twilio error {code}" if code is not None else None)
            or f"{status} at Twilio"
        )[:300]
    moved = session.execute(
        update(model)
        .where(model.id == row.id, model.state.in_(_BEFORE[target]))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.expire(row)
    if moved != 1:
        return ReceiptResult(ReceiptOutcome.STALE, name)
    _logger.info("receipt for %s: %s", name, target.value)
    return ReceiptResult(ReceiptOutcome.APPLIED, name, target)
