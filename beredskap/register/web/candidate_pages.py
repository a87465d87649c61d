"""Enhetsregisteret's candidates (`beredskap import brreg`): voluntary organisations of the
municipality not in the register, listed for the admin and registered only on a click (a POST
with the CSRF token, through `organisations.service`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from beredskap.platform.api.crud import get_or_404
from beredskap.platform.api.types import PathId
from beredskap.platform.auth.service import Principal
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.errors import ConflictError, DomainValidationError
from beredskap.platform.web.forms import PostedForm
from beredskap.platform.web.i18n import N_, translations_for
from beredskap.platform.web.rendering import render
from beredskap.register.imports.brreg import create_from_candidate, flagged_organisations
from beredskap.register.organisations.models import OrganisationCandidate, OrganisationCategory

router = APIRouter()
DEFAULT_CATEGORY = OrganisationCategory.OTHER


def candidate_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(OrganisationCandidate)) or 0)


def registry_context(session: Session) -> dict[str, object]:
    """The coordinator's dashboard: flagged organisations and how many candidates wait."""
    return {
        "registry_flagged": flagged_organisations(session),
        "candidate_count": candidate_count(session),
    }


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    problem: tuple[int, str] | None = None,
    status_code: int = 200,
) -> Response:
    candidates = session.scalars(
        select(OrganisationCandidate).order_by(OrganisationCandidate.name, OrganisationCandidate.id)
    ).all()
    return render(
        request,
        "organisation_candidates.html",
        {
            "candidates": candidates,
            "categories": list(OrganisationCategory),
            "default_category": DEFAULT_CATEGORY,
            "problem": problem,
        },
        principal=principal,
        status_code=status_code,
    )


@router.get("/organisations/candidates", name="web.organisation_candidates")
def candidates(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    return _page(request, session, principal)


@router.post(
    "/organisations/candidates/{candidate_id:int}/create",
    name="web.organisation_candidate_create",
)
def create_candidate(
    candidate_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    candidate = get_or_404(session, OrganisationCandidate, candidate_id, "candidate")
    translations = translations_for(request)
    chosen = posted.get("category")
    try:
        category = OrganisationCategory(chosen if isinstance(chosen, str) and chosen else "other")
    except ValueError:
        message = translations.gettext(N_("choose one of the categories"))
        return _page(request, session, principal, problem=(candidate.id, message), status_code=422)
    try:
        organisation = create_from_candidate(
            session,
            candidate,
            category=category,
            municipality_number=request.app.state.settings.municipality_number,
        )
    except (DomainValidationError, ConflictError) as error:
        session.rollback()
        message = error.translated(translations)
        return _page(request, session, principal, problem=(candidate_id, message), status_code=409)
    return RedirectResponse(f"/organisations/{organisation.id}?done=created", status_code=303)
