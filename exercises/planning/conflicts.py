"""What a planned exercise collides with, shown before saving (saving is not blocked).

Within the exercise's window [starts, ends) another exercise that is not cancelled and
overlaps in time conflicts when it shares an organisation, an invited volunteer or a site,
or when one of our invited volunteers is a member of one of its organisations. A callout
conflicts while it runs (from `sent_at` until `stopped_at`; an active one is still running)
when it asks one of our organisations (no organisations named means every one) or has asked
one of our invited volunteers. Windows that only touch (end == other start) do not overlap.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from alerts.models import Callout, CalloutRecipient, CalloutStatus, RecipientState
from beredskap.register.organisations.models import Organisation, Site
from beredskap.register.volunteers.models import Membership, Volunteer
from exercises.models import (
    Exercise,
    ExerciseStatus,
    exercise_organisations,
    exercise_sites,
    exercise_volunteers,
)

ConflictKind = Literal["organisation", "volunteer", "site", "callout"]


@dataclass(frozen=True)
class Other:
    kind: Literal["exercise", "callout"]
    id: int
    title: str
    starts_at: datetime | None
    ends_at: datetime | None


@dataclass(frozen=True)
class Conflict:
    kind: ConflictKind
    what: str
    other: Other
    occurrence_start: datetime | None = None


@dataclass(frozen=True)
class Window:
    """One planned time and who takes part (ids, already checked to exist)."""

    starts_at: datetime
    ends_at: datetime
    organisation_ids: Collection[int]
    volunteer_ids: Collection[int]
    site_ids: Collection[int]


def _other_exercise(row: Exercise) -> Other:
    return Other("exercise", row.id, row.title, row.starts_at, row.ends_at)


def _overlapping_exercises(window: Window, exclude: Collection[int]) -> list[object]:
    conditions: list[object] = [
        Exercise.status != ExerciseStatus.CANCELLED,
        Exercise.starts_at < window.ends_at,
        Exercise.ends_at > window.starts_at,
    ]
    if exclude:
        conditions.append(Exercise.id.not_in(list(exclude)))
    return conditions


def _exercise_conflicts(
    session: Session, window: Window, exclude: Collection[int]
) -> list[Conflict]:
    overlapping = _overlapping_exercises(window, exclude)
    found: list[Conflict] = []
    if window.organisation_ids:
        rows = session.execute(
            select(Exercise, Organisation.name)
            .join(exercise_organisations, exercise_organisations.c.exercise_id == Exercise.id)
            .join(Organisation, Organisation.id == exercise_organisations.c.organisation_id)
            .where(Organisation.id.in_(list(window.organisation_ids)), *overlapping)
            .order_by(Exercise.starts_at, Exercise.id, Organisation.name)
        ).all()
        found += [Conflict("organisation", name, _other_exercise(row)) for row, name in rows]
    if window.volunteer_ids:
        ids = list(window.volunteer_ids)
        invited = session.execute(
            select(Exercise, Volunteer.full_name)
            .join(exercise_volunteers, exercise_volunteers.c.exercise_id == Exercise.id)
            .join(Volunteer, Volunteer.id == exercise_volunteers.c.volunteer_id)
            .where(Volunteer.id.in_(ids), *overlapping)
            .order_by(Exercise.starts_at, Exercise.id, Volunteer.full_name)
        ).all()
        # Our invited volunteer belongs to an organisation taking part in the other exercise.
        members = session.execute(
            select(Exercise, Volunteer.full_name)
            .join(exercise_organisations, exercise_organisations.c.exercise_id == Exercise.id)
            .join(
                Membership,
                Membership.organisation_id == exercise_organisations.c.organisation_id,
            )
            .join(Volunteer, Volunteer.id == Membership.volunteer_id)
            .where(Volunteer.id.in_(ids), *overlapping)
            .order_by(Exercise.starts_at, Exercise.id, Volunteer.full_name)
        ).all()
        seen: set[tuple[int, str]] = set()
        for row, name in [*invited, *members]:
            if (row.id, name) not in seen:
                seen.add((row.id, name))
                found.append(Conflict("volunteer", name, _other_exercise(row)))
    if window.site_ids:
        rows = session.execute(
            select(Exercise, Site.name)
            .join(exercise_sites, exercise_sites.c.exercise_id == Exercise.id)
            .join(Site, Site.id == exercise_sites.c.site_id)
            .where(Site.id.in_(list(window.site_ids)), *overlapping)
            .order_by(Exercise.starts_at, Exercise.id, Site.name)
        ).all()
        found += [Conflict("site", name, _other_exercise(row)) for row, name in rows]
    return found


def _callout_conflicts(
    session: Session, window: Window, exclude_callouts: Collection[int]
) -> list[Conflict]:
    if not window.organisation_ids and not window.volunteer_ids:
        return []
    running = session.scalars(
        select(Callout)
        .where(
            Callout.status != CalloutStatus.DRAFT,
            Callout.sent_at.is_not(None),
            Callout.sent_at < window.ends_at,
            or_(Callout.stopped_at.is_(None), Callout.stopped_at > window.starts_at),
            *([Callout.id.not_in(list(exclude_callouts))] if exclude_callouts else []),
        )
        .order_by(Callout.sent_at, Callout.id)
    ).all()
    if not running:
        return []
    found: list[Conflict] = []
    ours = set(window.organisation_ids)
    names = dict(
        session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ours)))
        .tuples()
        .all()
    )

    def other(callout: Callout) -> Other:
        return Other("callout", callout.id, callout.title, callout.sent_at, callout.stopped_at)

    # organisation_ids is a JSON list on the callout (empty: every organisation).
    for callout in running:
        asked = set(callout.organisation_ids or []) or ours
        for organisation_id in sorted(asked & ours, key=lambda key: names.get(key, "")):
            found.append(Conflict("callout", names.get(organisation_id, ""), other(callout)))
    if window.volunteer_ids:
        by_id = {callout.id: callout for callout in running}
        asked_people = session.execute(
            select(CalloutRecipient.callout_id, Volunteer.full_name)
            .join(Volunteer, Volunteer.id == CalloutRecipient.volunteer_id)
            .where(
                and_(
                    CalloutRecipient.callout_id.in_(list(by_id)),
                    CalloutRecipient.volunteer_id.in_(list(window.volunteer_ids)),
                    CalloutRecipient.state.not_in(
                        [RecipientState.PLANNED, RecipientState.CANCELLED]
                    ),
                )
            )
            .order_by(CalloutRecipient.callout_id, Volunteer.full_name)
        ).all()
        found += [
            Conflict("callout", name, other(by_id[callout_id])) for callout_id, name in asked_people
        ]
    return found


def find_conflicts(
    session: Session,
    windows: list[Window],
    *,
    exclude_exercises: Collection[int] = (),
    exclude_callouts: Collection[int] = (),
    recurring: bool = False,
) -> list[Conflict]:
    """Every conflict of the windows (one, or each occurrence of a series), in time order.

    `exclude_*`: the exercise being edited (and its series) and its own drill callout.
    """
    found: list[Conflict] = []
    for window in windows:
        for conflict in [
            *_exercise_conflicts(session, window, exclude_exercises),
            *_callout_conflicts(session, window, exclude_callouts),
        ]:
            if recurring:
                conflict = Conflict(conflict.kind, conflict.what, conflict.other, window.starts_at)
            found.append(conflict)
    return found
