"""The read queries more than one part of `exercises` shares."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from exercises.models import Exercise, ExerciseStatus, exercise_organisations


def exercises_between(
    starts: datetime | None,
    ends: datetime | None,
    *,
    organisation_id: int | None = None,
    statuses: Collection[ExerciseStatus] | None = None,
) -> Select[tuple[Exercise]]:
    """Exercises that overlap [starts, ends) (either end open), earliest first.

    With `organisation_id`, only those the organisation takes part in.
    """
    query = select(Exercise).options(selectinload(Exercise.organisations))
    if starts is not None:
        query = query.where(Exercise.ends_at > starts)
    if ends is not None:
        query = query.where(Exercise.starts_at < ends)
    if organisation_id is not None:
        query = query.where(
            Exercise.id.in_(
                select(exercise_organisations.c.exercise_id).where(
                    exercise_organisations.c.organisation_id == organisation_id
                )
            )
        )
    if statuses is not None:
        query = query.where(Exercise.status.in_(list(statuses)))
    return query.order_by(Exercise.starts_at, Exercise.id)
