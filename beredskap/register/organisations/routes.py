"""/api/v1/organisations and /api/v1/sites."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response, status

from beredskap.platform.api.concurrency import check_version, set_etag
from beredskap.platform.api.crud import get_or_404
from beredskap.platform.api.geometry import to_point
from beredskap.platform.api.pagination import ListParams, Page, list_params, paginate
from beredskap.platform.api.problems import PROBLEM_RESPONSES, forbidden
from beredskap.platform.api.types import PathId, RefId, SearchText
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import today_in_norway
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.register.organisations import service
from beredskap.register.organisations.models import (
    Organisation,
    OrganisationCategory,
    Site,
    SiteKind,
)
from beredskap.register.organisations.schemas import (
    OrganisationCreate,
    OrganisationOut,
    OrganisationPatch,
    SiteCreate,
    SiteOut,
    SitePatch,
)

router = APIRouter(tags=["organisations"], responses=PROBLEM_RESPONSES)

ORGANISATION_SORTS = {
    "name": Organisation.name,
    "category": Organisation.category,
    "created_at": Organisation.created_at,
    "id": Organisation.id,
}
SITE_SORTS = {"name": Site.name, "kind": Site.kind, "id": Site.id}


def _fields(body: OrganisationCreate | OrganisationPatch, *, patch: bool) -> dict[str, Any]:
    fields = body.model_dump(exclude_unset=patch, exclude={"version", "home_base"})
    if "home_base" in body.model_fields_set or not patch:
        fields["home_base"] = to_point("home_base", body.home_base)
    return fields


@router.get("/organisations", name="organisations.list", response_model=Page[OrganisationOut])
def list_organisations(
    session: SessionDep,
    principal: CurrentPrincipal,
    params: ListParams = Depends(list_params),
    category: OrganisationCategory | None = Query(None),
    active: bool | None = Query(None),
    municipal: bool | None = Query(
        None, description="true: the municipality's own services; false: the voluntary ones"
    ),
    q: SearchText | None = Query(None, description="Part of the name, any case"),
) -> Page[OrganisationOut]:
    """Organisations, filtered, sorted and paginated."""
    statement = service.organisations_query(
        category=category, active=active, municipal=municipal, text=q
    )
    rows, total = paginate(
        session,
        statement,
        params,
        sortable=ORGANISATION_SORTS,
        default="name",
        tiebreak=Organisation.id,
    )
    items = [OrganisationOut.of(row, principal) for row in rows]
    return Page(items=items, total=total, limit=params.limit, offset=params.offset)


@router.post(
    "/organisations",
    name="organisations.create",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganisationOut,
)
def create_organisation(
    body: OrganisationCreate, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> OrganisationOut:
    """Register an organisation (admin)."""
    organisation = service.create_organisation(session, fields=_fields(body, patch=False))
    set_etag(response, organisation.version)
    response.headers["Location"] = f"/api/v1/organisations/{organisation.id}"
    return OrganisationOut.of(organisation, principal)


@router.get(
    "/organisations/{organisation_id:int}",
    name="organisations.read",
    response_model=OrganisationOut,
)
def read_organisation(
    organisation_id: PathId, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> OrganisationOut:
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    set_etag(response, organisation.version)
    return OrganisationOut.of(organisation, principal)


@router.patch(
    "/organisations/{organisation_id:int}",
    name="organisations.update",
    response_model=OrganisationOut,
)
def update_organisation(
    organisation_id: PathId,
    body: OrganisationPatch,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
) -> OrganisationOut:
    """Change some fields; org editors only their own organisation."""
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    if not principal.may_edit_organisation(organisation.id):
        raise forbidden("You may edit only your own organisations.")
    check_version(request, organisation.version, body.version)
    changes_owner = body.municipal is not None and body.municipal != organisation.municipal
    if changes_owner and not principal.is_admin:
        raise forbidden("Only an admin marks an organisation as the municipality's own.")
    service.update_organisation(session, organisation, changes=_fields(body, patch=True))
    set_etag(response, organisation.version)
    return OrganisationOut.of(organisation, principal)


@router.post(
    "/organisations/{organisation_id:int}/confirm",
    name="organisations.confirm",
    response_model=OrganisationOut,
)
def confirm_organisation(
    organisation_id: PathId, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> OrganisationOut:
    """Confirm that what is registered for the organisation is current (today, in Norway);
    org editors only their own organisation."""
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    if not principal.may_edit_organisation(organisation.id):
        raise forbidden("You may confirm only your own organisations.")
    service.confirm_organisation(session, organisation, on=today_in_norway())
    set_etag(response, organisation.version)
    return OrganisationOut.of(organisation, principal)


@router.delete(
    "/organisations/{organisation_id:int}",
    name="organisations.delete",
    status_code=status.HTTP_204_NO_CONTENT,
)
def delete_organisation(organisation_id: PathId, request: Request, session: SessionDep) -> Response:
    """Delete an organisation that holds nothing (admin); 409 says what it still holds."""
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    check_version(request, organisation.version, None)
    service.delete_organisation(session, organisation)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# Sites --------------------------------------------------------------------------------------


def _may_edit_site_of(principal: Principal, organisation_id: int | None) -> None:
    if not principal.may_edit_organisation(organisation_id):
        if organisation_id is None:
            raise forbidden("Only an admin edits the municipality's own sites.")
        raise forbidden("You may edit only your own organisations' sites.")


@router.get("/sites", name="sites.list", response_model=Page[SiteOut])
def list_sites(
    session: SessionDep,
    principal: CurrentPrincipal,
    params: ListParams = Depends(list_params),
    organisation_id: RefId | None = Query(None),
    kind: SiteKind | None = Query(None),
    q: SearchText | None = Query(None, description="Part of the name, any case"),
) -> Page[SiteOut]:
    """Storage sites, bases, muster points and shelters."""
    statement = service.sites_query(organisation_id=organisation_id, kind=kind, text=q)
    rows, total = paginate(
        session, statement, params, sortable=SITE_SORTS, default="name", tiebreak=Site.id
    )
    items = [SiteOut.of(row, principal) for row in rows]
    return Page(items=items, total=total, limit=params.limit, offset=params.offset)


@router.post(
    "/sites", name="sites.create", status_code=status.HTTP_201_CREATED, response_model=SiteOut
)
def create_site(
    body: SiteCreate, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> SiteOut:
    _may_edit_site_of(principal, body.organisation_id)
    fields = body.model_dump(exclude={"location"})
    fields["location"] = to_point("location", body.location)
    site = service.create_site(session, fields=fields)
    set_etag(response, site.version)
    response.headers["Location"] = f"/api/v1/sites/{site.id}"
    return SiteOut.of(site, principal)


@router.get("/sites/{site_id:int}", name="sites.read", response_model=SiteOut)
def read_site(
    site_id: PathId, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> SiteOut:
    site = service.get_site(session, site_id)
    set_etag(response, site.version)
    return SiteOut.of(site, principal)


@router.patch("/sites/{site_id:int}", name="sites.update", response_model=SiteOut)
def update_site(
    site_id: PathId,
    body: SitePatch,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
) -> SiteOut:
    site = service.get_site(session, site_id)
    _may_edit_site_of(principal, site.organisation_id)
    check_version(request, site.version, body.version)
    changes = body.model_dump(exclude_unset=True, exclude={"version", "location"})
    if "location" in body.model_fields_set:
        changes["location"] = to_point("location", body.location)
    service.update_site(session, site, changes=changes)
    set_etag(response, site.version)
    return SiteOut.of(site, principal)


@router.delete("/sites/{site_id:int}", name="sites.delete", status_code=status.HTTP_204_NO_CONTENT)
def delete_site(
    site_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    site = service.get_site(session, site_id)
    _may_edit_site_of(principal, site.organisation_id)
    check_version(request, site.version, None)
    service.delete_site(session, site)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
