"""Pydantic shapes of resource types and equipment in the API (no ORM here)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from beredskap.platform.api.types import Code, LongText, Name, RefId, ShortText, Version, not_null
from beredskap.platform.columns import today_in_norway
from beredskap.register.inventory.models import (
    MAX_QUANTITY,
    Capability,
    Equipment,
    EquipmentStatus,
    ResourceType,
)
from beredskap.register.readiness.ready import InspectionState, inspection_state

Unit = Annotated[ShortText, StringConstraints(max_length=32)]
Identifier = Annotated[ShortText, StringConstraints(max_length=100)]
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY, description=f"1 to {MAX_QUANTITY:,}")]


class ResourceTypeCreate(BaseModel):
    """A new catalogue entry; `shipped` is set by the migrations only."""

    model_config = ConfigDict(extra="forbid")

    code: Code = Field(description="Lower-case letters, digits and _, letter first")
    name_nb: Name
    name_en: Name
    capability: Capability
    unit: Unit = Field(description="stk, liter, sett, meter, porsjoner ...")
    active: bool = True


class ResourceTypePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code | None = None
    name_nb: Name | None = None
    name_en: Name | None = None
    capability: Capability | None = None
    unit: Unit | None = None
    active: bool | None = None
    version: Version | None = None

    @field_validator("code", "name_nb", "name_en", "capability", "unit", "active", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return not_null(value)


class ResourceTypeOut(BaseModel):
    id: int
    code: str
    name_nb: str
    name_en: str
    capability: Capability
    unit: str
    shipped: bool = Field(description="Part of the shipped catalogue (read-only)")
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, resource_type: ResourceType) -> ResourceTypeOut:
        return cls.model_validate(resource_type, from_attributes=True)


class EquipmentCreate(BaseModel):
    """A stock line (a quantity of a type) or one identified item (quantity 1)."""

    model_config = ConfigDict(extra="forbid")

    organisation_id: RefId
    site_id: RefId = Field(description="A site of the organisation, or a municipal site")
    resource_type_id: RefId
    quantity: Quantity = 1
    identifier: Identifier | None = Field(None, description="Registration or serial number")
    status: EquipmentStatus = EquipmentStatus.READY
    last_inspected_on: date | None = None
    next_inspection_due: date | None = None
    notes: LongText | None = None


class EquipmentPatch(BaseModel):
    """The fields to change; `version` (or If-Match) guards against overwriting others."""

    model_config = ConfigDict(extra="forbid")

    organisation_id: RefId | None = None
    site_id: RefId | None = None
    resource_type_id: RefId | None = None
    quantity: Quantity | None = None
    identifier: Identifier | None = None
    status: EquipmentStatus | None = None
    last_inspected_on: date | None = None
    next_inspection_due: date | None = None
    notes: LongText | None = None
    version: Version | None = None

    @field_validator(
        "organisation_id", "site_id", "resource_type_id", "quantity", "status", mode="before"
    )
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return not_null(value)


class EquipmentOut(BaseModel):
    id: int
    organisation_id: int
    site_id: int
    resource_type_id: int
    quantity: int
    identifier: str | None
    status: EquipmentStatus
    last_inspected_on: date | None
    next_inspection_due: date | None
    inspection_state: InspectionState = Field(
        description="Beside the status: unknown (no date), ok, due_soon (within 30 days) or "
        "overdue (past its date: the line is not ready, whatever its status), in Norway today"
    )
    notes: str | None
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, equipment: Equipment, on: date | None = None) -> EquipmentOut:
        state = inspection_state(equipment.next_inspection_due, on or today_in_norway())
        stored = {name: getattr(equipment, name) for name in _STORED_FIELDS}
        return cls.model_validate(stored | {"inspection_state": state})


# What EquipmentOut copies from the line (its inspection state is worked out from the date).
_STORED_FIELDS = tuple(name for name in EquipmentOut.model_fields if name != "inspection_state")
