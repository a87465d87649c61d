"""Creating, editing and deactivating organisations, and their sites (and the municipality's own).

The same role rules as the API (`register/rules.py`, `Principal.may_edit_organisation`) and
the same service functions (`organisations.service`), so the pages refuse what the API
refuses, in the same words. A form carries the version it was made from: a record changed
meanwhile is shown (409), never overwritten. A failed write is rolled back before the form is
shown again: nothing half-done is committed.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from beredskap.platform.api.crud import get_or_404
from beredskap.platform.api.problems import forbidden
from beredskap.platform.api.types import PathId
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import today_in_norway
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.errors import ConflictError, DomainValidationError
from beredskap.platform.web.forms import Form, PostedForm, blank_form, parse_form
from beredskap.platform.web.i18n import N_, translations_for
from beredskap.platform.web.rendering import number_format, render
from beredskap.register.maps.base import DEFAULT_CENTRE, DEFAULT_ZOOM, new_map
from beredskap.register.maps.embed import embed
from beredskap.register.maps.tiles import tile_sources
from beredskap.register.organisations import service
from beredskap.register.organisations.models import (
    Organisation,
    OrganisationCategory,
    Site,
    SiteKind,
)
from beredskap.register.web import queries
from beredskap.register.web.equipment_form import parse_version
from beredskap.register.web.map_pages import map_policy
from beredskap.register.web.organisation_form import (
    ORGANISATION_FIELDS,
    SITE_FIELDS,
    DeactivateInput,
    OrganisationInput,
    SiteInput,
    organisation_values,
    place_of,
    place_values,
    site_values,
)
from beredskap.register.web.site_address import address_place, placed_by_address

router = APIRouter()
PLACE_ZOOM = 15
# Where the model's and the service's fields land on the page.
ORGANISATION_FIELD_OF = {"home_base": "lat"}
SITE_FIELD_OF = {"location": "lat", "organisation_id": "name"}


# Who may do what: the API's questions to Principal ------------------------------------------


def _may_edit_organisation(principal: Principal, organisation: Organisation) -> None:
    if not principal.may_edit_organisation(organisation.id):
        raise forbidden("You may edit only your own organisations.")


def _may_edit_site_of(principal: Principal, organisation_id: int | None) -> None:
    if not principal.may_edit_organisation(organisation_id):
        if organisation_id is None:
            raise forbidden("Only an admin edits the municipality's own sites.")
        raise forbidden("You may edit only your own organisations' sites.")


# The map to click a place on ------------------------------------------------------------------


def _with_map(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    principal: Principal,
    values: dict[str, Any],
    status_code: int,
) -> Response:
    """A form page with a map to click its place on: the map's script hash in the page's
    policy, Leaflet from the app's own files."""
    translations = translations_for(request)
    sources = tile_sources(
        request.app.state.settings,
        default_name=translations.gettext("Topographic map"),
        alternative_name=translations.gettext("Street map"),
    )
    centre, zoom = DEFAULT_CENTRE, DEFAULT_ZOOM
    with suppress(KeyError, TypeError, ValueError):
        centre, zoom = (float(values["lat"]), float(values["lon"])), PLACE_ZOOM
    if not (-90 <= centre[0] <= 90 and -180 <= centre[1] <= 180):
        centre, zoom = DEFAULT_CENTRE, DEFAULT_ZOOM
    embedded = embed(new_map(sources, centre=centre, zoom=zoom))
    return render(
        request,
        template,
        {**context, "map": embedded},
        principal=principal,
        status_code=status_code,
        headers={"Content-Security-Policy": map_policy(embedded, sources)},
    )


# Organisations ----------------------------------------------------------------------------------


def _umbrellas(session: Session, organisation: Organisation | None) -> list[Organisation]:
    statement = select(Organisation).order_by(Organisation.name, Organisation.id)
    if organisation is not None:
        statement = statement.where(Organisation.id != organisation.id)
    return list(session.scalars(statement))


def _organisation_page(
    request: Request,
    session: Session,
    principal: Principal,
    form: Form[Any],
    *,
    organisation: Organisation | None,
    conflict: bool = False,
    status_code: int = 200,
) -> Response:
    return _with_map(
        request,
        "organisation_form.html",
        {
            "organisation": organisation,
            **form.context(),
            "conflict": conflict,
            "categories": list(OrganisationCategory),
            "umbrellas": _umbrellas(session, organisation),
        },
        principal=principal,
        values=form.values,
        status_code=status_code,
    )


def _read_organisation(
    request: Request,
    session: Session,
    principal: Principal,
    posted: PostedForm,
    organisation: Organisation | None,
) -> tuple[Form[OrganisationInput], dict[str, Any] | None]:
    """The form and, when every field is fine, the fields for the service (whether it is the
    municipality's own is the admin's to say: anyone else's form keeps what is stored)."""
    umbrella_ids = {o.id for o in _umbrellas(session, organisation)}
    form = parse_form(
        OrganisationInput,
        posted,
        translations_for(request),
        number=number_format(request),
        context={"umbrella_ids": umbrella_ids},
    )
    home_base = place_of(form, required=False)
    if not form.valid:
        return form, None
    fields = {name: form.fields.get(name) for name in ORGANISATION_FIELDS}
    fields["municipality_numbers"] = fields["municipality_numbers"] or []
    fields["home_base"] = home_base
    if not principal.is_admin:
        fields.pop("municipal")
    return form, fields


def _refused(form: Form[Any], error: DomainValidationError | ConflictError) -> None:
    if isinstance(error, ConflictError):  # the organisation number is registered already
        form.add_error("organisation_number", error.code, **error.params)
    else:
        form.add_domain_error(error, ORGANISATION_FIELD_OF)


def _organisation_saved(organisation_id: int, done: str) -> Response:
    return RedirectResponse(f"/organisations/{organisation_id}?done={done}", status_code=303)


@router.get("/organisations/new", name="web.organisation_new")
def new_organisation(
    request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """An empty form for a new organisation (the API's rule: admins)."""
    values = {"category": "", **place_values(None)}
    form = blank_form(OrganisationInput, translations_for(request), values)
    return _organisation_page(request, session, principal, form, organisation=None)


@router.post("/organisations/new", name="web.organisation_create")
def create_organisation(
    request: Request, session: SessionDep, principal: CurrentPrincipal, posted: PostedForm
) -> Response:
    form, fields = _read_organisation(request, session, principal, posted, None)
    if fields is not None:
        try:
            organisation = service.create_organisation(session, fields=fields)
        except (DomainValidationError, ConflictError) as error:
            session.rollback()
            _refused(form, error)
        else:
            return _organisation_saved(organisation.id, "created")
    return _organisation_page(request, session, principal, form, organisation=None, status_code=422)


@router.get("/organisations/{organisation_id:int}/edit", name="web.organisation_edit")
def edit_organisation(
    organisation_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    _may_edit_organisation(principal, organisation)
    form = blank_form(
        OrganisationInput, translations_for(request), organisation_values(organisation)
    )
    return _organisation_page(request, session, principal, form, organisation=organisation)


@router.post("/organisations/{organisation_id:int}/edit", name="web.organisation_update")
def update_organisation(
    organisation_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    """Save the form; if the organisation changed since the form was made, nothing is
    written and the form shows what is stored now."""
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    _may_edit_organisation(principal, organisation)

    def conflict() -> Response:
        session.expire_all()
        stored = get_or_404(session, Organisation, organisation_id, "organisation")
        form = blank_form(OrganisationInput, translations_for(request), organisation_values(stored))
        return _organisation_page(
            request, session, principal, form, organisation=stored, conflict=True, status_code=409
        )

    if _version(posted) != organisation.version:
        return conflict()
    form, fields = _read_organisation(request, session, principal, posted, organisation)
    if fields is not None:
        try:
            service.update_organisation(session, organisation, changes=fields)
        except (DomainValidationError, ConflictError) as error:
            session.rollback()
            _refused(form, error)
        except StaleDataError:
            session.rollback()  # someone saved between our read and our write
            return conflict()
        else:
            return _organisation_saved(organisation.id, "saved")
    session.expire_all()
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    return _organisation_page(
        request, session, principal, form, organisation=organisation, status_code=422
    )


def _version(posted: PostedForm) -> int | None:
    version = posted.get("version")
    return parse_version(version if isinstance(version, str) else None)


# Deactivating (and reactivating) ------------------------------------------------------------

CHANGES = {"deactivate": False, "reactivate": True}


def _active_page(
    request: Request,
    principal: Principal,
    organisation: Organisation,
    change: str,
    form: Form[Any],
    *,
    conflict: bool = False,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "organisation_active.html",
        {"organisation": organisation, "change": change, "conflict": conflict, **form.context()},
        principal=principal,
        status_code=status_code,
    )


def _confirm_active(
    change: str, organisation_id: int, request: Request, session: Session, principal: Principal
) -> Response:
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    _may_edit_organisation(principal, organisation)
    form = blank_form(DeactivateInput, translations_for(request))
    return _active_page(request, principal, organisation, change, form)


def _set_active(
    change: str,
    organisation_id: int,
    request: Request,
    session: Session,
    principal: Principal,
    posted: PostedForm,
) -> Response:
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    _may_edit_organisation(principal, organisation)
    translations = translations_for(request)
    form = parse_form(DeactivateInput, posted, translations)
    if _version(posted) != organisation.version:
        return _active_page(
            request,
            principal,
            organisation,
            change,
            blank_form(DeactivateInput, translations),
            conflict=True,
            status_code=409,
        )
    if form.valid and not form.fields.get("confirm"):
        form.add_error("confirm", N_("tick the box to confirm"))
    if not form.valid:
        return _active_page(request, principal, organisation, change, form, status_code=422)
    try:
        service.update_organisation(session, organisation, changes={"active": CHANGES[change]})
    except StaleDataError:
        session.rollback()
        session.expire_all()
        stored = get_or_404(session, Organisation, organisation_id, "organisation")
        return _active_page(
            request,
            principal,
            stored,
            change,
            blank_form(DeactivateInput, translations),
            conflict=True,
            status_code=409,
        )
    return _organisation_saved(organisation.id, f"{change}d")


@router.get(
    "/organisations/{organisation_id:int}/deactivate", name="web.organisation_deactivate_confirm"
)
def confirm_deactivate(
    organisation_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """What deactivating means, and the confirmation."""
    return _confirm_active("deactivate", organisation_id, request, session, principal)


@router.post("/organisations/{organisation_id:int}/deactivate", name="web.organisation_deactivate")
def deactivate(
    organisation_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    return _set_active("deactivate", organisation_id, request, session, principal, posted)


@router.get(
    "/organisations/{organisation_id:int}/reactivate", name="web.organisation_reactivate_confirm"
)
def confirm_reactivate(
    organisation_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    return _confirm_active("reactivate", organisation_id, request, session, principal)


@router.post("/organisations/{organisation_id:int}/reactivate", name="web.organisation_reactivate")
def reactivate(
    organisation_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    return _set_active("reactivate", organisation_id, request, session, principal, posted)


# Sites ------------------------------------------------------------------------------------------


def _site_page(
    request: Request,
    principal: Principal,
    form: Form[Any],
    *,
    organisation: Organisation | None,
    site: Site | None,
    conflict: bool = False,
    status_code: int = 200,
) -> Response:
    return _with_map(
        request,
        "site_form.html",
        {
            "organisation": organisation,
            "site": site,
            "kinds": list(SiteKind),
            "conflict": conflict,
            **form.context(),
        },
        principal=principal,
        values=form.values,
        status_code=status_code,
    )


def _read_site(
    request: Request, posted: PostedForm, session: Session
) -> tuple[Form[SiteInput], dict | None]:
    form = parse_form(SiteInput, posted, translations_for(request), number=number_format(request))
    if placed_by_address(form):  # no coordinates: the address's point (site_address.py)
        location = address_place(session, form)
    else:
        location = place_of(form, required=True)
    if not form.valid:
        return form, None
    fields = {name: form.fields.get(name) for name in SITE_FIELDS}
    fields["location"] = location
    return form, fields


def _site_saved(site: Site) -> Response:
    if site.organisation_id is None:
        return RedirectResponse(f"/sites?done=saved#site-{site.id}", status_code=303)
    return RedirectResponse(
        f"/organisations/{site.organisation_id}?done=site_saved#site-{site.id}", status_code=303
    )


def _new_site(
    request: Request, principal: Principal, organisation: Organisation | None
) -> Response:
    _may_edit_site_of(principal, organisation.id if organisation else None)
    values = {"kind": SiteKind.STORAGE.value, **place_values(None)}
    form = blank_form(SiteInput, translations_for(request), values)
    return _site_page(request, principal, form, organisation=organisation, site=None)


def _create_site(
    request: Request,
    session: Session,
    principal: Principal,
    posted: PostedForm,
    organisation: Organisation | None,
) -> Response:
    organisation_id = organisation.id if organisation else None
    _may_edit_site_of(principal, organisation_id)
    form, fields = _read_site(request, posted, session)
    if fields is not None:
        try:
            fields["organisation_id"] = organisation_id
            site = service.create_site(session, fields=fields)
        except DomainValidationError as error:
            session.rollback()
            form.add_domain_error(error, SITE_FIELD_OF)
        else:
            return _site_saved(site)
    return _site_page(
        request, principal, form, organisation=organisation, site=None, status_code=422
    )


@router.get("/organisations/{organisation_id:int}/sites/new", name="web.site_new")
def new_site(
    organisation_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """An empty form for a site of the organisation."""
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    return _new_site(request, principal, organisation)


@router.post("/organisations/{organisation_id:int}/sites/new", name="web.site_create")
def create_site(
    organisation_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    return _create_site(request, session, principal, posted, organisation)


@router.get("/sites/new", name="web.municipal_site_new")
def new_municipal_site(request: Request, principal: CurrentPrincipal) -> Response:
    """An empty form for one of the municipality's own sites (admins, as in the API)."""
    return _new_site(request, principal, None)


@router.post("/sites/new", name="web.municipal_site_create")
def create_municipal_site(
    request: Request, session: SessionDep, principal: CurrentPrincipal, posted: PostedForm
) -> Response:
    return _create_site(request, session, principal, posted, None)


@router.get("/sites/{site_id:int}/edit", name="web.site_edit")
def edit_site(
    site_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    site = service.get_site(session, site_id)
    _may_edit_site_of(principal, site.organisation_id)
    form = blank_form(SiteInput, translations_for(request), site_values(site))
    return _site_page(request, principal, form, organisation=site.organisation, site=site)


@router.post("/sites/{site_id:int}/edit", name="web.site_update")
def update_site(
    site_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    """Save the site; a site changed meanwhile is shown (409), never overwritten."""
    site = service.get_site(session, site_id)
    _may_edit_site_of(principal, site.organisation_id)

    def conflict() -> Response:
        session.expire_all()
        stored = service.get_site(session, site_id)
        form = blank_form(SiteInput, translations_for(request), site_values(stored))
        return _site_page(
            request,
            principal,
            form,
            organisation=stored.organisation,
            site=stored,
            conflict=True,
            status_code=409,
        )

    if _version(posted) != site.version:
        return conflict()
    form, fields = _read_site(request, posted, session)
    if fields is not None:
        try:
            service.update_site(session, site, changes=fields)
        except DomainValidationError as error:
            session.rollback()
            form.add_domain_error(error, SITE_FIELD_OF)
        except StaleDataError:
            session.rollback()
            return conflict()
        else:
            return _site_saved(site)
    session.expire_all()
    site = service.get_site(session, site_id)
    return _site_page(
        request, principal, form, organisation=site.organisation, site=site, status_code=422
    )


@router.get("/sites", name="web.sites")
def municipal_sites(
    request: Request, session: SessionDep, principal: CurrentPrincipal, done: str | None = None
) -> Response:
    """The municipality's own sites (shared storage, shelters, muster points)."""
    sites = list(
        session.scalars(
            select(Site).where(Site.organisation_id.is_(None)).order_by(Site.name, Site.id)
        )
    )
    return render(
        request,
        "sites.html",
        {
            "sites": sites,
            "equipment": queries.equipment_by_site(session, [site.id for site in sites]),
            "today": today_in_norway(),
            "saved": done == "saved",
            "sees_contacts": principal.sees_contact_details,
            "may_edit": principal.may_edit_organisation(None),
        },
        principal=principal,
    )
