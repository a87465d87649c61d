"""When a user was disabled: `users.disabled_at`.

`beredskap user disable` and `POST /api/v1/users/{id}/disable` set `active` to false (which
already shut every credential of the user) and note the time, so a leaver's cut-off is on
record beside the audit trail's entry.

Revision ID: 0011_user_disabled_at
Revises: 0010_scheduled_job_references
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from beredskap.platform.columns import UtcDateTime

revision: str = "0011_user_disabled_at"
down_revision: str | None = "0010_scheduled_job_references"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("disabled_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "disabled_at")
