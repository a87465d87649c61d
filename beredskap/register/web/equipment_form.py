"""The equipment form, declared once: its fields, their types, limits and labels.

`EquipmentChanges` is the edit form (a field not sent is left unchanged: the status buttons
send only the status); `NewEquipment` the add form, where type, site and quantity are needed.
The form toolkit (`beredskap.platform.web.forms`) reads a post into them and says what is
wrong in the reader's language; the register's rules answer through their codes.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

from beredskap.platform.digits import parse_digits
from beredskap.platform.web.forms import Invalid, OptionalDate, OptionalText, Whole, at_most
from beredskap.platform.web.i18n import N_
from beredskap.register.inventory.models import MAX_QUANTITY, Equipment, EquipmentStatus

MAX_ID = 2_147_483_647

ChosenId = Annotated[Whole, Field(ge=1, le=MAX_ID), Invalid(N_("choose one of the options"))]
Quantity = Annotated[
    Whole,
    Field(ge=1, le=MAX_QUANTITY, title=N_("Quantity")),
    Invalid(N_("enter a whole number from 1 to %(high)s"), high=MAX_QUANTITY),
]


class EquipmentChanges(BaseModel):
    """The edit form: the fields that were sent change, the rest stay as they are (the type
    is chosen when a line is added and is not among the changes)."""

    resource_type_id: Annotated[ChosenId, Field(title=N_("Type of equipment"))] = None  # type: ignore[assignment]
    site_id: Annotated[ChosenId, Field(title=N_("Site"))] = None  # type: ignore[assignment]
    quantity: Quantity = None  # type: ignore[assignment]
    identifier: Annotated[
        OptionalText, Field(title=N_("Identifier (registration or serial number)")), at_most(100)
    ] = None
    status: Annotated[EquipmentStatus, Field(title=N_("Status"))] = None  # type: ignore[assignment]
    last_inspected_on: Annotated[OptionalDate, Field(title=N_("Last inspected"))] = None
    next_inspection_due: Annotated[OptionalDate, Field(title=N_("Next inspection due"))] = None
    notes: Annotated[OptionalText, Field(title=N_("Notes")), at_most(4000)] = None


class NewEquipment(EquipmentChanges):
    """The add form: the type, the site and the quantity are needed."""

    resource_type_id: Annotated[ChosenId, Field(title=N_("Type of equipment"))]
    site_id: Annotated[ChosenId, Field(title=N_("Site"))]
    quantity: Quantity


def values_of(equipment: Equipment) -> dict[str, str]:
    """A stored line as the form's values."""
    return {
        "site_id": str(equipment.site_id),
        "quantity": str(equipment.quantity),
        "identifier": equipment.identifier or "",
        "status": equipment.status.value,
        "last_inspected_on": _day(equipment.last_inspected_on),
        "next_inspection_due": _day(equipment.next_inspection_due),
        "notes": equipment.notes or "",
    }


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def parse_version(raw: str | None) -> int | None:
    """The record version the form was made from, or None when it is missing or garbled."""
    return parse_digits(raw, max_digits=10)
