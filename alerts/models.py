"""Callout, CalloutNeed and CalloutRecipient tables: who is asked, and the outbox of SMS.

A recipient row is the unit of sending: the worker claims it, records the attempt before it
calls the gateway, then records the provider's id. Its state and answer are what the duty
officer watches.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from geoalchemy2 import WKBElement
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from beredskap.audit.models import Audited
from beredskap.columns import (
    Timestamped,
    UtcDateTime,
    Versioned,
    area_type,
    coerce_area,
    coerce_enum,
    coerce_point,
    enum_type,
    point_type,
    required_text,
)
from beredskap.db import Base
from beredskap.errors import DomainValidationError
from beredskap.volunteers.models import QualificationType, Volunteer

MAX_MESSAGE_LENGTH = 480  # the officer's text; prefixes and reply help come on top
MAX_RADIUS_M = 200_000
MAX_WANTED = 10_000


class CalloutStatus(enum.StrEnum):
    DRAFT = "draft"  # planned: recipients can be previewed, nothing is sent
    ACTIVE = "active"  # sent (or being sent); answers are collected
    STOPPED = "stopped"  # ended by the duty officer; late answers get a polite reply


class RecipientState(enum.StrEnum):
    PLANNED = "planned"  # in a draft: would be asked
    QUEUED = "queued"  # waiting for a worker
    SENDING = "sending"  # a worker recorded its attempt and is calling the gateway
    SENT = "sent"  # the gateway accepted it
    DELIVERED = "delivered"  # the carrier confirmed delivery
    FAILED = "failed"  # not delivered, with the reason
    CANCELLED = "cancelled"  # the callout was stopped before it was sent


class Answer(enum.StrEnum):
    YES = "yes"
    NO = "no"


OPEN_STATUSES = (CalloutStatus.DRAFT, CalloutStatus.ACTIVE)


class Callout(Audited, Versioned, Timestamped, Base):
    """A request to volunteers to turn out: where, what is needed, and whom to ask."""

    __tablename__ = "callouts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Short code that replies may start with ("B7 JA"); unique among open callouts.
    code: Mapped[str] = mapped_column(String(4))
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    exercise: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[CalloutStatus] = mapped_column(
        enum_type(CalloutStatus, "status"), default=CalloutStatus.DRAFT
    )
    centre: Mapped[WKBElement] = mapped_column(point_type(), nullable=False)
    radius_m: Mapped[float] = mapped_column(Float)
    area: Mapped[WKBElement | None] = mapped_column(area_type())
    organisation_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    wanted: Mapped[int | None] = mapped_column(Integer)  # None: the sum of the needs
    thank_when_covered: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    needs: Mapped[list[CalloutNeed]] = relationship(
        back_populates="callout", cascade="all, delete-orphan", order_by="CalloutNeed.id"
    )
    recipients: Mapped[list[CalloutRecipient]] = relationship(
        back_populates="callout", cascade="all, delete-orphan", order_by="CalloutRecipient.id"
    )

    __table_args__ = (
        CheckConstraint(f"radius_m > 0 AND radius_m <= {MAX_RADIUS_M}", name="radius_range"),
        CheckConstraint(
            f"wanted IS NULL OR wanted BETWEEN 1 AND {MAX_WANTED}", name="wanted_range"
        ),
        Index(
            "uq_callouts_open_code",
            "code",
            unique=True,
            sqlite_where=text("status != 'stopped'"),
            postgresql_where=text("status != 'stopped'"),
        ),
    )

    @validates("title")
    def _validate_title(self, _key: str, value: str) -> str:
        return required_text("title", value, 200)

    @validates("message")
    def _validate_message(self, _key: str, value: str) -> str:
        return required_text("message", value, MAX_MESSAGE_LENGTH)

    @validates("status")
    def _validate_status(self, _key: str, value: Any) -> CalloutStatus:
        return coerce_enum(CalloutStatus, "status", value)

    @validates("centre")
    def _validate_centre(self, _key: str, value: Any) -> Any:
        if value is None:
            raise DomainValidationError("centre", "a callout needs a place")
        return coerce_point("centre", value)

    @validates("area")
    def _validate_area(self, _key: str, value: Any) -> Any:
        return coerce_area("area", value)

    @validates("radius_m")
    def _validate_radius(self, _key: str, value: float) -> float:
        if not 0 < value <= MAX_RADIUS_M:
            raise DomainValidationError("radius_m", f"must be above 0 and at most {MAX_RADIUS_M}")
        return value

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CalloutNeed(Base):
    """How many volunteers holding a qualification the callout needs."""

    __tablename__ = "callout_needs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    callout_id: Mapped[int] = mapped_column(
        ForeignKey("callouts.id", ondelete="CASCADE"), index=True
    )
    qualification_type_id: Mapped[int] = mapped_column(
        ForeignKey("qualification_types.id", ondelete="RESTRICT")
    )
    count: Mapped[int] = mapped_column(Integer)

    callout: Mapped[Callout] = relationship(back_populates="needs")
    qualification_type: Mapped[QualificationType] = relationship()

    __table_args__ = (
        UniqueConstraint("callout_id", "qualification_type_id"),
        CheckConstraint(f"count BETWEEN 1 AND {MAX_WANTED}", name="count_range"),
    )


class CalloutRecipient(Timestamped, Base):
    """One volunteer asked by one callout: the outbox row and, later, the answer.

    Not audited row by row: a callout to hundreds would flood the audit log, and the row
    itself is the record (who, when sent, delivered, answered). The mobile is kept as it was
    when asked, so the record stands if the volunteer later changes or leaves.
    """

    __tablename__ = "callout_recipients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    callout_id: Mapped[int] = mapped_column(ForeignKey("callouts.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("volunteers.id", ondelete="SET NULL"), index=True
    )
    mobile: Mapped[str] = mapped_column(String(20))
    distance_m: Mapped[float] = mapped_column(Float)
    state: Mapped[RecipientState] = mapped_column(
        enum_type(RecipientState, "state"), default=RecipientState.PLANNED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    attempt_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    provider_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    error_code: Mapped[str | None] = mapped_column(String(32))
    error_reason: Mapped[str | None] = mapped_column(String(300))
    answer: Mapped[Answer | None] = mapped_column(enum_type(Answer, "answer"))
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    minutes_to_arrival: Mapped[int | None] = mapped_column(Integer)

    callout: Mapped[Callout] = relationship(back_populates="recipients")
    volunteer: Mapped[Volunteer | None] = relationship()

    __table_args__ = (
        UniqueConstraint("callout_id", "volunteer_id"),
        Index("ix_callout_recipients_callout_id_state", "callout_id", "state"),
    )
