"""Resource types and equipment: queries and changes. Flushes, never commits.

The rules an API client and a web form share live here: equipment stands at a site of
the organisation that holds it, and refers to a resource type that exists.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from beredskap.platform.columns import apply_changes
from beredskap.platform.errors import N_, ConflictError, DomainValidationError, NotFoundError
from beredskap.register import catalogue
from beredskap.register.agreements.models import Commitment
from beredskap.register.inventory.models import Capability, Equipment, EquipmentStatus, ResourceType
from beredskap.register.organisations.models import Organisation, Site

# What anyone who may touch a line changes, the duty officer included (during an incident:
# "out of service", "at the scene"); the rest of a line is its organisation's to say.
STATUS_FIELDS = frozenset({"status", "notes"})


def equipment_query(
    *,
    organisation_id: int | None = None,
    site_id: int | None = None,
    resource_type_id: int | None = None,
    capability: Capability | None = None,
    status: EquipmentStatus | None = None,
    inspection_due_before: date | None = None,
) -> Select[tuple[Equipment]]:
    """Equipment lines matching the filters."""
    statement = select(Equipment)
    if organisation_id is not None:
        statement = statement.where(Equipment.organisation_id == organisation_id)
    if site_id is not None:
        statement = statement.where(Equipment.site_id == site_id)
    if resource_type_id is not None:
        statement = statement.where(Equipment.resource_type_id == resource_type_id)
    if capability is not None:
        statement = statement.join(ResourceType).where(ResourceType.capability == capability)
    if status is not None:
        statement = statement.where(Equipment.status == status)
    if inspection_due_before is not None:
        statement = statement.where(Equipment.next_inspection_due < inspection_due_before)
    return statement


def get_equipment(session: Session, equipment_id: int) -> Equipment:
    """The equipment line, or NotFoundError."""
    equipment = session.get(Equipment, equipment_id)
    if equipment is None:
        raise NotFoundError("equipment line", equipment_id)
    return equipment


def _check_references(session: Session, equipment: Equipment) -> None:
    """The organisation, its site and the resource type must exist and belong together."""
    if session.get(Organisation, equipment.organisation_id) is None:
        raise DomainValidationError(
            "organisation_id",
            N_("no organisation with id %(id)s"),
            id=equipment.organisation_id,
        )
    site = session.get(Site, equipment.site_id)
    if site is None:
        raise DomainValidationError("site_id", N_("no site with id %(id)s"), id=equipment.site_id)
    if site.organisation_id not in (None, equipment.organisation_id):
        raise DomainValidationError(
            "site_id", N_("the site belongs to another organisation; choose one of its own sites")
        )
    if session.get(ResourceType, equipment.resource_type_id) is None:
        raise DomainValidationError(
            "resource_type_id",
            N_("no resource type with id %(id)s"),
            id=equipment.resource_type_id,
        )


def create_equipment(session: Session, *, fields: dict[str, Any], flush: bool = True) -> Equipment:
    """Add an equipment line (a stock of a type, or one identified item). An import passes
    `flush=False` and flushes its rows together."""
    # The quantity first, so an identified item (quantity 1) is judged on its final quantity.
    ordered = sorted(fields.items(), key=lambda item: item[0] != "quantity")
    equipment = Equipment(**dict(ordered))
    _check_references(session, equipment)
    session.add(equipment)
    if flush:
        session.flush()
    return equipment


def update_equipment(
    session: Session, equipment: Equipment, *, changes: dict[str, Any], flush: bool = True
) -> Equipment:
    """Change fields, move it to another site, or set its status."""
    # An identified item going back to a stock line: clear the identifier before the quantity;
    # a stock line becoming an identified item: set the quantity (to 1) before the identifier.
    loosening = changes.get("identifier") is None
    ordered = sorted(changes.items(), key=lambda item: (item[0] == "identifier") != loosening)
    # No autoflush: the references are checked before anything reaches the database.
    with session.no_autoflush:
        apply_changes(equipment, ordered)
        if {"organisation_id", "site_id", "resource_type_id"} & changes.keys():
            _check_references(session, equipment)
    if flush:
        session.flush()
    return equipment


def delete_equipment(session: Session, equipment: Equipment) -> None:
    """Remove an equipment line (its history stays in the audit trail)."""
    session.delete(equipment)
    session.flush()


def resource_types_query(
    *, capability: Capability | None = None, active: bool | None = None, text: str | None = None
) -> Select[tuple[ResourceType]]:
    """Resource types matching the filters (text: part of either name or the code, any case)."""
    statement = select(ResourceType)
    if capability is not None:
        statement = statement.where(ResourceType.capability == capability)
    if active is not None:
        statement = statement.where(ResourceType.active == active)
    if text:
        statement = statement.where(catalogue.text_matches(ResourceType, text))
    return statement


def delete_resource_type(session: Session, resource_type: ResourceType) -> None:
    """Delete an unused resource type; one in use is set inactive instead."""
    used = session.scalar(
        select(func.count()).where(Equipment.resource_type_id == resource_type.id)
    ) or session.scalar(select(func.count()).where(Commitment.resource_type_id == resource_type.id))
    if used:
        raise ConflictError(
            N_("%(type_code)s is in use by equipment or agreements; set it inactive instead"),
            type_code=resource_type.code,
        )
    session.delete(resource_type)
    session.flush()


def create_resource_type(session: Session, *, fields: dict[str, Any]) -> ResourceType:
    """Add a resource type of the municipality's own."""
    return catalogue.create_entry(session, ResourceType, fields=fields, label="resource type")


def update_resource_type(
    session: Session, resource_type: ResourceType, *, changes: dict[str, Any]
) -> ResourceType:
    """Rename, regroup or retire a resource type; shipped types keep their code."""
    return catalogue.update_entry(session, resource_type, changes=changes, label="resource type")
