"""/api/v1/resource-types and /api/v1/equipment."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request, Response, status

from beredskap.platform.api.concurrency import check_version, set_etag
from beredskap.platform.api.crud import get_or_404
from beredskap.platform.api.pagination import ListParams, Page, list_params, paginate
from beredskap.platform.api.problems import PROBLEM_RESPONSES, ProblemError, forbidden
from beredskap.platform.api.types import PathId, RefId, SearchText
from beredskap.platform.auth.service import Principal
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.register.inventory import service
from beredskap.register.inventory.models import Capability, Equipment, EquipmentStatus, ResourceType
from beredskap.register.inventory.schemas import (
    EquipmentCreate,
    EquipmentOut,
    EquipmentPatch,
    ResourceTypeCreate,
    ResourceTypeOut,
    ResourceTypePatch,
)

router = APIRouter(tags=["inventory"], responses=PROBLEM_RESPONSES)

RESOURCE_TYPE_SORTS = {
    "code": ResourceType.code,
    "name_nb": ResourceType.name_nb,
    "name_en": ResourceType.name_en,
    "capability": ResourceType.capability,
    "id": ResourceType.id,
}
EQUIPMENT_SORTS = {
    "id": Equipment.id,
    "quantity": Equipment.quantity,
    "status": Equipment.status,
    "next_inspection_due": Equipment.next_inspection_due,
    "updated_at": Equipment.updated_at,
}


# Resource types -----------------------------------------------------------------------------


@router.get("/resource-types", name="resource_types.list", response_model=Page[ResourceTypeOut])
def list_resource_types(
    session: SessionDep,
    params: ListParams = Depends(list_params),
    capability: Capability | None = Query(None),
    active: bool | None = Query(None),
    q: SearchText | None = Query(None, description="Part of a name or the code, any case"),
) -> Page[ResourceTypeOut]:
    """The catalogue of resource types, shipped and the municipality's own."""
    statement = service.resource_types_query(capability=capability, active=active, text=q)
    rows, total = paginate(
        session,
        statement,
        params,
        sortable=RESOURCE_TYPE_SORTS,
        default="code",
        tiebreak=ResourceType.id,
    )
    items = [ResourceTypeOut.of(row) for row in rows]
    return Page(items=items, total=total, limit=params.limit, offset=params.offset)


@router.post(
    "/resource-types",
    name="resource_types.create",
    status_code=status.HTTP_201_CREATED,
    response_model=ResourceTypeOut,
)
def create_resource_type(
    body: ResourceTypeCreate, session: SessionDep, response: Response
) -> ResourceTypeOut:
    """Add a resource type to the catalogue (admin); a duplicate code is a conflict."""
    resource_type = service.create_resource_type(session, fields=body.model_dump())
    set_etag(response, resource_type.version)
    response.headers["Location"] = f"/api/v1/resource-types/{resource_type.id}"
    return ResourceTypeOut.of(resource_type)


@router.get(
    "/resource-types/{resource_type_id:int}",
    name="resource_types.read",
    response_model=ResourceTypeOut,
)
def read_resource_type(
    resource_type_id: PathId, session: SessionDep, response: Response
) -> ResourceTypeOut:
    """One resource type."""
    resource_type = get_or_404(session, ResourceType, resource_type_id, "resource type")
    set_etag(response, resource_type.version)
    return ResourceTypeOut.of(resource_type)


@router.patch(
    "/resource-types/{resource_type_id:int}",
    name="resource_types.update",
    response_model=ResourceTypeOut,
)
def update_resource_type(
    resource_type_id: PathId,
    body: ResourceTypePatch,
    request: Request,
    session: SessionDep,
    response: Response,
) -> ResourceTypeOut:
    """Rename, regroup or retire (active=false) a resource type (admin)."""
    resource_type = get_or_404(session, ResourceType, resource_type_id, "resource type")
    check_version(request, resource_type.version, body.version)
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    service.update_resource_type(session, resource_type, changes=changes)
    set_etag(response, resource_type.version)
    return ResourceTypeOut.of(resource_type)


@router.delete(
    "/resource-types/{resource_type_id:int}",
    name="resource_types.delete",
    status_code=status.HTTP_204_NO_CONTENT,
)
def delete_resource_type(
    resource_type_id: PathId, request: Request, session: SessionDep
) -> Response:
    """Delete an unused resource type (admin); one in use answers 409 (retire it instead)."""
    resource_type = get_or_404(session, ResourceType, resource_type_id, "resource type")
    check_version(request, resource_type.version, None)
    service.delete_resource_type(session, resource_type)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# Equipment ----------------------------------------------------------------------------------


def _may_hold(principal: Principal, organisation_id: int) -> None:
    """Org editors create, move and delete equipment of their own organisations only."""
    if not principal.may_edit_organisation(organisation_id):
        raise forbidden("You may edit only your own organisations' equipment.")


def _only_status(changes: dict[str, object]) -> None:
    """403, not 422: the values may be fine, the caller may not set them. Each refused field
    is named, and the detail says which ones the caller may change."""
    refused = sorted(changes.keys() - service.STATUS_FIELDS)
    if refused:
        allowed = " and ".join(sorted(service.STATUS_FIELDS, reverse=True))  # status and notes
        raise ProblemError(
            403,
            "Forbidden",
            f"You may change only the {allowed} of another organisation's equipment line.",
            errors=[
                {"field": field, "message": f"you may change only the {allowed}"}
                for field in refused
            ],
        )


@router.get("/equipment", name="equipment.list", response_model=Page[EquipmentOut])
def list_equipment(
    session: SessionDep,
    params: ListParams = Depends(list_params),
    organisation_id: RefId | None = Query(None),
    site_id: RefId | None = Query(None),
    resource_type_id: RefId | None = Query(None),
    capability: Capability | None = Query(None),
    equipment_status: EquipmentStatus | None = Query(None, alias="status"),
    inspection_due_before: date | None = Query(
        None, description="Next inspection due before this day"
    ),
) -> Page[EquipmentOut]:
    """Equipment lines, filtered, sorted and paginated."""
    statement = service.equipment_query(
        organisation_id=organisation_id,
        site_id=site_id,
        resource_type_id=resource_type_id,
        capability=capability,
        status=equipment_status,
        inspection_due_before=inspection_due_before,
    )
    rows, total = paginate(
        session, statement, params, sortable=EQUIPMENT_SORTS, default="id", tiebreak=Equipment.id
    )
    items = [EquipmentOut.of(row) for row in rows]
    return Page(items=items, total=total, limit=params.limit, offset=params.offset)


@router.post(
    "/equipment",
    name="equipment.create",
    status_code=status.HTTP_201_CREATED,
    response_model=EquipmentOut,
)
def create_equipment(
    body: EquipmentCreate, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> EquipmentOut:
    """Register an equipment line at a site; org editors for their own organisations."""
    _may_hold(principal, body.organisation_id)
    equipment = service.create_equipment(session, fields=body.model_dump())
    set_etag(response, equipment.version)
    response.headers["Location"] = f"/api/v1/equipment/{equipment.id}"
    return EquipmentOut.of(equipment)


@router.get("/equipment/{equipment_id:int}", name="equipment.read", response_model=EquipmentOut)
def read_equipment(equipment_id: PathId, session: SessionDep, response: Response) -> EquipmentOut:
    """One equipment line."""
    equipment = service.get_equipment(session, equipment_id)
    set_etag(response, equipment.version)
    return EquipmentOut.of(equipment)


@router.patch("/equipment/{equipment_id:int}", name="equipment.update", response_model=EquipmentOut)
def update_equipment(
    equipment_id: PathId,
    body: EquipmentPatch,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
) -> EquipmentOut:
    """Change a line: status, quantity, site, inspection dates. The duty officer may change the
    status and notes of any line (during an incident), nothing else: any other field answers
    403 naming it; org editors change all of their own lines, and keep them there."""
    equipment = service.get_equipment(session, equipment_id)
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    moved_to = changes.get("organisation_id", equipment.organisation_id)
    for organisation_id in (equipment.organisation_id, moved_to):
        if not principal.may_edit_equipment_of(organisation_id):
            raise forbidden("You may edit only your own organisations' equipment.")
    if not principal.may_edit_equipment_fully(equipment.organisation_id):
        _only_status(changes)
    check_version(request, equipment.version, body.version)
    service.update_equipment(session, equipment, changes=changes)
    set_etag(response, equipment.version)
    return EquipmentOut.of(equipment)


@router.delete(
    "/equipment/{equipment_id:int}", name="equipment.delete", status_code=status.HTTP_204_NO_CONTENT
)
def delete_equipment(
    equipment_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Remove an equipment line; org editors only their own organisations'."""
    equipment = service.get_equipment(session, equipment_id)
    _may_hold(principal, equipment.organisation_id)
    check_version(request, equipment.version, None)
    service.delete_equipment(session, equipment)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
