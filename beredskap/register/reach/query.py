"""What can be at a point within a time: ready equipment by resource type and qualified
volunteers, each arriving after its organisation's committed mobilisation plus travel.

Set-based, whatever the register's size:
- Nothing farther than `estimator.reach_metres(minutes)` in a straight line can arrive, so the
  database reads only sites and home areas inside that circle (`geo.sql.within_metres`, on
  the spatial index).
- Equipment comes summed per (site, mobilisation, resource type) by one GROUP BY; people as
  (person, qualification) pairs of those holding a qualification valid today.
- Travel is asked of the estimator once per distinct site and home area (homes are coarsened
  to a grid, so many share one), in one call: a routing engine's table service can answer it.

Mobilisation: an organisation's fastest committed mobilisation among its agreements in force
today (active, in its term) that state one; an organisation with none gets the stated default
(`BEREDSKAP_REACH_DEFAULT_MOBILISATION_MINUTES`). A volunteer in several organisations comes
at the fastest of theirs, one in none at the default. Equipment travels from its site, people
from their home area; people whose home is not registered cannot be placed and are only
counted as such. "Ready" is `readiness.ready`'s, the one definition.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from beredskap.register.agreements.models import Agreement, AgreementStatus
from beredskap.register.inventory.models import Capability, Equipment, ResourceType
from beredskap.register.organisations.models import Organisation, Site
from beredskap.register.reach.estimate import LonLat, TravelTimeEstimator
from beredskap.register.readiness.ready import equipment_ready, volunteer_callable
from beredskap.register.volunteers.models import (
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)
from geo.sql import point, within_metres

NAMED_LIMIT = 100  # people named at most, earliest first; the counts cover everyone
CHUNK = 5_000  # ids per IN list (SQLite allows 32,766 parameters)


@dataclass
class TypeReach:
    """Ready lines of one resource type that can be there in time."""

    resource_type_id: int
    code: str
    name_nb: str
    name_en: str
    capability: Capability
    unit: str
    quantity: int = 0
    lines: int = 0
    quantity_at_default: int = 0  # of `quantity`, from organisations with no agreed time


@dataclass
class QualificationReach:
    """People holding one qualification (valid today) who can be there in time."""

    qualification_type_id: int
    code: str
    name_nb: str
    name_en: str
    people: int = 0


@dataclass(frozen=True)
class NamedPerson:
    volunteer_id: int
    name: str
    minutes: float
    organisations: list[str]
    qualifications: list[str]  # codes, valid today


@dataclass
class Reach:
    on: date
    minutes: float
    radius_m: float
    default_mobilisation_minutes: int
    types: list[TypeReach]
    qualifications: list[QualificationReach]
    people: int  # distinct qualified people in time
    people_at_default: int  # of them, counted with the default mobilisation
    home_unknown: int  # qualified, callable people whose home area is not registered
    # People the reader may name, earliest first (None: the reader may name nobody).
    named: list[NamedPerson] | None = None
    named_more: int = 0  # nameable people in time beyond NAMED_LIMIT
    not_named: int = 0  # people in time the reader may not name (an org editor: others')
    organisations_at_default: int = 0  # organisations in time with no agreed mobilisation
    capabilities: list[Capability] = field(default_factory=list)


def mobilisation_by_organisation(on: date) -> Select[tuple[int, int]]:
    """Each organisation's fastest mobilisation committed in an agreement in force on `on`."""
    return (
        select(
            Agreement.organisation_id.label("organisation_id"),
            func.min(Agreement.committed_mobilisation_minutes).label("minutes"),
        )
        .where(
            Agreement.status == AgreementStatus.ACTIVE,
            Agreement.valid_from <= on,
            or_(Agreement.valid_until.is_(None), Agreement.valid_until >= on),
            Agreement.committed_mobilisation_minutes.is_not(None),
        )
        .group_by(Agreement.organisation_id)
    )


def reach(
    session: Session,
    *,
    lon: float,
    lat: float,
    minutes: float,
    on: date,
    estimator: TravelTimeEstimator,
    default_mobilisation: int,
    names: bool,
    named_only_of: Collection[int] | None = None,
) -> Reach:
    """What can be at (lon, lat) within `minutes`. `names`: name the people (the reader may
    see people); `named_only_of`: name only members of these organisations (None: anyone)."""
    radius = estimator.reach_metres(minutes)
    result = Reach(
        on=on,
        minutes=minutes,
        radius_m=radius,
        default_mobilisation_minutes=default_mobilisation,
        types=[],
        qualifications=[],
        people=0,
        people_at_default=0,
        home_unknown=0,
    )
    # One row per organisation with an agreement in force: small whatever the register's size.
    agreed = {
        int(org): int(minutes) for org, minutes in session.execute(mobilisation_by_organisation(on))
    }
    _equipment(session, result, lon, lat, estimator, agreed)
    _people(session, result, lon, lat, estimator, agreed, names, named_only_of)
    return result


def _travel(
    estimator: TravelTimeEstimator, points: dict[int, LonLat], to: LonLat
) -> dict[int, float]:
    """Minutes from each keyed point, asking the estimator once per distinct point."""
    distinct = sorted(set(points.values()))
    minutes = dict(zip(distinct, estimator.minutes(distinct, to), strict=True))
    return {key: minutes[where] for key, where in points.items()}


def _equipment(
    session: Session,
    result: Reach,
    lon: float,
    lat: float,
    estimator: TravelTimeEstimator,
    agreed: dict[int, int],
) -> None:
    near = within_metres(Site.location, point(lon, lat), result.radius_m)
    sites = {
        site_id: (float(x), float(y))
        for site_id, x, y in session.execute(
            select(Site.id, func.ST_X(Site.location), func.ST_Y(Site.location)).where(near)
        )
    }
    if not sites:
        return
    travel = _travel(estimator, sites, (lon, lat))
    # Only sites from which the fastest mobilisation anyone has could still arrive in time.
    fastest = min([result.default_mobilisation_minutes, *agreed.values()])
    candidates = sorted(
        site for site, minutes in travel.items() if fastest + minutes <= result.minutes
    )
    if not candidates:
        return
    inactive = select(Organisation.id).where(Organisation.active.is_(False))
    # Summed per site, organisation and type by the index on (site_id, resource_type_id,
    # status): a row per combination, never per line; sites in chunks (groups are per site).
    rows: list[Any] = []
    for start in range(0, len(candidates), CHUNK):
        rows.extend(
            session.execute(
                select(
                    Equipment.site_id,
                    Equipment.organisation_id,
                    Equipment.resource_type_id,
                    func.sum(Equipment.quantity),
                    func.count(),
                )
                .where(
                    Equipment.site_id.in_(candidates[start : start + CHUNK]),
                    equipment_ready(on=result.on),
                    Equipment.organisation_id.not_in(inactive),
                )
                .group_by(Equipment.site_id, Equipment.organisation_id, Equipment.resource_type_id)
            )
        )
    by_type: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    at_default: set[int] = set()
    default = result.default_mobilisation_minutes
    for site_id, organisation_id, type_id, quantity, lines in rows:
        mobilise = agreed.get(organisation_id)
        if (default if mobilise is None else mobilise) + travel[site_id] > result.minutes:
            continue
        totals = by_type[type_id]
        totals[0] += int(quantity)
        totals[1] += int(lines)
        if mobilise is None:
            totals[2] += int(quantity)
            at_default.add(organisation_id)
    result.organisations_at_default = len(at_default)
    if not by_type:
        return
    for row in session.execute(
        select(
            ResourceType.id,
            ResourceType.code,
            ResourceType.name_nb,
            ResourceType.name_en,
            ResourceType.capability,
            ResourceType.unit,
        ).where(ResourceType.id.in_(sorted(by_type)))
    ):
        quantity, lines, at_default_quantity = by_type[row[0]]
        result.types.append(
            TypeReach(
                row[0],
                row[1],
                row[2],
                row[3],
                Capability(row[4]),
                row[5],
                quantity,
                lines,
                at_default_quantity,
            )
        )
    order = list(Capability)
    result.types.sort(key=lambda item: (order.index(item.capability), item.name_nb.lower()))
    result.capabilities = [c for c in order if any(t.capability == c for t in result.types)]


def _people(
    session: Session,
    result: Reach,
    lon: float,
    lat: float,
    estimator: TravelTimeEstimator,
    agreed: dict[int, int],
    names: bool,
    named_only_of: Collection[int] | None,
) -> None:
    on = result.on
    default = result.default_mobilisation_minutes
    held = and_(
        VolunteerQualification.volunteer_id == Volunteer.id,
        VolunteerQualification.valid_on(on),
    )
    result.home_unknown = int(
        session.scalar(
            select(func.count())
            .select_from(Volunteer)
            .where(volunteer_callable(), Volunteer.home_area.is_(None), exists().where(held))
        )
        or 0
    )
    near = and_(
        volunteer_callable(),
        Volunteer.home_area.is_not(None),
        within_metres(Volunteer.home_area, point(lon, lat), result.radius_m),
    )
    # Everyone callable inside the circle, then what they hold and where they belong by id,
    # in chunks: joined to the spatial filter, PostgreSQL judges the circle to hold one row
    # and scans the other table once per person (seconds at 1440 minutes).
    homes: dict[int, LonLat] = {
        volunteer_id: (round(float(x), 6), round(float(y), 6))
        for volunteer_id, x, y in session.execute(
            select(
                Volunteer.id, func.ST_X(Volunteer.home_area), func.ST_Y(Volunteer.home_area)
            ).where(near)
        )
    }
    held_by: dict[int, set[int]] = defaultdict(set)
    organisations: dict[int, set[int]] = defaultdict(set)
    ids = sorted(homes)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for volunteer_id, qualification_id in session.execute(
            select(
                VolunteerQualification.volunteer_id, VolunteerQualification.qualification_type_id
            ).where(
                VolunteerQualification.volunteer_id.in_(chunk), VolunteerQualification.valid_on(on)
            )
        ):
            held_by[volunteer_id].add(qualification_id)
        for volunteer_id, organisation_id in session.execute(
            select(Membership.volunteer_id, Membership.organisation_id).where(
                Membership.volunteer_id.in_(chunk)
            )
        ):
            organisations[volunteer_id].add(organisation_id)
    homes = {v: home for v, home in homes.items() if v in held_by}  # the qualified only
    if not homes:
        return
    travel = _travel(estimator, homes, (lon, lat))
    arrival: dict[int, float] = {}
    at_default: set[int] = set()
    for volunteer_id, minutes in travel.items():
        # The fastest of the person's organisations; the default for one without an agreement.
        times = [agreed.get(org, default) for org in organisations.get(volunteer_id, ())] or [
            default
        ]
        mobilise = min(times)
        if not any(agreed.get(org) == mobilise for org in organisations.get(volunteer_id, ())):
            at_default.add(volunteer_id)
        arrival[volunteer_id] = mobilise + minutes
    in_time = {v for v, minutes in arrival.items() if minutes <= result.minutes}
    counts: dict[int, set[int]] = defaultdict(set)
    for volunteer_id in in_time:
        for qualification in held_by[volunteer_id]:
            counts[qualification].add(volunteer_id)
    result.people = len(in_time)
    result.people_at_default = len(in_time & at_default)
    if counts:
        for type_id, code, name_nb, name_en in session.execute(
            select(
                QualificationType.id,
                QualificationType.code,
                QualificationType.name_nb,
                QualificationType.name_en,
            ).where(QualificationType.id.in_(sorted(counts)))
        ):
            result.qualifications.append(
                QualificationReach(type_id, code, name_nb, name_en, len(counts[type_id]))
            )
        result.qualifications.sort(key=lambda item: item.name_nb.lower())
    if not names:
        return
    own = None if named_only_of is None else set(named_only_of)
    nameable = sorted(
        (v for v in in_time if own is None or own.intersection(organisations.get(v, ()))),
        key=lambda v: (arrival[v], v),
    )
    result.not_named = len(in_time) - len(nameable)
    result.named_more = max(0, len(nameable) - NAMED_LIMIT)
    result.named = _named(session, nameable[:NAMED_LIMIT], arrival, on)


def _named(
    session: Session, ids: list[int], arrival: dict[int, float], on: date
) -> list[NamedPerson]:
    if not ids:
        return []
    names = dict(
        session.execute(
            select(Volunteer.id, Volunteer.full_name).where(Volunteer.id.in_(ids))
        ).all()
    )
    organisations: dict[int, list[str]] = defaultdict(list)
    for volunteer_id, name in session.execute(
        select(Membership.volunteer_id, Organisation.name)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.volunteer_id.in_(ids))
        .order_by(Organisation.name)
    ):
        organisations[volunteer_id].append(name)
    qualifications: dict[int, list[str]] = defaultdict(list)
    for volunteer_id, code in session.execute(
        select(VolunteerQualification.volunteer_id, QualificationType.code)
        .join(
            QualificationType, QualificationType.id == VolunteerQualification.qualification_type_id
        )
        .where(VolunteerQualification.volunteer_id.in_(ids), VolunteerQualification.valid_on(on))
        .order_by(QualificationType.code)
    ):
        qualifications[volunteer_id].append(code)
    return [
        NamedPerson(
            volunteer_id=v,
            name=names[v],
            minutes=arrival[v],
            organisations=organisations[v],
            qualifications=qualifications[v],
        )
        for v in ids
    ]
