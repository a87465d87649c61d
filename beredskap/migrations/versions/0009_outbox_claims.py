"""Outbox claims belong to a worker, and workers report the gateway's health.

- `claimed_by` on the three outbox tables: the worker whose attempt a `sending` row is, so a
  dead worker's claims are reconciled within seconds (its heartbeat stops), not after the
  lease.
- `worker_heartbeats`: the process behind each worker (host, pid, pid namespace and start
  time: a reconciler on the same host can tell that it has died), the gateway it sends
  through, and its current alarm (what the provider refuses, since when, how often).
- `ix_callout_recipients_callout_id_state_id` replaces `(callout_id, state)`: claiming the next
  queued rows of one callout in id order reads them from the index instead of sorting all of a
  large callout's rows each time.

Revision ID: 0009_outbox_claims
Revises: 0008_exercises
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from beredskap.platform.columns import UtcDateTime

revision: str = "0009_outbox_claims"
down_revision: str | None = "0008_exercises"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTBOX_TABLES = ("callout_recipients", "callout_notices", "outgoing_messages")
HEARTBEAT_COLUMNS = (
    ("host", sa.String(length=255)),
    ("pid", sa.Integer()),
    ("pid_namespace", sa.String(length=32)),
    ("process_started", sa.String(length=32)),
    ("gateway", sa.String(length=32)),
    ("alarm", sa.String(length=32)),
    ("alarm_since", UtcDateTime()),
    ("alarm_count", sa.Integer()),
)


def upgrade() -> None:
    for table in OUTBOX_TABLES:
        op.add_column(table, sa.Column("claimed_by", sa.String(length=200), nullable=True))
    for name, type_ in HEARTBEAT_COLUMNS:
        op.add_column("worker_heartbeats", sa.Column(name, type_, nullable=True))
    op.create_index(
        "ix_callout_recipients_callout_id_state_id",
        "callout_recipients",
        ["callout_id", "state", "id"],
    )
    op.drop_index("ix_callout_recipients_callout_id_state", table_name="callout_recipients")


def downgrade() -> None:
    op.create_index(
        "ix_callout_recipients_callout_id_state", "callout_recipients", ["callout_id", "state"]
    )
    op.drop_index("ix_callout_recipients_callout_id_state_id", table_name="callout_recipients")
    for name, _type in reversed(HEARTBEAT_COLUMNS):
        op.drop_column("worker_heartbeats", name)
    for table in reversed(OUTBOX_TABLES):
        op.drop_column(table, "claimed_by")
