"""A second SMS provider and failover: which provider each outbox message went to
(`provider` on the three outbox tables) and the providers' shared health
(`sms_provider_states`).

Revision ID: 0021_sms_providers
Revises: 0020_place_names
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from beredskap.platform.columns import UtcDateTime

revision: str = "0021_sms_providers"
down_revision: str | None = "0020_place_names"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTBOX_TABLES = ("callout_recipients", "callout_notices", "outgoing_messages")


def upgrade() -> None:
    # Plain ADD COLUMN, nullable (no batch copy of the tables).
    for table in OUTBOX_TABLES:
        op.add_column(table, sa.Column("provider", sa.String(length=32), nullable=True))
    op.create_table(
        "sms_provider_states",
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("failing_until", UtcDateTime(), nullable=True),
        sa.Column("last_failure", sa.String(length=300), nullable=True),
        sa.Column("last_failure_at", UtcDateTime(), nullable=True),
        sa.Column("last_success_at", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("provider", name=op.f("pk_sms_provider_states")),
    )


def downgrade() -> None:
    op.drop_table("sms_provider_states")
    for table in OUTBOX_TABLES:
        op.drop_column(table, "provider")
