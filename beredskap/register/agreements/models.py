"""Agreement and Commitment tables."""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from geoalchemy2 import WKBElement
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    and_,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from sqlalchemy.sql import ColumnElement

from beredskap.platform.audit.models import Audited
from beredskap.platform.columns import (
    Timestamped,
    Versioned,
    area_type,
    coerce_area,
    coerce_contacts,
    coerce_enum,
    enum_type,
    required_text,
)
from beredskap.platform.db import Base
from beredskap.platform.errors import N_, DomainValidationError
from beredskap.platform.privacy.declaration import DataClass, personal
from beredskap.register.inventory.models import ResourceType
from beredskap.register.organisations.models import Organisation
from beredskap.register.volunteers.models import QualificationType

MAX_COMMITTED = 100_000


class AgreementStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    TERMINATED = "terminated"


class AgreementTask(enum.StrEnum):
    EVACUATION = "evacuation"  # evakuering
    SEARCH = "search"  # søk
    FIRST_AID = "first_aid"  # førstehjelp
    CATERING = "catering"  # forpleining
    TRANSPORT = "transport"
    COMMUNICATIONS = "communications"  # samband
    PSYCHOSOCIAL_SUPPORT = "psychosocial_support"  # psykososial støtte
    RECEPTION_OF_EVACUEES = "reception_of_evacuees"  # mottak av evakuerte


class Agreement(Audited, Versioned, Timestamped, Base):
    """A formal preparedness agreement between the municipality and an organisation."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    reference: Mapped[str] = mapped_column(String(64), unique=True)  # saksnummer
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[AgreementStatus] = mapped_column(
        enum_type(AgreementStatus, "status"), default=AgreementStatus.DRAFT
    )
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)  # None: until terminated
    notice_period_days: Mapped[int | None] = mapped_column(Integer)
    annual_review_on: Mapped[date | None] = mapped_column(Date)
    tasks: Mapped[list[str]] = mapped_column(JSON, default=list)
    committed_mobilisation_minutes: Mapped[int | None] = mapped_column(Integer)
    callout_route: Mapped[str | None] = mapped_column(Text)  # how the organisation is alerted
    # Its place in the varslingsliste among the agreements for a task (1 first); None: after
    # those with a place, fastest committed mobilisation first.
    alert_order: Mapped[int | None] = mapped_column(Integer)
    # In the order of alerting: the first is the primary contact, the rest deputies.
    contacts: Mapped[list[dict[str, str]]] = mapped_column(
        JSON, default=list, info=personal(DataClass.CONTACT)
    )
    document_reference: Mapped[str | None] = mapped_column(String(300))
    payment_terms: Mapped[str | None] = mapped_column(Text)
    insurance_terms: Mapped[str | None] = mapped_column(Text)
    exercise_duty: Mapped[str | None] = mapped_column(Text)
    police_rescue_precedence: Mapped[bool] = mapped_column(Boolean, default=True)
    # Where the organisation has undertaken to serve (a MultiPolygon); None: the municipality.
    service_area: Mapped[WKBElement | None] = mapped_column(area_type())

    organisation: Mapped[Organisation] = relationship()
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(
            "valid_until IS NULL OR valid_until >= valid_from", name="valid_period_order"
        ),
        CheckConstraint(
            "committed_mobilisation_minutes IS NULL "
            "OR committed_mobilisation_minutes BETWEEN 0 AND 10080",
            name="mobilisation_minutes_range",
        ),
        CheckConstraint(
            "notice_period_days IS NULL OR notice_period_days BETWEEN 0 AND 3650",
            name="notice_period_range",
        ),
    )

    @validates("reference")
    def _validate_reference(self, _key: str, value: str) -> str:
        return required_text("reference", value, 64)

    @validates("service_area")
    def _validate_service_area(self, _key: str, value: Any) -> Any:
        return coerce_area("service_area", value)

    @validates("title")
    def _validate_title(self, _key: str, value: str) -> str:
        return required_text("title", value, 200)

    @validates("status")
    def _validate_status(self, _key: str, value: Any) -> AgreementStatus:
        return coerce_enum(AgreementStatus, "status", value)

    @hybrid_method
    def valid_on(self, day: date) -> bool:
        """Whether the day lies in the agreement's term (whatever its status); also SQL."""
        return self.valid_from <= day and (self.valid_until is None or self.valid_until >= day)

    @valid_on.expression  # type: ignore[no-redef]
    @classmethod
    def valid_on(cls, day: date) -> ColumnElement[bool]:
        return and_(cls.valid_from <= day, or_(cls.valid_until.is_(None), cls.valid_until >= day))

    @validates("valid_until")
    def _validate_valid_until(self, _key: str, value: date | None) -> date | None:
        if value is not None and self.valid_from is not None and value < self.valid_from:
            raise DomainValidationError("valid_until", N_("must not be before valid_from"))
        return value

    @validates("tasks")
    def _validate_tasks(self, _key: str, value: list[Any] | None) -> list[str]:
        tasks = [coerce_enum(AgreementTask, "tasks", task).value for task in value or []]
        return sorted(set(tasks))

    @validates("alert_order")
    def _validate_alert_order(self, _key: str, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 999:
            raise DomainValidationError(
                "alert_order", N_("a whole number from 1 to %(count)s"), count=999
            )
        return value

    @validates("committed_mobilisation_minutes")
    def _validate_minutes(self, _key: str, value: int | None) -> int | None:
        if value is not None and not 0 <= value <= 10080:
            raise DomainValidationError(
                "committed_mobilisation_minutes",
                N_("must be between %(low)s and %(high)s (one week)"),
                low=0,
                high=10080,
            )
        return value

    @validates("notice_period_days")
    def _validate_notice(self, _key: str, value: int | None) -> int | None:
        if value is not None and not 0 <= value <= 3650:
            raise DomainValidationError(
                "notice_period_days", N_("must be between %(low)s and %(high)s"), low=0, high=3650
            )
        return value

    @validates("contacts")
    def _validate_contacts(
        self, _key: str, value: list[dict[str, Any]] | None
    ) -> list[dict[str, str]]:
        return coerce_contacts("contacts", value)


class Commitment(Audited, Versioned, Timestamped, Base):
    """A capacity an agreement commits: a quantity of a resource type, or a number of
    volunteers holding a qualification."""

    __tablename__ = "agreement_commitments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    resource_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource_types.id", ondelete="RESTRICT")
    )
    qualification_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("qualification_types.id", ondelete="RESTRICT")
    )
    quantity: Mapped[int] = mapped_column(Integer)  # items, or number of volunteers

    agreement: Mapped[Agreement] = relationship(back_populates="commitments")
    resource_type: Mapped[ResourceType | None] = relationship()
    qualification_type: Mapped[QualificationType | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "(resource_type_id IS NULL) <> (qualification_type_id IS NULL)",
            name="resource_or_qualification",
        ),
        CheckConstraint(f"quantity BETWEEN 1 AND {MAX_COMMITTED}", name="quantity_range"),
    )

    @validates("quantity")
    def _validate_quantity(self, _key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise DomainValidationError("quantity", N_("must be a whole number"))
        if not 1 <= value <= MAX_COMMITTED:
            raise DomainValidationError(
                "quantity", N_("must be between %(low)s and %(high)s"), low=1, high=MAX_COMMITTED
            )
        return value
