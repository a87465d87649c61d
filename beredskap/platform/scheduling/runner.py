"""The platform's scheduler: APScheduler 3.x in the worker process, never in the web processes.

A `BackgroundScheduler` (time zone Europe/Oslo) keeps its jobs in the application's
database (`SQLAlchemyJobStore` on the table `apscheduler_jobs`, which the migrations create
and the store finds and keeps), so jobs survive restarts. It runs only while this process
is the leader (`beredskap.platform.scheduling.leadership`): started when elected, shut down
when the lock is lost or the process stops. `beredskap worker` runs it in a thread beside the
SMS loop (`--no-scheduler` leaves it out), `beredskap scheduler` alone.

It runs the recurring jobs the capabilities declare (`JobDefinition`), and the date jobs
those add (`JobContext.set_date_jobs`); every job is called with its `JobContext` first
(`beredskap.platform.scheduling.executor`). The platform knows no capability: the
composition root hands it their jobs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from beredskap.platform.columns import NORWAY, utcnow
from beredskap.platform.db import WRITE_INTENT
from beredskap.platform.runtime import Database
from beredskap.platform.scheduling.executor import ContextExecutor
from beredskap.platform.scheduling.job_store_table import JOBS_TABLE
from beredskap.platform.scheduling.leadership import LeaderLoop, Leadership, leadership_for
from beredskap.platform.scheduling.registry import JobContext, JobDefinition
from beredskap.platform.settings import PlatformSettings

_logger = logging.getLogger("beredskap.scheduler")
JOB_THREADS = 4


def build_scheduler(context: JobContext) -> BackgroundScheduler:
    """A scheduler on the context's database whose jobs get `context`; not started. The
    context's `scheduler` is set to it."""
    # The store's transactions write (SQLite: take the write lock up front, as ours do).
    engine = context.database.engine.execution_options(**{WRITE_INTENT: True})
    store = SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)
    scheduler = BackgroundScheduler(
        jobstores={"default": store},
        executors={"default": ContextExecutor(context, JOB_THREADS)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=NORWAY,
    )
    scheduler.add_listener(_log_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    context.scheduler = scheduler
    return scheduler


def _log_event(event: JobExecutionEvent) -> None:
    if event.code == EVENT_JOB_MISSED:
        _logger.warning(
            "job %s missed: its time %s passed beyond its grace (misfire policy)",
            event.job_id,
            event.scheduled_run_time,
        )
    else:
        _logger.error("job %s failed: %s", event.job_id, type(event.exception).__name__)


class PlatformScheduler:
    """The scheduler of this process while it leads: `start` on election, `shutdown` after.
    Each start gets a new scheduler and a new `JobContext`."""

    def __init__(
        self,
        database: Database,
        settings: PlatformSettings,
        jobs: Sequence[JobDefinition],
    ) -> None:
        ids = [job.id for job in jobs]
        if len(set(ids)) != len(ids):
            raise ValueError(f"two recurring jobs with one id: {sorted(ids)}")
        self.database = database
        self.settings = settings
        self.jobs = tuple(jobs)
        self._scheduler: BackgroundScheduler | None = None
        self.started = threading.Event()

    @property
    def scheduler(self) -> BackgroundScheduler | None:
        return self._scheduler

    def start(self) -> None:
        context = JobContext(self.database, self.settings)
        scheduler = build_scheduler(context)
        scheduler.start()
        self._add_recurring(scheduler)
        self._scheduler = scheduler
        self.started.set()
        _logger.info(
            "scheduler started: %s",
            ", ".join(f"{job.id} every {job.every_s(self.settings):.1f} s" for job in self.jobs)
            or "no recurring jobs",
        )

    def _add_recurring(self, scheduler: BackgroundScheduler) -> None:
        declared = {job.id for job in self.jobs}
        # A recurring job no capability declares any more (renamed, removed) would run on.
        for stored in scheduler.get_jobs():
            if isinstance(stored.trigger, IntervalTrigger) and stored.id not in declared:
                scheduler.remove_job(stored.id)
                _logger.info("scheduler: recurring job %s is no longer declared", stored.id)
        for job in self.jobs:
            # Coalesced, no grace limit: after downtime it runs once, at once.
            scheduler.add_job(
                job.func,
                trigger="interval",
                seconds=job.every_s(self.settings),
                id=job.id,
                name=job.name,
                next_run_time=utcnow() + timedelta(milliseconds=10),
                coalesce=True,
                misfire_grace_time=None,
                replace_existing=True,
            )

    def shutdown(self) -> None:
        scheduler, self._scheduler = self._scheduler, None
        self.started.clear()
        if scheduler is not None and scheduler.running:
            # APScheduler 3.11's loop makes one last pass over due jobs after shutdown, with
            # its executors already gone: those date jobs would leave the store unrun. Stop
            # the passes first (the next leader's jobs re-add whatever is still due).
            scheduler._process_jobs = lambda: None  # type: ignore[method-assign]
            # Not wait=True: APScheduler then waits for the jobs while holding its job store
            # lock, which a running job that manages jobs (a sync) needs (a deadlock). Jobs in
            # flight still finish in their threads (and the interpreter waits for them); each
            # is safe to redo.
            scheduler.shutdown(wait=False)
            _logger.info("scheduler stopped")


def leader_loop(
    database: Database,
    settings: PlatformSettings,
    jobs: Sequence[JobDefinition],
    *,
    lock_path: Path | None = None,
    leadership: Leadership | None = None,
) -> tuple[LeaderLoop, PlatformScheduler]:
    """The loop that runs the scheduler while this process holds the scheduler lock; it
    checks every `settings.scheduler_leader_check_s`."""
    runner = PlatformScheduler(database, settings, jobs)
    loop = LeaderLoop(
        leadership
        or leadership_for(database.engine, lock_path=lock_path or settings.scheduler_lock_path),
        on_elected=runner.start,
        on_deposed=runner.shutdown,
        every_s=settings.scheduler_leader_check_s,
    )
    return loop, runner
