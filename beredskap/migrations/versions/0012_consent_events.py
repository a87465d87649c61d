"""Consent events: every change of a volunteer's SMS consent, how and by whom.

Revision ID: 0012_consent_events
Revises: 0011_user_disabled_at
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from beredskap.platform.columns import UtcDateTime

revision: str = "0012_consent_events"
down_revision: str | None = "0011_user_disabled_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consent_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("given", sa.Boolean(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "sms",
                "staff",
                "import",
                name="channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteers.id"],
            name=op.f("fk_consent_events_volunteer_id_volunteers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_events")),
    )
    op.create_index(op.f("ix_consent_events_volunteer_id"), "consent_events", ["volunteer_id"])


def downgrade() -> None:
    op.drop_table("consent_events")
