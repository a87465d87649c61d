"""The scheduler's jobs: plain module-level functions, referenced by text in the job store.

APScheduler pickles a job as "module:function" plus its arguments, so every job here takes
only ids and opens its own transaction (actor "scheduler") on the database bound by
`bind` when the scheduler starts. Each is safe to run twice: a status moves with a
conditional UPDATE, a reminder is keyed by a unique row.

- `sync` (every `scheduler_sync_s`): turns exercise rows into date jobs with stable ids,
  `exercise:<id>:start`, `:end`, `:reminder:<offset>`; replaces a job whose time changed and
  removes those of cancelled or deleted exercises.
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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger
from geoalchemy2.shape import to_shape
from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session, selectinload

from alerts.callouts import planning, service
from alerts.callouts.schemas import CalloutCreate
from alerts.models import CalloutStatus
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.platform.db import transaction
from beredskap.platform.errors import ConflictError, DomainValidationError
from beredskap.platform.jobs import JobDefinition
from beredskap.platform.runtime import Database
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
HANDS_OFF = timedelta(seconds=2)  # see apply_jobs

_database: Database | None = None
_scheduler: BaseScheduler | None = None
_max_recipients = service.MAX_RECIPIENTS


def bind(
    database: Database,
    scheduler: BaseScheduler | None,
    *,
    max_recipients: int = service.MAX_RECIPIENTS,
) -> None:
    """The database (and scheduler, for `sync`) the jobs of this process use, and the most
    volunteers a drill's callout may ask (`BEREDSKAP_CALLOUT_MAX_RECIPIENTS`)."""
    global _database, _scheduler, _max_recipients
    _database, _scheduler, _max_recipients = database, scheduler, max_recipients


def _sessions() -> Database:
    if _database is None:
        raise RuntimeError("exercises.scheduling.jobs.bind() was not called")
    return _database


# -- planning the jobs -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedJob:
    id: str
    func: str  # "module:function", as the job store keeps it
    args: tuple[int, ...]
    run_at: datetime  # UTC
    grace_s: int | None  # misfire_grace_time; None: no limit


def _seconds(delta: timedelta) -> int:
    return max(int(delta.total_seconds()), 1)


def planned_jobs(session: Session, *, now: datetime) -> list[PlannedJob]:
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
    jobs: list[PlannedJob] = []
    for exercise in exercises:
        key = f"{JOB_PREFIX}{exercise.id}"
        if exercise.status is ExerciseStatus.PLANNED:
            jobs.append(
                PlannedJob(
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
                        PlannedJob(
                            f"{key}:reminder:{offset}",
                            "exercises.scheduling.jobs:send_reminders",
                            (exercise.id, offset),
                            run_at,
                            _seconds(exercise.starts_at - run_at),
                        )
                    )
        jobs.append(
            PlannedJob(
                f"{key}:end",
                "exercises.scheduling.jobs:end_exercise",
                (exercise.id,),
                exercise.ends_at,
                None,
            )
        )
    return jobs


def apply_jobs(scheduler: BaseScheduler, jobs: list[PlannedJob]) -> dict[str, int]:
    """Make the scheduler's exercise jobs what `jobs` says: added, replaced, removed.

    A job due now (or within `HANDS_OFF`) is left to the scheduler's own thread, which is
    taking it out of the store to run it: removing or replacing it here as well would make
    that thread's removal fail (APScheduler's loop does not survive a JobLookupError). Such
    a job runs and finds nothing to do if its exercise changed: each job checks the status.
    """
    hands_off = utcnow() + HANDS_OFF
    existing = {job.id: job for job in scheduler.get_jobs() if job.id.startswith(JOB_PREFIX)}
    counts = {"added": 0, "replaced": 0, "removed": 0}
    for job_id in [key for key, job in existing.items() if _due(job, hands_off)]:
        existing.pop(job_id)
        jobs = [planned for planned in jobs if planned.id != job_id]
    for planned in jobs:
        current = existing.pop(planned.id, None)
        if current is not None and _same(current, planned):
            continue
        scheduler.add_job(
            planned.func,
            trigger=DateTrigger(run_date=planned.run_at, timezone=UTC),
            args=planned.args,
            id=planned.id,
            name=planned.id,
            misfire_grace_time=planned.grace_s,
            coalesce=True,
            replace_existing=True,
        )
        counts["replaced" if current is not None else "added"] += 1
    for stale in existing.values():
        try:
            scheduler.remove_job(stale.id)
        except JobLookupError:
            continue  # it ran (a date job leaves the store when it runs) meanwhile
        counts["removed"] += 1
    return counts


def _due(job: Any, by: datetime) -> bool:
    return job.next_run_time is not None and job.next_run_time <= by


def _same(job: Any, planned: PlannedJob) -> bool:
    run_date = getattr(job.trigger, "run_date", None)
    return (
        run_date is not None
        and run_date == planned.run_at
        and job.misfire_grace_time == planned.grace_s
        and tuple(job.args) == planned.args
    )


# -- the jobs --------------------------------------------------------------------------------


def sync() -> None:
    """Exercise rows -> date jobs. Runs in the leader only (the scheduler is bound there)."""
    if _scheduler is None:
        raise RuntimeError("exercises.scheduling.jobs.bind() was not given the scheduler")
    with transaction(_sessions().sessions, actor=ACTOR) as session:
        # Recurring series a horizon ahead first, so new occurrences get their jobs this round.
        extend_series(session, now=utcnow())
        jobs = planned_jobs(session, now=utcnow())
    if not _scheduler.running:
        return  # shut down meanwhile (leadership lost): the next leader syncs
    counts = apply_jobs(_scheduler, jobs)
    if any(counts.values()):
        _logger.info("scheduler sync: %s", counts)


def _transition(
    session: Session,
    exercise_id: int,
    before: ExerciseStatus,
    after: ExerciseStatus,
    *,
    only_if: tuple[ColumnElement[bool], ...] = (),
    **more: Any,
) -> bool:
    """Move the status with one conditional UPDATE (so it happens once), and audit it."""
    now = utcnow()
    moved = session.execute(
        update(Exercise)
        .where(Exercise.id == exercise_id, Exercise.status == before, *only_if)
        .values(status=after, version=Exercise.version + 1, updated_at=now, **more)
        .returning(Exercise.id)
        .execution_options(synchronize_session=False)
    ).scalar()
    if moved is None:
        return False
    session.add(
        AuditEntry(
            occurred_at=now,
            actor=ACTOR,
            entity=Exercise.__tablename__,
            entity_id=str(exercise_id),
            action="update",
            before={"status": before.value},
            after={"status": after.value, **{k: str(v) for k, v in more.items()}},
        )
    )
    session.flush()
    return True


def start_exercise(exercise_id: int) -> None:
    """Planned -> running at its start (before its end only); an alert drill sends its callout."""
    with transaction(_sessions().sessions, actor=ACTOR) as session:
        now = utcnow()
        if not _transition(
            session,
            exercise_id,
            ExerciseStatus.PLANNED,
            ExerciseStatus.RUNNING,
            only_if=(Exercise.ends_at > now,),
        ):
            _logger.info("exercise %s: not planned or already over; not started", exercise_id)
            return
        exercise = session.get(Exercise, exercise_id, populate_existing=True)
        assert exercise is not None
        _logger.info("exercise %s started", exercise_id)
        if exercise.type is ExerciseType.ALERT_DRILL:
            _start_drill(session, exercise)


def _start_drill(session: Session, exercise: Exercise) -> None:
    """Plan and send the drill's exercise callout. If it cannot be made (no place, an
    agreement no longer in force, ...), the exercise still runs without a callout, and the
    reason is kept as an observation of the exercise: the planner sees it on the exercise's
    report, not only in the worker's log."""
    try:
        with session.begin_nested():
            body = drill_request(exercise)
            callout = planning.plan(session, body, actor=ACTOR, max_recipients=_max_recipients)
            service.send(session, callout, on=today_in_norway(), max_recipients=_max_recipients)
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
        raise DomainValidationError("place", "an alert drill needs a place or an area")
    if not exercise.drill_needs:
        raise DomainValidationError("drill_needs", "an alert drill needs what it asks for")
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


def end_exercise(exercise_id: int) -> None:
    """Running -> completed at its end, and the drill's callout stopped. One that never
    started (its whole time passed while no scheduler ran): see the misfire policy."""
    with transaction(_sessions().sessions, actor=ACTOR) as session:
        if _transition(session, exercise_id, ExerciseStatus.RUNNING, ExerciseStatus.COMPLETED):
            exercise = session.scalars(
                select(Exercise)
                .where(Exercise.id == exercise_id)
                .options(selectinload(Exercise.callout))
                .execution_options(populate_existing=True)
            ).one()
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


def send_reminders(exercise_id: int, offset_min: int) -> None:
    """The reminders `offset_min` minutes before the start (once, however often it runs)."""
    with transaction(_sessions().sessions, actor=ACTOR) as session:
        reminders.queue_reminders(session, exercise_id, offset_min, now=utcnow())


# The jobs exercises declares to the platform's scheduler (its `Capability`).
JOBS = (
    JobDefinition(
        id=SYNC_JOB_ID,
        func="exercises.scheduling.jobs:sync",
        name="sync exercises to jobs",
        every_s=lambda settings: float(getattr(settings, "scheduler_sync_s", 30.0)),
    ),
)
