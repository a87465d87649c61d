"""Voice fallback: `voice_after_min` on callouts and the calls placed (`callout_voice_calls`).

Revision ID: 0022_voice_calls
Revises: 0021_sms_providers
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from beredskap.platform.columns import UtcDateTime

revision: str = "0022_voice_calls"
down_revision: str | None = "0021_sms_providers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CALL_STATES = (
    "queued",
    "calling",
    "placed",
    "completed",
    "no_answer",
    "busy",
    "failed",
    "cancelled",
)


def _enum(values: Sequence[str], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    # Plain ADD COLUMN, nullable (callouts has geometry: no batch copy).
    op.add_column("callouts", sa.Column("voice_after_min", sa.Integer(), nullable=True))
    op.create_table(
        "callout_voice_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("callout_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("mobile", sa.String(length=20), nullable=False),
        sa.Column("state", _enum(CALL_STATES, "state"), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("attempt_started_at", UtcDateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("call_sid", sa.String(length=64), nullable=True),
        sa.Column("placed_at", UtcDateTime(), nullable=True),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("error_code", sa.String(length=32), nullable=True),
        sa.Column("digits", sa.String(length=16), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["callout_id"],
            ["callouts.id"],
            name=op.f("fk_callout_voice_calls_callout_id_callouts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["callout_recipients.id"],
            name=op.f("fk_callout_voice_calls_recipient_id_callout_recipients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callout_voice_calls")),
        sa.UniqueConstraint("recipient_id", name=op.f("uq_callout_voice_calls_recipient_id")),
        sa.UniqueConstraint("call_sid", name=op.f("uq_callout_voice_calls_call_sid")),
    )
    op.create_index(
        op.f("ix_callout_voice_calls_callout_id"), "callout_voice_calls", ["callout_id"]
    )
    op.create_index("ix_callout_voice_calls_state", "callout_voice_calls", ["state"])


def downgrade() -> None:
    op.drop_index("ix_callout_voice_calls_state", table_name="callout_voice_calls")
    op.drop_index(op.f("ix_callout_voice_calls_callout_id"), table_name="callout_voice_calls")
    op.drop_table("callout_voice_calls")
    op.drop_column("callouts", "voice_after_min")
