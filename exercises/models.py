"""Exercise tables: the exercise, who takes part, reminders sent, lessons learned, feeds.

Times are stored in UTC (`UtcDateTime`) and shown in Europe/Oslo. An exercise of a
recurring series (`ExerciseSeries`, an RFC 5545 RRULE in Europe/Oslo wall time) is an
ordinary row with `series_id` and `occurrence_start` (the RECURRENCE-ID): each occurrence
can be moved, cancelled and evaluated on its own.

An alert drill (`ExerciseType.ALERT_DRILL`) carries what its exercise callout will ask
(`drill_*`); the scheduler starts that callout at `starts_at` and stops it at `ends_at`,
and `callout_id` links the two for the live view and the evaluation.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from geoalchemy2 import WKBElement
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from alerts.models import Callout
from beredskap.platform.audit.models import Audited
from beredskap.platform.columns import (
    Timestamped,
    UtcDateTime,
    Versioned,
    area_type,
    coerce_area,
    coerce_enum,
    coerce_point,
    enum_type,
    optional_text,
    point_type,
    required_text,
)
from beredskap.platform.db import Base
from beredskap.platform.privacy.declaration import SUBJECT_ID, identifies
from beredskap.register.agreements.models import Agreement
from beredskap.register.organisations.models import Organisation, Site
from beredskap.register.volunteers.models import Volunteer

MAX_TITLE = 200
MAX_TEXT = 4000
MAX_RRULE = 500


class ExerciseType(enum.StrEnum):
    ALERT_DRILL = "alert_drill"  # varslingsøvelse: an exercise callout by SMS
    TABLETOP = "tabletop"  # diskusjonsøvelse
    FUNCTIONAL = "functional"  # funksjonsøvelse
    FULL_SCALE = "full_scale"  # fullskalaøvelse


class ExerciseStatus(enum.StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ReminderChannel(enum.StrEnum):
    SMS = "sms"
    EMAIL = "email"


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


# Who takes part: plain link tables (the exercise row's audit entry names the change).
exercise_organisations = Table(
    "exercise_organisations",
    Base.metadata,
    Column("exercise_id", ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "organisation_id",
        ForeignKey("organisations.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)
exercise_agreements = Table(
    "exercise_agreements",
    Base.metadata,
    Column("exercise_id", ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "agreement_id",
        ForeignKey("agreements.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)
exercise_volunteers = Table(
    "exercise_volunteers",
    Base.metadata,
    Column("exercise_id", ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "volunteer_id",
        ForeignKey("volunteers.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
        info=identifies(SUBJECT_ID),
    ),
)
exercise_sites = Table(
    "exercise_sites",
    Base.metadata,
    Column("exercise_id", ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ExerciseSeries(Audited, Versioned, Timestamped, Base):
    """A routine drill that recurs: an RFC 5545 RRULE over Europe/Oslo wall time.

    `first_starts_at` is DTSTART (UTC; its Oslo wall time is what recurs) and
    `duration_min` every occurrence's length. Occurrences are materialised as exercises a
    horizon ahead, so each can be changed or cancelled alone.
    """

    __tablename__ = "exercise_series"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rrule: Mapped[str] = mapped_column(String(MAX_RRULE))
    first_starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    duration_min: Mapped[int] = mapped_column(Integer)
    # Occurrences exist up to here; the scheduler's sync extends it.
    materialised_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(200))

    __table_args__ = (CheckConstraint("duration_min BETWEEN 1 AND 20160", name="duration_range"),)


class Exercise(Audited, Versioned, Timestamped, Base):
    """One exercise: what, when (UTC), where, who, and how it went."""

    __tablename__ = "exercises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    type: Mapped[ExerciseType] = mapped_column(enum_type(ExerciseType, "type"))
    scenario: Mapped[str | None] = mapped_column(Text)
    objectives: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    place: Mapped[WKBElement | None] = mapped_column(point_type())
    area: Mapped[WKBElement | None] = mapped_column(area_type())
    status: Mapped[ExerciseStatus] = mapped_column(
        enum_type(ExerciseStatus, "status"), default=ExerciseStatus.PLANNED, index=True
    )
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("exercise_series.id", ondelete="SET NULL"), index=True
    )
    # RECURRENCE-ID: the occurrence's start as the rule computed it (moving it keeps this).
    occurrence_start: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Minutes before the start at which participants are reminded (e.g. [10080, 1440]).
    reminder_offsets_min: Mapped[list[int]] = mapped_column(JSON, default=list)

    # An alert drill's callout: its text, reach and needs ([{"qualification", "count"}]).
    drill_message: Mapped[str | None] = mapped_column(Text)
    drill_radius_m: Mapped[float | None] = mapped_column(Float)
    drill_needs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    drill_wanted: Mapped[int | None] = mapped_column(Integer)
    callout_id: Mapped[int | None] = mapped_column(
        ForeignKey("callouts.id", ondelete="SET NULL"), unique=True
    )

    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    # The evaluation is done when this is set (with its summary); overdue 30 days after end.
    evaluated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    evaluation_summary: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))

    organisations: Mapped[list[Organisation]] = relationship(
        secondary=exercise_organisations, order_by="Organisation.id"
    )
    agreements: Mapped[list[Agreement]] = relationship(
        secondary=exercise_agreements, order_by="Agreement.id"
    )
    volunteers: Mapped[list[Volunteer]] = relationship(
        secondary=exercise_volunteers, order_by="Volunteer.id"
    )
    sites: Mapped[list[Site]] = relationship(secondary=exercise_sites, order_by="Site.id")
    series: Mapped[ExerciseSeries | None] = relationship()
    callout: Mapped[Callout | None] = relationship()
    observations: Mapped[list[Observation]] = relationship(
        back_populates="exercise", cascade="all, delete-orphan", order_by="Observation.id"
    )
    actions: Mapped[list[FollowUpAction]] = relationship(
        back_populates="exercise", cascade="all, delete-orphan", order_by="FollowUpAction.id"
    )

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "drill_radius_m IS NULL OR (drill_radius_m > 0 AND drill_radius_m <= 200000)",
            name="drill_radius_range",
        ),
        UniqueConstraint("series_id", "occurrence_start"),
    )

    @validates("title")
    def _validate_title(self, _key: str, value: str) -> str:
        return required_text("title", value, MAX_TITLE)

    @validates("scenario", "objectives", "evaluation_summary")
    def _validate_long_text(self, key: str, value: str | None) -> str | None:
        return optional_text(key, value, MAX_TEXT)

    @validates("type")
    def _validate_type(self, _key: str, value: Any) -> ExerciseType:
        return coerce_enum(ExerciseType, "type", value)

    @validates("status")
    def _validate_status(self, _key: str, value: Any) -> ExerciseStatus:
        return coerce_enum(ExerciseStatus, "status", value)

    @validates("place")
    def _validate_place(self, _key: str, value: Any) -> Any:
        return coerce_point("place", value)

    @validates("area")
    def _validate_area(self, _key: str, value: Any) -> Any:
        return coerce_area("area", value)


class ExerciseReminder(Base):
    """A reminder queued for one participant, once per exercise, offset and channel.

    The unique key is what makes a reminder go out once even when its job fires twice
    (APScheduler's cron trigger does, on the October night) or two schedulers overlap.
    """

    __tablename__ = "exercise_reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers.id", ondelete="CASCADE"), index=True, info=identifies(SUBJECT_ID)
    )
    offset_min: Mapped[int] = mapped_column(Integer)
    channel: Mapped[ReminderChannel] = mapped_column(enum_type(ReminderChannel, "channel"))
    # The outbox row that carries it (alerts.models.OutgoingMessage).
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outgoing_messages.id", ondelete="SET NULL")
    )
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (UniqueConstraint("exercise_id", "volunteer_id", "offset_min", "channel"),)


class Observation(Audited, Versioned, Timestamped, Base):
    """Something learned in an exercise (what worked, what did not)."""

    __tablename__ = "exercise_observations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("exercises.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))

    exercise: Mapped[Exercise] = relationship(back_populates="observations")

    @validates("text")
    def _validate_text(self, _key: str, value: str) -> str:
        return required_text("text", value, MAX_TEXT)


class FollowUpAction(Audited, Versioned, Timestamped, Base):
    """What will be done about an observation, by whom and by when; open until closed."""

    __tablename__ = "exercise_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("exercises.id", ondelete="CASCADE"), index=True
    )
    observation_id: Mapped[int | None] = mapped_column(
        ForeignKey("exercise_observations.id", ondelete="SET NULL")
    )
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[ActionStatus] = mapped_column(
        enum_type(ActionStatus, "status"), default=ActionStatus.OPEN, index=True
    )
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closing_note: Mapped[str | None] = mapped_column(Text)

    exercise: Mapped[Exercise] = relationship(back_populates="actions")

    @validates("description")
    def _validate_description(self, _key: str, value: str) -> str:
        return required_text("description", value, MAX_TEXT)

    @validates("owner")
    def _validate_owner(self, _key: str, value: str) -> str:
        return required_text("owner", value, 200)

    @validates("status")
    def _validate_status(self, _key: str, value: Any) -> ActionStatus:
        return coerce_enum(ActionStatus, "status", value)


class CalendarFeedToken(Audited, Base):
    """A user's read-only token for calendar clients (the .ics URL); only its SHA-256 is kept.

    It opens the exercise feed and nothing else; revoking deletes the row.
    """

    __tablename__ = "calendar_feed_tokens"
    __audit_exclude__ = frozenset({"token_hash", "last_used_at"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
