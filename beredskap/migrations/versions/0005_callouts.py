"""Callouts, their needs and recipients (the SMS outbox).

Revision ID: 0005_callouts
Revises: 0004_agreement_service_areas
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0005_callouts"
down_revision: str | None = "0004_agreement_service_areas"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_geospatial_table(
        "callouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("exercise", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "active",
                "stopped",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "centre",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("radius_m", sa.Float(), nullable=False),
        sa.Column(
            "area",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("organisation_ids", sa.JSON(), nullable=False),
        sa.Column("wanted", sa.Integer(), nullable=True),
        sa.Column("thank_when_covered", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "radius_m > 0 AND radius_m <= 200000", name=op.f("ck_callouts_radius_range")
        ),
        sa.CheckConstraint(
            "wanted IS NULL OR wanted BETWEEN 1 AND 10000", name=op.f("ck_callouts_wanted_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callouts")),
    )
    op.create_geospatial_index(
        "idx_callouts_area",
        "callouts",
        ["area"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "idx_callouts_centre",
        "callouts",
        ["centre"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        "uq_callouts_open_code",
        "callouts",
        ["code"],
        unique=True,
        sqlite_where=sa.text("status != 'stopped'"),
        postgresql_where=sa.text("status != 'stopped'"),
    )
    op.create_table(
        "callout_needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("callout_id", sa.Integer(), nullable=False),
        sa.Column("qualification_type_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint("count BETWEEN 1 AND 10000", name=op.f("ck_callout_needs_count_range")),
        sa.ForeignKeyConstraint(
            ["callout_id"],
            ["callouts.id"],
            name=op.f("fk_callout_needs_callout_id_callouts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["qualification_type_id"],
            ["qualification_types.id"],
            name=op.f("fk_callout_needs_qualification_type_id_qualification_types"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callout_needs")),
        sa.UniqueConstraint(
            "callout_id", "qualification_type_id", name=op.f("uq_callout_needs_callout_id")
        ),
    )
    op.create_index(
        op.f("ix_callout_needs_callout_id"), "callout_needs", ["callout_id"], unique=False
    )
    op.create_table(
        "callout_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("callout_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=True),
        sa.Column("mobile", sa.String(length=20), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "planned",
                "queued",
                "sending",
                "sent",
                "delivered",
                "failed",
                "cancelled",
                name="state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("attempt_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_code", sa.String(length=32), nullable=True),
        sa.Column("error_reason", sa.String(length=300), nullable=True),
        sa.Column(
            "answer",
            sa.Enum(
                "yes", "no", name="answer", native_enum=False, create_constraint=True, length=32
            ),
            nullable=True,
        ),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("minutes_to_arrival", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["callout_id"],
            ["callouts.id"],
            name=op.f("fk_callout_recipients_callout_id_callouts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteers.id"],
            name=op.f("fk_callout_recipients_volunteer_id_volunteers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callout_recipients")),
        sa.UniqueConstraint(
            "callout_id", "volunteer_id", name=op.f("uq_callout_recipients_callout_id")
        ),
        sa.UniqueConstraint("provider_id", name=op.f("uq_callout_recipients_provider_id")),
    )
    op.create_index(
        "ix_callout_recipients_callout_id_state",
        "callout_recipients",
        ["callout_id", "state"],
        unique=False,
    )
    op.create_index(
        op.f("ix_callout_recipients_volunteer_id"),
        "callout_recipients",
        ["volunteer_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_callout_recipients_volunteer_id"), table_name="callout_recipients")
    op.drop_index("ix_callout_recipients_callout_id_state", table_name="callout_recipients")
    op.drop_table("callout_recipients")
    op.drop_index(op.f("ix_callout_needs_callout_id"), table_name="callout_needs")
    op.drop_table("callout_needs")
    op.drop_index(
        "uq_callouts_open_code",
        table_name="callouts",
        sqlite_where=sa.text("status != 'stopped'"),
        postgresql_where=sa.text("status != 'stopped'"),
    )
    op.drop_geospatial_index(
        "idx_callouts_centre", table_name="callouts", postgresql_using="gist", column_name="centre"
    )
    op.drop_geospatial_index(
        "idx_callouts_area", table_name="callouts", postgresql_using="gist", column_name="area"
    )
    op.drop_geospatial_table("callouts")
