"""The municipality as an owner, its crisis roles, and the varslingsliste's order:
organisations.municipal marks one of the municipality's own services (owner of sites and
equipment, not a voluntary organisation); crisis_roles holds the roles of its crisis management
with their people; agreements.alert_order places an agreement among those for a task.

Revision ID: 0018_municipal_owner
Revises: 0017_contact_checks
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from beredskap.platform.columns import UtcDateTime

revision: str = "0018_municipal_owner"
down_revision: str | None = "0017_contact_checks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy: SpatiaLite keeps the table's spatial index).
    op.add_column(
        "organisations",
        sa.Column("municipal", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # The range (1-999) is the model's to check: a CHECK would copy the table on SQLite.
    op.add_column("agreements", sa.Column("alert_order", sa.Integer(), nullable=True))
    op.create_table(
        "crisis_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("duties", sa.Text(), nullable=True),
        sa.Column("holders", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "position BETWEEN 1 AND 999", name=op.f("ck_crisis_roles_position_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crisis_roles")),
        sa.UniqueConstraint("title", name=op.f("uq_crisis_roles_title")),
    )


def downgrade() -> None:
    op.drop_table("crisis_roles")
    op.drop_column("agreements", "alert_order")
    op.drop_column("organisations", "municipal")
