"""Voice fallback for the escalation step: `escalate_voice_after_min` on callouts.

Revision ID: 0023_escalation_voice
Revises: 0022_voice_calls
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_escalation_voice"
down_revision: str | None = "0022_voice_calls"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, nullable (callouts has geometry: no batch copy). None: those the
    # escalation asks are called after the callout's own voice_after_min.
    op.add_column("callouts", sa.Column("escalate_voice_after_min", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("callouts", "escalate_voice_after_min")
