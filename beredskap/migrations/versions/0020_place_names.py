"""Place names of the municipality from Sentralt stedsnavnregister (`beredskap import places`),
for the place search beside the addresses.

Revision ID: 0020_place_names
Revises: 0019_address_street_keys
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0020_place_names"
down_revision: str | None = "0019_address_street_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_geospatial_table(
        "place_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.BigInteger(), nullable=False),
        sa.Column("municipality_number", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("importance", sa.Integer(), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_names")),
        sa.UniqueConstraint("place_id", "name_key", name=op.f("uq_place_names_place_id")),
    )
    op.create_index(
        op.f("ix_place_names_municipality_number"),
        "place_names",
        ["municipality_number"],
        unique=False,
    )
    op.create_index(op.f("ix_place_names_name_key"), "place_names", ["name_key"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_place_names_name_key"), table_name="place_names")
    op.drop_index(op.f("ix_place_names_municipality_number"), table_name="place_names")
    op.drop_geospatial_table("place_names")
