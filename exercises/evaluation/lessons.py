"""Lessons learned: observations, follow-up actions tracked until closed, and the evaluation.

Shared by the API and the report page; flushes, never commits. An action belongs to one
exercise and may name one of its observations; closing records when and why, reopening
clears both. The evaluation is recorded only for a completed exercise.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from beredskap.platform.errors import N_, ConflictError, DomainValidationError, NotFoundError
from exercises.models import (
    ActionStatus,
    Exercise,
    ExerciseStatus,
    FollowUpAction,
    Observation,
)

# Due dates a follow-up can sensibly have: not before the register, not centuries ahead.
EARLIEST_DUE = date(2000, 1, 1)
LATEST_DUE = date(2100, 12, 31)


def get_exercise(session: Session, exercise_id: int) -> Exercise:
    exercise = session.get(Exercise, exercise_id)
    if exercise is None:
        raise NotFoundError("exercise", exercise_id)
    return exercise


def get_action(session: Session, action_id: int) -> FollowUpAction:
    action = session.get(FollowUpAction, action_id)
    if action is None:
        raise NotFoundError("follow-up action", action_id)
    return action


def add_observation(session: Session, exercise: Exercise, text: str, *, actor: str) -> Observation:
    observation = Observation(exercise=exercise, text=text, created_by=actor)
    session.add(observation)
    session.flush()
    return observation


def _check_due(due_on: date) -> date:
    if not EARLIEST_DUE <= due_on <= LATEST_DUE:
        raise DomainValidationError(
            "due_on",
            N_("must lie between %(earliest)s and %(latest)s"),
            earliest=EARLIEST_DUE.isoformat(),
            latest=LATEST_DUE.isoformat(),
        )
    return due_on


def _check_observation(session: Session, exercise: Exercise, observation_id: int | None) -> None:
    if observation_id is None:
        return
    observation = session.get(Observation, observation_id)
    if observation is None or observation.exercise_id != exercise.id:
        raise DomainValidationError(
            "observation_id",
            N_("exercise %(exercise)s has no observation %(observation)s"),
            exercise=exercise.id,
            observation=observation_id,
        )


def add_action(
    session: Session,
    exercise: Exercise,
    *,
    description: str,
    owner: str,
    due_on: date,
    observation_id: int | None = None,
) -> FollowUpAction:
    _check_observation(session, exercise, observation_id)
    action = FollowUpAction(
        exercise=exercise,
        description=description,
        owner=owner,
        due_on=_check_due(due_on),
        observation_id=observation_id,
    )
    session.add(action)
    session.flush()
    return action


def update_action(
    session: Session, action: FollowUpAction, changes: dict[str, Any], *, now: datetime
) -> FollowUpAction:
    """Change owner, due date, description or observation; close (with a note) or reopen."""
    if "due_on" in changes:
        _check_due(changes["due_on"])
    if "observation_id" in changes:
        _check_observation(session, action.exercise, changes["observation_id"])
    changes = dict(changes)
    status = ActionStatus(changes.pop("status", None) or action.status)
    note = changes.pop("closing_note", None)
    if note is not None and status != ActionStatus.CLOSED:
        raise DomainValidationError("closing_note", N_("only a closed action has a closing note"))
    for field, value in changes.items():
        setattr(action, field, value)
    if status != action.status:
        action.status = status
        action.closed_at = now if status == ActionStatus.CLOSED else None
        action.closing_note = None
    if note is not None:
        action.closing_note = note
    session.flush()
    return action


def close_action(
    session: Session, action: FollowUpAction, note: str | None, *, now: datetime
) -> FollowUpAction:
    if action.status == ActionStatus.CLOSED:
        raise ConflictError(N_("the action is closed already"))
    return update_action(
        session, action, {"status": ActionStatus.CLOSED, "closing_note": note}, now=now
    )


def record_evaluation(
    session: Session, exercise: Exercise, summary: str, *, now: datetime
) -> Exercise:
    """The evaluation is done: its summary, and when (the first time it was recorded)."""
    if exercise.status != ExerciseStatus.COMPLETED:
        raise ConflictError(
            N_("only a completed exercise is evaluated; this one is %(status)s"),
            status=exercise.status.value,
        )
    exercise.evaluation_summary = summary
    if exercise.evaluated_at is None:
        exercise.evaluated_at = now
    session.flush()
    return exercise


def actions_query(
    *,
    status: ActionStatus | None = None,
    overdue_on: date | None = None,
    exercise_id: int | None = None,
) -> Select[tuple[FollowUpAction]]:
    """Follow-up actions; `overdue_on`: open ones due before that day."""
    query = select(FollowUpAction)
    if status is not None:
        query = query.where(FollowUpAction.status == status)
    if overdue_on is not None:
        query = query.where(
            FollowUpAction.status == ActionStatus.OPEN, FollowUpAction.due_on < overdue_on
        )
    if exercise_id is not None:
        query = query.where(FollowUpAction.exercise_id == exercise_id)
    return query
