"""Organisations, volunteers and exercises for the scheduler and reminder tests (ORM only)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from shapely.geometry import Point
from sqlalchemy.orm import Session

from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.register.agreements.models import Agreement, AgreementStatus
from beredskap.register.organisations.models import Organisation, Site
from beredskap.register.volunteers.models import Volunteer
from exercises.models import Exercise, ExerciseType
from tests.support.callouts import LILLESTROM, at, volunteer

_numbers = itertools.count(1)


def organisation(session: Session, name: str = "Lillestrøm Røde Kors") -> Organisation:
    found = Organisation(name=f"{name} {next(_numbers)}", category="other")
    session.add(found)
    session.flush()
    return found


def agreement(session: Session, holder: Organisation) -> Agreement:
    found = Agreement(
        organisation_id=holder.id,
        reference=f"BER-2026-{next(_numbers)}",
        title="Beredskapsavtale",
        status=AgreementStatus.ACTIVE,
        valid_from=today_in_norway() - timedelta(days=30),
    )
    session.add(found)
    session.flush()
    return found


def members(
    session: Session, holder: Organisation, count: int, *, email: bool = False
) -> list[Volunteer]:
    """Consenting first-aiders living near Lillestrøm, members of `holder`."""
    people = []
    for _ in range(count):
        number = next(_numbers)
        person = volunteer(session, number % 100, at(90, 500 + number), ["first_aid"], holder)
        person.mobile = f"+47900{number:05d}"
        person.full_name = f"Frivillig {number}"
        if email:
            person.email = f"frivillig{number}@example.no"
        people.append(person)
    session.flush()
    return people


def exercise(
    session: Session,
    *,
    starts_at: datetime | None = None,
    minutes: float = 60,
    type: ExerciseType = ExerciseType.TABLETOP,
    **fields: Any,
) -> Exercise:
    start = starts_at or utcnow() + timedelta(days=2)
    values: dict[str, Any] = {
        "title": "Øvelse flom i Nitelva",
        "type": type,
        "starts_at": start,
        "ends_at": start + timedelta(minutes=minutes),
        "created_by": "test",
    } | fields
    if type is ExerciseType.ALERT_DRILL:
        values.setdefault("place", Point(*LILLESTROM))
        values.setdefault("drill_message", "Varslingsøvelse. Svar JA eller NEI.")
        values.setdefault("drill_radius_m", 5_000.0)
        values.setdefault("drill_needs", [{"qualification": "first_aid", "count": 2}])
    found = Exercise(**values)
    session.add(found)
    session.flush()
    return found


def site(session: Session, name: str) -> Site:
    found = Site(name=name, kind="base", location=at(0, 300))
    session.add(found)
    session.flush()
    return found
