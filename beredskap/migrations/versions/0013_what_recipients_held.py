"""What each callout recipient held when asked: needed qualifications and organisations.

Backfilled from the register as it is now (the best record there is of older callouts).

Revision ID: 0013_what_recipients_held
Revises: 0012_consent_events
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_what_recipients_held"
down_revision: str | None = "0012_consent_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "callout_recipient_qualifications",
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("qualification_type_id", sa.Integer(), nullable=False),
        sa.Column("obtained_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["callout_recipients.id"],
            name=op.f("fk_callout_recipient_qualifications_recipient_id_callout_recipients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["qualification_type_id"],
            ["qualification_types.id"],
            name=op.f(
                "fk_callout_recipient_qualifications_qualification_type_id_qualification_types"
            ),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "recipient_id",
            "qualification_type_id",
            name=op.f("pk_callout_recipient_qualifications"),
        ),
    )
    op.create_table(
        "callout_recipient_organisations",
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["callout_recipients.id"],
            name=op.f("fk_callout_recipient_organisations_recipient_id_callout_recipients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_callout_recipient_organisations_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "recipient_id", "organisation_id", name=op.f("pk_callout_recipient_organisations")
        ),
    )
    op.create_index(
        op.f("ix_callout_recipient_organisations_organisation_id"),
        "callout_recipient_organisations",
        ["organisation_id"],
    )
    op.execute(
        "INSERT INTO callout_recipient_qualifications"
        " (recipient_id, qualification_type_id, obtained_on, expires_on)"
        " SELECT r.id, q.qualification_type_id, q.obtained_on, q.expires_on"
        " FROM callout_recipients r"
        " JOIN volunteer_qualifications q ON q.volunteer_id = r.volunteer_id"
        " JOIN callout_needs n ON n.callout_id = r.callout_id"
        " AND n.qualification_type_id = q.qualification_type_id"
    )
    op.execute(
        "INSERT INTO callout_recipient_organisations (recipient_id, organisation_id)"
        " SELECT r.id, m.organisation_id FROM callout_recipients r"
        " JOIN memberships m ON m.volunteer_id = r.volunteer_id"
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_callout_recipient_organisations_organisation_id"),
        table_name="callout_recipient_organisations",
    )
    op.drop_table("callout_recipient_organisations")
    op.drop_table("callout_recipient_qualifications")
