"""The plan's yearly revisions: recorded, listed newest first, and whether one is due.
Flushes, never commits; the model's validators judge the texts by field."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from beredskap.platform.errors import N_, DomainValidationError
from beredskap.register.readiness.currency import is_stale
from beredskap.register.readiness.models import PlanRevision

NEWEST_FIRST = (PlanRevision.revised_on.desc(), PlanRevision.id.desc())


def list_revisions(session: Session, *, limit: int, offset: int) -> tuple[list[PlanRevision], int]:
    """One page of revisions, newest first, and how many there are."""
    total = int(session.scalar(select(func.count(PlanRevision.id))) or 0)
    rows = session.scalars(select(PlanRevision).order_by(*NEWEST_FIRST).limit(limit).offset(offset))
    return list(rows), total


def latest_revision(session: Session) -> PlanRevision | None:
    return session.scalars(select(PlanRevision).order_by(*NEWEST_FIRST).limit(1)).first()


def revision_is_due(latest: PlanRevision | None, today: date) -> bool:
    """None recorded, or the last one 12 months ago or more."""
    return is_stale(latest.revised_on if latest else None, today)


def record_revision(
    session: Session,
    *,
    revised_on: date,
    revised_by: str,
    scope: str,
    note: str | None,
    recorded_by_user_id: int | None,
    today: date,
) -> PlanRevision:
    """Record a revision that has taken place (never one in the future: a plan is not
    revised in advance, and a future date would silence the yearly warning)."""
    if revised_on > today:
        raise DomainValidationError("revised_on", N_("a revision date cannot be in the future"))
    revision = PlanRevision(
        revised_on=revised_on,
        revised_by=revised_by,
        scope=scope,
        note=note,
        recorded_by_user_id=recorded_by_user_id,
    )
    session.add(revision)
    session.flush()
    return revision
