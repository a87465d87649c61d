"""Enhetsregisteret: organisations' address and the register's flags; candidates.

Revision ID: 0014_enhetsregisteret
Revises: 0013_what_recipients_held
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_enhetsregisteret"
down_revision: str | None = "0013_what_recipients_held"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADDED = (
    "address",
    "postal_code",
    "postal_town",
    "bankrupt",
    "being_dissolved",
    "deleted_from_registry_on",
)


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy: SpatiaLite keeps home_base's spatial index).
    for column in (
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("postal_code", sa.String(length=4), nullable=True),
        sa.Column("postal_town", sa.String(length=100), nullable=True),
        sa.Column("bankrupt", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("being_dissolved", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("deleted_from_registry_on", sa.Date(), nullable=True),
    ):
        op.add_column("organisations", column)
    op.create_table(
        "organisation_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_number", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation_form", sa.String(length=10), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("postal_code", sa.String(length=4), nullable=True),
        sa.Column("postal_town", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_candidates")),
        sa.UniqueConstraint(
            "organisation_number", name=op.f("uq_organisation_candidates_organisation_number")
        ),
    )


def downgrade() -> None:
    op.drop_table("organisation_candidates")
    for column in ADDED:
        op.drop_column("organisations", column)
