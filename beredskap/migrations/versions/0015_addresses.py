"""Kartverket's addresses of the municipality, to place a site by its address.

Revision ID: 0015_addresses
Revises: 0014_enhetsregisteret
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0015_addresses"
down_revision: str | None = "0014_enhetsregisteret"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_geospatial_table(
        "addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address_id", sa.BigInteger(), nullable=False),
        sa.Column("municipality_number", sa.String(length=4), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("letter", sa.String(length=4), nullable=False),
        sa.Column("postal_code", sa.String(length=4), nullable=True),
        sa.Column("postal_town", sa.String(length=100), nullable=True),
        sa.Column("search_key", sa.String(length=220), nullable=False),
        sa.Column(
            "point",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addresses")),
        sa.UniqueConstraint("address_id", name=op.f("uq_addresses_address_id")),
    )
    op.create_index(
        op.f("ix_addresses_municipality_number"),
        "addresses",
        ["municipality_number"],
        unique=False,
    )
    op.create_index(op.f("ix_addresses_search_key"), "addresses", ["search_key"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_addresses_search_key"), table_name="addresses")
    op.drop_index(op.f("ix_addresses_municipality_number"), table_name="addresses")
    op.drop_geospatial_table("addresses")
