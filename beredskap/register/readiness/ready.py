"""The one definition of "ready", used by coverage, search, callout planning, maps and lists.

- Equipment is ready on a day when its status is ready and it is not past its next
  inspection date (due that very day still counts).
- A volunteer can be counted on when active, consenting to SMS callout and not marked
  unavailable; what they hold is judged separately (a qualification valid on the day).
"""

from __future__ import annotations

import enum
from datetime import date, timedelta

from sqlalchemy import and_, or_
from sqlalchemy.sql import ColumnElement

from beredskap.register.inventory.models import Equipment, EquipmentStatus
from beredskap.register.volunteers.models import Availability, Volunteer

INSPECTION_SOON = timedelta(days=30)  # an inspection this close is shown as due soon


class InspectionState(enum.StrEnum):
    UNKNOWN = "unknown"  # no next inspection date registered
    OK = "ok"
    DUE_SOON = "due_soon"  # within INSPECTION_SOON
    OVERDUE = "overdue"  # past its date: the line is not ready, whatever its status says


def inspection_state(next_due: date | None, on: date) -> InspectionState:
    """Where a line stands with its inspection on a day."""
    if next_due is None:
        return InspectionState.UNKNOWN
    if next_due < on:
        return InspectionState.OVERDUE
    if next_due <= on + INSPECTION_SOON:
        return InspectionState.DUE_SOON
    return InspectionState.OK


def equipment_is_ready(status: EquipmentStatus, next_due: date | None, on: date) -> bool:
    """The Python form of `equipment_ready`, for a line already loaded."""
    return status == EquipmentStatus.READY and (next_due is None or next_due >= on)


def equipment_ready(on: date | ColumnElement[date]) -> ColumnElement[bool]:
    """SQL: the equipment line is ready on `on` (a day, or a bound parameter of one in a
    statement built once)."""
    return and_(
        Equipment.status == EquipmentStatus.READY,
        or_(Equipment.next_inspection_due.is_(None), Equipment.next_inspection_due >= on),
    )


def volunteer_callable() -> ColumnElement[bool]:
    """SQL: the volunteer is active, consenting to SMS callout and not unavailable."""
    return and_(
        Volunteer.active.is_(True),
        Volunteer.sms_consent.is_(True),
        Volunteer.availability != Availability.UNAVAILABLE,
    )
