"""GET /api/v1/reach?lat=..&lon=..&minutes=.. (or &address=..): what can be at a point
within a time. Every role reads it (the council too: counts only, small counts withheld);
names for the roles that may see people."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.api.types import SearchText
from beredskap.platform.auth.permissions import READERS, Rule
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.register.reach.schemas import ReachOut
from beredskap.register.reach.service import (
    DEFAULT_MINUTES,
    MAX_MINUTES,
    check_minutes,
    reach_for,
    where_of,
)

router = APIRouter(tags=["reach"], responses=PROBLEM_RESPONSES)
# Counts for everyone; who is named is asked of Principal in the service.
RULES: dict[str, Rule] = {"reach.read": READERS}


@router.get("/reach", name="reach.read", response_model=ReachOut)
def read_reach(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    minutes: Annotated[
        float,
        Query(
            allow_inf_nan=False,
            description=f"Within this many minutes: 0 < minutes <= {MAX_MINUTES}",
        ),
    ] = DEFAULT_MINUTES,
    lat: Annotated[float | None, Query(allow_inf_nan=False, description="WGS84 latitude")] = None,
    lon: Annotated[float | None, Query(allow_inf_nan=False, description="WGS84 longitude")] = None,
    address: Annotated[
        SearchText | None,
        Query(description="An address of the municipality instead of lat and lon: Storgata 12"),
    ] = None,
) -> ReachOut:
    """Ready equipment by capability and resource type, and qualified volunteers by
    qualification, that can be at the point within `minutes`: the organisation's committed
    mobilisation (the default for one without an agreement) plus travel from the site or the
    volunteer's home area, at the stated speed over the straight line times the detour factor
    (`assumption`)."""
    within = check_minutes(minutes)
    where = where_of(session, lat=lat, lon=lon, address=address)
    return reach_for(
        session, principal, request.app.state.settings, where, within, what="reach.read"
    )
