"""The reference of an outbox row: how a gateway call, a log line and a delivery receipt name
the message without its phone number ("r17" a callout message, "n4" a notice)."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from alerts.models import CalloutNotice, CalloutRecipient

OutboxRow = CalloutRecipient | CalloutNotice
_PREFIXES: dict[str, type[CalloutRecipient] | type[CalloutNotice]] = {
    "r": CalloutRecipient,
    "n": CalloutNotice,
}
_REFERENCE = re.compile(r"([rn])([1-9][0-9]{0,17})")


def reference_for(row: OutboxRow) -> str:
    return ("r" if isinstance(row, CalloutRecipient) else "n") + str(row.id)


def row_for_reference(session: Session, reference: str | None) -> OutboxRow | None:
    """The outbox row a reference names, or None for anything else (never raises)."""
    match = _REFERENCE.fullmatch(reference or "")
    if match is None:
        return None
    return session.get(_PREFIXES[match.group(1)], int(match.group(2)))
