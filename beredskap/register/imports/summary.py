"""The one audit entry of an import, beside the per-record history the audit listener keeps:
who imported which kind from which file, and the counts."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.audit.recorder import SYSTEM_ACTOR
from beredskap.platform.columns import utcnow


def record_import(session: Session, kind: str, source: str, counts: Mapping[str, object]) -> None:
    session.add(
        AuditEntry(
            occurred_at=utcnow(),
            actor=str(session.info.get("actor") or SYSTEM_ACTOR),
            entity="import",
            entity_id=kind,
            action="import",
            before=None,
            after={"kind": kind, "file": source[:200], **counts},
        )
    )
