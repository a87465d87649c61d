"""/api/v1/me: who the caller is, and what they may edit."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.auth.models import Role
from beredskap.platform.deps import CurrentPrincipal

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
