"""Planning exercises: the rules shared by the API and the planner's pages. Flushes, never commits.

An exercise is checked as a whole before anything is written: times (Oslo in, UTC stored,
end after start, at most 14 days), participants that exist, an alert drill's callout text,
reach and needs (and its place), reminders. Conflicts are reported, not enforced: the form
asks the planner to confirm, the API returns them with the saved exercise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from shapely.geometry import MultiPolygon
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from alerts.callouts import service as callouts
from alerts.models import CalloutStatus
from beredskap.platform.api.geometry import to_point
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import utcnow
from beredskap.platform.errors import N_, ConflictError, DomainValidationError, NotFoundError
from beredskap.platform.geo_errors import geo_invalid
from beredskap.register.agreements.models import Agreement
from beredskap.register.organisations.models import Organisation, Site
from beredskap.register.small_counts import shown
from beredskap.register.volunteers.models import Volunteer
from exercises.models import Exercise, ExerciseSeries, ExerciseStatus, ExerciseType
from exercises.planning import recurrence
from exercises.planning.conflicts import Conflict, Window, find_conflicts
from exercises.planning.schemas import ConflictQuery, DrillIn, ExerciseCreate, ExercisePatch
from exercises.times import to_utc
from geo.areas import InvalidAreaError, to_multipolygon

MAX_DURATION = timedelta(minutes=20160)  # 14 days, as the series' CHECK allows
MIN_DURATION = timedelta(minutes=1)
T = TypeVar("T")


@dataclass
class Planned:
    """What a create or an edit saved, and what it conflicts with."""

    exercises: list[Exercise]
    conflicts: list[Conflict]
    series: ExerciseSeries | None = None


@dataclass
class Participants:
    organisations: list[Organisation] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    volunteers: list[Volunteer] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)

    def window(self, starts_at: datetime, ends_at: datetime) -> Window:
        # An agreement brings the organisation that holds it.
        organisation_ids = {row.id for row in self.organisations} | {
            row.organisation_id for row in self.agreements
        }
        return Window(
            starts_at,
            ends_at,
            sorted(organisation_ids),
            [row.id for row in self.volunteers],
            [row.id for row in self.sites],
        )


@dataclass(frozen=True)
class Invited:
    """An exercise's invited volunteers as a reader may see them."""

    named: list[Volunteer]  # those the reader may know by name
    others: int | None  # how many more; None: one or two, withheld ("fewer than 3")
    others_in_all: int  # how many more in truth (0: nobody else), for the page's wording

    @property
    def count(self) -> int | None:
        """Everyone invited; None when the others are withheld, as the sum would tell them."""
        return None if self.others is None else len(self.named) + self.others


def invited_as_seen(principal: Principal, exercise: Exercise) -> Invited:
    """Names only of the invited the reader may see (`Principal.sees_member_of_any`: an
    organisation editor its own organisations' members, the council nobody), the others as a
    number, withheld when it is one or two and the reader may not see small counts of people
    (`Principal.sees_small_counts_of(None)`, `beredskap.register.small_counts`)."""
    named, others = [], 0
    for volunteer in exercise.volunteers:
        if principal.sees_member_of_any([m.organisation_id for m in volunteer.memberships]):
            named.append(volunteer)
        else:
            others += 1
    return Invited(named, shown(others, exact=principal.sees_small_counts_of(None)), others)


# How an exercise is read with its participants (the invited volunteers' memberships tell
# whom a reader may see by name).
WITH_PARTICIPANTS = (
    selectinload(Exercise.organisations),
    selectinload(Exercise.agreements),
    selectinload(Exercise.volunteers).selectinload(Volunteer.memberships),
    selectinload(Exercise.sites),
)


def get_exercise(session: Session, exercise_id: int) -> Exercise:
    exercise = session.scalars(
        select(Exercise).where(Exercise.id == exercise_id).options(*WITH_PARTICIPANTS)
    ).one_or_none()
    if exercise is None:
        raise NotFoundError("exercise", exercise_id)
    return exercise


def _existing(
    session: Session, model: type[T], ids: Sequence[int], field_name: str, entity: str
) -> list[T]:
    """The records with these ids, in id order; an unknown id is a 422 on the field."""
    if not ids:
        return []
    wanted = sorted(set(ids))
    rows = list(session.scalars(select(model).where(model.id.in_(wanted))))  # type: ignore[attr-defined]
    found = {row.id for row in rows}  # type: ignore[attr-defined]
    missing = [record_id for record_id in wanted if record_id not in found]
    if missing:
        raise _unknown(field_name, entity, missing[0])
    return sorted(rows, key=lambda row: row.id)  # type: ignore[attr-defined]


def _unknown(field_name: str, entity: str, record_id: int) -> DomainValidationError:
    """No record of `entity` with that id (organisation, agreement, volunteer or site)."""
    match entity:
        case "organisation":
            return DomainValidationError(
                field_name, N_("no organisation with id %(id)s"), id=record_id
            )
        case "agreement":
            return DomainValidationError(
                field_name, N_("no agreement with id %(id)s"), id=record_id
            )
        case "volunteer":
            return DomainValidationError(
                field_name, N_("no volunteer with id %(id)s"), id=record_id
            )
    return DomainValidationError(field_name, N_("no site with id %(id)s"), id=record_id)


def participants(
    session: Session,
    *,
    organisation_ids: Sequence[int] = (),
    agreement_ids: Sequence[int] = (),
    volunteer_ids: Sequence[int] = (),
    site_ids: Sequence[int] = (),
) -> Participants:
    return Participants(
        organisations=_existing(
            session, Organisation, organisation_ids, "organisation_ids", "organisation"
        ),
        agreements=_existing(session, Agreement, agreement_ids, "agreement_ids", "agreement"),
        volunteers=_existing(session, Volunteer, volunteer_ids, "volunteer_ids", "volunteer"),
        sites=_existing(session, Site, site_ids, "site_ids", "site"),
    )


def window_in_utc(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """Start and end in UTC (naive: Oslo), end after start, at most 14 days long."""
    starts, ends = to_utc("starts_at", starts_at), to_utc("ends_at", ends_at)
    if ends - starts < MIN_DURATION:
        raise DomainValidationError("ends_at", N_("must be at least a minute after starts_at"))
    if ends - starts > MAX_DURATION:
        raise DomainValidationError("ends_at", N_("an exercise lasts at most 14 days"))
    return starts, ends


def _drill_fields(session: Session, drill: DrillIn | None) -> dict[str, Any]:
    if drill is None:
        return {
            "drill_message": None,
            "drill_radius_m": None,
            "drill_needs": [],
            "drill_wanted": None,
        }
    codes = [need.qualification for need in drill.needs]
    if len(set(codes)) != len(codes):
        raise DomainValidationError("drill.needs", N_("name each qualification once"))
    try:
        callouts.qualification_ids_by_code(session, codes)
    except DomainValidationError as error:
        raise error.at("drill.needs") from None
    return {
        "drill_message": drill.message,
        "drill_radius_m": drill.radius_m,
        "drill_needs": [{"qualification": n.qualification, "count": n.count} for n in drill.needs],
        "drill_wanted": drill.wanted,
    }


def _area(value: Any) -> MultiPolygon | None:
    if value is None:
        return None
    try:
        return to_multipolygon(value.model_dump())
    except InvalidAreaError as error:
        raise geo_invalid("area", error) from None


def _check_drill(
    kind: ExerciseType,
    has_drill: bool,
    has_place: bool,
    *,
    starts_at: datetime | None,
    now: datetime,
) -> None:
    """An alert drill has its callout and a place, and (when its start is set now) starts in
    the future; no other type has a drill."""
    if kind == ExerciseType.ALERT_DRILL:
        if not has_drill:
            raise DomainValidationError(
                "drill", N_("an alert drill needs its callout: message, radius_m and needs")
            )
        if not has_place:
            raise DomainValidationError("place", N_("an alert drill needs a place (its centre)"))
        if starts_at is not None and starts_at <= now:
            raise DomainValidationError("starts_at", N_("an alert drill must start in the future"))
    elif has_drill:
        raise DomainValidationError("drill", N_("only an alert drill (type alert_drill) has one"))


def _reminders(
    offsets: list[int] | None, kind: ExerciseType, default_offsets: Sequence[int]
) -> list[int]:
    if offsets is None:
        # An alert drill is often unannounced: no reminders unless asked for.
        offsets = [] if kind == ExerciseType.ALERT_DRILL else list(default_offsets)
    return sorted(set(offsets), reverse=True)


def check_conflicts(session: Session, query: ConflictQuery, *, now: datetime) -> list[Conflict]:
    """The conflicts of a planned exercise, nothing saved (the form and API clients ask)."""
    starts, ends = window_in_utc(query.starts_at, query.ends_at)
    who = participants(
        session,
        organisation_ids=query.organisation_ids,
        agreement_ids=query.agreement_ids,
        volunteer_ids=query.volunteer_ids,
        site_ids=query.site_ids,
    )
    exclude: list[int] = []
    exclude_callouts: list[int] = []
    if query.exercise_id is not None:
        edited = get_exercise(session, query.exercise_id)
        exclude.append(edited.id)
        if edited.callout_id is not None:
            exclude_callouts.append(edited.callout_id)
    starts_list = [starts]
    if query.recurrence is not None:
        starts_list = recurrence.first_occurrences(query.recurrence.rrule, starts, now=now)
    duration = ends - starts
    return find_conflicts(
        session,
        [who.window(start, start + duration) for start in starts_list],
        exclude_exercises=exclude,
        exclude_callouts=exclude_callouts,
        recurring=query.recurrence is not None,
    )


def create_exercises(
    session: Session,
    body: ExerciseCreate,
    *,
    actor: str,
    default_offsets: Sequence[int],
    now: datetime | None = None,
) -> Planned:
    """One exercise, or a series and its occurrences up to the horizon; with conflicts."""
    now = now or utcnow()
    starts, ends = window_in_utc(body.starts_at, body.ends_at)
    place = to_point("place", body.place)
    area = _area(body.area)
    _check_drill(body.type, body.drill is not None, place is not None, starts_at=starts, now=now)
    drill = _drill_fields(session, body.drill)
    who = participants(
        session,
        organisation_ids=body.organisation_ids,
        agreement_ids=body.agreement_ids,
        volunteer_ids=body.volunteer_ids,
        site_ids=body.site_ids,
    )
    duration = ends - starts
    starts_list = [starts]
    if body.recurrence is not None:
        starts_list = recurrence.first_occurrences(body.recurrence.rrule, starts, now=now)
        if body.type == ExerciseType.ALERT_DRILL and starts_list[0] <= now:
            raise DomainValidationError("starts_at", N_("an alert drill must start in the future"))
    # Checked before saving, so a series does not conflict with itself.
    conflicts = find_conflicts(
        session,
        [who.window(start, start + duration) for start in starts_list],
        recurring=body.recurrence is not None,
    )
    series = None
    if body.recurrence is not None:
        series = ExerciseSeries(
            rrule=body.recurrence.rrule.strip().upper().removeprefix("RRULE:"),
            first_starts_at=starts,
            duration_min=max(1, round(duration.total_seconds() / 60)),
            materialised_until=recurrence.materialised_until(
                starts_list, max(recurrence.horizon_from(now), starts_list[-1])
            ),
            created_by=actor,
        )
        session.add(series)
    made = []
    for start in starts_list:
        exercise = Exercise(
            title=body.title,
            type=body.type,
            scenario=body.scenario,
            objectives=body.objectives,
            starts_at=start,
            ends_at=start + duration,
            place=place,
            area=area,
            status=ExerciseStatus.PLANNED,
            series=series,
            occurrence_start=start if series is not None else None,
            reminder_offsets_min=_reminders(body.reminder_offsets_min, body.type, default_offsets),
            created_by=actor,
            organisations=list(who.organisations),
            agreements=list(who.agreements),
            volunteers=list(who.volunteers),
            sites=list(who.sites),
            **drill,
        )
        session.add(exercise)
        made.append(exercise)
    session.flush()
    return Planned(made, conflicts, series)


def _drill_of(exercise: Exercise) -> bool:
    return exercise.drill_message is not None


def update_exercise(
    session: Session,
    exercise: Exercise,
    body: ExercisePatch,
    *,
    default_offsets: Sequence[int],
    now: datetime | None = None,
) -> Planned:
    """Change a planned exercise (409 otherwise); returns its conflicts after the change."""
    now = now or utcnow()
    if exercise.status != ExerciseStatus.PLANNED:
        raise ConflictError(
            N_("only a planned exercise can be changed; this one is %(status)s"),
            status=str(exercise.status),
        )
    given = body.model_fields_set
    starts, ends = window_in_utc(
        body.starts_at if body.starts_at is not None else exercise.starts_at,
        body.ends_at if body.ends_at is not None else exercise.ends_at,
    )
    kind = body.type or exercise.type
    place = to_point("place", body.place) if "place" in given else None
    has_place = place is not None if "place" in given else exercise.place is not None
    if "drill" in given:
        has_drill = body.drill is not None
    else:
        # A drill kept from before; one that is no alert drill any more loses it.
        has_drill = _drill_of(exercise) and kind == ExerciseType.ALERT_DRILL
    moved = starts != exercise.starts_at
    _check_drill(kind, has_drill, has_place, starts_at=starts if moved else None, now=now)
    changes: dict[str, Any] = {"type": kind, "starts_at": starts, "ends_at": ends}
    if "drill" in given or not has_drill:
        changes |= _drill_fields(session, body.drill if "drill" in given else None)
    for name in ("title", "scenario", "objectives"):
        if name in given:
            changes[name] = getattr(body, name)
    if "place" in given:
        changes["place"] = place
    if "area" in given:
        changes["area"] = _area(body.area)
    if "reminder_offsets_min" in given:
        changes["reminder_offsets_min"] = _reminders(
            body.reminder_offsets_min, kind, default_offsets
        )
    who = participants(
        session,
        organisation_ids=_ids_or(body.organisation_ids, exercise.organisations),
        agreement_ids=_ids_or(body.agreement_ids, exercise.agreements),
        volunteer_ids=_ids_or(body.volunteer_ids, exercise.volunteers),
        site_ids=_ids_or(body.site_ids, exercise.sites),
    )
    for name, value in changes.items():
        setattr(exercise, name, value)
    exercise.organisations = who.organisations
    exercise.agreements = who.agreements
    exercise.volunteers = who.volunteers
    exercise.sites = who.sites
    session.flush()
    conflicts = find_conflicts(
        session,
        [who.window(starts, ends)],
        exclude_exercises=[exercise.id],
        exclude_callouts=[exercise.callout_id] if exercise.callout_id else [],
    )
    return Planned([exercise], conflicts)


def _ids_or(ids: list[int] | None, current: Sequence[Any]) -> list[int]:
    return sorted(set(ids)) if ids is not None else [row.id for row in current]


def cancel_exercise(
    session: Session, exercise: Exercise, *, reason: str | None, now: datetime | None = None
) -> Exercise:
    """Cancel a planned or running exercise; a running drill's callout is stopped."""
    if exercise.status in (ExerciseStatus.COMPLETED, ExerciseStatus.CANCELLED):
        raise ConflictError(N_("the exercise is %(status)s already"), status=str(exercise.status))
    callout = exercise.callout
    if callout is not None and callout.status != CalloutStatus.STOPPED:
        callouts.stop(session, callout)
    exercise.status = ExerciseStatus.CANCELLED
    exercise.cancelled_at = now or utcnow()
    exercise.cancel_reason = reason.strip() if reason and reason.strip() else None
    session.flush()
    return exercise
