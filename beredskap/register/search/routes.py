"""/api/v1/search/resources and /api/v1/search/volunteers: nearest first, as GeoJSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from geoalchemy2.shape import to_shape
from shapely.geometry import MultiPolygon

from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.api.spatial_params import (
    OUTPUT_SRIDS,
    UTM_SRIDS,
    OutputCrs,
    supported_srid,
)
from beredskap.platform.api.types import SearchText
from beredskap.platform.audit.reads import record_read
from beredskap.platform.columns import today_in_norway
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.errors import N_, DomainValidationError
from beredskap.platform.geo_errors import geo_invalid
from beredskap.register.inventory.models import Capability
from beredskap.register.search import service
from beredskap.register.search.schemas import Feature, FeatureCollection, PointGeometry
from geo.areas import InvalidAreaError, to_multipolygon
from geo.crs import UnsupportedCrsError, to_wgs84, transform
from geo.extent import OutsideNorwayError, check_lon_lat
from geo.srid import WGS84

router = APIRouter(prefix="/search", tags=["search"], responses=PROBLEM_RESPONSES)
MAX_RADIUS_M = 2_000_000
# Characters of GeoJSON in the query string: proxies commonly cut URLs at 8 KiB, and the
# server refuses a request line over 64 KiB before the app sees it.
MAX_AREA_TEXT = 8_000


@dataclass(frozen=True)
class Where:
    """Where to search: distances are measured from `place`; `area_wkt` bounds the search."""

    place: service.Place
    area_wkt: str | None


def _area(text: str) -> MultiPolygon:
    try:
        geojson = json.loads(text)
    except (ValueError, RecursionError):
        raise DomainValidationError(
            "area", N_("area must be GeoJSON (a Polygon or MultiPolygon)")
        ) from None
    if not isinstance(geojson, dict):
        raise DomainValidationError("area", N_("area must be a GeoJSON Polygon or MultiPolygon"))
    try:
        return to_multipolygon(geojson)
    except InvalidAreaError as error:
        raise geo_invalid("area", error) from None


# async: no I/O, so it runs on the event loop instead of costing a thread-pool hop.
async def place_params(
    lat: float | None = Query(None, ge=-90, le=90, allow_inf_nan=False),
    lon: float | None = Query(None, ge=-180, le=180, allow_inf_nan=False),
    east: float | None = Query(None, ge=-10_000_000, le=10_000_000, allow_inf_nan=False),
    north: float | None = Query(None, ge=0, le=10_000_000, allow_inf_nan=False),
    epsg: int | None = Query(
        None,
        description="With east and north: 25832 or 25833",
        json_schema_extra={"enum": UTM_SRIDS},
    ),
    area: str | None = Query(
        None,
        max_length=MAX_AREA_TEXT,
        description="A GeoJSON Polygon or MultiPolygon in EPSG:4326 to search in; distances "
        "are from the point, or from the area's centre when no point is given",
    ),
) -> Where:
    """The search centre (lat and lon, or EUREF89 UTM east, north and epsg) and/or an area."""
    supported_srid("epsg", epsg, UTM_SRIDS)
    bounds = _area(area) if area is not None else None
    wkt = bounds.wkt if bounds is not None else None
    try:
        if lat is not None and lon is not None:
            return Where(service.Place(*check_lon_lat(lon, lat)), wkt)
        if east is not None and north is not None and epsg is not None:
            return Where(service.Place(*check_lon_lat(*to_wgs84(east, north, epsg))), wkt)
    except (OutsideNorwayError, UnsupportedCrsError) as error:
        raise geo_invalid("lat" if lat is not None else "east", error) from None
    if bounds is not None and (lat, lon, east, north) == (None, None, None, None):
        centre = bounds.centroid
        return Where(service.Place(centre.x, centre.y), wkt)
    raise DomainValidationError("lat", N_("give lat and lon, or east, north and epsg, or an area"))


def _point(lon: float, lat: float, crs: int) -> PointGeometry:
    x, y = transform(lon, lat, WGS84, crs) if crs != WGS84 else (lon, lat)
    digits = 7 if crs == WGS84 else 2
    return PointGeometry(coordinates=[round(x, digits), round(y, digits)])


def _geometry(element: Any, crs: int) -> PointGeometry:
    shape = to_shape(element)
    return _point(shape.x, shape.y, crs)


Radius = Query(None, gt=0, le=MAX_RADIUS_M, description="Metres; none: the nearest `limit`")
Limit = Query(50, ge=1, le=500)


@router.get("/resources", name="search.resources", response_model=FeatureCollection)
def search_resources(
    session: SessionDep,
    principal: CurrentPrincipal,
    where: Where = Depends(place_params),
    radius_m: float | None = Radius,
    capability: Capability | None = Query(None),
    resource_type: SearchText | None = Query(None, description="Code (e.g. atv) or id"),
    limit: int = Limit,
    crs: OutputCrs = 4326,
) -> Response:
    """Ready equipment near a place, nearest first, with its site and organisation."""
    supported_srid("crs", crs, OUTPUT_SRIDS)
    resource_type_id = service.resource_type_id(session, resource_type)
    rows = service.ready_equipment_near(
        session,
        where.place,
        radius_m=radius_m,
        limit=limit,
        capability=capability,
        resource_type_id=resource_type_id,
        area_wkt=where.area_wkt,
    )
    features = [
        Feature(
            id=line.id,
            geometry=_point(line.lon, line.lat, crs),
            properties={
                "distance_m": round(line.distance_m, 1),
                "resource_type": line.resource_type,
                "resource_type_name": line.resource_type_name,
                "capability": line.capability,
                "quantity": line.quantity,
                "unit": line.unit,
                "identifier": line.identifier,
                "site_id": line.site_id,
                "site_name": line.site_name,
                "access_24_7": line.access_24_7,
                "organisation_id": line.organisation_id,
                "organisation": line.organisation,
                "municipal": line.municipal,
            },
        )
        for line in rows
    ]
    # Validated once, here; a Response skips FastAPI's second pass over the same model,
    # which cost a tenth of this hot route's time.
    return Response(
        FeatureCollection(epsg=crs, features=features).model_dump_json(),
        media_type="application/json",
    )


@router.get("/volunteers", name="search.volunteers", response_model=FeatureCollection)
def search_volunteers(
    session: SessionDep,
    principal: CurrentPrincipal,
    where: Where = Depends(place_params),
    radius_m: float | None = Radius,
    qualification: SearchText | None = Query(None, description="Code (e.g. first_aid) or id"),
    on: date | None = Query(None, description="Qualification valid on this day (default today)"),
    limit: int = Limit,
    crs: OutputCrs = 4326,
) -> FeatureCollection:
    """Volunteers who can be called out near a place, nearest coarse home area first.

    Only those who consent to SMS and are not marked unavailable; an organisation editor
    finds only members of its own organisations.
    """
    supported_srid("crs", crs, OUTPUT_SRIDS)
    qualification_type_id = service.qualification_type_id(session, qualification)
    scope = principal.sees_only_members_of
    day = on or today_in_norway()
    rows = service.available_volunteers_near(
        session,
        where.place,
        radius_m=radius_m,
        limit=limit,
        on=day,
        qualification_type_id=qualification_type_id,
        organisation_ids=scope,
        area_wkt=where.area_wkt,
    )
    record_read(session, "volunteers", what="search.volunteers", count=len(rows))
    features = [
        Feature(
            id=volunteer.id,
            geometry=_geometry(volunteer.home_area, crs),
            properties={
                "distance_m": round(distance, 1),
                "full_name": volunteer.full_name,
                "mobile": volunteer.mobile,
                "availability": volunteer.availability.value,
                "organisations": [
                    {"id": m.organisation_id, "name": m.organisation.name}
                    for m in volunteer.memberships
                ],
                "qualifications": [
                    {
                        "code": held.qualification_type.code,
                        "expires_on": held.expires_on.isoformat() if held.expires_on else None,
                    }
                    for held in volunteer.qualifications
                    if held.valid_on(day)
                ],
            },
        )
        for volunteer, distance in rows
    ]
    return FeatureCollection(epsg=crs, features=features)
