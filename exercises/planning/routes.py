"""/api/v1/exercises: plan, list, read, change and cancel exercises; conflicts before saving.

The `{exercise_id}` routes take any path segment after /exercises/, so `beredskap.main.app`
includes this router after every other exercises router (calendar.ics, overdue, ...).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from beredskap.platform.api.concurrency import check_version, set_etag
from beredskap.platform.api.geometry import area_out, point_out
from beredskap.platform.api.pagination import ListParams, Page, list_params, paginate
from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.api.types import MAX_ID, PathId
from beredskap.platform.auth.permissions import ALL_ROLES, Rule
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import utcnow
from beredskap.platform.deps import CurrentPrincipal, SessionDep, SettingsDep
from exercises.models import Exercise, ExerciseStatus, ExerciseType
from exercises.planning import service
from exercises.planning.conflicts import Conflict
from exercises.planning.schemas import (
    AgreementRef,
    CancelIn,
    ConflictOut,
    ConflictQuery,
    ConflictsOut,
    DrillOut,
    ExerciseCreate,
    ExerciseOut,
    ExercisePatch,
    ExerciseSaved,
    Moment,
    OtherOut,
    Ref,
)
from exercises.queries import exercises_between
from exercises.roles import EXERCISE_PLANNERS
from exercises.times import in_oslo, to_utc

router = APIRouter(tags=["exercises"], responses=PROBLEM_RESPONSES)
# Planners and the administrator change, everybody reads (invited volunteers by name only
# for `Principal.sees_people`).
RULES: dict[str, Rule] = {
    "exercises.list": ALL_ROLES,
    "exercises.read": ALL_ROLES,
    "exercises.create": EXERCISE_PLANNERS,
    "exercises.update": EXERCISE_PLANNERS,
    "exercises.cancel": EXERCISE_PLANNERS,
    "exercises.conflicts": EXERCISE_PLANNERS,
}

EXERCISE_SORTS = {
    "starts_at": Exercise.starts_at,
    "ends_at": Exercise.ends_at,
    "title": Exercise.title,
    "id": Exercise.id,
}


# Withheld together: the whole number less the named would give the others away.
INVITED_COUNTS = ("volunteers_count", "volunteers_others")


def exercise_out(exercise: Exercise, principal: Principal) -> ExerciseOut:
    """The exercise as the API shows it: invited volunteers by name only to those who may see
    them (planners invite by name; an org editor sees its own organisations' members), the
    others as a number; one or two others are withheld from a reader who may not see them
    (the council, an org editor), as the evaluation's counts are."""
    drill = None
    if exercise.drill_message is not None:
        drill = DrillOut(
            message=exercise.drill_message,
            radius_m=exercise.drill_radius_m or 0,
            needs=list(exercise.drill_needs or []),
            wanted=exercise.drill_wanted,
        )
    invited = service.invited_as_seen(principal, exercise)
    return ExerciseOut(
        id=exercise.id,
        title=exercise.title,
        type=exercise.type,
        status=exercise.status,
        scenario=exercise.scenario,
        objectives=exercise.objectives,
        starts_at=exercise.starts_at,
        ends_at=exercise.ends_at,
        starts_at_local=in_oslo(exercise.starts_at),
        ends_at_local=in_oslo(exercise.ends_at),
        place=point_out(exercise.place),
        area=area_out(exercise.area),
        organisations=[Ref(id=row.id, name=row.name) for row in exercise.organisations],
        agreements=[
            AgreementRef(
                id=row.id,
                reference=row.reference,
                title=row.title,
                organisation_id=row.organisation_id,
            )
            for row in exercise.agreements
        ],
        sites=[Ref(id=row.id, name=row.name) for row in exercise.sites],
        volunteers=[Ref(id=row.id, name=row.full_name) for row in invited.named]
        if principal.sees_people
        else None,
        volunteers_count=invited.count,
        volunteers_others=invited.others,
        withheld=[] if invited.others is not None else list(INVITED_COUNTS),
        reminder_offsets_min=list(exercise.reminder_offsets_min or []),
        drill=drill,
        callout_id=exercise.callout_id,
        series_id=exercise.series_id,
        occurrence_start=exercise.occurrence_start,
        cancelled_at=exercise.cancelled_at,
        cancel_reason=exercise.cancel_reason,
        evaluated_at=exercise.evaluated_at,
        # A user's e-mail: personal data, like the volunteers' names.
        created_by=exercise.created_by if principal.sees_people else None,
        created_at=exercise.created_at,
        version=exercise.version,
    )


def conflict_out(conflict: Conflict) -> ConflictOut:
    other = conflict.other
    return ConflictOut(
        kind=conflict.kind,
        what=conflict.what,
        other=OtherOut(
            kind=other.kind,
            id=other.id,
            title=other.title,
            starts_at=other.starts_at,
            ends_at=other.ends_at,
        ),
        occurrence_start=conflict.occurrence_start,
    )


def _saved(planned: service.Planned, principal: Principal) -> ExerciseSaved:
    first = exercise_out(planned.exercises[0], principal)
    return ExerciseSaved(
        **first.model_dump(),
        conflicts=[conflict_out(conflict) for conflict in planned.conflicts],
        occurrence_ids=[exercise.id for exercise in planned.exercises],
    )


@router.post(
    "/exercises",
    name="exercises.create",
    status_code=status.HTTP_201_CREATED,
    response_model=ExerciseSaved,
)
def create_exercise(
    body: ExerciseCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    response: Response,
) -> ExerciseSaved:
    """Plan an exercise, or a recurring series (one exercise per occurrence up to 13 months
    ahead). Conflicts do not block saving: they are in the answer."""
    planned = service.create_exercises(
        session, body, actor=principal.email, default_offsets=settings.exercise_reminder_offsets
    )
    first = planned.exercises[0]
    set_etag(response, first.version)
    response.headers["Location"] = f"/api/v1/exercises/{first.id}"
    return _saved(planned, principal)


@router.get("/exercises", name="exercises.list", response_model=Page[ExerciseOut])
def list_exercises(
    session: SessionDep,
    principal: CurrentPrincipal,
    params: ListParams = Depends(list_params),
    starts: Annotated[
        Moment | None,
        Query(alias="from", description="Overlapping this window; naive means Oslo time"),
    ] = None,
    ends: Annotated[Moment | None, Query(alias="to", description="End of the window")] = None,
    organisation_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: Annotated[ExerciseStatus | None, Query(description="Only this status")] = None,
    type: Annotated[ExerciseType | None, Query(description="Only this type")] = None,
) -> Page[ExerciseOut]:
    """Exercises overlapping a time window (either end open), earliest first by default."""
    statement = exercises_between(
        to_utc("from", starts) if starts is not None else None,
        to_utc("to", ends) if ends is not None else None,
        organisation_id=organisation_id,
        statuses=[status] if status is not None else None,
    )
    if type is not None:
        statement = statement.where(Exercise.type == type)
    rows, total = paginate(
        session,
        # the page's sort, not the query's own earliest-first
        statement.order_by(None).options(*service.WITH_PARTICIPANTS),
        params,
        sortable=EXERCISE_SORTS,
        default="starts_at",
        tiebreak=Exercise.id,
    )
    return Page(
        items=[exercise_out(row, principal) for row in rows],
        total=total,
        limit=params.limit,
        offset=params.offset,
    )


@router.post("/exercises/conflicts", name="exercises.conflicts", response_model=ConflictsOut)
def exercise_conflicts(
    body: ConflictQuery, session: SessionDep, principal: CurrentPrincipal
) -> ConflictsOut:
    """What a planned exercise would conflict with; nothing is saved."""
    conflicts = service.check_conflicts(session, body, now=utcnow())
    return ConflictsOut(conflicts=[conflict_out(conflict) for conflict in conflicts])


@router.get("/exercises/{exercise_id:int}", name="exercises.read", response_model=ExerciseOut)
def read_exercise(
    exercise_id: PathId, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> ExerciseOut:
    """One exercise with its participants."""
    exercise = service.get_exercise(session, exercise_id)
    set_etag(response, exercise.version)
    return exercise_out(exercise, principal)


@router.patch("/exercises/{exercise_id:int}", name="exercises.update", response_model=ExerciseSaved)
def update_exercise(
    exercise_id: PathId,
    body: ExercisePatch,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    response: Response,
) -> ExerciseSaved:
    """Change a planned exercise (409 once it runs, ended or was cancelled); If-Match or
    `version` guard against lost updates. The answer lists its conflicts after the change."""
    exercise = service.get_exercise(session, exercise_id)
    check_version(request, exercise.version, body.version)
    planned = service.update_exercise(
        session, exercise, body, default_offsets=settings.exercise_reminder_offsets
    )
    set_etag(response, exercise.version)
    return _saved(planned, principal)


@router.post(
    "/exercises/{exercise_id:int}/cancel", name="exercises.cancel", response_model=ExerciseOut
)
def cancel_exercise(
    exercise_id: PathId,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
    body: CancelIn | None = None,
) -> ExerciseOut:
    """Cancel a planned or running exercise (a running drill's callout is stopped); 409 when
    it is completed or cancelled already."""
    exercise = service.get_exercise(session, exercise_id)
    service.cancel_exercise(session, exercise, reason=body.reason if body else None)
    set_etag(response, exercise.version)
    return exercise_out(exercise, principal)
