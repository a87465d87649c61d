"""Nearest-first searches for equipment and volunteers around a point. Reads only.

With a radius, one indexed `within_metres` query. Without one ("the nearest N"), the same
query over growing radii until N are found, so both backends use their spatial index and
give the same answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from beredskap.inventory.models import Capability, Equipment, EquipmentStatus, ResourceType
from beredskap.organisations.models import Organisation, Site
from beredskap.volunteers.models import (
    Availability,
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)
from geo.sql import distance_metres, point, within_metres

# Radii tried, in metres, when no radius is given: the whole of Norway fits in the last.
EXPANDING_RADII = (5_000, 20_000, 80_000, 320_000, 2_500_000)


@dataclass(frozen=True)
class Place:
    lon: float
    lat: float


def _nearest_rows(
    session: Session,
    ranking: Callable[[float], Select[Any]],
    radius_m: float | None,
    limit: int,
) -> list[Any]:
    """Rows of `ranking(radius)` (a statement within the radius, nearest first, limited);
    without a radius the radius grows until `limit` are found."""
    radii = (radius_m,) if radius_m is not None else EXPANDING_RADII
    rows: list[Any] = []
    for radius in radii:
        rows = list(session.execute(ranking(radius)))
        if len(rows) >= limit:
            break
    return rows


def _load_in_order(
    session: Session, model: Any, ranked: list[tuple[int, float]], *options: Any
) -> list[tuple[Any, float]]:
    if not ranked:
        return []
    loaded = {
        record.id: record
        for record in session.scalars(
            select(model).where(model.id.in_([i for i, _ in ranked])).options(*options)
        ).unique()
    }
    return [(loaded[i], distance) for i, distance in ranked if i in loaded]


@dataclass(frozen=True)
class NearbyEquipment:
    """One ready equipment line and where it is, as the search answers it."""

    id: int
    distance_m: float
    lon: float
    lat: float
    quantity: int
    identifier: str | None
    resource_type: str
    resource_type_name: str
    capability: str
    unit: str
    site_id: int
    site_name: str
    access_24_7: bool
    organisation_id: int
    organisation: str


def ready_equipment_near(
    session: Session,
    place: Place,
    *,
    radius_m: float | None,
    limit: int,
    capability: Capability | None = None,
    resource_type_id: int | None = None,
) -> list[NearbyEquipment]:
    """Ready equipment of active organisations, nearest first, measured from its site.

    One statement: rank ids by distance, then join just the columns the answer shows.
    """
    centre = point(place.lon, place.lat)
    inactive = select(Organisation.id).where(Organisation.active.is_(False))

    def ranking(radius: float) -> Select[Any]:
        # Distance once per site, not once per equipment line at it: the geodesic distance
        # is the expensive part. MATERIALIZED keeps the planner from folding it back in.
        near_sites = (
            select(
                Site.id.label("site_id"),
                distance_metres(Site.location, centre).label("distance_m"),
            )
            .where(within_metres(Site.location, centre, radius))
            .cte("near_sites")
            .prefix_with("MATERIALIZED")
        )
        ranked = select(Equipment.id, near_sites.c.distance_m).join(
            near_sites, near_sites.c.site_id == Equipment.site_id
        )
        ranked = ranked.where(
            Equipment.status == EquipmentStatus.READY,
            Equipment.organisation_id.not_in(inactive),
        )
        if capability is not None:
            ranked = ranked.join(ResourceType, ResourceType.id == Equipment.resource_type_id).where(
                ResourceType.capability == capability
            )
        if resource_type_id is not None:
            ranked = ranked.where(Equipment.resource_type_id == resource_type_id)
        top = ranked.order_by(near_sites.c.distance_m, Equipment.id).limit(limit).subquery()
        line = aliased(Equipment)
        return (
            select(
                line.id,
                top.c.distance_m,
                func.ST_X(Site.location),
                func.ST_Y(Site.location),
                line.quantity,
                line.identifier,
                ResourceType.code,
                ResourceType.name_nb,
                ResourceType.capability,
                ResourceType.unit,
                Site.id,
                Site.name,
                Site.access_24_7,
                Organisation.id,
                Organisation.name,
            )
            .select_from(top)
            .join(line, line.id == top.c.id)
            .join(Site, Site.id == line.site_id)
            .join(ResourceType, ResourceType.id == line.resource_type_id)
            .join(Organisation, Organisation.id == line.organisation_id)
            .order_by(top.c.distance_m, line.id)
        )

    return [
        NearbyEquipment(
            id=row[0],
            distance_m=float(row[1]),
            lon=float(row[2]),
            lat=float(row[3]),
            quantity=row[4],
            identifier=row[5],
            resource_type=row[6],
            resource_type_name=row[7],
            capability=Capability(row[8]).value,
            unit=row[9],
            site_id=row[10],
            site_name=row[11],
            access_24_7=bool(row[12]),
            organisation_id=row[13],
            organisation=row[14],
        )
        for row in _nearest_rows(session, ranking, radius_m, limit)
    ]


def available_volunteers_near(
    session: Session,
    place: Place,
    *,
    radius_m: float | None,
    limit: int,
    on: date,
    qualification_type_id: int | None = None,
    organisation_ids: frozenset[int] | None = None,
) -> list[tuple[Volunteer, float]]:
    """Active volunteers who consent to SMS and are not unavailable, nearest home area first;
    with a qualification, only those holding it valid on `on`."""
    statement = select(Volunteer.id).where(
        Volunteer.active.is_(True),
        Volunteer.sms_consent.is_(True),
        Volunteer.availability != Availability.UNAVAILABLE,
        Volunteer.home_area.is_not(None),
    )
    if qualification_type_id is not None:
        statement = statement.where(
            exists().where(
                VolunteerQualification.volunteer_id == Volunteer.id,
                VolunteerQualification.qualification_type_id == qualification_type_id,
                or_(
                    VolunteerQualification.expires_on.is_(None),
                    VolunteerQualification.expires_on >= on,
                ),
            )
        )
    if organisation_ids is not None:
        statement = statement.where(
            exists().where(
                and_(
                    Membership.volunteer_id == Volunteer.id,
                    Membership.organisation_id.in_(organisation_ids),
                )
            )
        )
    centre = point(place.lon, place.lat)
    distance = distance_metres(Volunteer.home_area, centre).label("distance_m")

    def ranking(radius: float) -> Select[Any]:
        return (
            statement.add_columns(distance)
            .where(within_metres(Volunteer.home_area, centre, radius))
            .order_by(distance, Volunteer.id)
            .limit(limit)
        )

    ranked = [
        (int(row[0]), float(row[1])) for row in _nearest_rows(session, ranking, radius_m, limit)
    ]
    return _load_in_order(
        session,
        Volunteer,
        ranked,
        selectinload(Volunteer.memberships).selectinload(Membership.organisation),
        selectinload(Volunteer.qualifications).selectinload(
            VolunteerQualification.qualification_type
        ),
    )


def qualification_type_by_code_or_id(session: Session, key: str) -> QualificationType | None:
    """A qualification type by its code (e.g. first_aid) or its id."""
    condition = QualificationType.code == key
    if key.isdigit() and len(key) < 10:
        condition = or_(condition, QualificationType.id == int(key))
    return session.scalars(select(QualificationType).where(condition)).first()


def resource_type_by_code_or_id(session: Session, key: str) -> ResourceType | None:
    """A resource type by its code (e.g. atv) or its id."""
    condition = ResourceType.code == key
    if key.isdigit() and len(key) < 10:
        condition = or_(condition, ResourceType.id == int(key))
    return session.scalars(select(ResourceType).where(condition)).first()
