"""The platform's scheduler running a capability's jobs, on both backends: a job gets its
context from the platform, its change is audited by the one audit listener with the actor
"scheduler", a status moves once when two runs of a job race, and a date job that is running
is not added again by a sync that read the rows before it finished."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from beredskap.main.settings import Settings
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.columns import utcnow
from beredskap.platform.jobs import JobContext
from beredskap.platform.runtime import Database
from beredskap.platform.scheduling.runner import PlatformScheduler
from exercises.capability import EXERCISES
from exercises.models import Exercise, ExerciseStatus
from exercises.scheduling import jobs
from tests.support import scheduling as make


def _wait_for(condition: Callable[[], bool], timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _status(database: Database, exercise_id: int) -> ExerciseStatus:
    with database.sessions() as session:
        return session.scalars(select(Exercise.status).where(Exercise.id == exercise_id)).one()


def _audited(database: Database, exercise_id: int) -> list[AuditEntry]:
    with database.sessions() as session:
        return list(
            session.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.entity == Exercise.__tablename__,
                    AuditEntry.entity_id == str(exercise_id),
                )
                .order_by(AuditEntry.id)
            )
        )


def test_a_job_run_by_the_platform_scheduler_is_audited_as_the_scheduler(
    fresh_database: Database,
) -> None:
    with fresh_database.sessions() as session:
        session.info["actor"] = "planner"
        exercise = make.exercise(session, starts_at=utcnow() + timedelta(seconds=1.5), minutes=30)
        session.commit()
        exercise_id = exercise.id

    runner = PlatformScheduler(fresh_database, Settings(scheduler_sync_s=0.5), EXERCISES.jobs)
    runner.start()
    try:
        _wait_for(lambda: _status(fresh_database, exercise_id) is ExerciseStatus.RUNNING)
    finally:
        runner.shutdown()

    entries = _audited(fresh_database, exercise_id)
    assert [(entry.actor, entry.action) for entry in entries] == [
        ("planner", "insert"),
        ("scheduler", "update"),
    ]
    started = entries[1]
    assert started.before == {"status": "planned"}
    assert started.after == {"status": "running"}


def test_a_status_moves_once_when_two_runs_of_its_job_race(
    fresh_database: Database, backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Two runs of the start job at once (two schedulers overlapping in a failover). On
    PostgreSQL both read the planned exercise and flush together (held at a barrier): the
    row's version lets one UPDATE through and the other is rolled back. On SQLite the second
    run's transaction waits for the first's write lock and then finds it running."""
    with fresh_database.sessions() as session:
        session.info["actor"] = "planner"
        exercise = make.exercise(session, starts_at=utcnow() - timedelta(seconds=1))
        session.commit()
        exercise_id = exercise.id
    context = JobContext(fresh_database, Settings())
    barrier = threading.Barrier(2, timeout=20)
    errors: list[BaseException] = []

    def together(session: Session, _flush: Any, _instances: Any) -> None:
        if any(isinstance(changed, Exercise) for changed in session.dirty):
            barrier.wait()

    def run() -> None:
        try:
            jobs.start_exercise(context, exercise_id)
        except BaseException as error:  # reported by the test
            errors.append(error)

    if backend == "postgis":
        event.listen(Session, "before_flush", together)
    caplog.set_level(logging.INFO, logger="exercises.jobs")
    try:
        runs = [threading.Thread(target=run) for _ in range(2)]
        for thread in runs:
            thread.start()
        for thread in runs:
            thread.join(timeout=30)
    finally:
        if backend == "postgis":
            event.remove(Session, "before_flush", together)
    assert not errors, errors
    assert _status(fresh_database, exercise_id) is ExerciseStatus.RUNNING
    updates = [entry for entry in _audited(fresh_database, exercise_id) if entry.action == "update"]
    assert [(entry.actor, entry.after) for entry in updates] == [
        ("scheduler", {"status": "running"})
    ]
    messages = [record.getMessage() for record in caplog.records]
    assert messages.count(f"exercise {exercise_id} started") == 1
    if backend == "postgis":  # the race happened, and the version check settled it
        assert sum("changed by another transaction" in message for message in messages) == 1


def test_a_sync_read_before_a_start_finished_does_not_add_it_again(
    fresh_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The start job leaves the job store when it is submitted, and moves the exercise when
    it commits. A sync that read the rows before that commit (still planned) and applies its
    plan after the job finished finds the job gone and would add it again: it ran twice (the
    cause of a flake of test_scheduler_processes under load). Here every sync takes a second
    between reading and applying, so one always straddles the start."""
    with fresh_database.sessions() as session:
        session.info["actor"] = "planner"
        # The syncs (1 s each, every 0.5 s: skipped while one runs) read at about 0 and 1.5 s
        # and apply at 1 and 2.5 s; the start at 2 s is between the second's read and apply.
        exercise = make.exercise(session, starts_at=utcnow() + timedelta(seconds=2), minutes=30)
        session.commit()
        exercise_id = exercise.id
    runs: list[int] = []
    unit_of_work, planned_jobs, transaction = (
        jobs._unit_of_work,
        jobs.planned_jobs,
        JobContext.transaction,
    )
    in_sync = threading.local()

    def counted(context: JobContext, job_exercise_id: int) -> Any:
        runs.append(job_exercise_id)
        return unit_of_work(context, job_exercise_id)

    def planning(session: Session, *, now: Any) -> Any:
        in_sync.planned = True
        return planned_jobs(session, now=now)

    @contextmanager
    def slow_after_planning(self: JobContext, actor: str) -> Iterator[Session]:
        with transaction(self, actor) as session:
            yield session
        if getattr(in_sync, "planned", False):
            in_sync.planned = False
            time.sleep(1.0)

    monkeypatch.setattr(jobs, "_unit_of_work", counted)
    monkeypatch.setattr(jobs, "planned_jobs", planning)
    monkeypatch.setattr(JobContext, "transaction", slow_after_planning)
    runner = PlatformScheduler(fresh_database, Settings(scheduler_sync_s=0.5), EXERCISES.jobs)
    runner.start()
    try:
        _wait_for(lambda: _status(fresh_database, exercise_id) is ExerciseStatus.RUNNING)
        time.sleep(2.5)  # room for the syncs that read it planned to apply their plans
    finally:
        runner.shutdown()
    assert runs == [exercise_id]
