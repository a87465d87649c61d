"""Read-only queries behind the pages: dashboards, the organisation list and one organisation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from beredskap.register.agreements.models import Agreement, AgreementStatus, Commitment
from beredskap.register.inventory.models import Capability, Equipment, EquipmentStatus, ResourceType
from beredskap.register.organisations.models import Organisation, OrganisationCategory, Site
from beredskap.register.organisations.service import organisations_query
from beredskap.register.readiness.currency import is_stale
from beredskap.register.readiness.ready import (
    INSPECTION_SOON,
    InspectionState,
    equipment_is_ready,
    equipment_ready,
)
from beredskap.register.volunteers.models import Membership, Volunteer, VolunteerQualification

REVIEW_HORIZON = timedelta(days=60)  # annual reviews due within this are shown to the admin
ENDING_HORIZON = timedelta(days=90)  # agreements ending within this are shown too
INSPECTION_HORIZON = INSPECTION_SOON  # due soon, as readiness/ready.py says: needs attention
LIVE_AGREEMENT = (AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED)
PAGE_SIZE = 50
DASHBOARD_LIMIT = 10  # the first few overdue inspections on the dashboard; all on /inspections


@dataclass(frozen=True)
class RegisterCounts:
    organisations: int
    sites: int
    equipment_lines: int
    volunteers: int
    active_agreements: int


def _count(session: Session, statement: Select[tuple[int]]) -> int:
    return int(session.scalar(statement) or 0)


def register_counts(session: Session) -> RegisterCounts:
    return RegisterCounts(
        organisations=_count(
            session, select(func.count(Organisation.id)).where(Organisation.active)
        ),
        sites=_count(session, select(func.count(Site.id))),
        equipment_lines=_count(session, select(func.count(Equipment.id))),
        volunteers=_count(session, select(func.count(Volunteer.id)).where(Volunteer.active)),
        active_agreements=_count(
            session,
            select(func.count(Agreement.id)).where(Agreement.status == AgreementStatus.ACTIVE),
        ),
    )


def agreements_needing_attention(session: Session, today: date) -> list[Agreement]:
    """Live agreements whose annual review is due (or overdue) or whose end is near."""
    statement = (
        select(Agreement)
        .where(
            Agreement.status.in_(LIVE_AGREEMENT),
            or_(
                Agreement.annual_review_on <= today + REVIEW_HORIZON,
                and_(
                    Agreement.valid_until.is_not(None),
                    Agreement.valid_until <= today + ENDING_HORIZON,
                ),
            ),
        )
        .options(joinedload(Agreement.organisation))
        .order_by(Agreement.annual_review_on, Agreement.id)
    )
    return list(session.scalars(statement))


def overdue_inspections(
    session: Session, today: date, limit: int = DASHBOARD_LIMIT
) -> tuple[list[Equipment], int]:
    """Equipment past its inspection date, most overdue first (the first few and the count;
    every one is on `/inspections`)."""
    return inspections(session, today, overdue_only=True, limit=limit, offset=0)


def inspections(
    session: Session,
    today: date,
    *,
    overdue_only: bool = False,
    organisation_id: int | None = None,
    limit: int,
    offset: int,
) -> tuple[list[Equipment], int]:
    """Lines past their inspection date or due within INSPECTION_HORIZON (or past it only),
    of one organisation or all, most overdue first: one page and the total."""
    condition = (
        Equipment.next_inspection_due < today
        if overdue_only
        else Equipment.next_inspection_due <= today + INSPECTION_HORIZON
    )
    if organisation_id is not None:
        condition = and_(condition, Equipment.organisation_id == organisation_id)
    total = _count(session, select(func.count(Equipment.id)).where(condition))
    rows = session.scalars(
        select(Equipment)
        .where(condition)
        .options(
            joinedload(Equipment.organisation),
            joinedload(Equipment.resource_type),
            joinedload(Equipment.site),
        )
        .order_by(Equipment.next_inspection_due, Equipment.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def organisations_with_inspections(session: Session, today: date) -> list[Organisation]:
    """Organisations with a line overdue or due within the horizon (the page's filter)."""
    due = select(Equipment.organisation_id).where(
        Equipment.next_inspection_due <= today + INSPECTION_HORIZON
    )
    return list(
        session.scalars(
            select(Organisation)
            .where(Organisation.id.in_(due))
            .order_by(Organisation.name, Organisation.id)
        )
    )


def active_organisations(session: Session) -> list[Organisation]:
    return list(
        session.scalars(select(Organisation).where(Organisation.active).order_by(Organisation.name))
    )


@dataclass(frozen=True)
class TypeStock:
    resource_type: ResourceType
    lines: int  # ready: status ready and not past inspection
    quantity: int
    overdue_lines: int  # marked ready, but past their inspection date: not ready


@dataclass
class CapabilityStock:
    capability: Capability
    lines: int = 0
    types: list[TypeStock] = field(default_factory=list)


def ready_by_capability(session: Session, today: date) -> list[CapabilityStock]:
    """Ready equipment per capability (readiness/ready.py: status ready and not past its
    inspection), with the resource types and quantities in each, and per type the lines
    marked ready whose inspection is overdue."""
    ready = equipment_ready(today)
    rows = session.execute(
        select(
            ResourceType,
            func.sum(case((ready, 1), else_=0)),
            func.sum(case((ready, Equipment.quantity), else_=0)),
            func.sum(case((ready, 0), else_=1)),
        )
        .join(Equipment, Equipment.resource_type_id == ResourceType.id)
        .where(Equipment.status == EquipmentStatus.READY)
        .group_by(ResourceType.id)
        .order_by(ResourceType.capability, ResourceType.code)
    ).all()
    by_capability: dict[Capability, CapabilityStock] = {}
    for resource_type, lines, quantity, overdue in rows:
        stock = by_capability.setdefault(
            resource_type.capability, CapabilityStock(resource_type.capability)
        )
        stock.lines += int(lines or 0)
        stock.types.append(
            TypeStock(resource_type, int(lines or 0), int(quantity or 0), int(overdue or 0))
        )
    return [by_capability[c] for c in Capability if c in by_capability]


@dataclass(frozen=True)
class CouncilOverview:
    counts: RegisterCounts
    organisations_by_category: list[tuple[OrganisationCategory, int]]
    # Lines by status, a line marked ready but past its inspection under OVERDUE instead
    # (readiness/ready.py: it is not ready, whatever its status says).
    equipment_by_capability: list[tuple[Capability, dict[EquipmentStatus | InspectionState, int]]]
    agreements_by_status: list[tuple[AgreementStatus, int]]


def council_overview(session: Session, today: date) -> CouncilOverview:
    """Counts only: no names of people, no contact details."""
    categories = session.execute(
        select(Organisation.category, func.count(Organisation.id))
        .where(Organisation.active)
        .group_by(Organisation.category)
    ).all()
    equipment: dict[Capability, dict[EquipmentStatus | InspectionState, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    overdue = and_(
        Equipment.status == EquipmentStatus.READY, Equipment.next_inspection_due < today
    ).label("overdue")
    for capability, status, past_due, lines in session.execute(
        select(ResourceType.capability, Equipment.status, overdue, func.count(Equipment.id))
        .join(ResourceType, Equipment.resource_type_id == ResourceType.id)
        .group_by(ResourceType.capability, Equipment.status, overdue)
    ):
        key = InspectionState.OVERDUE if past_due else EquipmentStatus(status)
        equipment[capability][key] += int(lines)
    agreements = session.execute(
        select(Agreement.status, func.count(Agreement.id)).group_by(Agreement.status)
    ).all()
    category_counts = dict(categories)
    agreement_counts = dict(agreements)
    return CouncilOverview(
        counts=register_counts(session),
        organisations_by_category=[
            (c, int(category_counts[c])) for c in OrganisationCategory if c in category_counts
        ],
        equipment_by_capability=[(c, equipment[c]) for c in Capability if c in equipment],
        agreements_by_status=[
            (s, int(agreement_counts[s])) for s in AgreementStatus if s in agreement_counts
        ],
    )


def needs_attention(today: date) -> ColumnElement[bool]:
    """Equipment that is not ready, or whose inspection is due within the horizon."""
    return or_(
        Equipment.status != EquipmentStatus.READY,
        Equipment.next_inspection_due <= today + INSPECTION_HORIZON,
    )


@dataclass
class EditorOrganisation:
    organisation: Organisation
    attention: list[Equipment]
    equipment_lines: int
    confirmation_stale: bool = False  # not confirmed in 12 months (readiness/currency.py)


def editor_overview(
    session: Session, organisation_ids: frozenset[int], today: date
) -> list[EditorOrganisation]:
    """An organisation editor's organisations, with the equipment lines needing attention."""
    if not organisation_ids:
        return []
    organisations = session.scalars(
        select(Organisation)
        .where(Organisation.id.in_(organisation_ids))
        .order_by(Organisation.name)
    )
    overview = []
    for organisation in organisations:
        attention = session.scalars(
            select(Equipment)
            .where(Equipment.organisation_id == organisation.id, needs_attention(today))
            .options(joinedload(Equipment.resource_type), joinedload(Equipment.site))
            .order_by(Equipment.next_inspection_due, Equipment.id)
        )
        lines = _count(
            session,
            select(func.count(Equipment.id)).where(Equipment.organisation_id == organisation.id),
        )
        overview.append(
            EditorOrganisation(
                organisation,
                list(attention),
                lines,
                confirmation_stale=is_stale(organisation.confirmed_on, today),
            )
        )
    return overview


def active_agreements(session: Session) -> list[Agreement]:
    """Active agreements with their organisations (for the exercise planner)."""
    statement = (
        select(Agreement)
        .join(Organisation, Agreement.organisation_id == Organisation.id)
        .where(Agreement.status == AgreementStatus.ACTIVE)
        .options(joinedload(Agreement.organisation))
        .order_by(Organisation.name, Agreement.reference)
    )
    return list(session.scalars(statement))


@dataclass(frozen=True)
class OrganisationRow:
    organisation: Organisation
    equipment_lines: int
    ready_lines: int
    active_agreement: bool


def organisation_list(
    session: Session,
    *,
    category: OrganisationCategory | None,
    text: str | None,
    page: int,
    active: bool | None = None,
    agreement: bool | None = None,
    municipal: bool | None = None,
    today: date,
) -> tuple[list[OrganisationRow], int]:
    """One page of organisations matching the filters, with their equipment (ready as
    readiness/ready.py says: not past its inspection) and agreements (`agreement`: with, or
    without, an active agreement; None: either)."""
    base = organisations_query(category=category, text=text, active=active, municipal=municipal)
    if agreement is not None:
        has_one = (
            select(Agreement.id)
            .where(
                Agreement.organisation_id == Organisation.id,
                Agreement.status == AgreementStatus.ACTIVE,
            )
            .exists()
        )
        base = base.where(has_one if agreement else ~has_one)
    total = _count(session, select(func.count()).select_from(base.subquery()))
    organisations = list(
        session.scalars(
            # The municipality's own services first: they are alerted and counted apart.
            base.order_by(Organisation.municipal.desc(), Organisation.name, Organisation.id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    ids = [o.id for o in organisations]
    lines: dict[int, tuple[int, int]] = {}
    agreements: set[int] = set()
    if ids:
        for organisation_id, count in session.execute(
            select(Equipment.organisation_id, func.count(Equipment.id))
            .where(Equipment.organisation_id.in_(ids))
            .group_by(Equipment.organisation_id)
        ):
            lines[organisation_id] = (int(count), 0)
        for organisation_id, count in session.execute(
            select(Equipment.organisation_id, func.count(Equipment.id))
            .where(Equipment.organisation_id.in_(ids), equipment_ready(today))
            .group_by(Equipment.organisation_id)
        ):
            lines[organisation_id] = (lines[organisation_id][0], int(count))
        agreements = set(
            session.scalars(
                select(Agreement.organisation_id).where(
                    Agreement.organisation_id.in_(ids), Agreement.status == AgreementStatus.ACTIVE
                )
            )
        )
    rows = [
        OrganisationRow(o, *lines.get(o.id, (0, 0)), active_agreement=o.id in agreements)
        for o in organisations
    ]
    return rows, total


@dataclass
class EquipmentGroup:
    resource_type: ResourceType
    lines: list[Equipment]
    by_status: dict[EquipmentStatus, int]
    quantity_ready: int  # of lines ready and not past their inspection
    overdue: int = 0  # lines past their inspection date


def equipment_groups(session: Session, organisation_id: int, today: date) -> list[EquipmentGroup]:
    """The organisation's equipment by resource type; lines by status, then site."""
    rows = session.scalars(
        select(Equipment)
        .join(ResourceType, Equipment.resource_type_id == ResourceType.id)
        .where(Equipment.organisation_id == organisation_id)
        .options(joinedload(Equipment.resource_type), joinedload(Equipment.site))
        .order_by(ResourceType.capability, ResourceType.code, Equipment.id)
    )
    status_order = {status: index for index, status in enumerate(EquipmentStatus)}
    groups: dict[int, EquipmentGroup] = {}
    for line in rows:
        group = groups.setdefault(
            line.resource_type_id, EquipmentGroup(line.resource_type, [], {}, 0)
        )
        group.lines.append(line)
        group.by_status[line.status] = group.by_status.get(line.status, 0) + 1
        if equipment_is_ready(line.status, line.next_inspection_due, today):
            group.quantity_ready += line.quantity
        if line.next_inspection_due is not None and line.next_inspection_due < today:
            group.overdue += 1
    for group in groups.values():
        group.lines.sort(key=lambda line: (status_order[line.status], line.site.name, line.id))
        group.by_status = {s: group.by_status[s] for s in EquipmentStatus if s in group.by_status}
    return list(groups.values())


def organisation_sites(session: Session, organisation_id: int) -> list[Site]:
    return list(
        session.scalars(
            select(Site).where(Site.organisation_id == organisation_id).order_by(Site.name, Site.id)
        )
    )


def equipment_by_site(session: Session, site_ids: list[int]) -> dict[int, list[Equipment]]:
    """The equipment kept at each of the sites (any organisation's), by type."""
    if not site_ids:
        return {}
    rows = session.scalars(
        select(Equipment)
        .join(ResourceType, Equipment.resource_type_id == ResourceType.id)
        .where(Equipment.site_id.in_(site_ids))
        .options(joinedload(Equipment.resource_type), joinedload(Equipment.organisation))
        .order_by(ResourceType.capability, ResourceType.code, Equipment.id)
    )
    held: dict[int, list[Equipment]] = defaultdict(list)
    for line in rows:
        held[line.site_id].append(line)
    return dict(held)


def organisation_volunteers(session: Session, organisation_id: int) -> list[Volunteer]:
    """Active members of the organisation, with their qualifications."""
    statement = (
        select(Volunteer)
        .join(Membership, Membership.volunteer_id == Volunteer.id)
        .where(Membership.organisation_id == organisation_id, Volunteer.active)
        .options(
            selectinload(Volunteer.qualifications).joinedload(
                VolunteerQualification.qualification_type
            ),
            selectinload(Volunteer.memberships),
        )
        .order_by(Volunteer.full_name, Volunteer.id)
    )
    return list(session.scalars(statement).unique())


def organisation_agreements(session: Session, organisation_id: int) -> list[Agreement]:
    statement = (
        select(Agreement)
        .where(Agreement.organisation_id == organisation_id)
        .options(
            selectinload(Agreement.commitments).joinedload(Commitment.resource_type),
            selectinload(Agreement.commitments).joinedload(Commitment.qualification_type),
        )
        .order_by(Agreement.valid_from.desc(), Agreement.id)
    )
    return list(session.scalars(statement))
