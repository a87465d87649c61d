"""The place search's key of every address (`addresses.street_key`: the street folded as
typed, `register/addresses/folding.py`), indexed with the number.

Revision ID: 0019_address_street_keys
Revises: 0018_municipal_owner
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from beredskap.register.addresses.folding import fold

revision: str = "0019_address_street_keys"
down_revision: str | None = "0018_municipal_owner"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy: SpatiaLite keeps the table's geometry registered).
    op.add_column(
        "addresses",
        sa.Column("street_key", sa.String(length=200), server_default="", nullable=False),
    )
    op.create_index(
        "ix_addresses_street_key_number", "addresses", ["street_key", "number"], unique=False
    )
    # The keys of the addresses already imported (a re-import would also write them).
    connection = op.get_bind()
    streets = connection.execute(sa.text("SELECT DISTINCT street FROM addresses")).scalars()
    update = sa.text("UPDATE addresses SET street_key = :key WHERE street = :street")
    for street in list(streets):
        connection.execute(update, {"key": fold(street), "street": street})


def downgrade() -> None:
    op.drop_index("ix_addresses_street_key_number", table_name="addresses")
    op.drop_column("addresses", "street_key")
