"""Readiness: organisations' confirmations, volunteers' contact checks, the plan's yearly
revisions and the reminders' ledger.

Revision ID: 0016_readiness
Revises: 0015_addresses
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from beredskap.platform.columns import UtcDateTime

revision: str = "0016_readiness"
down_revision: str | None = "0015_addresses"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy: SpatiaLite keeps the tables' spatial indexes).
    op.add_column("organisations", sa.Column("confirmed_on", sa.Date(), nullable=True))
    op.add_column("volunteers", sa.Column("contact_verified_on", sa.Date(), nullable=True))
    op.add_column("volunteers", sa.Column("contact_failed_on", sa.Date(), nullable=True))
    op.create_table(
        "plan_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revised_on", sa.Date(), nullable=False),
        sa.Column("revised_by", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_plan_revisions_recorded_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_revisions")),
    )
    op.create_index(
        op.f("ix_plan_revisions_revised_on"), "plan_revisions", ["revised_on"], unique=False
    )
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.String(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_sent")),
        sa.UniqueConstraint(
            "kind", "subject_id", "threshold", "due_on", name=op.f("uq_reminders_sent_key")
        ),
    )


def downgrade() -> None:
    op.drop_table("reminders_sent")
    op.drop_index(op.f("ix_plan_revisions_revised_on"), table_name="plan_revisions")
    op.drop_table("plan_revisions")
    op.drop_column("volunteers", "contact_failed_on")
    op.drop_column("volunteers", "contact_verified_on")
    op.drop_column("organisations", "confirmed_on")
