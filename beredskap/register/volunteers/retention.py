"""Volunteers marked inactive longer than the retention period are purged (`erasure`), daily in
the worker and by `beredskap retention run`."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.platform.columns import utcnow
from beredskap.platform.jobs import JobContext, JobDefinition, scheduled_job
from beredskap.platform.privacy.retention import Action, Outcome, Period, schedule
from beredskap.register.volunteers.erasure import purge_volunteer
from beredskap.register.volunteers.models import Volunteer

ACTOR = "retention"


def purge_inactive(session: Session, days: int, now: datetime, *, dry_run: bool = False) -> Outcome:
    """Purge volunteers inactive (and unchanged) for `days`; with `dry_run`, count them."""
    cutoff = now - timedelta(days=days)
    stale = session.scalars(
        select(Volunteer).where(Volunteer.active.is_(False), Volunteer.updated_at < cutoff)
    ).all()
    if not dry_run:
        for volunteer in stale:
            purge_volunteer(session, volunteer)
    return Outcome(Period.INACTIVE_VOLUNTEER, Volunteer.__tablename__, Action.DELETE, len(stale))


@scheduled_job
def purge_inactive_daily(context: JobContext) -> None:
    days = schedule(context.settings)[Period.INACTIVE_VOLUNTEER]
    with context.transaction(ACTOR) as session:
        purge_inactive(session, days, utcnow())


JOBS = (
    JobDefinition(
        id="register:purge-inactive-volunteers",
        func="beredskap.register.volunteers.retention:purge_inactive_daily",
        name="purge volunteers inactive past retention",
        every_s=lambda _settings: 86_400.0,
    ),
)
