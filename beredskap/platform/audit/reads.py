"""Reads of personal data, audited: one entry per request that showed people's contact details
or messages (action `read`: who, what, how many).

Written in a short transaction of its own that declares its write intent, not in the request's:
a GET's transaction only reads, and on SQLite a read transaction that starts writing can be
refused at once ("database is locked") when another writer committed meanwhile; this one
queues for the write lock like every writer. (The tests' outer transaction is joined.) A
request whose own transaction writes (a form posted and its page shown again) already holds
that lock: its entry is written in that transaction, which a second writer would wait for
until the request gave up."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.columns import utcnow
from beredskap.platform.db import WRITE_INTENT, write_intent_bind

READ = "read"


def record_read(
    session: Session, entity: str, entity_id: str | int = "", *, what: str, count: int = 1
) -> None:
    """`entity`: the table read (e.g. volunteers); `entity_id`: the record, or "" for a list;
    `what`: the route or page; `count`: how many people it showed."""
    entry = insert(AuditEntry).values(
        occurred_at=utcnow(),
        actor=str(session.info.get("actor") or "system")[:200],
        entity=entity,
        entity_id=str(entity_id),
        action=READ,
        before=None,
        after={"read": what, "count": count},
    )
    if _writes(session):
        session.execute(entry)
        return
    with Session(bind=write_intent_bind(session.get_bind())) as own, own.begin():
        own.execute(entry)


def _writes(session: Session) -> bool:
    """Whether the session's transactions say they will write (`Database.writing_session`)."""
    bind = session.get_bind()
    options = getattr(bind, "get_execution_options", None)
    return bool(options is not None and options().get(WRITE_INTENT))
