"""Agreements get a service area (MultiPolygon, spatially indexed).

Revision ID: 0004_agreement_service_areas
Revises: 0003_users_sessions_tokens
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0004_agreement_service_areas"
down_revision: str | None = "0003_users_sessions_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_geospatial_column(
        "agreements",
        sa.Column(
            "service_area",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
    )
    op.create_geospatial_index(
        "idx_agreements_service_area",
        "agreements",
        ["service_area"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )


def downgrade() -> None:
    op.drop_geospatial_index(
        "idx_agreements_service_area",
        table_name="agreements",
        postgresql_using="gist",
        column_name="service_area",
    )
    if op.get_bind().dialect.name == "sqlite":
        # SpatiaLite guards the column with triggers that a plain DROP COLUMN trips over, and
        # disabling the index leaves its R-tree table behind.
        op.execute("SELECT DiscardGeometryColumn('agreements', 'service_area')")
        op.execute("DROP TABLE IF EXISTS idx_agreements_service_area")
    op.drop_geospatial_column("agreements", "service_area")
