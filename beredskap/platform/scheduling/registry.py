"""What a capability gives the platform's scheduler, and what a job gets from it.

- `JobDefinition`: a recurring job a capability declares in its `Capability.jobs` (a stable
  id, the function as "module:function", its interval from the settings). The scheduler adds
  each one when it starts, replacing the stored one of the same id.
- `DateJob`: a one-off job at an instant, which a recurring job adds through its context
  (`JobContext.set_date_jobs`), e.g. exercises' `sync` making `exercise:<id>:start`.
- `JobContext`: what every job function receives as its FIRST argument, from the platform
  (never from module globals): the database (units of work on it with an actor), the
  settings, and the running scheduler for jobs that manage other jobs.

APScheduler keeps a job in its store as text: the function's "module:function" reference and
its arguments (ids only), pickled. The context is not stored: the platform's executor passes
it at call time (`beredskap.platform.scheduling.executor`), so a stored job is
`func(context, *args)` and references stored before the context existed load unchanged. A job
function says so with `@scheduled_job` (APScheduler then checks the arguments it stores
against the rest of its parameters, and the executor runs nothing else).
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from apscheduler.jobstores.base import JobLookupError
from apscheduler.triggers.date import DateTrigger
from sqlalchemy.orm import Session

from beredskap.platform.columns import utcnow
from beredskap.platform.db import transaction

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

    from beredskap.platform.runtime import Database
    from beredskap.platform.settings import PlatformSettings

# A date job due now (or within this) is left to the scheduler's own thread: see
# `apply_date_jobs`.
HANDS_OFF = timedelta(seconds=2)
CONTEXT_PARAMETER = "context"
_MARK = "__beredskap_scheduled_job__"

F = TypeVar("F", bound=Callable[..., Any])


def scheduled_job(func: F) -> F:
    """Mark a module-level function as a job of the platform's scheduler. It takes the
    `JobContext` first (a parameter named `context`), which the executor passes at call
    time; the signature APScheduler sees (and checks the stored arguments against) is the
    rest. The function object stays the one its "module:function" reference names."""
    signature = inspect.signature(func)
    parameters = list(signature.parameters.values())
    if not parameters or parameters[0].name != CONTEXT_PARAMETER:
        raise TypeError(f"{func.__qualname__} must take `{CONTEXT_PARAMETER}` first")
    func.__signature__ = signature.replace(parameters=parameters[1:])  # type: ignore[attr-defined]
    setattr(func, _MARK, True)
    return func


def is_scheduled_job(func: object) -> bool:
    return bool(getattr(func, _MARK, False))


@dataclass(frozen=True)
class JobDefinition:
    """A recurring job a capability declares: its stable id (its row in the job store), the
    function it runs ("module:function", taking the `JobContext` first), and how often (in
    seconds, from the settings). Coalesced, no grace limit: after downtime it runs once, at
    once, not once per missed interval."""

    id: str
    func: str  # "module:function", as APScheduler's job store keeps it
    name: str
    every_s: Callable[[PlatformSettings], float]


@dataclass(frozen=True)
class DateJob:
    """A one-off job at `run_at` (UTC), with ids only as arguments (they are pickled)."""

    id: str
    func: str  # "module:function", as the job store keeps it
    args: tuple[int, ...]
    run_at: datetime  # UTC
    grace_s: int | None  # misfire_grace_time; None: no limit


class RecentRuns:
    """The date jobs this scheduler took out of its store to run, until a plan read after
    they finished has seen what they did.

    A date job leaves the store when the scheduler submits it, but what it does is committed
    only when it finishes. A plan read from the database in between (a `sync` running beside
    it) still asks for the job, finds it missing from the store, and would add it again: the
    job would run twice (seen under load as a start fired twice). So a plan does not re-add a
    job that was running when it was read, or finished after.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, int] = {}
        self._finished: dict[str, float] = {}  # job id -> time.monotonic() it finished

    def started(self, job_id: str) -> None:
        with self._lock:
            self._running[job_id] = self._running.get(job_id, 0) + 1

    def finished(self, job_id: str) -> None:
        with self._lock:
            left = self._running.get(job_id, 1) - 1
            if left > 0:
                self._running[job_id] = left
            else:
                self._running.pop(job_id, None)
            self._finished[job_id] = time.monotonic()

    def unseen_by(self, read_at: float) -> set[str]:
        """The jobs whose outcome a plan read from `read_at` (monotonic) on may not show; and
        forget those it does show (plans are read one after another: `sync` runs alone)."""
        with self._lock:
            for job_id in [key for key, at in self._finished.items() if at < read_at]:
                del self._finished[job_id]
            return set(self._running) | set(self._finished)


@dataclass
class JobContext:
    """What a job gets from the platform: the database, the settings, and the scheduler it
    runs in (None when a test calls a job directly)."""

    database: Database
    settings: PlatformSettings
    scheduler: BaseScheduler | None = None
    recent: RecentRuns = field(default_factory=RecentRuns)

    @contextmanager
    def transaction(self, actor: str) -> Iterator[Session]:
        """The platform's unit of work: commit on success, roll back on error, and every
        change made through the ORM audited as `actor` by the audit listener."""
        with transaction(self.database.sessions, actor=actor) as session:
            yield session

    def set_date_jobs(
        self, prefix: str, plan: Callable[[], Sequence[DateJob]]
    ) -> dict[str, int] | None:
        """Make this scheduler's date jobs whose ids start with `prefix` what `plan()` (read
        from the database now) says: added, replaced, removed. None if the scheduler stopped
        meanwhile (leadership lost: the next leader's jobs do it)."""
        if self.scheduler is None:
            raise RuntimeError("this job manages date jobs: it runs in the platform's scheduler")
        read_at = time.monotonic()
        planned = plan()
        if not self.scheduler.running:
            return None
        return apply_date_jobs(self.scheduler, prefix, planned, skip=self.recent.unseen_by(read_at))


def apply_date_jobs(
    scheduler: BaseScheduler,
    prefix: str,
    jobs: Sequence[DateJob],
    *,
    skip: set[str] | frozenset[str] = frozenset(),
) -> dict[str, int]:
    """Make the scheduler's date jobs under `prefix` what `jobs` says: added, replaced,
    removed. `skip`: jobs not to add again (running or just run: see `RecentRuns`).

    A job due now (or within `HANDS_OFF`) is left to the scheduler's own thread, which is
    taking it out of the store to run it: removing or replacing it here as well would make
    that thread's removal fail (APScheduler's loop does not survive a JobLookupError). Such
    a job runs and finds nothing to do if what it was for changed: each job checks.
    """
    hands_off = utcnow() + HANDS_OFF
    existing = {job.id: job for job in scheduler.get_jobs() if job.id.startswith(prefix)}
    counts = {"added": 0, "replaced": 0, "removed": 0}
    for job_id in [key for key, job in existing.items() if _due(job, hands_off)]:
        existing.pop(job_id)
        jobs = [planned for planned in jobs if planned.id != job_id]
    for planned in jobs:
        if not planned.id.startswith(prefix):
            raise ValueError(f"job {planned.id!r} is not under {prefix!r}")
        current = existing.pop(planned.id, None)
        if current is not None and _same(current, planned):
            continue
        if current is None and planned.id in skip:
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


def _same(job: Any, planned: DateJob) -> bool:
    run_date = getattr(job.trigger, "run_date", None)
    return (
        run_date is not None
        and run_date == planned.run_at
        and job.misfire_grace_time == planned.grace_s
        and tuple(job.args) == planned.args
    )
