"""The executor that gives every job its `JobContext`.

APScheduler calls `job.func(*job.args, **job.kwargs)`; the job store keeps only the text
reference and the (pickled) arguments. This thread pool runs each job as
`job.func(context, *job.args, **job.kwargs)` instead, with the context of the scheduler it
runs in: jobs need no module globals, and stored jobs keep their references and arguments.
It runs only `@scheduled_job` functions, and tells the context's `RecentRuns` which jobs
it took to run and when they finished.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from apscheduler.executors.base import run_job
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job

from beredskap.platform.scheduling.registry import JobContext, is_scheduled_job


class _WithContext:
    """The job as `run_job` sees it: the same job, its context first among its arguments."""

    def __init__(self, job: Job, context: JobContext) -> None:
        self._job = job
        self.args = (context, *job.args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._job, name)

    def __str__(self) -> str:  # APScheduler's log lines ("Running job ...") name the job
        return str(self._job)


class ContextExecutor(ThreadPoolExecutor):
    """A thread pool that calls each job with the scheduler's `JobContext` first."""

    def __init__(self, context: JobContext, max_workers: int = 10) -> None:
        super().__init__(max_workers)
        self.context = context

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        if not is_scheduled_job(job.func):
            # Its arguments would be shifted by the context: refuse it (an error event).
            raise TypeError(f"job {job.id}: {job.func_ref} is not a @scheduled_job")
        # Called by the scheduler's thread before it takes a date job out of the store.
        recent = self.context.recent
        recent.started(job.id)

        def run() -> Any:
            try:
                return run_job(
                    _WithContext(job, self.context),
                    job._jobstore_alias,
                    run_times,
                    self._logger.name,
                )
            finally:
                recent.finished(job.id)

        def done(future: Any) -> None:
            # As APScheduler's pool executors do.
            error = future.exception()
            if error is not None:
                self._run_job_error(job.id, error, error.__traceback__)
            else:
                self._run_job_success(job.id, future.result())

        self._pool.submit(run).add_done_callback(done)
