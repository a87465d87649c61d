"""/api/v1/layers/*: each map layer as a GeoJSON FeatureCollection, one page at a time.

`bbox` is min_lon,min_lat,max_lon,max_lat in WGS84; `crs` chooses the output coordinates
(4326 lon/lat, or EUREF89 UTM 32/33 east/north), as in /api/v1/search.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Query

from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.api.spatial_params import (
    OUTPUT_SRIDS,
    OutputCrs,
    bbox_from_text,
    supported_srid,
)
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.register.agreements.models import AgreementStatus
from beredskap.register.inventory.models import Capability, EquipmentStatus
from beredskap.register.layers import service
from beredskap.register.layers.projection import project
from beredskap.register.layers.schemas import Feature, LayerCollection
from beredskap.register.organisations.models import SiteKind
from geo.extent import BoundingBox
from geo.srid import WGS84

router = APIRouter(prefix="/layers", tags=["layers"], responses=PROBLEM_RESPONSES)

MAX_LIMIT = 10_000
MAX_OFFSET = 10_000_000


@dataclass(frozen=True)
class LayerParams:
    bbox: BoundingBox | None
    limit: int
    offset: int
    crs: int


# async: no I/O, so it runs on the event loop instead of costing a thread-pool hop.
async def layer_params(
    bbox: str | None = Query(
        None,
        max_length=200,
        description="min_lon,min_lat,max_lon,max_lat in WGS84: features inside or touching it",
        examples=["10.9,59.9,11.2,60.1"],
    ),
    limit: int = Query(service.DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Features per page"),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="Features to skip (by id order)"),
    crs: OutputCrs = WGS84,
) -> LayerParams:
    supported_srid("crs", crs, OUTPUT_SRIDS)
    return LayerParams(bbox_from_text(bbox), limit, offset, crs)


Params = Depends(layer_params)


def _collection(page: service.LayerPage, params: LayerParams) -> LayerCollection:
    features = [
        Feature(
            id=feature.id,
            geometry=project(feature.geometry, params.crs),
            properties=feature.properties,
        )
        for feature in page.features
    ]
    return LayerCollection(
        epsg=params.crs,
        total=page.total,
        limit=params.limit,
        offset=params.offset,
        features=features,
    )


@router.get("/organisations", name="layers.organisations", response_model=LayerCollection)
def organisations_layer(
    session: SessionDep, principal: CurrentPrincipal, params: LayerParams = Params
) -> LayerCollection:
    """Active organisations at their home base, with their number of sites. The 24/7
    contact is shown to the roles that see contact details (not the council)."""
    page = service.organisations(
        session,
        bbox=params.bbox,
        limit=params.limit,
        offset=params.offset,
        with_contact_details=principal.sees_contact_details,
    )
    return _collection(page, params)


@router.get("/sites", name="layers.sites", response_model=LayerCollection)
def sites_layer(
    session: SessionDep,
    principal: CurrentPrincipal,
    params: LayerParams = Params,
    kind: SiteKind | None = Query(None),
) -> LayerCollection:
    """Sites of active organisations and the municipality's own sites."""
    page = service.sites(
        session, bbox=params.bbox, kind=kind, limit=params.limit, offset=params.offset
    )
    return _collection(page, params)


@router.get(
    "/equipment-aggregates", name="layers.equipment_aggregates", response_model=LayerCollection
)
def equipment_aggregates_layer(
    session: SessionDep,
    principal: CurrentPrincipal,
    params: LayerParams = Params,
    capability: Capability | None = Query(None),
    status: EquipmentStatus | None = Query(None),
) -> LayerCollection:
    """One feature per site that holds matching equipment: lines and quantities in all, by
    capability and by status."""
    page = service.equipment_aggregates(
        session,
        bbox=params.bbox,
        capability=capability,
        status=status,
        limit=params.limit,
        offset=params.offset,
    )
    return _collection(page, params)


@router.get("/agreement-areas", name="layers.agreement_areas", response_model=LayerCollection)
def agreement_areas_layer(
    session: SessionDep,
    principal: CurrentPrincipal,
    params: LayerParams = Params,
    status: AgreementStatus | None = Query(None),
) -> LayerCollection:
    """The service area of each agreement that has one (MultiPolygon)."""
    page = service.agreement_areas(
        session, bbox=params.bbox, status=status, limit=params.limit, offset=params.offset
    )
    return _collection(page, params)
