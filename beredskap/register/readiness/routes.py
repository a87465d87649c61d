"""GET /api/v1/readiness: does every agreement hold today, and what will fall short?"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.auth.permissions import READERS, Rule
from beredskap.platform.columns import today_in_norway
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.register.agreements.models import AgreementStatus, AgreementTask
from beredskap.register.readiness.schemas import ReadinessOut, readiness_json
from beredskap.register.readiness.service import agreements_readiness, travel_of

router = APIRouter(tags=["readiness"], responses=PROBLEM_RESPONSES)
# Counts only; people's counts of one or two are withheld from whoever may not see them.
RULES: dict[str, Rule] = {"readiness.list": READERS}


@router.get("/readiness", name="readiness.list", response_model=ReadinessOut)
def list_readiness(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    organisation_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    task: AgreementTask | None = None,
    status: AgreementStatus | None = None,
    met: Annotated[bool | None, Query(description="Only agreements met (or not)")] = None,
    on: Annotated[
        date | None, Query(description="The day to judge (default: today, Norwegian time)")
    ] = None,
) -> Response:
    """Every agreement, worst first: for each commitment what counts on the day and why the
    rest does not (status, inspection overdue, outside the service area; inactive, no
    consent, unavailable, qualification not valid, too far from the muster site in the
    committed time), and a forecast of what falls short in 30, 60 and 90 days."""
    day = on or today_in_norway()
    travel = travel_of(request.app.state.settings)
    items = agreements_readiness(
        session,
        on=day,
        travel=travel,
        organisation_id=organisation_id,
        task=task,
        status=status,
        met=met,
    )
    exact_for = {
        organisation
        for organisation in {item.organisation_id for item in items}
        if principal.sees_small_counts_of(organisation)
    }
    # Serialised once, here: returning the model made FastAPI dump it to dicts, validate them
    # against the response model and dump them again (2 MB for 1,000 agreements).
    body = readiness_json(items, on=day, travel=travel, exact_for=exact_for)
    return Response(body, media_type="application/json")
