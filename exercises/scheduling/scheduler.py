"""The exercise scheduler: APScheduler 3.x in the worker process, never in the web processes.

A `BackgroundScheduler` (time zone Europe/Oslo) keeps its jobs in the application's
database (`SQLAlchemyJobStore` on the table `apscheduler_jobs`, which migration 0008 creates
and the store finds and keeps), so jobs survive restarts. It runs only while this process
is the leader (`exercises.scheduling.leadership`): started when elected, shut down when the lock is
lost or the process stops. `beredskap worker` runs it in a thread beside the SMS loop
(`--no-scheduler` leaves it out), `beredskap scheduler` alone.

Exercise times are UTC instants, so their date jobs fire once, at the right instant, across
the daylight-saving changes. The jobs and the misfire policy are in `exercises.scheduling.jobs`.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from alerts.callouts import service
from beredskap.platform.columns import NORWAY, utcnow
from beredskap.platform.db import WRITE_INTENT
from beredskap.platform.runtime import Database
from exercises.models import apscheduler_jobs
from exercises.scheduling import jobs
from exercises.scheduling.leadership import LeaderLoop, Leadership, leadership_for

_logger = logging.getLogger("exercises.scheduler")
JOB_THREADS = 4


def build_scheduler(database: Database, *, sync_every_s: float) -> BackgroundScheduler:
    """A scheduler on the application's database with the `sync` job; not started."""
    # The store's transactions write (SQLite: take the write lock up front, as ours do).
    engine = database.engine.execution_options(**{WRITE_INTENT: True})
    store = SQLAlchemyJobStore(engine=engine, tablename=apscheduler_jobs.name)
    scheduler = BackgroundScheduler(
        jobstores={"default": store},
        executors={"default": ThreadPoolExecutor(JOB_THREADS)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=NORWAY,
    )
    scheduler.add_listener(_log_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
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


class ExerciseScheduler:
    """The scheduler of this process while it leads: `start` on election, `shutdown` after."""

    def __init__(
        self,
        database: Database,
        *,
        sync_every_s: float = 30.0,
        max_recipients: int = service.MAX_RECIPIENTS,
    ) -> None:
        self.database = database
        self.sync_every_s = sync_every_s
        self.max_recipients = max_recipients
        self._scheduler: BackgroundScheduler | None = None
        self.started = threading.Event()

    @property
    def scheduler(self) -> BackgroundScheduler | None:
        return self._scheduler

    def start(self) -> None:
        scheduler = build_scheduler(self.database, sync_every_s=self.sync_every_s)
        jobs.bind(self.database, scheduler, max_recipients=self.max_recipients)
        scheduler.start()
        # Coalesced, no grace limit: after downtime it runs once, at once.
        scheduler.add_job(
            "exercises.scheduling.jobs:sync",
            trigger="interval",
            seconds=self.sync_every_s,
            id=jobs.SYNC_JOB_ID,
            name="sync exercises to jobs",
            next_run_time=utcnow() + timedelta(milliseconds=10),
            coalesce=True,
            misfire_grace_time=None,
            replace_existing=True,
        )
        self._scheduler = scheduler
        self.started.set()
        _logger.info("exercise scheduler started (sync every %.1f s)", self.sync_every_s)

    def shutdown(self) -> None:
        scheduler, self._scheduler = self._scheduler, None
        self.started.clear()
        if scheduler is not None and scheduler.running:
            # APScheduler 3.11's loop makes one last pass over due jobs after shutdown, with
            # its executors already gone: those date jobs would leave the store unrun. Stop
            # the passes first (the next leader's sync re-adds whatever is still due).
            scheduler._process_jobs = lambda: None  # type: ignore[method-assign]
            # Not wait=True: APScheduler then waits for the jobs while holding its job store
            # lock, which a running `sync` needs (a deadlock). Jobs in flight still finish in
            # their threads (and the interpreter waits for them); each is safe to redo.
            scheduler.shutdown(wait=False)
            _logger.info("exercise scheduler stopped")


def leader_loop(
    database: Database,
    *,
    sync_every_s: float,
    check_every_s: float,
    lock_path: Path | None = None,
    leadership: Leadership | None = None,
    max_recipients: int = service.MAX_RECIPIENTS,
) -> tuple[LeaderLoop, ExerciseScheduler]:
    """The loop that runs the scheduler while this process holds the scheduler lock."""
    runner = ExerciseScheduler(database, sync_every_s=sync_every_s, max_recipients=max_recipients)
    loop = LeaderLoop(
        leadership or leadership_for(database.engine, lock_path=lock_path),
        on_elected=runner.start,
        on_deposed=runner.shutdown,
        every_s=check_every_s,
    )
    return loop, runner
