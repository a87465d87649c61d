"""APScheduler 3.x's `SQLAlchemyJobStore` table, declared on the platform's metadata (the job
store's own name and columns) so the migrations own the schema; the store finds it and leaves
it alone."""

from __future__ import annotations

from sqlalchemy import Column, Float, LargeBinary, String, Table

from beredskap.platform.db import Base

JOBS_TABLE = "apscheduler_jobs"

apscheduler_jobs = Table(
    JOBS_TABLE,
    Base.metadata,
    Column("id", String(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
