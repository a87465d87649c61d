"""/api/v1: an exercise's evaluation (figures, recording it done), its lessons learned, the
follow-up actions across exercises, and what is overdue.

`overdue_router` holds the fixed path /exercises/overdue; `beredskap.main.app` includes it
before any /exercises/{exercise_id} route, which would take "overdue" for an id.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from beredskap.platform.api.concurrency import check_version, set_etag
from beredskap.platform.api.pagination import ListParams, Page, list_params, paginate
from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.api.types import PathId, RefId
from beredskap.platform.auth.permissions import ALL_ROLES, Rule
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from exercises.evaluation import lessons
from exercises.evaluation.disclosure import as_seen
from exercises.evaluation.figures import DrillEvaluation, evaluate_drill
from exercises.evaluation.overdue import overdue
from exercises.evaluation.schemas import (
    ActionIn,
    ActionOut,
    ActionPatch,
    DrillFiguresOut,
    EvaluationIn,
    EvaluationOut,
    NeedFiguresOut,
    ObservationIn,
    ObservationOut,
    OverdueOut,
)
from exercises.models import ActionStatus, Exercise, FollowUpAction, Observation
from exercises.roles import EXERCISE_PLANNERS

router = APIRouter(tags=["exercises"], responses=PROBLEM_RESPONSES)
overdue_router = APIRouter(tags=["exercises"], responses=PROBLEM_RESPONSES)
# Everybody reads the figures (counts, no people) and what is overdue; planners record
# lessons learned and the evaluation.
RULES: dict[str, Rule] = {
    "exercises.evaluation": ALL_ROLES,
    "exercises.evaluate": EXERCISE_PLANNERS,
    "exercises.observations_create": EXERCISE_PLANNERS,
    "exercises.actions_create": EXERCISE_PLANNERS,
    "exercise_actions.list": ALL_ROLES,
    "exercise_actions.update": EXERCISE_PLANNERS,
    "exercises.overdue": ALL_ROLES,
}

ACTION_SORTS = {
    "id": FollowUpAction.id,
    "due_on": FollowUpAction.due_on,
    "status": FollowUpAction.status,
}


def drill_out(drill: DrillEvaluation) -> DrillFiguresOut:
    return DrillFiguresOut.model_validate(
        {
            **asdict(drill),
            "needs": [
                NeedFiguresOut(
                    qualification=need.code,
                    count=need.count,
                    yes=need.yes,
                    met_after_min=need.met_after_min,
                    withheld=need.withheld,
                )
                for need in drill.needs
            ],
        }
    )


def _lesson_counts(session: Session, exercise_id: int) -> tuple[int, int, int]:
    observations = session.scalar(
        select(func.count()).where(Observation.exercise_id == exercise_id)
    )
    by_status = dict(
        session.execute(
            select(FollowUpAction.status, func.count())
            .where(FollowUpAction.exercise_id == exercise_id)
            .group_by(FollowUpAction.status)
        ).all()
    )
    return (
        int(observations or 0),
        int(by_status.get(ActionStatus.OPEN, 0)),
        int(by_status.get(ActionStatus.CLOSED, 0)),
    )


def evaluation_out(session: Session, exercise: Exercise, principal: Principal) -> EvaluationOut:
    """The evaluation as the reader may see it: small counts of people it may not see are
    withheld (`disclosure`)."""
    drill = evaluate_drill(session, exercise)
    if drill is not None:
        drill = as_seen(drill, principal.sees_small_counts_of)
    observations, open_actions, closed_actions = _lesson_counts(session, exercise.id)
    return EvaluationOut(
        exercise_id=exercise.id,
        title=exercise.title,
        type=exercise.type,
        status=exercise.status,
        starts_at=exercise.starts_at,
        ends_at=exercise.ends_at,
        evaluated_at=exercise.evaluated_at,
        evaluation_summary=exercise.evaluation_summary,
        drill=None if drill is None else drill_out(drill),
        observations=observations,
        open_actions=open_actions,
        closed_actions=closed_actions,
        version=exercise.version,
    )


def action_out(action: FollowUpAction) -> ActionOut:
    return ActionOut(
        id=action.id,
        exercise_id=action.exercise_id,
        observation_id=action.observation_id,
        description=action.description,
        owner=action.owner,
        due_on=action.due_on,
        status=action.status,
        closed_at=action.closed_at,
        closing_note=action.closing_note,
        overdue=action.status == ActionStatus.OPEN and action.due_on < today_in_norway(),
        version=action.version,
    )


@overdue_router.get("/exercises/overdue", name="exercises.overdue", response_model=OverdueOut)
def read_overdue(session: SessionDep, principal: CurrentPrincipal) -> OverdueOut:
    """What is overdue: organisations not exercised in 24 months, agreements never tested,
    evaluations missing 30 days after the end, follow-up actions past their due date."""
    found = overdue(session, today=today_in_norway(), now=utcnow())
    return OverdueOut(
        today=found.today,
        organisations_not_exercised=[asdict(item) for item in found.organisations],
        agreements_never_tested=[asdict(item) for item in found.agreements],
        evaluations_missing=[asdict(item) for item in found.evaluations],
        actions_overdue=[asdict(item) for item in found.actions],
    )


@router.get(
    "/exercises/{exercise_id:int}/evaluation",
    name="exercises.evaluation",
    response_model=EvaluationOut,
)
def read_evaluation(
    exercise_id: PathId, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> EvaluationOut:
    """The evaluation's figures: for an alert drill, who was asked, delivered, answered and
    said yes, when, and by organisation (counts only); lessons learned counted."""
    exercise = lessons.get_exercise(session, exercise_id)
    set_etag(response, exercise.version)
    return evaluation_out(session, exercise, principal)


@router.post(
    "/exercises/{exercise_id:int}/evaluation",
    name="exercises.evaluate",
    response_model=EvaluationOut,
)
def record_evaluation(
    exercise_id: PathId,
    body: EvaluationIn,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
) -> EvaluationOut:
    """Record the evaluation as done, with its summary (a completed exercise only, else 409)."""
    exercise = lessons.get_exercise(session, exercise_id)
    check_version(request, exercise.version, body.version)
    lessons.record_evaluation(session, exercise, body.summary, now=utcnow())
    set_etag(response, exercise.version)
    return evaluation_out(session, exercise, principal)


@router.post(
    "/exercises/{exercise_id:int}/observations",
    name="exercises.observations_create",
    status_code=status.HTTP_201_CREATED,
    response_model=ObservationOut,
)
def create_observation(
    exercise_id: PathId, body: ObservationIn, session: SessionDep, principal: CurrentPrincipal
) -> ObservationOut:
    """Note something learned in the exercise."""
    exercise = lessons.get_exercise(session, exercise_id)
    observation = lessons.add_observation(session, exercise, body.text, actor=principal.email)
    return ObservationOut(
        id=observation.id,
        exercise_id=exercise.id,
        text=observation.text,
        created_at=observation.created_at,
        version=observation.version,
    )


@router.post(
    "/exercises/{exercise_id:int}/actions",
    name="exercises.actions_create",
    status_code=status.HTTP_201_CREATED,
    response_model=ActionOut,
)
def create_action(
    exercise_id: PathId,
    body: ActionIn,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
) -> ActionOut:
    """A follow-up action with its owner and due date, open until closed."""
    exercise = lessons.get_exercise(session, exercise_id)
    action = lessons.add_action(session, exercise, **body.model_dump())
    set_etag(response, action.version)
    response.headers["Location"] = f"/api/v1/exercise-actions/{action.id}"
    return action_out(action)


@router.get("/exercise-actions", name="exercise_actions.list", response_model=Page[ActionOut])
def list_actions(
    session: SessionDep,
    principal: CurrentPrincipal,
    params: ListParams = Depends(list_params),
    status: Annotated[ActionStatus | None, Query(description="Only this status")] = None,
    overdue: Annotated[
        bool, Query(description="Only open actions past their due date (today in Norway)")
    ] = False,
    exercise_id: Annotated[RefId | None, Query(description="Only this exercise's")] = None,
) -> Page[ActionOut]:
    """Follow-up actions of every exercise, soonest due first by default."""
    rows, total = paginate(
        session,
        lessons.actions_query(
            status=status,
            overdue_on=today_in_norway() if overdue else None,
            exercise_id=exercise_id,
        ),
        params,
        sortable=ACTION_SORTS,
        default="due_on",
        tiebreak=FollowUpAction.id,
    )
    return Page(
        items=[action_out(row) for row in rows],
        total=total,
        limit=params.limit,
        offset=params.offset,
    )


@router.patch(
    "/exercise-actions/{action_id:int}", name="exercise_actions.update", response_model=ActionOut
)
def update_action(
    action_id: PathId,
    body: ActionPatch,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
) -> ActionOut:
    """Close (`status: closed`, optional `closing_note`) or reopen an action; change its owner,
    due date, description or observation. If-Match or `version` guards against stale edits."""
    action = lessons.get_action(session, action_id)
    check_version(request, action.version, body.version)
    lessons.update_action(
        session, action, body.model_dump(exclude_unset=True, exclude={"version"}), now=utcnow()
    )
    set_etag(response, action.version)
    return action_out(action)
