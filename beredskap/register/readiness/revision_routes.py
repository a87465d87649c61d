"""GET/POST /api/v1/readiness/revisions: the plan's yearly revisions (read by the roles that
keep or judge the plan, recorded by the coordinator)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status

from beredskap.platform.api.pagination import ListParams, list_params
from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.auth.models import Role
from beredskap.platform.auth.permissions import ADMIN, Rule
from beredskap.platform.columns import today_in_norway
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.register.readiness import revisions
from beredskap.register.readiness.revision_schemas import RevisionCreate, RevisionList, RevisionOut

# The plan concerns the coordinator, the council, the duty officer and the exercise planner;
# an organisation's editor has no part in it.
REVISION_READERS = frozenset({Role.ADMIN, Role.COUNCIL, Role.DUTY_OFFICER, Role.PLANNER})

router = APIRouter(tags=["readiness"], responses=PROBLEM_RESPONSES)
RULES: dict[str, Rule] = {
    "readiness.revisions.list": REVISION_READERS,
    "readiness.revisions.create": ADMIN,
    "web.readiness_revisions": REVISION_READERS,
    "web.readiness_revision_create": ADMIN,
}


@router.get("/readiness/revisions", name="readiness.revisions.list", response_model=RevisionList)
def list_revisions(
    session: SessionDep, principal: CurrentPrincipal, params: ListParams = Depends(list_params)
) -> RevisionList:
    """The plan's revisions, newest first, and whether the yearly one is due."""
    rows, total = revisions.list_revisions(session, limit=params.limit, offset=params.offset)
    latest = rows[0] if rows and params.offset == 0 else revisions.latest_revision(session)
    return RevisionList(
        items=[RevisionOut.of(row, sees_people=principal.sees_people) for row in rows],
        total=total,
        limit=params.limit,
        offset=params.offset,
        revision_due=revisions.revision_is_due(latest, today_in_norway()),
    )


@router.post(
    "/readiness/revisions",
    name="readiness.revisions.create",
    status_code=status.HTTP_201_CREATED,
    response_model=RevisionOut,
)
def create_revision(
    body: RevisionCreate, session: SessionDep, principal: CurrentPrincipal
) -> RevisionOut:
    """Record a revision of the plan (a date in the future is refused, 422 on revised_on)."""
    revision = revisions.record_revision(
        session,
        **body.model_dump(),
        recorded_by_user_id=principal.user_id,
        today=today_in_norway(),
    )
    return RevisionOut.of(revision, sees_people=principal.sees_people)
