"""The reference of an outbox row: how a gateway call, a log line and a delivery receipt name
the message without its phone number ("r17" a callout message, "n4" a notice, "m9" a message
outside any callout)."""

from __future__ import annotations

import re

from alerts.models import CalloutNotice, CalloutRecipient, OutgoingMessage

OutboxRow = CalloutRecipient | CalloutNotice | OutgoingMessage
OutboxTable = type[CalloutRecipient] | type[CalloutNotice] | type[OutgoingMessage]
_PREFIXES: dict[str, OutboxTable] = {
    "r": CalloutRecipient,
    "n": CalloutNotice,
    "m": OutgoingMessage,
}
# The outbox tables, listed once, in the order they are claimed (first messages, then later
# notices, then messages outside any callout): claims, reconciliation, receipts, the sending
# status and a STOP's cancellations all read this list.
OUTBOX_TABLES: tuple[OutboxTable, ...] = tuple(_PREFIXES.values())
_REFERENCE = re.compile(r"([rnm])([1-9][0-9]{0,17})")


def reference_for(row: OutboxRow) -> str:
    prefix = next(key for key, model in _PREFIXES.items() if isinstance(row, model))
    return prefix + str(row.id)


def reference_of(table: OutboxTable, row_id: int) -> str:
    prefix = next(key for key, model in _PREFIXES.items() if model is table)
    return prefix + str(row_id)


def parse_reference(reference: str | None) -> tuple[OutboxTable, int] | None:
    """The table and id a reference names, or None for anything else (never raises)."""
    match = _REFERENCE.fullmatch(reference or "")
    if match is None:
        return None
    return _PREFIXES[match.group(1)], int(match.group(2))
