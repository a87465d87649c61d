"""Nearest-first searches for equipment and volunteers around a point. Reads only.

With a radius, one indexed `within_metres` query. Without one ("the nearest N"), the same
query over growing radii until N are found, so both backends use their spatial index and
give the same answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Date,
    Float,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased, selectinload

from beredskap.platform.columns import today_in_norway
from beredskap.platform.digits import parse_digits
from beredskap.platform.errors import N_, DomainValidationError
from beredskap.register.inventory.models import Capability, Equipment, ResourceType
from beredskap.register.organisations.models import Organisation, Site
from beredskap.register.readiness.ready import equipment_ready, volunteer_callable
from beredskap.register.volunteers.models import (
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)
from geo.sql import (
    KNN_SPHERE_MARGIN,
    distance_metres,
    inside_area,
    knn_distance,
    point,
    supports_knn,
    within_metres,
)

# Radii tried, in metres, when no radius is given: the whole of Norway fits in the last.
EXPANDING_RADII = (5_000, 20_000, 80_000, 320_000, 2_500_000)


@dataclass(frozen=True)
class Place:
    lon: float
    lat: float


Ranking = Callable[[float], tuple[Select[Any], dict[str, Any]]]
NearestDistances = Callable[[], tuple[Select[Any], dict[str, Any]]]


def _nearest_rows(
    session: Session,
    ranking: Ranking,
    radius_m: float | None,
    limit: int,
    nearest: NearestDistances,
) -> list[Any]:
    """Rows of `ranking(radius)` (a statement and its parameters: within the radius, nearest
    first, limited).

    On PostGIS an index-ordered KNN walk (`nearest`: sphere distances of the `limit` nearest
    matches) first says how far the answer reaches, so the ranking only looks that far: "the
    nearest N" needs no radius, and a wide radius in a dense town is narrowed to what the
    first N need. Elsewhere, without a radius, the radius grows until `limit` are found. The
    ranking orders by the ellipsoid in every case, so both backends give the same rows.
    """
    if supports_knn(session.get_bind().dialect.name):
        statement, parameters = nearest()
        distances = session.scalars(statement, parameters).all()
        if not distances:
            return []
        reach = float(distances[-1]) * KNN_SPHERE_MARGIN + 1.0
        radii: tuple[float, ...] = (reach if radius_m is None else min(radius_m, reach),)
    elif radius_m is not None:
        radii = (radius_m,)
    else:
        radii = EXPANDING_RADII
    rows: list[Any] = []
    for radius in radii:
        statement, parameters = ranking(radius)
        rows = list(session.execute(statement, parameters))
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
    municipal: bool = False  # held by one of the municipality's own services


_CENTRE = point(bindparam("lon", type_=Float), bindparam("lat", type_=Float))


def _ready_equipment(
    statement: Select[Any], by_capability: bool, by_resource_type: bool
) -> Select[Any]:
    """Lines of active organisations ready on the day (`ready.equipment_ready`: status ready,
    not past its inspection), of a capability group or resource type if asked."""
    inactive = select(Organisation.id).where(Organisation.active.is_(False))
    statement = statement.where(
        equipment_ready(bindparam("on", type_=Date)),
        Equipment.organisation_id.not_in(inactive),
    )
    if by_capability:
        statement = statement.join(
            ResourceType, ResourceType.id == Equipment.resource_type_id
        ).where(ResourceType.capability == bindparam("capability"))
    if by_resource_type:
        statement = statement.where(Equipment.resource_type_id == bindparam("resource_type_id"))
    return statement


@lru_cache(maxsize=16)
def _equipment_nearest(
    by_capability: bool, by_resource_type: bool, by_area: bool = False
) -> Select[Any]:
    """Sphere distances of the nearest matching lines, walked in the KNN index's order."""
    distance = knn_distance(Site.location, _CENTRE)
    statement = _ready_equipment(
        select(distance).select_from(Equipment).join(Site, Site.id == Equipment.site_id),
        by_capability,
        by_resource_type,
    )
    if by_area:
        statement = statement.where(inside_area(Site.location, bindparam("area", type_=String)))
    return statement.order_by(distance).limit(bindparam("limit", type_=Integer))


@lru_cache(maxsize=32)
def _equipment_ranking(
    by_capability: bool, by_resource_type: bool, by_radius: bool = True, by_area: bool = False
) -> Select[Any]:
    """The search statement for one shape of filters, built once with bind parameters.

    Building and cache-keying a statement of this size costs about as much as running it, so
    each shape is made once per process and only its parameters change per request.
    """
    centre = _CENTRE
    # Distance once per site, not once per equipment line at it: the geodesic distance is the
    # expensive part. MATERIALIZED keeps the planner from folding it back in.
    sites = select(
        Site.id.label("site_id"),
        distance_metres(Site.location, centre).label("distance_m"),
    )
    if by_radius:
        sites = sites.where(
            within_metres(Site.location, centre, bindparam("radius_m", type_=Float))
        )
    if by_area:
        sites = sites.where(inside_area(Site.location, bindparam("area", type_=String)))
    near_sites = sites.cte("near_sites").prefix_with("MATERIALIZED")
    ranked = _ready_equipment(
        select(Equipment.id, near_sites.c.distance_m).join(
            near_sites, near_sites.c.site_id == Equipment.site_id
        ),
        by_capability,
        by_resource_type,
    )
    top = (
        ranked.order_by(near_sites.c.distance_m, Equipment.id)
        .limit(bindparam("limit", type_=Integer))
        .subquery()
    )
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
            Organisation.municipal,
        )
        .select_from(top)
        .join(line, line.id == top.c.id)
        .join(Site, Site.id == line.site_id)
        .join(ResourceType, ResourceType.id == line.resource_type_id)
        .join(Organisation, Organisation.id == line.organisation_id)
        .order_by(top.c.distance_m, line.id)
    )


def _nearby(row: Any) -> NearbyEquipment:
    return NearbyEquipment(
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
        municipal=bool(row[15]),
    )


def ready_equipment_near(
    session: Session,
    place: Place,
    *,
    radius_m: float | None,
    limit: int,
    capability: Capability | None = None,
    resource_type_id: int | None = None,
    area_wkt: str | None = None,
    on: date | None = None,
) -> list[NearbyEquipment]:
    """Equipment of active organisations ready on `on` (default today), nearest first,
    measured from its site.

    With an area (WKT, EPSG:4326), only sites in it; nearest N then needs no growing radius.
    One statement: rank ids by distance, then join just the columns the answer shows.
    """
    shape = (capability is not None, resource_type_id is not None)
    parameters: dict[str, Any] = {
        "lon": place.lon,
        "lat": place.lat,
        "limit": limit,
        "on": on or today_in_norway(),
    }
    if capability is not None:
        parameters["capability"] = capability
    if resource_type_id is not None:
        parameters["resource_type_id"] = resource_type_id
    if area_wkt is not None:
        parameters["area"] = area_wkt
        if radius_m is None:  # the area bounds the search: one statement, no radius
            statement = _equipment_ranking(*shape, by_radius=False, by_area=True)
            return [_nearby(row) for row in session.execute(statement, parameters)]
    statement = _equipment_ranking(*shape, by_radius=True, by_area=area_wkt is not None)

    def ranking(radius: float) -> tuple[Select[Any], dict[str, Any]]:
        return statement, parameters | {"radius_m": radius}

    return [
        _nearby(row)
        for row in _nearest_rows(
            session,
            ranking,
            radius_m,
            limit,
            lambda: (_equipment_nearest(*shape, by_area=area_wkt is not None), parameters),
        )
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
    area_wkt: str | None = None,
) -> list[tuple[Volunteer, float]]:
    """Active volunteers who consent to SMS and are not unavailable, nearest home area first;
    with a qualification, only those holding it valid on `on`; with an area, living in it."""
    statement = select(Volunteer.id).where(
        volunteer_callable(),
        Volunteer.home_area.is_not(None),
    )
    if qualification_type_id is not None:
        statement = statement.where(
            exists().where(
                VolunteerQualification.volunteer_id == Volunteer.id,
                VolunteerQualification.qualification_type_id == qualification_type_id,
                VolunteerQualification.valid_on(on),
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
    if area_wkt is not None:
        statement = statement.where(inside_area(Volunteer.home_area, area_wkt))
    centre = point(place.lon, place.lat)
    distance = distance_metres(Volunteer.home_area, centre).label("distance_m")

    def ranking(radius: float) -> tuple[Select[Any], dict[str, Any]]:
        return (
            statement.add_columns(distance)
            .where(within_metres(Volunteer.home_area, centre, radius))
            .order_by(distance, Volunteer.id)
            .limit(limit)
        ), {}

    def nearest() -> tuple[Select[Any], dict[str, Any]]:
        sphere = knn_distance(Volunteer.home_area, centre)
        return statement.with_only_columns(sphere).order_by(sphere).limit(limit), {}

    if area_wkt is not None and radius_m is None:  # the area bounds the search
        rows = list(
            session.execute(
                statement.add_columns(distance).order_by(distance, Volunteer.id).limit(limit)
            )
        )
    else:
        rows = _nearest_rows(session, ranking, radius_m, limit, nearest)
    ranked = [(int(row[0]), float(row[1])) for row in rows]
    return _load_in_order(
        session,
        Volunteer,
        ranked,
        selectinload(Volunteer.memberships).selectinload(Membership.organisation),
        selectinload(Volunteer.qualifications).selectinload(
            VolunteerQualification.qualification_type
        ),
    )


def _by_code_or_id(session: Session, model: Any, key: str) -> Any:
    condition = model.code == key
    type_id = parse_digits(key)
    if type_id is not None:
        condition = or_(condition, model.id == type_id)
    return session.scalars(select(model).where(condition)).first()


def qualification_type_id(session: Session, key: str | None) -> int | None:
    """The id of a qualification type given by code (e.g. first_aid) or id; a 422 on
    `qualification` if there is none."""
    if not key:
        return None
    found = _by_code_or_id(session, QualificationType, key)
    if found is None:
        raise DomainValidationError("qualification", N_("no qualification %(key)s"), key=repr(key))
    return int(found.id)


def resource_type_id(session: Session, key: str | None) -> int | None:
    """The id of a resource type given by code (e.g. atv) or id; a 422 on `resource_type`
    if there is none."""
    if not key:
        return None
    found = _by_code_or_id(session, ResourceType, key)
    if found is None:
        raise DomainValidationError("resource_type", N_("no resource type %(key)s"), key=repr(key))
    return int(found.id)
