"""/api/v1/agreements: preparedness agreements, and whether the register meets them."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request, Response, status

from beredskap.platform.api.concurrency import check_version, set_etag
from beredskap.platform.api.pagination import ListParams, Page, list_params, paginate
from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.api.types import PathId, RefId
from beredskap.platform.columns import today_in_norway
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.register.agreements import service
from beredskap.register.agreements.models import Agreement, AgreementStatus, AgreementTask
from beredskap.register.agreements.schemas import (
    AgreementCreate,
    AgreementOut,
    AgreementPatch,
    CoverageLine,
    CoverageOut,
)
from beredskap.register.readiness.coverage import Line
from beredskap.register.readiness.service import agreement_readiness, travel_of
from beredskap.register.small_counts import shown

router = APIRouter(tags=["agreements"], responses=PROBLEM_RESPONSES)

AGREEMENT_SORTS = {
    "reference": Agreement.reference,
    "title": Agreement.title,
    "status": Agreement.status,
    "valid_from": Agreement.valid_from,
    "valid_until": Agreement.valid_until,
    "annual_review_on": Agreement.annual_review_on,
    "id": Agreement.id,
}
_LISTS = {"commitments"}


@router.get("/agreements", name="agreements.list", response_model=Page[AgreementOut])
def list_agreements(
    session: SessionDep,
    principal: CurrentPrincipal,
    params: ListParams = Depends(list_params),
    organisation_id: RefId | None = Query(None),
    agreement_status: AgreementStatus | None = Query(None, alias="status"),
    task: AgreementTask | None = Query(None, description="Agreements that include this task"),
    valid_on: date | None = Query(None, description="In force on this day"),
    expiring_before: date | None = Query(None, description="Ending before this day"),
) -> Page[AgreementOut]:
    """Agreements, filtered, sorted and paginated; contacts are hidden from the council."""
    statement = service.agreements_query(
        organisation_id=organisation_id,
        status=agreement_status,
        task=task,
        valid_on=valid_on,
        expiring_before=expiring_before,
    )
    rows, total = paginate(
        session,
        statement,
        params,
        sortable=AGREEMENT_SORTS,
        default="reference",
        tiebreak=Agreement.id,
    )
    items = [AgreementOut.of(row, principal) for row in rows]
    return Page(items=items, total=total, limit=params.limit, offset=params.offset)


@router.post(
    "/agreements",
    name="agreements.create",
    status_code=status.HTTP_201_CREATED,
    response_model=AgreementOut,
)
def create_agreement(
    body: AgreementCreate, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> AgreementOut:
    """Register an agreement with its committed capacities (admin)."""
    agreement = service.create_agreement(
        session,
        fields=body.model_dump(exclude=_LISTS),
        commitments=[c.model_dump() for c in body.commitments],
    )
    set_etag(response, agreement.version)
    response.headers["Location"] = f"/api/v1/agreements/{agreement.id}"
    return AgreementOut.of(agreement, principal)


@router.get("/agreements/{agreement_id:int}", name="agreements.read", response_model=AgreementOut)
def read_agreement(
    agreement_id: PathId, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> AgreementOut:
    """One agreement with its commitments."""
    agreement = service.get_agreement(session, agreement_id)
    set_etag(response, agreement.version)
    return AgreementOut.of(agreement, principal)


@router.patch(
    "/agreements/{agreement_id:int}", name="agreements.update", response_model=AgreementOut
)
def update_agreement(
    agreement_id: PathId,
    body: AgreementPatch,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
) -> AgreementOut:
    """Change an agreement (admin); `commitments` replaces the whole list."""
    agreement = service.get_agreement(session, agreement_id)
    check_version(request, agreement.version, body.version)
    service.update_agreement(
        session,
        agreement,
        changes=body.model_dump(exclude_unset=True, exclude=_LISTS | {"version"}),
        commitments=None
        if body.commitments is None
        else [c.model_dump() for c in body.commitments],
    )
    set_etag(response, agreement.version)
    return AgreementOut.of(agreement, principal)


@router.delete(
    "/agreements/{agreement_id:int}",
    name="agreements.delete",
    status_code=status.HTTP_204_NO_CONTENT,
)
def delete_agreement(agreement_id: PathId, request: Request, session: SessionDep) -> Response:
    """Delete an agreement and its commitments (admin); ending one is usually a status."""
    agreement = service.get_agreement(session, agreement_id)
    check_version(request, agreement.version, None)
    service.delete_agreement(session, agreement)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/agreements/{agreement_id:int}/coverage",
    name="agreements.coverage",
    response_model=CoverageOut,
)
def agreement_coverage(
    agreement_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> CoverageOut:
    """Does what is registered meet what was committed today? The one definition of ready
    (GET /api/v1/readiness gives the reasons and the forecast): equipment ready, not past its
    inspection, at a site in the service area; members active, consenting, not unavailable,
    holding the qualification valid today and, with a committed mobilisation time, living
    within reach of the muster site. One or two members are "fewer than 3" (null) to a
    reader who may not see them (the council)."""
    agreement = service.get_agreement(session, agreement_id)
    on = today_in_norway()
    exact = principal.sees_small_counts_of(agreement.organisation_id)
    judged = agreement_readiness(
        session, agreement, on=on, travel=travel_of(request.app.state.settings)
    )
    lines = [_coverage_line(line, exact) for line in judged.lines]
    return CoverageOut(
        agreement_id=agreement.id,
        organisation_id=agreement.organisation_id,
        reference=agreement.reference,
        status=agreement.status,
        on=on,
        met=all(line.met for line in lines),
        lines=lines,
    )


def _coverage_line(line: Line, exact: bool) -> CoverageLine:
    """A commitment's line; a count of people (not equipment) of one or two is withheld,
    with the shortfall that would give it away, from a reader who may not see them."""
    registered = shown(line.counted, exact=exact or not line.people)
    return CoverageLine(
        commitment_id=line.commitment_id,
        resource_type_id=line.resource_type_id,
        qualification_type_id=line.qualification_type_id,
        code=line.code,
        committed=line.committed,
        registered=registered,
        shortfall=None if registered is None else line.shortfall,
        met=line.met,
    )
