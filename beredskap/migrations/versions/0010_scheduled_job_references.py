"""The exercise jobs moved to `exercises.scheduling.jobs`: stored jobs name them there.

APScheduler keeps each job pickled in `apscheduler_jobs.job_state`, with the function it
calls as text ("exercises.jobs:start_exercise"). `exercises/` was split into sub-packages, so
a job stored before would fail to load (APScheduler would drop it with an error, and only the
next sync would make it again). The references are rewritten in place, both ways; no other
part of a job changes.

Revision ID: 0010_scheduled_job_references
Revises: 0009_outbox_claims
Create Date: 2026-12-06
"""

import pickle
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_scheduled_job_references"
down_revision: str | None = "0009_outbox_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_MODULE = "exercises.jobs:"
NEW_MODULE = "exercises.scheduling.jobs:"
_jobs = sa.table(
    "apscheduler_jobs", sa.column("id", sa.String), sa.column("job_state", sa.LargeBinary)
)


def _rewrite(old: str, new: str) -> None:
    connection = op.get_bind()
    for job_id, blob in connection.execute(sa.select(_jobs.c.id, _jobs.c.job_state)).all():
        state = pickle.loads(blob)
        function = state.get("func")
        if isinstance(function, str) and function.startswith(old):
            state["func"] = new + function[len(old) :]
            connection.execute(
                sa.update(_jobs)
                .where(_jobs.c.id == job_id)
                .values(job_state=pickle.dumps(state, pickle.HIGHEST_PROTOCOL))
            )


def upgrade() -> None:
    _rewrite(OLD_MODULE, NEW_MODULE)


def downgrade() -> None:
    _rewrite(NEW_MODULE, OLD_MODULE)
