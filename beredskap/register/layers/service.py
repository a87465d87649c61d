"""The map layers as GeoJSON features: organisations, sites, equipment per site, agreement areas.

One set of queries for every consumer: the REST layers (/api/v1/layers), OGC API - Features
(/ogc) and the folium maps. Reads only.

Rules every layer follows:
- Geometries are GeoJSON in EPSG:4326, [lon, lat]; callers reproject for output.
- Features are ordered by id, so limit/offset pages are stable; `total` counts all matches.
- A map shows what can be called on: data of inactive organisations is left out unless the
  caller passes `include_inactive=True`. The municipality's own sites (no organisation) are
  always in.
- `bbox` filtering uses `geo.sql.intersects_box` (index-assisted on both backends). A box
  given in another CRS becomes its WGS84 envelope as `bbox` plus its exact outline as
  `bbox_outline`, which features must intersect as well.
- `feature_id` narrows a layer to the one feature with that id (a site's, for equipment).
- No personal data: organisations' 24/7 contact only with `with_contact_details=True`, which
  callers set from the caller's role. Volunteers are never a layer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, aliased

from beredskap.platform.columns import today_in_norway
from beredskap.register.agreements.models import Agreement, AgreementStatus
from beredskap.register.inventory.models import Capability, Equipment, EquipmentStatus, ResourceType
from beredskap.register.layers.projection import as_lists
from beredskap.register.organisations.models import Organisation, Site, SiteKind
from beredskap.register.readiness.ready import equipment_ready
from geo.extent import BoundingBox
from geo.sql import intersects_box
from geo.srid import WGS84

DEFAULT_LIMIT = 1000


class Layer(StrEnum):
    """The layers, by the names the REST API and /ogc use for them."""

    ORGANISATIONS = "organisations"
    SITES = "sites"
    EQUIPMENT_AGGREGATES = "equipment-aggregates"
    AGREEMENT_AREAS = "agreement-areas"


@dataclass(frozen=True)
class LayerFeature:
    id: int
    geometry: dict[str, Any]  # GeoJSON geometry, EPSG:4326 lon/lat
    properties: dict[str, Any]


@dataclass(frozen=True)
class LayerPage:
    features: list[LayerFeature]
    total: int  # number matched (for paging links / numberMatched)


def _point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [float(lon), float(lat)]}


def _geojson(element: Any) -> dict[str, Any]:
    """A stored geometry as a GeoJSON geometry (coordinates as nested lists)."""
    geometry = mapping(to_shape(element))
    return {"type": geometry["type"], "coordinates": as_lists(geometry["coordinates"])}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _value(member: Any) -> Any:
    """An enum column's value as plain text (drivers hand back members or strings)."""
    return member.value if isinstance(member, StrEnum) else member


def _spatial_conditions(
    column: Any, bbox: BoundingBox | None, bbox_outline: BaseGeometry | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if bbox is not None:
        conditions.append(
            intersects_box(column, bbox.min_lon, bbox.min_lat, bbox.max_lon, bbox.max_lat)
        )
    if bbox_outline is not None:
        outline = func.ST_GeomFromText(bbox_outline.wkt, WGS84)
        conditions.append(func.ST_Intersects(column, outline))
    return conditions


def _count(session: Session, statement: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(statement.subquery())) or 0)


def _active_organisations() -> Select[Any]:
    return select(Organisation.id).where(Organisation.active.is_(True))


# Organisations ------------------------------------------------------------------------------


def _organisation_conditions(
    bbox: BoundingBox | None, bbox_outline: BaseGeometry | None, include_inactive: bool
) -> list[ColumnElement[bool]]:
    conditions = [Organisation.home_base.is_not(None)]
    if not include_inactive:
        conditions.append(Organisation.active.is_(True))
    return conditions + _spatial_conditions(Organisation.home_base, bbox, bbox_outline)


def organisations(
    session: Session,
    *,
    bbox: BoundingBox | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    with_contact_details: bool = False,
    include_inactive: bool = False,
    bbox_outline: BaseGeometry | None = None,
    feature_id: int | None = None,
) -> LayerPage:
    """Organisations at their home base (those without one are left out), with how many
    sites each keeps; the 24/7 contact only `with_contact_details`."""
    conditions = _organisation_conditions(bbox, bbox_outline, include_inactive)
    if feature_id is not None:
        conditions.append(Organisation.id == feature_id)
    total = _count(session, select(Organisation.id).where(*conditions))
    site_count = (
        select(func.count(Site.id))
        .where(Site.organisation_id == Organisation.id)
        .correlate(Organisation)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Organisation.id,
            func.ST_X(Organisation.home_base),
            func.ST_Y(Organisation.home_base),
            Organisation.name,
            Organisation.category,
            Organisation.active,
            Organisation.organisation_number,
            site_count,
            Organisation.contact_24_7_name,
            Organisation.contact_24_7_phone,
            Organisation.contact_24_7_email,
            Organisation.municipal,
        )
        .where(*conditions)
        .order_by(Organisation.id)
        .limit(limit)
        .offset(offset)
    )
    features = []
    for row in rows:
        properties: dict[str, Any] = {
            "name": row[3],
            "category": _value(row[4]),
            "active": bool(row[5]),
            "organisation_number": row[6],
            "site_count": int(row[7]),
            # One of the municipality's own services, not a voluntary organisation.
            "municipal": bool(row[11]),
        }
        if with_contact_details:
            properties |= {
                "contact_24_7_name": row[8],
                "contact_24_7_phone": row[9],
                "contact_24_7_email": row[10],
            }
        features.append(LayerFeature(row[0], _point(row[1], row[2]), properties))
    return LayerPage(features, total)


# Sites --------------------------------------------------------------------------------------


def _site_conditions(
    bbox: BoundingBox | None,
    bbox_outline: BaseGeometry | None,
    kind: SiteKind | None,
    include_inactive: bool,
) -> list[ColumnElement[bool]]:
    conditions = _spatial_conditions(Site.location, bbox, bbox_outline)
    if kind is not None:
        conditions.append(Site.kind == kind)
    if not include_inactive:
        conditions.append(
            Site.organisation_id.is_(None) | Site.organisation_id.in_(_active_organisations())
        )
    return conditions


def sites(
    session: Session,
    *,
    bbox: BoundingBox | None = None,
    kind: SiteKind | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    include_inactive: bool = False,
    bbox_outline: BaseGeometry | None = None,
    feature_id: int | None = None,
) -> LayerPage:
    """Storage sites, bases, muster points and shelters, with their organisation (none for
    the municipality's own). Access notes (key holders) are not part of the layer."""
    conditions = _site_conditions(bbox, bbox_outline, kind, include_inactive)
    if feature_id is not None:
        conditions.append(Site.id == feature_id)
    total = _count(session, select(Site.id).where(*conditions))
    rows = session.execute(
        select(
            Site.id,
            func.ST_X(Site.location),
            func.ST_Y(Site.location),
            Site.name,
            Site.kind,
            Site.address,
            Site.access_24_7,
            Site.organisation_id,
            Organisation.name,
            Organisation.category,
            Organisation.municipal,
        )
        .outerjoin(Organisation, Organisation.id == Site.organisation_id)
        .where(*conditions)
        .order_by(Site.id)
        .limit(limit)
        .offset(offset)
    )
    features = [
        LayerFeature(
            row[0],
            _point(row[1], row[2]),
            {
                "name": row[3],
                "kind": _value(row[4]),
                "address": row[5],
                "access_24_7": bool(row[6]),
                "organisation_id": row[7],
                "organisation": row[8],
                "organisation_category": _value(row[9]),
                # The municipality's own: a site of no organisation or of a municipal service.
                "municipal": row[7] is None or bool(row[10]),
            },
        )
        for row in rows
    ]
    return LayerPage(features, total)


# Equipment, one feature per site ------------------------------------------------------------


@dataclass(frozen=True)
class _MatchingEquipment:
    """Which equipment lines a request counts; joins Site and ResourceType only when a
    condition or a grouping needs them (the counts run over every matching line)."""

    bbox: BoundingBox | None
    bbox_outline: BaseGeometry | None
    capability: Capability | None
    status: EquipmentStatus | None
    include_inactive: bool
    site_id: int | None = None
    on: date | None = None  # the day "ready" is judged on (readiness/ready.py)

    def select(
        self, *columns: Any, with_site: bool = False, with_type: bool = False
    ) -> Select[Any]:
        statement = select(*columns).select_from(Equipment)
        if with_site or self.bbox is not None or self.bbox_outline is not None:
            statement = statement.join(Site, Site.id == Equipment.site_id)
            statement = statement.where(
                *_spatial_conditions(Site.location, self.bbox, self.bbox_outline)
            )
        if with_type or self.capability is not None:
            statement = statement.join(ResourceType, ResourceType.id == Equipment.resource_type_id)
        if self.capability is not None:
            statement = statement.where(ResourceType.capability == self.capability)
        if self.status is EquipmentStatus.READY:
            # Ready means ready: a line past its inspection is not, whatever its status says.
            statement = statement.where(equipment_ready(self.on or today_in_norway()))
        elif self.status is not None:
            statement = statement.where(Equipment.status == self.status)
        if not self.include_inactive:
            statement = statement.where(Equipment.organisation_id.in_(_active_organisations()))
        if self.site_id is not None:
            statement = statement.where(Equipment.site_id == self.site_id)
        return statement


def _counts_by(
    session: Session,
    matching: _MatchingEquipment,
    site_ids: list[int],
    key: Any,
    as_text: Any,
) -> dict[int, dict[str, dict[str, int]]]:
    """{site id: {key value: {"lines": n, "quantity": q}}}, counted by the database."""
    rows = session.execute(
        matching.select(
            Equipment.site_id,
            key,
            func.count(Equipment.id),
            func.sum(Equipment.quantity),
            with_type=key is ResourceType.capability,
        )
        .where(Equipment.site_id.in_(site_ids))
        .group_by(Equipment.site_id, key)
        .order_by(Equipment.site_id, key)
    )
    counted: dict[int, dict[str, dict[str, int]]] = {site_id: {} for site_id in site_ids}
    for site_id, value, lines, quantity in rows:
        counted[site_id][as_text(value).value] = {"lines": int(lines), "quantity": int(quantity)}
    return counted


def _overdue_by_site(
    session: Session, matching: _MatchingEquipment, site_ids: list[int]
) -> dict[int, dict[str, int]]:
    """{site id: {"lines": n, "quantity": q}} of matching lines past their inspection date:
    beside the status counts, so "3 ready" never hides that one of them is overdue."""
    today = matching.on or today_in_norway()
    rows = session.execute(
        matching.select(Equipment.site_id, func.count(Equipment.id), func.sum(Equipment.quantity))
        .where(Equipment.site_id.in_(site_ids), Equipment.next_inspection_due < today)
        .group_by(Equipment.site_id)
    )
    return {site_id: {"lines": int(n), "quantity": int(q)} for site_id, n, q in rows}


def equipment_aggregates(
    session: Session,
    *,
    bbox: BoundingBox | None = None,
    capability: Capability | None = None,
    status: EquipmentStatus | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    include_inactive: bool = False,
    bbox_outline: BaseGeometry | None = None,
    feature_id: int | None = None,
) -> LayerPage:
    """One feature per site holding matching equipment, at the site: how many lines and
    items in all, by capability and by status. Never one feature per equipment line.

    The counts are GROUP BY queries: one per site for the page (with `total` as a window
    count over the groups), then by capability and by status for just the sites of the page.
    """
    matching = _MatchingEquipment(
        bbox, bbox_outline, capability, status, include_inactive, site_id=feature_id
    )
    per_site = (
        matching.select(
            Equipment.site_id.label("site_id"),
            func.count(Equipment.id).label("lines"),
            func.sum(Equipment.quantity).label("quantity"),
        )
        .group_by(Equipment.site_id)
        .subquery("per_site")
    )
    holder = aliased(Organisation)
    rows = session.execute(
        select(
            Site.id,
            func.ST_X(Site.location),
            func.ST_Y(Site.location),
            Site.name,
            Site.kind,
            Site.organisation_id,
            holder.name,
            holder.municipal,
            per_site.c.lines,
            per_site.c.quantity,
            # The total rides along with the page, so the grouping runs once.
            func.count().over().label("total"),
        )
        .select_from(per_site)
        .join(Site, Site.id == per_site.c.site_id)
        .outerjoin(holder, holder.id == Site.organisation_id)
        .order_by(Site.id)
        .limit(limit)
        .offset(offset)
    ).all()
    # Past the last page (or when nothing matches) there is no row to carry it: count alone.
    total = int(rows[0][10]) if rows else _count(session, select(per_site.c.site_id))
    site_ids = [row[0] for row in rows]
    by_capability = _counts_by(session, matching, site_ids, ResourceType.capability, Capability)
    by_status = _counts_by(session, matching, site_ids, Equipment.status, EquipmentStatus)
    overdue = _overdue_by_site(session, matching, site_ids)
    features = [
        LayerFeature(
            row[0],
            _point(row[1], row[2]),
            {
                "site_id": row[0],
                "site_name": row[3],
                "site_kind": _value(row[4]),
                "organisation_id": row[5],
                "organisation": row[6],
                "municipal": row[5] is None or bool(row[7]),
                "lines": int(row[8]),
                "quantity": int(row[9]),
                "by_capability": by_capability[row[0]],
                "by_status": by_status[row[0]],
                "inspection_overdue": overdue.get(row[0], {"lines": 0, "quantity": 0}),
            },
        )
        for row in rows
    ]
    return LayerPage(features, total)


# Agreements' service areas ------------------------------------------------------------------


def _agreement_conditions(
    bbox: BoundingBox | None,
    bbox_outline: BaseGeometry | None,
    status: AgreementStatus | None,
    include_inactive: bool,
) -> list[ColumnElement[bool]]:
    conditions = [Agreement.service_area.is_not(None)]
    conditions += _spatial_conditions(Agreement.service_area, bbox, bbox_outline)
    if status is not None:
        conditions.append(Agreement.status == status)
    if not include_inactive:
        conditions.append(Agreement.organisation_id.in_(_active_organisations()))
    return conditions


def agreement_areas(
    session: Session,
    *,
    bbox: BoundingBox | None = None,
    status: AgreementStatus | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    include_inactive: bool = False,
    bbox_outline: BaseGeometry | None = None,
    feature_id: int | None = None,
) -> LayerPage:
    """One feature per agreement with a service area (of every status unless `status` is
    given; the status is a property to style by). No contacts, terms or commitments."""
    conditions = _agreement_conditions(bbox, bbox_outline, status, include_inactive)
    if feature_id is not None:
        conditions.append(Agreement.id == feature_id)
    total = _count(session, select(Agreement.id).where(*conditions))
    rows = session.execute(
        select(
            Agreement.id,
            Agreement.service_area,
            Agreement.reference,
            Agreement.title,
            Agreement.status,
            Agreement.organisation_id,
            Organisation.name,
            Agreement.tasks,
            Agreement.valid_from,
            Agreement.valid_until,
        )
        .join(Organisation, Organisation.id == Agreement.organisation_id)
        .where(*conditions)
        .order_by(Agreement.id)
        .limit(limit)
        .offset(offset)
    )
    features = [
        LayerFeature(
            row[0],
            _geojson(row[1]),
            {
                "agreement_id": row[0],
                "reference": row[2],
                "title": row[3],
                "status": _value(row[4]),
                "organisation_id": row[5],
                "organisation": row[6],
                "tasks": list(row[7] or []),
                "valid_from": _iso(row[8]),
                "valid_until": _iso(row[9]),
            },
        )
        for row in rows
    ]
    return LayerPage(features, total)


# Extents ------------------------------------------------------------------------------------


def _point_extent(session: Session, column: Any, statement: Select[Any]) -> BoundingBox | None:
    row = session.execute(
        statement.with_only_columns(
            func.min(func.ST_X(column)),
            func.min(func.ST_Y(column)),
            func.max(func.ST_X(column)),
            func.max(func.ST_Y(column)),
        )
    ).one()
    if row[0] is None:
        return None
    return BoundingBox(*(float(value) for value in row))


def _union_of(boxes: Iterable[tuple[float, float, float, float]]) -> BoundingBox | None:
    boxes = list(boxes)
    if not boxes:
        return None
    return BoundingBox(
        min(box[0] for box in boxes),
        min(box[1] for box in boxes),
        max(box[2] for box in boxes),
        max(box[3] for box in boxes),
    )


def extent(session: Session, layer: Layer, *, include_inactive: bool = False) -> BoundingBox | None:
    """The WGS84 box around every feature of a layer (None when the layer is empty)."""
    if layer == Layer.ORGANISATIONS:
        conditions = _organisation_conditions(None, None, include_inactive)
        return _point_extent(
            session, Organisation.home_base, select(Organisation.id).where(*conditions)
        )
    if layer == Layer.SITES:
        conditions = _site_conditions(None, None, None, include_inactive)
        return _point_extent(session, Site.location, select(Site.id).where(*conditions))
    if layer == Layer.EQUIPMENT_AGGREGATES:
        matching = _MatchingEquipment(None, None, None, None, include_inactive)
        return _point_extent(session, Site.location, matching.select(Site.id, with_site=True))
    # Areas: each one's envelope from the database, their union here (agreements are few).
    conditions = _agreement_conditions(None, None, None, include_inactive)
    envelopes = session.scalars(select(func.ST_Envelope(Agreement.service_area)).where(*conditions))
    return _union_of(to_shape(envelope).bounds for envelope in envelopes)
