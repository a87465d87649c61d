"""Contact checks: the table of checks asked of volunteers, and the reply log's outcome of an
answer to one (`contact_checked`).

The reply log's outcome is a portable enum (VARCHAR with a CHECK constraint): its constraint
is made again with the new value. On SQLite that is a table copy (inbound_sms has no
geometry column, so nothing spatial is lost).

Revision ID: 0017_contact_checks
Revises: 0016_readiness
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from beredskap.platform.columns import UtcDateTime

revision: str = "0017_contact_checks"
down_revision: str | None = "0016_readiness"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTCOMES = (
    "answered",
    "opted_out",
    "opted_in",
    "help",
    "no_open_callout",
    "unknown_code",
    "unknown_number",
    "unparseable",
)
CONTACT_CHECKED = "contact_checked"
OUTCOME_CONSTRAINT = "ck_inbound_sms_outcome"


def _outcome_check(values: Sequence[str]) -> str:
    return "outcome IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _set_outcomes(values: Sequence[str]) -> None:
    with op.batch_alter_table("inbound_sms", recreate="auto") as batch:
        batch.drop_constraint(op.f(OUTCOME_CONSTRAINT), type_="check")
        batch.create_check_constraint(op.f(OUTCOME_CONSTRAINT), sa.text(_outcome_check(values)))


def upgrade() -> None:
    op.create_table(
        "contact_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=True),
        sa.Column("mobile", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("asked_on", sa.Date(), nullable=False),
        sa.Column("asked_at", UtcDateTime(), nullable=False),
        sa.Column("answered_at", UtcDateTime(), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteers.id"],
            name=op.f("fk_contact_checks_volunteer_id_volunteers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outgoing_messages.id"],
            name=op.f("fk_contact_checks_message_id_outgoing_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_checks")),
        sa.UniqueConstraint(
            "volunteer_id", "asked_on", name=op.f("uq_contact_checks_volunteer_id")
        ),
    )
    op.create_index("ix_contact_checks_mobile_asked_at", "contact_checks", ["mobile", "asked_at"])
    op.create_index(op.f("ix_contact_checks_message_id"), "contact_checks", ["message_id"])
    _set_outcomes((*OUTCOMES, CONTACT_CHECKED))


def downgrade() -> None:
    # Answers to checks leave the log with the table their outcome names.
    op.execute(
        sa.text("DELETE FROM inbound_sms WHERE outcome = :value").bindparams(value=CONTACT_CHECKED)
    )
    _set_outcomes(OUTCOMES)
    op.drop_index(op.f("ix_contact_checks_message_id"), table_name="contact_checks")
    op.drop_index("ix_contact_checks_mobile_asked_at", table_name="contact_checks")
    op.drop_table("contact_checks")
