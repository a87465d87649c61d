"""Is the register kept current? Organisations confirm their record, the municipality revises
its plan; both are due again 12 months after the last time (forskrift om kommunal
beredskapsplikt: the plan is kept current and revised at least once a year)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.register.organisations.models import Organisation


def year_before(day: date) -> date:
    """The same day a year earlier (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def is_stale(last: date | None, today: date) -> bool:
    """Nothing recorded, or the last time was 12 months ago or more."""
    return last is None or last <= year_before(today)


def unconfirmed_organisations(session: Session, today: date) -> list[Organisation]:
    """Active organisations not confirmed in 12 months: never confirmed first, then the
    oldest confirmation, then by name."""
    never_first = Organisation.confirmed_on.is_not(None)  # False (never) sorts before True
    statement = (
        select(Organisation)
        .where(
            Organisation.active.is_(True),
            (Organisation.confirmed_on.is_(None))
            | (Organisation.confirmed_on <= year_before(today)),
        )
        .order_by(never_first, Organisation.confirmed_on, Organisation.name, Organisation.id)
    )
    return list(session.scalars(statement))
