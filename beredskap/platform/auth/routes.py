"""/api/v1/me: who the caller is, and what they may edit; disabling a user (a leaver)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.api.types import PathId
from beredskap.platform.auth import service
from beredskap.platform.auth.models import Role, User
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.errors import N_, ConflictError, NotFoundError

router = APIRouter(tags=["auth"], responses=PROBLEM_RESPONSES)


class MeOut(BaseModel):
    user_id: int
    email: str
    role: Role
    organisation_ids: list[int]


@router.get("/me", name="me.read", response_model=MeOut)
def read_me(principal: CurrentPrincipal) -> MeOut:
    """The authenticated user: role and the organisations an org editor may edit."""
    return MeOut(
        user_id=principal.user_id,
        email=principal.email,
        role=principal.role,
        organisation_ids=sorted(principal.organisation_ids),
    )


@router.post(
    "/users/{user_id:int}/disable",
    name="users.disable",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
def disable_user(user_id: PathId, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Disable a user who has left (admin): they can no longer log in, and their web
    sessions, API tokens and calendar link stop working at once. Disabling twice is fine."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("user", user_id)
    if user.id == principal.user_id:
        # The last admin would lock everyone out; another admin, or the CLI, can do it.
        raise ConflictError(N_("you cannot disable your own account"))
    service.disable_user(session, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
