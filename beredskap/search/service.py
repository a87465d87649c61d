"""Nearest-first searches for equipment and volunteers around a point. Reads only.

With a radius, one indexed `within_metres` query. Without one ("the nearest N"), the same
query over growing radii until N are found, so both backends use their spatial index and
give the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import Session, selectinload

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


def _nearest(
    session: Session,
    statement: Select[Any],
    column: Any,
    tiebreak: Any,
    place: Place,
    radius_m: float | None,
    limit: int,
) -> list[tuple[Any, float]]:
    """Rows of `statement` within the radius (or the nearest `limit`), with their distance."""
    centre = point(place.lon, place.lat)
    distance = distance_metres(column, centre).label("distance_m")
    radii = (radius_m,) if radius_m is not None else EXPANDING_RADII
    rows: list[Any] = []
    for radius in radii:
        query = (
            statement.add_columns(distance)
            .where(within_metres(column, centre, radius))
            .order_by(distance, tiebreak)
            .limit(limit)
        )
        rows = list(session.execute(query))
        if len(rows) >= limit:
            break
    return [(row[0], float(row[1])) for row in rows]


def ready_equipment_near(
    session: Session,
    place: Place,
    *,
    radius_m: float | None,
    limit: int,
    capability: Capability | None = None,
    resource_type_id: int | None = None,
) -> list[tuple[Equipment, float]]:
    """Ready equipment of active organisations, nearest first, measured from its site."""
    statement = (
        select(Equipment)
        .join(Site, Site.id == Equipment.site_id)
        .join(Organisation, Organisation.id == Equipment.organisation_id)
        .where(Equipment.status == EquipmentStatus.READY, Organisation.active.is_(True))
        .options(
            selectinload(Equipment.site),
            selectinload(Equipment.organisation),
            selectinload(Equipment.resource_type),
        )
    )
    if capability is not None or resource_type_id is not None:
        statement = statement.join(ResourceType, ResourceType.id == Equipment.resource_type_id)
    if capability is not None:
        statement = statement.where(ResourceType.capability == capability)
    if resource_type_id is not None:
        statement = statement.where(Equipment.resource_type_id == resource_type_id)
    return _nearest(session, statement, Site.location, Equipment.id, place, radius_m, limit)


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
    statement = (
        select(Volunteer)
        .where(
            Volunteer.active.is_(True),
            Volunteer.sms_consent.is_(True),
            Volunteer.availability != Availability.UNAVAILABLE,
            Volunteer.home_area.is_not(None),
        )
        .options(
            selectinload(Volunteer.memberships).selectinload(Membership.organisation),
            selectinload(Volunteer.qualifications).selectinload(
                VolunteerQualification.qualification_type
            ),
        )
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
    return _nearest(session, statement, Volunteer.home_area, Volunteer.id, place, radius_m, limit)


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
