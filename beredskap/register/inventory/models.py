"""ResourceType and Equipment tables."""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from beredskap.platform.audit.models import Audited
from beredskap.platform.columns import (
    Timestamped,
    Versioned,
    catalogue_code,
    coerce_enum,
    enum_type,
    optional_text,
    required_text,
)
from beredskap.platform.db import Base
from beredskap.platform.errors import N_, DomainValidationError
from beredskap.register.organisations.models import Organisation, Site

MAX_QUANTITY = 1_000_000


class Capability(enum.StrEnum):
    TRANSPORT = "transport"
    SHELTER = "shelter"
    POWER = "power"
    MEDICAL = "medical"
    COMMS = "comms"
    WATER = "water"
    FOOD = "food"
    RESCUE = "rescue"


class EquipmentStatus(enum.StrEnum):
    READY = "ready"
    IN_USE = "in_use"
    MAINTENANCE = "maintenance"
    OUT_OF_SERVICE = "out_of_service"


class ResourceType(Audited, Versioned, Timestamped, Base):
    """A kind of resource (ATV, aggregat, feltsenger ...): shipped catalogue, extensible."""

    __tablename__ = "resource_types"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_nb: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    capability: Mapped[Capability] = mapped_column(enum_type(Capability, "capability"), index=True)
    unit: Mapped[str] = mapped_column(String(32))  # stk, liter, sett, meter, porsjoner
    shipped: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @validates("code")
    def _validate_code(self, _key: str, value: str) -> str:
        return catalogue_code("code", value)

    @validates("name_nb", "name_en")
    def _validate_name(self, key: str, value: str) -> str:
        return required_text(key, value, 200)

    @validates("unit")
    def _validate_unit(self, _key: str, value: str) -> str:
        return required_text("unit", value, 32)

    @validates("capability")
    def _validate_capability(self, _key: str, value: Any) -> Capability:
        return coerce_enum(Capability, "capability", value)


class Equipment(Audited, Versioned, Timestamped, Base):
    """A stock line (quantity of a type) or one identified item, held at a site."""

    __tablename__ = "equipment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"))
    resource_type_id: Mapped[int] = mapped_column(
        ForeignKey("resource_types.id", ondelete="RESTRICT")
    )
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    identifier: Mapped[str | None] = mapped_column(String(100))  # registration, serial no.
    status: Mapped[EquipmentStatus] = mapped_column(
        enum_type(EquipmentStatus, "status"), default=EquipmentStatus.READY
    )
    last_inspected_on: Mapped[date | None] = mapped_column(Date)
    next_inspection_due: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    organisation: Mapped[Organisation] = relationship()
    site: Mapped[Site] = relationship()
    resource_type: Mapped[ResourceType] = relationship()

    __table_args__ = (
        CheckConstraint(f"quantity >= 1 AND quantity <= {MAX_QUANTITY}", name="quantity_range"),
        CheckConstraint("identifier IS NULL OR quantity = 1", name="identified_item_is_one"),
        # The search path: ready equipment of a type at a site.
        Index(
            "ix_equipment_site_id_resource_type_id_status", "site_id", "resource_type_id", "status"
        ),
        Index("ix_equipment_resource_type_id_status", "resource_type_id", "status"),
    )

    @validates("quantity")
    def _validate_quantity(self, _key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise DomainValidationError("quantity", N_("must be a whole number"))
        if not 1 <= value <= MAX_QUANTITY:
            raise DomainValidationError(
                "quantity", N_("must be between %(low)s and %(high)s"), low=1, high=MAX_QUANTITY
            )
        if value != 1 and self.identifier is not None:
            raise DomainValidationError("quantity", N_("an identified item has quantity 1"))
        return value

    @validates("identifier")
    def _validate_identifier(self, _key: str, value: str | None) -> str | None:
        identifier = optional_text("identifier", value, 100)
        if identifier is not None and self.quantity not in (None, 1):
            raise DomainValidationError("identifier", N_("an identified item has quantity 1"))
        return identifier

    @validates("status")
    def _validate_status(self, _key: str, value: Any) -> EquipmentStatus:
        return coerce_enum(EquipmentStatus, "status", value)

    @validates("notes")
    def _validate_notes(self, _key: str, value: str | None) -> str | None:
        return optional_text("notes", value, 4000)
