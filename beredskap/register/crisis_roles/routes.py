"""/api/v1/crisis-roles: the municipality's crisis roles and their people, in order of alerting
(read by the coordinator and the duty officer, kept by the coordinator). They hold phone
numbers, so no other role reads them."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from beredskap.platform.api.concurrency import check_version, set_etag
from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.api.types import PathId
from beredskap.platform.auth.models import Role
from beredskap.platform.auth.permissions import ADMIN, Rule
from beredskap.platform.deps import SessionDep
from beredskap.register.crisis_roles import service
from beredskap.register.crisis_roles.schemas import CrisisRoleCreate, CrisisRoleOut, CrisisRolePatch

CRISIS_ROLE_READERS = frozenset({Role.ADMIN, Role.DUTY_OFFICER})

router = APIRouter(tags=["crisis roles"], responses=PROBLEM_RESPONSES)
RULES: dict[str, Rule] = {
    "crisis_roles.list": CRISIS_ROLE_READERS,
    "crisis_roles.read": CRISIS_ROLE_READERS,
    "crisis_roles.create": ADMIN,
    "crisis_roles.update": ADMIN,
    "crisis_roles.delete": ADMIN,
}


def _holders(body: CrisisRoleCreate | CrisisRolePatch) -> list[dict[str, str]] | None:
    if body.holders is None:
        return None
    return [holder.model_dump(exclude_none=True) for holder in body.holders]


@router.get("/crisis-roles", name="crisis_roles.list", response_model=list[CrisisRoleOut])
def list_crisis_roles(session: SessionDep) -> list[CrisisRoleOut]:
    """Every role in order of alerting (there are a handful: no paging)."""
    return [CrisisRoleOut.of(role) for role in service.list_roles(session)]


@router.post(
    "/crisis-roles",
    name="crisis_roles.create",
    status_code=status.HTTP_201_CREATED,
    response_model=CrisisRoleOut,
)
def create_crisis_role(
    body: CrisisRoleCreate, session: SessionDep, response: Response
) -> CrisisRoleOut:
    """Add a role; a title in use is 409."""
    role = service.create_role(
        session, body.model_dump(exclude={"holders"}) | {"holders": _holders(body)}
    )
    set_etag(response, role.version)
    return CrisisRoleOut.of(role)


@router.get("/crisis-roles/{role_id:int}", name="crisis_roles.read", response_model=CrisisRoleOut)
def read_crisis_role(role_id: PathId, session: SessionDep, response: Response) -> CrisisRoleOut:
    role = service.get_role(session, role_id)
    set_etag(response, role.version)
    return CrisisRoleOut.of(role)


@router.patch(
    "/crisis-roles/{role_id:int}", name="crisis_roles.update", response_model=CrisisRoleOut
)
def update_crisis_role(
    role_id: PathId,
    body: CrisisRolePatch,
    request: Request,
    session: SessionDep,
    response: Response,
) -> CrisisRoleOut:
    """Change a role; `holders` replaces the list (its order is the order of alerting)."""
    role = service.get_role(session, role_id)
    check_version(request, role.version, body.version)
    changes = body.model_dump(exclude_unset=True, exclude={"holders", "version"})
    if body.holders is not None:
        changes["holders"] = _holders(body)
    service.update_role(session, role, changes)
    set_etag(response, role.version)
    return CrisisRoleOut.of(role)


@router.delete(
    "/crisis-roles/{role_id:int}",
    name="crisis_roles.delete",
    status_code=status.HTTP_204_NO_CONTENT,
)
def delete_crisis_role(role_id: PathId, request: Request, session: SessionDep) -> Response:
    role = service.get_role(session, role_id)
    check_version(request, role.version, None)
    service.delete_role(session, role)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
