"""Volunteer, Membership, QualificationType and VolunteerQualification tables.

Only the minimum personal data is kept: name, mobile, e-mail, qualifications as labels with
expiry, and a coarse home area (never an address, never health data).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from geoalchemy2 import WKBElement
from shapely.geometry import Point
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    and_,
    event,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship, validates
from sqlalchemy.sql import ColumnElement

from beredskap.platform.audit.models import Audited
from beredskap.platform.columns import (
    Timestamped,
    UtcDateTime,
    Versioned,
    catalogue_code,
    coerce_email,
    coerce_enum,
    coerce_point,
    enum_type,
    optional_text,
    point_type,
    required_text,
    utcnow,
)
from beredskap.platform.contact_details import normalise_mobile
from beredskap.platform.db import Base
from beredskap.platform.errors import N_, ConflictError, DomainValidationError
from beredskap.platform.privacy.declaration import (
    EMAIL,
    MOBILE,
    SUBJECT_ID,
    DataClass,
    identifies,
    personal,
)
from beredskap.register.organisations.models import Organisation

# Home points are snapped to this grid (about 550 m north-south, 280 m east-west at 60° N)
# so the register never holds a volunteer's exact address.
HOME_AREA_GRID_DEGREES = 0.005


class Availability(enum.StrEnum):
    AVAILABLE = "available"
    LIMITED = "limited"  # e.g. only evenings and weekends
    UNAVAILABLE = "unavailable"  # travelling, on leave


def coarse_home_area(value: Any) -> Any:
    """Snap a point to the home-area grid before it is validated and stored."""
    if isinstance(value, Point) and not value.is_empty:
        step = HOME_AREA_GRID_DEGREES
        return Point(round(value.x / step) * step, round(value.y / step) * step)
    return value


class Volunteer(Audited, Versioned, Timestamped, Base):
    """A person who can be called out by SMS."""

    __tablename__ = "volunteers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info=identifies(SUBJECT_ID))
    full_name: Mapped[str] = mapped_column(String(200), info=personal(DataClass.IDENTITY))
    mobile: Mapped[str] = mapped_column(
        String(20), unique=True, info=personal(DataClass.CONTACT, MOBILE)
    )
    email: Mapped[str | None] = mapped_column(String(254), info=personal(DataClass.CONTACT, EMAIL))
    home_area: Mapped[WKBElement | None] = mapped_column(
        point_type(), info=personal(DataClass.LOCATION)
    )
    availability: Mapped[Availability] = mapped_column(
        enum_type(Availability, "availability"), default=Availability.AVAILABLE
    )
    sms_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    sms_consent_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The day the volunteer last answered a contact check (their number reaches them), and
    # the day a message to the number last failed permanently (cleared by a later answer).
    contact_verified_on: Mapped[date | None] = mapped_column(Date)
    contact_failed_on: Mapped[date | None] = mapped_column(Date)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="volunteer", cascade="all, delete-orphan"
    )
    qualifications: Mapped[list[VolunteerQualification]] = relationship(
        back_populates="volunteer", cascade="all, delete-orphan"
    )
    consent_events: Mapped[list[ConsentEvent]] = relationship(
        back_populates="volunteer",
        cascade="all, delete-orphan",
        order_by="(ConsentEvent.occurred_at, ConsentEvent.id)",
    )

    @validates("full_name")
    def _validate_name(self, _key: str, value: str) -> str:
        return required_text("full_name", value, 200)

    @validates("mobile")
    def _validate_mobile(self, _key: str, value: str) -> str:
        if not isinstance(value, str):
            raise DomainValidationError("mobile", N_("a mobile number is required"))
        try:
            return normalise_mobile(value)
        except DomainValidationError as error:
            raise error.at("mobile") from None

    @validates("email")
    def _validate_email(self, _key: str, value: str | None) -> str | None:
        return coerce_email("email", value)

    @validates("home_area")
    def _validate_home_area(self, _key: str, value: Any) -> Any:
        return coerce_point("home_area", coarse_home_area(value))

    @validates("availability")
    def _validate_availability(self, _key: str, value: Any) -> Availability:
        return coerce_enum(Availability, "availability", value)

    @property
    def withdrew_by_sms(self) -> bool:
        """The last word on consent was the volunteer's own STOP."""
        last = self.consent_events[-1] if self.consent_events else None
        return last is not None and not last.given and last.channel is ConsentChannel.SMS

    def change_consent(self, given: bool, channel: ConsentChannel) -> None:
        """Give or withdraw SMS consent, saying how (a STOP or START by SMS, staff, an
        import): the change is recorded as an event."""
        self._consent_channel = channel
        try:
            self.sms_consent = given
        finally:
            del self._consent_channel

    @validates("sms_consent")
    def _record_consent_change(self, _key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise DomainValidationError("sms_consent", N_("must be true or false"))
        previous = self.sms_consent  # None while the object is new
        if (previous is None and value) or (previous is not None and previous != value):
            channel = getattr(self, "_consent_channel", ConsentChannel.STAFF)
            if value and channel is not ConsentChannel.SMS and self.withdrew_by_sms:
                # Only the volunteer may take back their own STOP.
                raise ConflictError(
                    N_(
                        "this volunteer withdrew consent by replying STOP; only the volunteer "
                        "can give it again, by replying START"
                    )
                )
            self.sms_consent_changed_at = utcnow()
            self.consent_events.append(
                ConsentEvent(given=value, channel=channel, occurred_at=self.sms_consent_changed_at)
            )
        return value


class ConsentChannel(enum.StrEnum):
    """How a consent change came: the volunteer's STOP or START by SMS, staff on the
    volunteer's word (a form or the API), or an import."""

    SMS = "sms"
    STAFF = "staff"
    IMPORT = "import"


class ConsentEvent(Base):
    """One change of a volunteer's SMS consent: given or withdrawn, when, how and by whom.
    The history is what the register can show for the consent it relies on (GDPR art. 7)."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers.id", ondelete="CASCADE"), index=True, info=identifies(SUBJECT_ID)
    )
    given: Mapped[bool] = mapped_column(Boolean)
    channel: Mapped[ConsentChannel] = mapped_column(enum_type(ConsentChannel, "channel"))
    actor: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())

    volunteer: Mapped[Volunteer] = relationship(back_populates="consent_events")


@event.listens_for(ConsentEvent, "before_insert")
def _consent_actor(_mapper: Any, _connection: Any, event_row: ConsentEvent) -> None:
    """Who changed it: the unit of work's actor (a user, "sms" for a reply)."""
    if not event_row.actor:
        session = object_session(event_row)
        event_row.actor = str((session.info.get("actor") if session else None) or "system")[:200]


class Membership(Audited, Timestamped, Base):
    """A volunteer's membership of an organisation (many to many)."""

    __tablename__ = "memberships"

    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers.id", ondelete="CASCADE"),
        primary_key=True,
        info=identifies(SUBJECT_ID),
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str | None] = mapped_column(String(100))  # e.g. lagleder, mannskap

    volunteer: Mapped[Volunteer] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship()

    @validates("role")
    def _validate_role(self, _key: str, value: str | None) -> str | None:
        return optional_text("role", value, 100)


class QualificationType(Audited, Versioned, Timestamped, Base):
    """A kind of qualification (førstehjelp, båtførerbevis ...): shipped catalogue, extensible."""

    __tablename__ = "qualification_types"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_nb: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    validity_months: Mapped[int | None] = mapped_column(Integer)  # None: does not expire
    shipped: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        CheckConstraint(
            "validity_months IS NULL OR validity_months BETWEEN 1 AND 600",
            name="validity_months_range",
        ),
    )

    @validates("code")
    def _validate_code(self, _key: str, value: str) -> str:
        return catalogue_code("code", value)

    @validates("name_nb", "name_en")
    def _validate_name(self, key: str, value: str) -> str:
        return required_text(key, value, 200)


class HeldOnDays:
    """A qualification's `obtained_on` .. `expires_on`, and the rule of when it counts."""

    if TYPE_CHECKING:  # the columns are each table's own (one indexes expires_on)
        obtained_on: Mapped[date | None]
        expires_on: Mapped[date | None]

    @hybrid_method
    def valid_on(self, day: date) -> bool:
        """Whether the qualification counts on that day: obtained by then and not expired.

        The one rule for search, coverage, counts and callouts (also usable in SQL): a course
        booked for next month is no qualification today.
        """
        return (self.obtained_on is None or self.obtained_on <= day) and (
            self.expires_on is None or self.expires_on >= day
        )

    @valid_on.expression  # type: ignore[no-redef]
    @classmethod
    def valid_on(cls, day: date) -> ColumnElement[bool]:
        return and_(
            or_(cls.obtained_on.is_(None), cls.obtained_on <= day),
            or_(cls.expires_on.is_(None), cls.expires_on >= day),
        )


class VolunteerQualification(HeldOnDays, Audited, Versioned, Timestamped, Base):
    """A volunteer holds a qualification, possibly until an expiry date."""

    __tablename__ = "volunteer_qualifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers.id", ondelete="CASCADE"), info=identifies(SUBJECT_ID)
    )
    qualification_type_id: Mapped[int] = mapped_column(
        ForeignKey("qualification_types.id", ondelete="RESTRICT")
    )
    obtained_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)

    volunteer: Mapped[Volunteer] = relationship(back_populates="qualifications")
    qualification_type: Mapped[QualificationType] = relationship()

    __table_args__ = (
        UniqueConstraint("volunteer_id", "qualification_type_id"),
        CheckConstraint(
            "expires_on IS NULL OR obtained_on IS NULL OR expires_on >= obtained_on",
            name="expires_after_obtained",
        ),
    )
