"""Reads of personal data, audited: one entry per request that showed people's contact details
or messages (action `read`: who, what, how many), written in the request's own transaction, so
it costs one INSERT and is never lost or left behind alone."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.columns import utcnow

READ = "read"


def record_read(
    session: Session, entity: str, entity_id: str | int = "", *, what: str, count: int = 1
) -> None:
    """`entity`: the table read (e.g. volunteers); `entity_id`: the record, or "" for a list;
    `what`: the route or page; `count`: how many people it showed."""
    session.execute(
        insert(AuditEntry).values(
            occurred_at=utcnow(),
            actor=str(session.info.get("actor") or "system")[:200],
            entity=entity,
            entity_id=str(entity_id),
            action=READ,
            before=None,
            after={"read": what, "count": count},
        )
    )
