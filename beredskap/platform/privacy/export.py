"""Everything held about a person (GDPR art. 15), found through the one declaration: every row
of every table a declared column links to them, and the audit trail's entries about them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, or_, select
from sqlalchemy.orm import Session

from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.audit.recorder import json_value
from beredskap.platform.columns import utcnow
from beredskap.platform.privacy.declaration import personal_tables
from beredskap.platform.privacy.erasure import Subject, matching


def _own_table(metadata: MetaData) -> str | None:
    """The table whose primary key is the subject's id (the volunteers)."""
    return next(
        (table.table.name for table in personal_tables(metadata) if table.keyed_by_subject), None
    )


def export_subject(session: Session, metadata: MetaData, subject: Subject) -> dict[str, Any]:
    """Per table, the subject's rows (every column, JSON-safe), and the audit entries about
    their record."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in personal_tables(metadata):
        conditions = matching(table, subject)
        if not conditions:
            continue
        rows = session.execute(select(table.table).where(or_(*conditions))).mappings().all()
        if rows:
            tables[table.table.name] = [
                {key: json_value(value) for key, value in row.items()} for row in rows
            ]
    own = _own_table(metadata)
    trail = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == own, AuditEntry.entity_id == str(subject.id))
        .order_by(AuditEntry.occurred_at, AuditEntry.id)
    ).all()
    return {
        "subject_id": subject.id,
        "generated_at": json_value(utcnow()),
        "tables": tables,
        "audit": [
            {
                "occurred_at": json_value(entry.occurred_at),
                "actor": entry.actor,
                "action": entry.action,
                "before": entry.before,
                "after": entry.after,
            }
            for entry in trail
        ],
    }
