"""Exercises: planning, recurring series, participants, reminders (and the outbox rows that
carry them), lessons learned, calendar feed tokens, and APScheduler's job store table.

Revision ID: 0008_exercises
Revises: 0007_worker_heartbeats
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

from beredskap.platform.columns import UtcDateTime

revision: str = "0008_exercises"
down_revision: str | None = "0007_worker_heartbeats"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.String(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apscheduler_jobs")),
    )
    op.create_index(
        op.f("ix_apscheduler_jobs_next_run_time"),
        "apscheduler_jobs",
        ["next_run_time"],
        unique=False,
    )
    op.create_table(
        "exercise_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rrule", sa.String(length=500), nullable=False),
        sa.Column("first_starts_at", UtcDateTime(), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("materialised_until", UtcDateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "duration_min BETWEEN 1 AND 20160", name=op.f("ck_exercise_series_duration_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_series")),
    )
    op.create_table(
        "outgoing_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "sms", "email", name="channel", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("to", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
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
        sa.Column("attempt_started_at", UtcDateTime(), nullable=True),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=True),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("error_code", sa.String(length=32), nullable=True),
        sa.Column("error_reason", sa.String(length=300), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_messages")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outgoing_messages_dedupe_key")),
        sa.UniqueConstraint("provider_id", name=op.f("uq_outgoing_messages_provider_id")),
    )
    op.create_index("ix_outgoing_messages_state", "outgoing_messages", ["state"], unique=False)
    op.create_table(
        "calendar_feed_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("last_used_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_feed_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_tokens_token_hash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feed_tokens_user_id")),
    )
    op.create_geospatial_table(
        "exercises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "alert_drill",
                "tabletop",
                "functional",
                "full_scale",
                name="type",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("scenario", sa.Text(), nullable=True),
        sa.Column("objectives", sa.Text(), nullable=True),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.Column(
            "place",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
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
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "running",
                "completed",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("occurrence_start", UtcDateTime(), nullable=True),
        sa.Column("reminder_offsets_min", sa.JSON(), nullable=False),
        sa.Column("drill_message", sa.Text(), nullable=True),
        sa.Column("drill_radius_m", sa.Float(), nullable=True),
        sa.Column("drill_needs", sa.JSON(), nullable=False),
        sa.Column("drill_wanted", sa.Integer(), nullable=True),
        sa.Column("callout_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", UtcDateTime(), nullable=True),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.Column("evaluated_at", UtcDateTime(), nullable=True),
        sa.Column("evaluation_summary", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "drill_radius_m IS NULL OR (drill_radius_m > 0 AND drill_radius_m <= 200000)",
            name=op.f("ck_exercises_drill_radius_range"),
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_exercises_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["callout_id"],
            ["callouts.id"],
            name=op.f("fk_exercises_callout_id_callouts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["exercise_series.id"],
            name=op.f("fk_exercises_series_id_exercise_series"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercises")),
        sa.UniqueConstraint("callout_id", name=op.f("uq_exercises_callout_id")),
        sa.UniqueConstraint("series_id", "occurrence_start", name=op.f("uq_exercises_series_id")),
    )
    op.create_geospatial_index(
        "idx_exercises_area",
        "exercises",
        ["area"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "idx_exercises_place",
        "exercises",
        ["place"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_exercises_ends_at"), "exercises", ["ends_at"], unique=False)
    op.create_index(op.f("ix_exercises_series_id"), "exercises", ["series_id"], unique=False)
    op.create_index(op.f("ix_exercises_starts_at"), "exercises", ["starts_at"], unique=False)
    op.create_index(op.f("ix_exercises_status"), "exercises", ["status"], unique=False)
    op.create_table(
        "exercise_agreements",
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_exercise_agreements_agreement_id_agreements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_agreements_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("exercise_id", "agreement_id", name=op.f("pk_exercise_agreements")),
    )
    op.create_index(
        op.f("ix_exercise_agreements_agreement_id"),
        "exercise_agreements",
        ["agreement_id"],
        unique=False,
    )
    op.create_table(
        "exercise_observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_observations_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_observations")),
    )
    op.create_index(
        op.f("ix_exercise_observations_exercise_id"),
        "exercise_observations",
        ["exercise_id"],
        unique=False,
    )
    op.create_table(
        "exercise_organisations",
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_organisations_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_exercise_organisations_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "exercise_id", "organisation_id", name=op.f("pk_exercise_organisations")
        ),
    )
    op.create_index(
        op.f("ix_exercise_organisations_organisation_id"),
        "exercise_organisations",
        ["organisation_id"],
        unique=False,
    )
    op.create_table(
        "exercise_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("offset_min", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "sms", "email", name="channel", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("queued_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_reminders_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outgoing_messages.id"],
            name=op.f("fk_exercise_reminders_message_id_outgoing_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteers.id"],
            name=op.f("fk_exercise_reminders_volunteer_id_volunteers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_reminders")),
        sa.UniqueConstraint(
            "exercise_id",
            "volunteer_id",
            "offset_min",
            "channel",
            name=op.f("uq_exercise_reminders_exercise_id"),
        ),
    )
    op.create_index(
        op.f("ix_exercise_reminders_volunteer_id"),
        "exercise_reminders",
        ["volunteer_id"],
        unique=False,
    )
    op.create_table(
        "exercise_sites",
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_sites_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_exercise_sites_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("exercise_id", "site_id", name=op.f("pk_exercise_sites")),
    )
    op.create_index(op.f("ix_exercise_sites_site_id"), "exercise_sites", ["site_id"], unique=False)
    op.create_table(
        "exercise_volunteers",
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_volunteers_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteers.id"],
            name=op.f("fk_exercise_volunteers_volunteer_id_volunteers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("exercise_id", "volunteer_id", name=op.f("pk_exercise_volunteers")),
    )
    op.create_index(
        op.f("ix_exercise_volunteers_volunteer_id"),
        "exercise_volunteers",
        ["volunteer_id"],
        unique=False,
    )
    op.create_table(
        "exercise_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "closed",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_actions_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["exercise_observations.id"],
            name=op.f("fk_exercise_actions_observation_id_exercise_observations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_actions")),
    )
    op.create_index(
        op.f("ix_exercise_actions_due_on"), "exercise_actions", ["due_on"], unique=False
    )
    op.create_index(
        op.f("ix_exercise_actions_exercise_id"), "exercise_actions", ["exercise_id"], unique=False
    )
    op.create_index(
        op.f("ix_exercise_actions_status"), "exercise_actions", ["status"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_exercise_actions_status"), table_name="exercise_actions")
    op.drop_index(op.f("ix_exercise_actions_exercise_id"), table_name="exercise_actions")
    op.drop_index(op.f("ix_exercise_actions_due_on"), table_name="exercise_actions")
    op.drop_table("exercise_actions")
    op.drop_index(op.f("ix_exercise_volunteers_volunteer_id"), table_name="exercise_volunteers")
    op.drop_table("exercise_volunteers")
    op.drop_index(op.f("ix_exercise_sites_site_id"), table_name="exercise_sites")
    op.drop_table("exercise_sites")
    op.drop_index(op.f("ix_exercise_reminders_volunteer_id"), table_name="exercise_reminders")
    op.drop_table("exercise_reminders")
    op.drop_index(
        op.f("ix_exercise_organisations_organisation_id"), table_name="exercise_organisations"
    )
    op.drop_table("exercise_organisations")
    op.drop_index(op.f("ix_exercise_observations_exercise_id"), table_name="exercise_observations")
    op.drop_table("exercise_observations")
    op.drop_index(op.f("ix_exercise_agreements_agreement_id"), table_name="exercise_agreements")
    op.drop_table("exercise_agreements")
    op.drop_index(op.f("ix_exercises_status"), table_name="exercises")
    op.drop_index(op.f("ix_exercises_starts_at"), table_name="exercises")
    op.drop_index(op.f("ix_exercises_series_id"), table_name="exercises")
    op.drop_index(op.f("ix_exercises_ends_at"), table_name="exercises")
    op.drop_geospatial_index(
        "idx_exercises_place", table_name="exercises", postgresql_using="gist", column_name="place"
    )
    op.drop_geospatial_index(
        "idx_exercises_area", table_name="exercises", postgresql_using="gist", column_name="area"
    )
    op.drop_geospatial_table("exercises")
    op.drop_table("calendar_feed_tokens")
    op.drop_index("ix_outgoing_messages_state", table_name="outgoing_messages")
    op.drop_table("outgoing_messages")
    op.drop_table("exercise_series")
    op.drop_index(op.f("ix_apscheduler_jobs_next_run_time"), table_name="apscheduler_jobs")
    op.drop_table("apscheduler_jobs")
