"""The exercise jobs: module-level functions, run by the platform's scheduler.

APScheduler keeps a job as its "module:function" reference and its arguments (ids only), so
every job here takes the `JobContext` the platform gives it first, then ids, and opens its own
unit of work (actor "scheduler") through it; the audit listener records what it changes.
Each is safe to run twice: a status moves once (the row's version guards it), a reminder is
keyed by a unique row.

- `sync` (every `scheduler_sync_s`, declared in `JOBS`): turns exercise rows into date jobs
  with stable ids, `exercise:<id>:start`, `:end`, `:reminder:<offset>`; replaces a job whose
  time changed and removes those of cancelled or deleted exercises.
- `start_exercise`: planned -> running; an alert drill plans and sends its exercise callout
  (every SMS starts ØVELSE ØVELSE ØVELSE) and keeps its id.
- `end_exercise`: running -> completed, and the drill's callout is stopped.
- `send_reminders`: the reminders of one offset (`exercises.scheduling.reminders`).

Misfire policy (jobs whose time passed while no scheduler ran; `coalesce` for all):

- start: `misfire_grace_time` up to the exercise's end. A drill found late after downtime
  still starts if it is before its end, never after.
- end: no limit: an exercise is always ended. One that never started because its whole time
  passed while no scheduler ran: a drill is cancelled ("missed"), any other type is marked
  completed (it took place without us: it is a meeting or a field exercise).
- reminders: grace until the exercise's start; a reminder after the start is skipped and
  logged (useless by then).
- sync: coalesced, no limit: after downtime it runs once, not once per missed interval.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from alerts.callouts import planning, service
from alerts.callouts.schemas import CalloutCreate
from alerts.models import CalloutStatus
from beredskap.platform.columns import apply_changes, today_in_norway, utcnow
from beredskap.platform.errors import N_, ConflictError, DomainValidationError
from beredskap.platform.jobs import DateJob, JobContext, JobDefinition, scheduled_job
from exercises.models import (
    MAX_TEXT,
    Exercise,
    ExerciseReminder,
    ExerciseStatus,
    ExerciseType,
    Observation,
)
from exercises.planning.recurrence import extend_series
from exercises.scheduling import reminders

_logger = logging.getLogger("exercises.jobs")
ACTOR = "scheduler"
JOB_PREFIX = "exercise:"
SYNC_JOB_ID = "exercises-sync"
DRILL_DEFAULT_RADIUS_M = 200_000.0  # no radius: everyone in the organisations, within reach


def _max_recipients(context: JobContext) -> int:
    """The most volunteers a drill's callout may ask (`BEREDSKAP_CALLOUT_MAX_RECIPIENTS`)."""
    return int(getattr(context.settings, "callout_max_recipients", service.MAX_RECIPIENTS))


# -- planning the jobs -----------------------------------------------------------------------


def _seconds(delta: timedelta) -> int:
    return max(int(delta.total_seconds()), 1)


def planned_jobs(session: Session, *, now: datetime) -> list[DateJob]:
    """The date jobs the exercise rows ask for now (see the module's misfire policy)."""
    exercises = session.scalars(
        select(Exercise).where(
            Exercise.status.in_([ExerciseStatus.PLANNED, ExerciseStatus.RUNNING])
        )
    ).all()
    planned_ids = [e.id for e in exercises if e.status is ExerciseStatus.PLANNED]
    reminded: set[tuple[int, int]] = set()
    if planned_ids:
        reminded = {
            (int(row[0]), int(row[1]))
            for row in session.execute(
                select(ExerciseReminder.exercise_id, ExerciseReminder.offset_min)
                .where(ExerciseReminder.exercise_id.in_(planned_ids))
                .distinct()
            )
        }
    jobs: list[DateJob] = []
    for exercise in exercises:
        key = f"{JOB_PREFIX}{exercise.id}"
        if exercise.status is ExerciseStatus.PLANNED:
            jobs.append(
                DateJob(
                    f"{key}:start",
                    "exercises.scheduling.jobs:start_exercise",
                    (exercise.id,),
                    exercise.starts_at,
                    _seconds(exercise.ends_at - exercise.starts_at),
                )
            )
            for offset in sorted(set(exercise.reminder_offsets_min or [])):
                run_at = exercise.starts_at - timedelta(minutes=offset)
                # One that ran is gone from the store: add it again only if it is still to
                # come, or if it is overdue, not yet sent, and before the start.
                if run_at > now or (
                    now < exercise.starts_at and (exercise.id, offset) not in reminded
                ):
                    jobs.append(
                        DateJob(
                            f"{key}:reminder:{offset}",
                            "exercises.scheduling.jobs:send_reminders",
                            (exercise.id, offset),
                            run_at,
                            _seconds(exercise.starts_at - run_at),
                        )
                    )
        jobs.append(
            DateJob(
                f"{key}:end",
                "exercises.scheduling.jobs:end_exercise",
                (exercise.id,),
                exercise.ends_at,
                None,
            )
        )
    return jobs


# -- the jobs --------------------------------------------------------------------------------


@scheduled_job
def sync(context: JobContext) -> None:
    """Exercise rows -> date jobs. Runs in the leader's scheduler (it manages its jobs)."""

    def plan() -> list[DateJob]:
        with context.transaction(ACTOR) as session:
            # Recurring series a horizon ahead first, so new occurrences get their jobs now.
            extend_series(session, now=utcnow())
            return planned_jobs(session, now=utcnow())

    counts = context.set_date_jobs(JOB_PREFIX, plan)
    if counts is not None and any(counts.values()):
        _logger.info("scheduler sync: %s", counts)


@contextmanager
def _unit_of_work(context: JobContext, exercise_id: int) -> Iterator[Session]:
    """The job's transaction (actor "scheduler"). If a row it changes was changed by another
    transaction since it read it (another scheduler moved the exercise first, in a failover
    overlap), SQLAlchemy's version check raises StaleDataError at the flush: everything the
    job did is rolled back, and the other one's outcome stands."""
    try:
        with context.transaction(ACTOR) as session:
            yield session
    except StaleDataError:
        _logger.info("exercise %s: changed by another transaction meanwhile; left", exercise_id)


def _transition(
    session: Session,
    exercise_id: int,
    before: ExerciseStatus,
    after: ExerciseStatus,
    *,
    unless: Callable[[Exercise], bool] | None = None,
    **more: Any,
) -> Exercise | None:
    """Move the exercise from `before` to `after` (setting `more` too) through the ORM, so
    the audit listener records the change with the transaction's actor; the exercise, or
    None when it is not `before` (or `unless` says not).

    Once, however many schedulers race: `Exercise` is `Versioned` (a SQLAlchemy
    `version_id_col`), so the flush is `UPDATE ... WHERE id = :id AND version = :read`.
    PostgreSQL (read committed): the second of two UPDATEs waits for the first's row lock,
    re-checks its WHERE on the committed row, matches none, and SQLAlchemy raises
    StaleDataError (see `_unit_of_work`). SQLite: a job's transaction takes the write lock
    when it begins (write intent: BEGIN IMMEDIATE), so the second reads the committed status
    and stops at the check. No SELECT ... FOR UPDATE, which SQLite lacks: the version check
    is correct on both.
    """
    exercise = session.get(Exercise, exercise_id, populate_existing=True)
    if exercise is None or exercise.status is not before:
        return None
    if unless is not None and unless(exercise):
        return None
    exercise.status = after
    apply_changes(exercise, more)
    session.flush()
    return exercise


@scheduled_job
def start_exercise(context: JobContext, exercise_id: int) -> None:
    """Planned -> running at its start (before its end only); an alert drill sends its callout."""
    with _unit_of_work(context, exercise_id) as session:
        now = utcnow()
        exercise = _transition(
            session,
            exercise_id,
            ExerciseStatus.PLANNED,
            ExerciseStatus.RUNNING,
            unless=lambda exercise: exercise.ends_at <= now,
        )
        if exercise is None:
            _logger.info("exercise %s: not planned or already over; not started", exercise_id)
            return
        _logger.info("exercise %s started", exercise_id)
        if exercise.type is ExerciseType.ALERT_DRILL:
            _start_drill(session, exercise, max_recipients=_max_recipients(context))


def _start_drill(session: Session, exercise: Exercise, *, max_recipients: int) -> None:
    """Plan and send the drill's exercise callout. If it cannot be made (no place, an
    agreement no longer in force, ...), the exercise still runs without a callout, and the
    reason is kept as an observation of the exercise: the planner sees it on the exercise's
    report, not only in the worker's log."""
    try:
        with session.begin_nested():
            body = drill_request(exercise)
            callout = planning.plan(session, body, actor=ACTOR, max_recipients=max_recipients)
            service.send(session, callout, on=today_in_norway(), max_recipients=max_recipients)
            exercise.callout_id = callout.id
            session.flush()
    except (DomainValidationError, ConflictError, ValueError) as error:
        # ValueError: the drill's fields do not make a valid request (pydantic's error is one).
        _logger.error("exercise %s: the drill's callout could not start: %s", exercise.id, error)
        session.add(
            Observation(
                exercise_id=exercise.id,
                text=f"Øvelsesutkallingen kunne ikke startes automatisk: {error}"[:MAX_TEXT],
                created_by=ACTOR,
            )
        )
        return
    _logger.info("exercise %s: drill callout %s sent", exercise.id, exercise.callout_id)


def drill_request(exercise: Exercise) -> CalloutCreate:
    """The exercise callout an alert drill asks for, from its drill_* fields, place and
    participating organisations and agreements."""
    if exercise.place is not None:
        centre = to_shape(exercise.place)
    elif exercise.area is not None:
        centre = to_shape(exercise.area).representative_point()
    else:
        raise DomainValidationError("place", N_("an alert drill needs a place or an area"))
    if not exercise.drill_needs:
        raise DomainValidationError("drill_needs", N_("an alert drill needs what it asks for"))
    return CalloutCreate(
        title=exercise.title,
        message=exercise.drill_message or exercise.title,
        exercise=True,
        lat=centre.y,
        lon=centre.x,
        radius_m=exercise.drill_radius_m or DRILL_DEFAULT_RADIUS_M,
        needs=exercise.drill_needs,
        organisation_ids=[organisation.id for organisation in exercise.organisations],
        agreement_ids=[agreement.id for agreement in exercise.agreements],
        wanted=exercise.drill_wanted,
    )


@scheduled_job
def end_exercise(context: JobContext, exercise_id: int) -> None:
    """Running -> completed at its end, and the drill's callout stopped. One that never
    started (its whole time passed while no scheduler ran): see the misfire policy."""
    with _unit_of_work(context, exercise_id) as session:
        exercise = _transition(
            session, exercise_id, ExerciseStatus.RUNNING, ExerciseStatus.COMPLETED
        )
        if exercise is not None:
            callout = exercise.callout
            if callout is not None and callout.status is not CalloutStatus.STOPPED:
                service.stop(session, callout)
            _logger.info("exercise %s completed", exercise_id)
            return
        exercise = session.get(Exercise, exercise_id)
        if exercise is None or exercise.status is not ExerciseStatus.PLANNED:
            return
        if exercise.type is ExerciseType.ALERT_DRILL:
            _transition(
                session,
                exercise_id,
                ExerciseStatus.PLANNED,
                ExerciseStatus.CANCELLED,
                cancelled_at=utcnow(),
                cancel_reason="missed: the scheduler did not run between its start and end",
            )
            _logger.warning("exercise %s: the drill was missed (no scheduler ran)", exercise_id)
        else:
            _transition(session, exercise_id, ExerciseStatus.PLANNED, ExerciseStatus.COMPLETED)
            _logger.info("exercise %s: over while no scheduler ran; completed", exercise_id)


@scheduled_job
def send_reminders(context: JobContext, exercise_id: int, offset_min: int) -> None:
    """The reminders `offset_min` minutes before the start (once, however often it runs)."""
    with context.transaction(ACTOR) as session:
        reminders.queue_reminders(session, exercise_id, offset_min, now=utcnow())


# The jobs exercises declares to the platform's scheduler (its `Capability`).
JOBS = (
    JobDefinition(
        id=SYNC_JOB_ID,
        func="exercises.scheduling.jobs:sync",
        name="sync exercises to jobs",
        every_s=lambda settings: settings.scheduler_sync_s,
    ),
)
