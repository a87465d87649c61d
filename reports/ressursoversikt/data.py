"""The ressursoversikt's figures (forskrift om kommunal beredskapsplikt § 4), read from the
register in four set-based statements whatever the number of organisations: equipment
summed per organisation, site, type and readiness; the sites; members per qualification valid
on the day; and the agreements' coverage from `readiness` (the one judgement of "ready").

Only counts leave this module. A count of one or two people is withheld (None) from a reader
who may not see those people (`Principal.sees_small_counts_of`, `small_counts.shown`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from beredskap.register.inventory.models import (
    Capability,
    Equipment,
    EquipmentStatus,
    ResourceType,
)
from beredskap.register.organisations.models import Organisation, Site, SiteKind
from beredskap.register.readiness.coverage import AgreementReadiness
from beredskap.register.readiness.ready import equipment_ready, volunteer_callable
from beredskap.register.small_counts import shown
from beredskap.register.volunteers.models import (
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)

CAPABILITY_ORDER = {capability: index for index, capability in enumerate(Capability)}


class Standing(enum.StrEnum):
    """Where a quantity stands today: ready (`ready.equipment_ready`), or why it is not."""

    READY = "ready"
    IN_USE = "in_use"
    MAINTENANCE = "maintenance"
    OUT_OF_SERVICE = "out_of_service"
    INSPECTION_OVERDUE = "inspection_overdue"


NOT_READY = (
    Standing.IN_USE,
    Standing.MAINTENANCE,
    Standing.OUT_OF_SERVICE,
    Standing.INSPECTION_OVERDUE,
)
_OF_STATUS = {
    EquipmentStatus.IN_USE: Standing.IN_USE,
    EquipmentStatus.MAINTENANCE: Standing.MAINTENANCE,
    EquipmentStatus.OUT_OF_SERVICE: Standing.OUT_OF_SERVICE,
}


@dataclass(frozen=True)
class TypeOf:
    """A resource type as the overview names it."""

    id: int
    capability: Capability
    name_nb: str
    name_en: str
    unit: str

    def name(self, language: str) -> str:
        return self.name_nb if language == "nb" else self.name_en

    @property
    def order(self) -> tuple[int, str]:
        return (CAPABILITY_ORDER[self.capability], self.name_nb)


@dataclass
class Quantities:
    """Quantities of one type (ready, and not ready by reason)."""

    by_standing: dict[Standing, int] = field(default_factory=dict)
    lines: int = 0

    def add(self, standing: Standing, quantity: int, lines: int) -> None:
        self.by_standing[standing] = self.by_standing.get(standing, 0) + quantity
        self.lines += lines

    def of(self, standing: Standing) -> int:
        return self.by_standing.get(standing, 0)

    @property
    def ready(self) -> int:
        return self.of(Standing.READY)

    @property
    def not_ready(self) -> int:
        return sum(self.of(standing) for standing in NOT_READY)

    @property
    def total(self) -> int:
        return self.ready + self.not_ready


@dataclass
class TypeRow:
    """One type's quantities, municipality-wide or at one site."""

    type: TypeOf
    quantities: Quantities = field(default_factory=Quantities)
    municipal_ready: int = 0  # of the ready, what the municipality's own services hold


@dataclass
class SiteHolding:
    """One organisation's equipment at one site."""

    site_id: int
    site_name: str
    municipal_site: bool  # the site is the municipality's own (no organisation owns it)
    rows: list[TypeRow] = field(default_factory=list)


@dataclass
class OrganisationHolding:
    organisation_id: int
    name: str
    municipal: bool  # one of the municipality's own services
    sites: list[SiteHolding] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return sum(len(site.rows) for site in self.sites)


@dataclass(frozen=True)
class SiteRow:
    """A site: its owner (None: the municipality), its kind, what is stored there."""

    id: int
    name: str
    kind: SiteKind
    address: str | None
    owner: str | None
    lines: int
    ready: int
    total: int


@dataclass(frozen=True)
class PeopleRow:
    """Members of one organisation holding one qualification valid on the day; None where
    the reader may not see a count of one or two."""

    organisation_id: int
    organisation: str
    qualification_nb: str
    qualification_en: str
    holders: int | None
    callable: int | None
    # The holders by name, for a reader who may see this organisation's members; else None.
    names: tuple[str, ...] | None = None

    def qualification(self, language: str) -> str:
        return self.qualification_nb if language == "nb" else self.qualification_en


@dataclass(frozen=True)
class CommitmentRow:
    """One commitment of an agreement: what is committed and what counts today."""

    name_nb: str
    name_en: str
    people: bool
    committed: int
    counted: int | None  # None: a count of one or two people withheld
    met: bool

    def name(self, language: str) -> str:
        return self.name_nb if language == "nb" else self.name_en


@dataclass(frozen=True)
class AgreementRow:
    reference: str
    title: str
    organisation: str
    tasks: list[str]
    valid_until: date | None
    in_force: bool
    met: bool
    commitments: list[CommitmentRow]


@dataclass
class Overview:
    on: date
    by_type: list[TypeRow]
    organisations: list[OrganisationHolding]
    sites: list[SiteRow]
    agreements: list[AgreementRow]
    people: list[PeopleRow]


ExactFor = Callable[[int | None], bool]


def build_overview(
    session: Session, *, on: date, agreements: list[AgreementReadiness], exact_for: ExactFor
) -> Overview:
    """The overview on a day; `agreements` as `readiness.service.agreements_readiness` judged
    them; `exact_for(organisation_id)`: whether the reader sees counts of one or two people."""
    types, holdings = _equipment(session, on)
    return Overview(
        on=on,
        by_type=_by_type(types, holdings),
        organisations=holdings,
        sites=_sites(session, holdings),
        agreements=[_agreement(item, exact_for) for item in agreements],
        people=_people(session, on, exact_for),
    )


def _equipment(session: Session, on: date) -> tuple[dict[int, TypeOf], list[OrganisationHolding]]:
    ready = case((equipment_ready(on), 1), else_=0)
    statement = (
        select(
            Organisation.id,
            Organisation.name,
            Organisation.municipal,
            Site.id,
            Site.name,
            Site.organisation_id,
            Equipment.resource_type_id,
            Equipment.status,
            ready.label("ready"),
            func.sum(Equipment.quantity),
            func.count(),
        )
        .join(Organisation, Organisation.id == Equipment.organisation_id)
        .join(Site, Site.id == Equipment.site_id)
        .where(Organisation.active.is_(True))
        .group_by(
            Organisation.id,
            Organisation.name,
            Organisation.municipal,
            Site.id,
            Site.name,
            Site.organisation_id,
            Equipment.resource_type_id,
            Equipment.status,
            ready,
        )
    )
    types = {
        row.id: TypeOf(row.id, row.capability, row.name_nb, row.name_en, row.unit)
        for row in session.execute(
            select(
                ResourceType.id,
                ResourceType.capability,
                ResourceType.name_nb,
                ResourceType.name_en,
                ResourceType.unit,
            )
        )
    }
    organisations: dict[int, OrganisationHolding] = {}
    sites: dict[tuple[int, int], SiteHolding] = {}
    rows: dict[tuple[int, int, int], TypeRow] = {}
    for (
        org_id,
        org_name,
        municipal,
        site_id,
        site_name,
        site_owner,
        type_id,
        status,
        is_ready,
        qty,
        n,
    ) in session.execute(statement):
        holding = organisations.get(org_id)
        if holding is None:
            holding = organisations[org_id] = OrganisationHolding(org_id, org_name, bool(municipal))
        site = sites.get((org_id, site_id))
        if site is None:
            site = sites[(org_id, site_id)] = SiteHolding(site_id, site_name, site_owner is None)
            holding.sites.append(site)
        row = rows.get((org_id, site_id, type_id))
        if row is None:
            row = rows[(org_id, site_id, type_id)] = TypeRow(types[type_id])
            site.rows.append(row)
        row.quantities.add(_standing(EquipmentStatus(status), bool(is_ready)), int(qty), int(n))
    for holding in organisations.values():
        holding.sites.sort(key=lambda site: (site.site_name, site.site_id))
        for site in holding.sites:
            site.rows.sort(key=lambda row: row.type.order)
    # The municipality's own services first, then the organisations by name.
    ordered = sorted(
        organisations.values(),
        key=lambda item: (not item.municipal, item.name, item.organisation_id),
    )
    return types, ordered


def _standing(status: EquipmentStatus, ready: bool) -> Standing:
    """Ready as `equipment_ready` judged it; else the status, and a line whose status is ready
    is not ready because its inspection is overdue."""
    if ready:
        return Standing.READY
    return _OF_STATUS.get(status, Standing.INSPECTION_OVERDUE)


def _by_type(types: dict[int, TypeOf], holdings: list[OrganisationHolding]) -> list[TypeRow]:
    totals: dict[int, TypeRow] = {}
    for holding in holdings:
        for site in holding.sites:
            for row in site.rows:
                total = totals.setdefault(row.type.id, TypeRow(row.type))
                for standing, quantity in row.quantities.by_standing.items():
                    total.quantities.add(standing, quantity, 0)
                total.quantities.lines += row.quantities.lines
                if holding.municipal:
                    total.municipal_ready += row.quantities.ready
    return sorted(totals.values(), key=lambda row: row.type.order)


def _sites(session: Session, holdings: list[OrganisationHolding]) -> list[SiteRow]:
    """Every site of an active organisation and every site of the municipality's own, with
    what is stored there (from the equipment already summed)."""
    stored: dict[int, Quantities] = {}
    for holding in holdings:
        for site in holding.sites:
            quantities = stored.setdefault(site.site_id, Quantities())
            for row in site.rows:
                for standing, quantity in row.quantities.by_standing.items():
                    quantities.add(standing, quantity, 0)
                quantities.lines += row.quantities.lines
    statement = (
        select(Site.id, Site.name, Site.kind, Site.address, Organisation.name)
        .outerjoin(Organisation, Organisation.id == Site.organisation_id)
        .where((Site.organisation_id.is_(None)) | (Organisation.active.is_(True)))
    )
    result = []
    for site_id, name, kind, address, owner in session.execute(statement):
        quantities = stored.get(site_id, Quantities())
        result.append(
            SiteRow(
                site_id,
                name,
                SiteKind(kind),
                address,
                owner,
                quantities.lines,
                quantities.ready,
                quantities.total,
            )
        )
    # The municipality's own sites first, then by owner and name.
    return sorted(result, key=lambda row: (row.owner is not None, row.owner or "", row.name))


def _people(session: Session, on: date, exact_for: ExactFor) -> list[PeopleRow]:
    callable_ = func.sum(case((volunteer_callable(), 1), else_=0))
    statement = (
        select(
            Organisation.id,
            Organisation.name,
            QualificationType.name_nb,
            QualificationType.name_en,
            func.count(func.distinct(Volunteer.id)),
            callable_,
        )
        .select_from(Membership)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .join(Volunteer, Volunteer.id == Membership.volunteer_id)
        .join(VolunteerQualification, VolunteerQualification.volunteer_id == Volunteer.id)
        .join(
            QualificationType,
            QualificationType.id == VolunteerQualification.qualification_type_id,
        )
        .where(
            Organisation.active.is_(True),
            Volunteer.active.is_(True),
            VolunteerQualification.valid_on(on),
        )
        .group_by(
            Organisation.id,
            Organisation.name,
            QualificationType.id,
            QualificationType.name_nb,
            QualificationType.name_en,
        )
    )
    rows = []
    counted = session.execute(statement).all()
    # Names only for the organisations whose members the reader may see, in one query.
    named = {org_id for org_id, *_rest in counted if exact_for(org_id)}
    names = _names(session, on, named) if named else {}
    for org_id, org_name, name_nb, name_en, holders, callable_count in counted:
        exact = exact_for(org_id)
        rows.append(
            PeopleRow(
                org_id,
                org_name,
                name_nb,
                name_en,
                shown(int(holders), exact=exact),
                shown(int(callable_count or 0), exact=exact),
                tuple(names.get((org_id, name_nb), ())) if org_id in named else None,
            )
        )
    return sorted(
        rows, key=lambda row: (row.organisation, row.organisation_id, row.qualification_nb)
    )


def _names(
    session: Session, on: date, organisation_ids: set[int]
) -> dict[tuple[int, str], list[str]]:
    """The active members holding each qualification valid on the day, by name, for the
    given organisations: {(organisation id, qualification's Norwegian name): names}."""
    statement = (
        select(Membership.organisation_id, QualificationType.name_nb, Volunteer.full_name)
        .select_from(Membership)
        .join(Volunteer, Volunteer.id == Membership.volunteer_id)
        .join(VolunteerQualification, VolunteerQualification.volunteer_id == Volunteer.id)
        .join(
            QualificationType,
            QualificationType.id == VolunteerQualification.qualification_type_id,
        )
        .where(
            Membership.organisation_id.in_(organisation_ids),
            Volunteer.active.is_(True),
            VolunteerQualification.valid_on(on),
        )
        .distinct()
        .order_by(Membership.organisation_id, QualificationType.name_nb, Volunteer.full_name)
    )
    names: dict[tuple[int, str], list[str]] = {}
    for org_id, qualification, name in session.execute(statement):
        names.setdefault((org_id, qualification), []).append(name)
    return names


def _agreement(item: AgreementReadiness, exact_for: ExactFor) -> AgreementRow:
    exact = exact_for(item.organisation_id)
    return AgreementRow(
        reference=item.reference,
        title=item.title,
        organisation=item.organisation_name,
        tasks=list(item.tasks),
        valid_until=item.valid_until,
        in_force=item.in_force,
        met=item.met,
        commitments=[
            CommitmentRow(
                name_nb=line.name_nb,
                name_en=line.name_en,
                people=line.people,
                committed=line.committed,
                counted=shown(line.counted, exact=exact) if line.people else line.counted,
                met=line.met,
            )
            for line in item.lines
        ],
    )
