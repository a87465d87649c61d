"""Sending callouts: notices (follow-up, need covered), escalation, the local gateway's
messages and the log of replies.

Plain ADD COLUMN, not a batch copy: callouts has SpatiaLite geometry columns whose
registration a table rebuild would lose.

Revision ID: 0006_callout_sending
Revises: 0005_callouts
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from beredskap.platform.columns import UtcDateTime

revision: str = "0006_callout_sending"
down_revision: str | None = "0005_callouts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTBOX_STATES = ("planned", "queued", "sending", "sent", "delivered", "failed", "cancelled")
INBOUND_OUTCOMES = (
    "answered",
    "opted_out",
    "opted_in",
    "help",
    "no_open_callout",
    "unknown_code",
    "unknown_number",
    "unparseable",
)


def _enum(values: Sequence[str], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.add_column("callouts", sa.Column("covered_at", UtcDateTime(), nullable=True))
    op.add_column("callouts", sa.Column("escalate_after_min", sa.Integer(), nullable=True))
    op.add_column("callouts", sa.Column("escalate_radius_m", sa.Float(), nullable=True))
    op.add_column("callouts", sa.Column("escalate_organisation_ids", sa.JSON(), nullable=True))
    op.add_column("callouts", sa.Column("escalation_due_at", UtcDateTime(), nullable=True))
    op.add_column("callouts", sa.Column("escalated_at", UtcDateTime(), nullable=True))
    op.create_index(op.f("ix_callouts_escalation_due_at"), "callouts", ["escalation_due_at"])

    op.add_column(
        "callout_recipients",
        sa.Column("ask_round", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("callout_recipients", sa.Column("next_attempt_at", UtcDateTime(), nullable=True))
    op.create_index("ix_callout_recipients_state", "callout_recipients", ["state"])
    op.create_index(
        "ix_callout_recipients_callout_id_answer", "callout_recipients", ["callout_id", "answer"]
    )

    op.create_table(
        "callout_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("callout_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum(("follow_up", "covered"), "kind"), nullable=False),
        sa.Column("mobile", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", _enum(OUTBOX_STATES, "state"), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("attempt_started_at", UtcDateTime(), nullable=True),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=True),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("error_code", sa.String(length=32), nullable=True),
        sa.Column("error_reason", sa.String(length=300), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["callout_id"],
            ["callouts.id"],
            name=op.f("fk_callout_notices_callout_id_callouts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["callout_recipients.id"],
            name=op.f("fk_callout_notices_recipient_id_callout_recipients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callout_notices")),
        sa.UniqueConstraint("provider_id", name=op.f("uq_callout_notices_provider_id")),
    )
    op.create_index(op.f("ix_callout_notices_callout_id"), "callout_notices", ["callout_id"])
    op.create_index(op.f("ix_callout_notices_recipient_id"), "callout_notices", ["recipient_id"])
    op.create_index("ix_callout_notices_state", "callout_notices", ["state"])

    op.create_table(
        "local_sms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("to", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_sms")),
        sa.UniqueConstraint("provider_id", name=op.f("uq_local_sms_provider_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_local_sms_reference")),
    )
    op.create_index(op.f("ix_local_sms_created_at"), "local_sms", ["created_at"])
    op.create_index(op.f("ix_local_sms_to"), "local_sms", ["to"])

    op.create_table(
        "inbound_sms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_sid", sa.String(length=64), nullable=True),
        sa.Column("from_number", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("outcome", _enum(INBOUND_OUTCOMES, "outcome"), nullable=False),
        sa.Column("callout_id", sa.Integer(), nullable=True),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["callout_id"],
            ["callouts.id"],
            name=op.f("fk_inbound_sms_callout_id_callouts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["callout_recipients.id"],
            name=op.f("fk_inbound_sms_recipient_id_callout_recipients"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_sms")),
        sa.UniqueConstraint("message_sid", name=op.f("uq_inbound_sms_message_sid")),
    )
    op.create_index(op.f("ix_inbound_sms_callout_id"), "inbound_sms", ["callout_id"])
    op.create_index(op.f("ix_inbound_sms_from_number"), "inbound_sms", ["from_number"])
    op.create_index(op.f("ix_inbound_sms_received_at"), "inbound_sms", ["received_at"])


def downgrade() -> None:
    op.drop_table("inbound_sms")
    op.drop_table("local_sms")
    op.drop_table("callout_notices")
    op.drop_index("ix_callout_recipients_callout_id_answer", table_name="callout_recipients")
    op.drop_index("ix_callout_recipients_state", table_name="callout_recipients")
    op.drop_column("callout_recipients", "next_attempt_at")
    op.drop_column("callout_recipients", "ask_round")
    op.drop_index(op.f("ix_callouts_escalation_due_at"), table_name="callouts")
    for column in (
        "escalated_at",
        "escalation_due_at",
        "escalate_organisation_ids",
        "escalate_radius_m",
        "escalate_after_min",
        "covered_at",
    ):
        op.drop_column("callouts", column)
