"""The platform's scheduler without a database: jobs get their context from the executor,
and a plan read while a date job ran (or before it finished) does not add it again."""

from __future__ import annotations

import inspect
import queue
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from beredskap.platform.jobs import DateJob, JobContext, scheduled_job
from beredskap.platform.scheduling.executor import ContextExecutor
from beredskap.platform.scheduling.registry import RecentRuns, apply_date_jobs

_calls: queue.Queue[tuple[Any, ...]] = queue.Queue()


@scheduled_job
def probe(context: JobContext, number: int) -> None:
    _calls.put((context, number))


def not_a_job(number: int) -> None:
    _calls.put((number,))


def _context() -> JobContext:
    return JobContext(database=None, settings=None)  # type: ignore[arg-type]


def _scheduler(context: JobContext) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": ContextExecutor(context, 2)},
        timezone=UTC,
    )
    context.scheduler = scheduler
    return scheduler


def test_a_job_takes_its_context_first_and_apscheduler_sees_the_rest() -> None:
    assert list(inspect.signature(probe).parameters) == ["number"]
    with pytest.raises(TypeError, match="context"):
        scheduled_job(not_a_job)


def test_the_executor_calls_a_job_with_its_context_and_refuses_other_functions() -> None:
    context = _context()
    scheduler = _scheduler(context)
    scheduler.start()
    try:
        scheduler.add_job(not_a_job, args=(1,), id="plain")
        scheduler.add_job(probe, args=(7,), id="probe")
        assert _calls.get(timeout=10) == (context, 7)
        time.sleep(0.2)
        assert _calls.empty()  # `not_a_job` was not run with a shifted argument
    finally:
        scheduler.shutdown(wait=True)


def test_recent_runs_are_unseen_by_a_plan_read_before_they_finished() -> None:
    recent = RecentRuns()
    recent.started("x:1")
    assert recent.unseen_by(time.monotonic()) == {"x:1"}  # running
    read_at = time.monotonic()
    recent.finished("x:1")
    assert recent.unseen_by(read_at) == {"x:1"}  # finished after the plan was read
    assert recent.unseen_by(time.monotonic()) == set()  # a later plan sees it, and forgets


def test_a_plan_does_not_add_again_a_date_job_that_just_ran() -> None:
    context = _context()
    scheduler = _scheduler(context)
    scheduler.start(paused=True)
    try:
        past = datetime.now(UTC) - timedelta(seconds=1)
        later = datetime.now(UTC) + timedelta(hours=1)
        ran = DateJob("x:1", f"{__name__}:probe", (1,), past, 60)
        coming = DateJob("x:2", f"{__name__}:probe", (2,), later, 60)
        counts = apply_date_jobs(scheduler, "x:", [ran, coming], skip={"x:1"})
        assert counts == {"added": 1, "replaced": 0, "removed": 0}
        assert [job.id for job in scheduler.get_jobs()] == ["x:2"]

        # Through the context: the job ran while the plan was being read.
        def plan() -> list[DateJob]:
            context.recent.started("x:1")
            context.recent.finished("x:1")
            return [ran, coming]

        assert context.set_date_jobs("x:", plan) == {"added": 0, "replaced": 0, "removed": 0}
        # A plan read after it finished adds it again, if it still asks for it.
        again = context.set_date_jobs("x:", lambda: [ran, coming])
        assert again == {"added": 1, "replaced": 0, "removed": 0}
    finally:
        scheduler.shutdown(wait=False)
