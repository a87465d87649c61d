"""The misfire policy, shown with a real scheduler and job store on both backends: jobs whose
time passed while no scheduler ran, then a scheduler starts and we see which ran."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select

from beredskap.main.settings import Settings
from beredskap.platform.columns import utcnow
from beredskap.platform.jobs import JobContext
from beredskap.platform.runtime import Database
from beredskap.platform.scheduling.registry import apply_date_jobs
from beredskap.platform.scheduling.runner import PlatformScheduler, build_scheduler
from exercises.capability import EXERCISES
from exercises.models import Exercise, ExerciseReminder, ExerciseStatus, ExerciseType
from exercises.scheduling import jobs
from tests.support import scheduling as make


def _wait_for(condition: object, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)


def test_after_downtime_late_starts_and_reminders_run_only_within_their_grace(
    fresh_database: Database,
) -> None:
    now = utcnow()
    with fresh_database.sessions() as session:
        session.info["actor"] = "test"
        group = make.organisation(session)
        make.members(session, group, 2)
        # Starts during the downtime, ends long after: started late.
        late = make.exercise(session, starts_at=now + timedelta(seconds=1), minutes=60)
        # A drill whose whole time passes during the downtime: never started; cancelled.
        missed = make.exercise(
            session,
            type=ExerciseType.ALERT_DRILL,
            starts_at=now + timedelta(seconds=1),
            minutes=1 / 60,
        )
        # A reminder due during the downtime, before the start: sent late.
        reminded = make.exercise(
            session, starts_at=now + timedelta(seconds=61), reminder_offsets_min=[1]
        )
        # A reminder whose exercise starts during the downtime: skipped.
        too_late = make.exercise(
            session, starts_at=now + timedelta(seconds=2), reminder_offsets_min=[1]
        )
        for exercise in (missed, reminded, too_late):
            exercise.organisations.append(group)
        session.commit()
        ids = {
            "late": late.id,
            "missed": missed.id,
            "reminded": reminded.id,
            "late_reminder": too_late.id,
        }

    # A scheduler that stored the jobs and then went down (paused: nothing ran).
    settings = Settings(scheduler_sync_s=60)
    first = build_scheduler(JobContext(fresh_database, settings))
    first.start(paused=True)
    with fresh_database.sessions() as session:
        apply_date_jobs(first, jobs.JOB_PREFIX, jobs.planned_jobs(session, now=now))
    stored = {job.id for job in first.get_jobs()}
    first._process_jobs = lambda: None  # type: ignore[method-assign]  # down hard: no last pass
    first.shutdown(wait=False)
    assert f"exercise:{ids['late_reminder']}:reminder:1" in stored
    assert f"exercise:{ids['missed']}:start" in stored

    time.sleep(3.5)  # the downtime: every start above and one reminder's grace pass

    runner = PlatformScheduler(fresh_database, settings, EXERCISES.jobs)
    runner.start()
    try:

        def settled() -> bool:
            with fresh_database.sessions() as session:
                statuses = dict(session.execute(select(Exercise.id, Exercise.status)).all())
            return (
                statuses[ids["late"]] is ExerciseStatus.RUNNING
                and statuses[ids["missed"]] is ExerciseStatus.CANCELLED
                and statuses[ids["late_reminder"]] is ExerciseStatus.RUNNING
            )

        _wait_for(settled)
        time.sleep(0.5)
    finally:
        runner.shutdown()

    with fresh_database.sessions() as session:
        statuses = dict(session.execute(select(Exercise.id, Exercise.status)).all())
        reminded_count = dict(
            session.execute(
                select(ExerciseReminder.exercise_id, func.count()).group_by(
                    ExerciseReminder.exercise_id
                )
            ).all()
        )
        missed_row = session.get(Exercise, ids["missed"])
    assert statuses[ids["late"]] is ExerciseStatus.RUNNING  # start: grace until its end
    assert statuses[ids["missed"]] is ExerciseStatus.CANCELLED  # never after its end
    assert missed_row is not None and missed_row.callout_id is None
    assert statuses[ids["reminded"]] is ExerciseStatus.PLANNED
    assert reminded_count.get(ids["reminded"]) == 2  # late, but before the start
    assert ids["late_reminder"] not in reminded_count  # after the start: skipped
