"""What the varslingsliste holds, read in three queries: the municipality's crisis roles, the
agreements in force with their organisations, and the active organisations without one.

Order: roles by their position; for each task, agreements by their `alert_order` (those
without one after), then the fastest committed mobilisation, then the organisation's name; an
agreement's contacts in their stored order (the first is the primary, the rest deputies). An
agreement without contacts falls back on its organisation's 24/7 contact, marked as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.register.agreements.models import Agreement, AgreementStatus, AgreementTask
from beredskap.register.crisis_roles.models import CrisisRole
from beredskap.register.organisations.models import Organisation


@dataclass(frozen=True)
class Person:
    name: str
    role: str | None
    phone: str | None
    email: str | None
    rank: int  # 0: the primary; 1, 2...: the deputies in order
    organisation_contact: bool = False  # the organisation's 24/7 contact, not the agreement's


@dataclass(frozen=True)
class RoleEntry:
    id: int
    title: str
    position: int
    duties: str | None
    version: int
    holders: tuple[Person, ...]


@dataclass(frozen=True)
class AgreementEntry:
    id: int
    reference: str
    title: str
    organisation_id: int
    organisation_name: str
    municipal: bool
    tasks: tuple[str, ...]
    callout_route: str | None
    mobilisation_minutes: int | None
    alert_order: int | None
    version: int
    contacts: tuple[Person, ...]
    stored_contacts: int  # how many of `contacts` are the agreement's own (movable)

    @property
    def order_key(self) -> tuple[bool, int, bool, int, str]:
        return (
            self.alert_order is None,
            self.alert_order or 0,
            self.mobilisation_minutes is None,
            self.mobilisation_minutes or 0,
            self.organisation_name.casefold(),
        )


@dataclass(frozen=True)
class TaskGroup:
    task: str
    agreements: tuple[AgreementEntry, ...]


@dataclass(frozen=True)
class OwnerContact:
    organisation_id: int
    name: str
    municipal: bool
    contact: Person | None


@dataclass(frozen=True)
class AlertList:
    on: date
    roles: tuple[RoleEntry, ...]
    tasks: tuple[TaskGroup, ...]  # every task, in the enum's order, even those with none
    untasked: tuple[AgreementEntry, ...]  # agreements in force that name no task
    others: tuple[OwnerContact, ...]  # active owners with no agreement in force


def _people(items: list[dict[str, str]] | None) -> tuple[Person, ...]:
    return tuple(
        Person(
            name=item.get("name", ""),
            role=item.get("role"),
            phone=item.get("phone"),
            email=item.get("email"),
            rank=rank,
        )
        for rank, item in enumerate(items or [])
    )


def _organisation_contact(name: str | None, phone: str | None, email: str | None) -> Person | None:
    if not (name or phone):
        return None
    return Person(
        name=name or "", role=None, phone=phone, email=email, rank=0, organisation_contact=True
    )


def build_alert_list(session: Session, on: date) -> AlertList:
    roles = tuple(
        RoleEntry(
            role.id, role.title, role.position, role.duties, role.version, _people(role.holders)
        )
        for role in session.scalars(
            select(CrisisRole).order_by(CrisisRole.position, CrisisRole.title)
        )
    )
    rows = session.execute(
        select(
            Agreement.id,
            Agreement.reference,
            Agreement.title,
            Agreement.organisation_id,
            Organisation.name,
            Organisation.municipal,
            Agreement.tasks,
            Agreement.callout_route,
            Agreement.committed_mobilisation_minutes,
            Agreement.alert_order,
            Agreement.version,
            Agreement.contacts,
            Organisation.contact_24_7_name,
            Organisation.contact_24_7_phone,
            Organisation.contact_24_7_email,
        )
        .join(Organisation, Organisation.id == Agreement.organisation_id)
        .where(
            Agreement.status == AgreementStatus.ACTIVE,
            Agreement.valid_on(on),
            Organisation.active.is_(True),
        )
    ).all()
    agreements: list[AgreementEntry] = []
    for row in rows:
        own = _people(row.contacts)
        fallback = _organisation_contact(
            row.contact_24_7_name, row.contact_24_7_phone, row.contact_24_7_email
        )
        agreements.append(
            AgreementEntry(
                id=row.id,
                reference=row.reference,
                title=row.title,
                organisation_id=row.organisation_id,
                organisation_name=row.name,
                municipal=row.municipal,
                tasks=tuple(row.tasks or ()),
                callout_route=row.callout_route,
                mobilisation_minutes=row.committed_mobilisation_minutes,
                alert_order=row.alert_order,
                version=row.version,
                contacts=own or ((fallback,) if fallback else ()),
                stored_contacts=len(own),
            )
        )
    agreements.sort(key=lambda entry: entry.order_key)
    tasks = tuple(
        TaskGroup(task.value, tuple(a for a in agreements if task.value in a.tasks))
        for task in AgreementTask
    )
    bound = {entry.organisation_id for entry in agreements}
    others = tuple(
        OwnerContact(
            row.id,
            row.name,
            row.municipal,
            _organisation_contact(
                row.contact_24_7_name, row.contact_24_7_phone, row.contact_24_7_email
            ),
        )
        for row in session.execute(
            select(
                Organisation.id,
                Organisation.name,
                Organisation.municipal,
                Organisation.contact_24_7_name,
                Organisation.contact_24_7_phone,
                Organisation.contact_24_7_email,
            )
            .where(Organisation.active.is_(True))
            .order_by(Organisation.municipal.desc(), Organisation.name)
        )
        if row.id not in bound
    )
    return AlertList(
        on=on,
        roles=roles,
        tasks=tasks,
        untasked=tuple(a for a in agreements if not a.tasks),
        others=others,
    )
