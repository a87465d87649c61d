"""Adding and editing equipment lines: the forms of the organisation editor in the store room.

Writes go through `beredskap.register.inventory.service`, so the web and the API share every rule.
A failed write is rolled back before the form is shown again: nothing half-done is committed.
"""

from __future__ import annotations

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
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.errors import DomainValidationError
from beredskap.platform.web.forms import Form, PostedForm, blank_form, parse_form
from beredskap.platform.web.i18n import N_, language_of, translations_for
from beredskap.platform.web.rendering import number_format, render
from beredskap.register.inventory import service
from beredskap.register.inventory.models import Capability, Equipment, EquipmentStatus, ResourceType
from beredskap.register.organisations.models import Organisation, Site
from beredskap.register.web.equipment_form import (
    EquipmentChanges,
    NewEquipment,
    parse_version,
    values_of,
)
from beredskap.register.web.queries import organisation_sites

router = APIRouter()


def _may_add(principal: Principal, organisation_id: int) -> None:
    if not principal.may_edit_organisation(organisation_id):
        raise forbidden("You may add equipment only to your own organisations.")


def _may_edit(principal: Principal, equipment: Equipment) -> None:
    if not principal.may_edit_equipment_of(equipment.organisation_id):
        raise forbidden("You may edit only your own organisations' equipment.")


def _may_send(principal: Principal, equipment: Equipment, posted: PostedForm) -> None:
    """The duty officer's form holds the status and the notes only; a post with any other
    field of the line is refused whole (nothing is written), not quietly trimmed."""
    if principal.may_edit_equipment_fully(equipment.organisation_id):
        return
    fields = EquipmentChanges.model_fields.keys() - service.STATUS_FIELDS
    if any(name in posted for name in fields):
        raise forbidden("You may change only the status and notes of this line.")


def _site_choices(session: Session, organisation_id: int, current: Site | None) -> list[Site]:
    """The organisation's own sites (and the line's current site, wherever that is)."""
    sites = organisation_sites(session, organisation_id)
    if current is not None and current.id not in {site.id for site in sites}:
        sites.append(current)
    return sites


def _resource_type_choices(
    session: Session, language: str
) -> list[tuple[Capability, list[ResourceType]]]:
    """Active resource types by capability, sorted by their name in the reader's language."""
    types = session.scalars(select(ResourceType).where(ResourceType.active))
    by_capability: dict[Capability, list[ResourceType]] = {}
    for resource_type in types:
        by_capability.setdefault(resource_type.capability, []).append(resource_type)
    key = (lambda t: t.name_nb.lower()) if language == "nb" else (lambda t: t.name_en.lower())
    return [(c, sorted(by_capability[c], key=key)) for c in Capability if c in by_capability]


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    organisation: Organisation,
    form: Form[Any],
    *,
    equipment: Equipment | None,
    conflict: bool = False,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "equipment_form.html",
        {
            "organisation": organisation,
            "equipment": equipment,
            # The duty officer gets the status buttons and the notes, no other field.
            "full_edit": equipment is None
            or principal.may_edit_equipment_fully(equipment.organisation_id),
            **form.context(),
            "conflict": conflict,
            "sites": _site_choices(session, organisation.id, equipment.site if equipment else None),
            "resource_types": _resource_type_choices(session, language_of(request)),
            "statuses": list(EquipmentStatus),
        },
        principal=principal,
        status_code=status_code,
    )


def _check_site(form: Form[Any], sites: list[Site]) -> None:
    if "site_id" in form.sent and form.fields.get("site_id") not in {site.id for site in sites}:
        form.add_error("site_id", N_("choose one of the organisation's own sites"))


def _saved(organisation_id: int, equipment_id: int) -> Response:
    return RedirectResponse(
        f"/organisations/{organisation_id}?saved={equipment_id}#equipment-{equipment_id}",
        status_code=303,
    )


@router.get("/organisations/{organisation_id:int}/equipment/new", name="web.equipment_new")
def new_equipment(
    organisation_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """An empty form for a new equipment line at one of the organisation's sites."""
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    _may_add(principal, organisation.id)
    sites = organisation_sites(session, organisation.id)
    values = {
        "quantity": "1",
        "status": EquipmentStatus.READY.value,
        "site_id": str(sites[0].id) if sites else "",
    }
    form = blank_form(NewEquipment, translations_for(request), values)
    return _form_page(request, session, principal, organisation, form, equipment=None)


@router.post("/organisations/{organisation_id:int}/equipment/new", name="web.equipment_create")
def create_equipment(
    organisation_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    """Add the line; on bad input show the form again with the input and the messages."""
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    _may_add(principal, organisation.id)
    form = parse_form(
        NewEquipment, posted, translations_for(request), number=number_format(request)
    )
    _check_site(form, organisation_sites(session, organisation.id))
    if form.valid:
        fields: dict[str, Any] = {"organisation_id": organisation.id, **_sent(form)}
        try:
            equipment = service.create_equipment(session, fields=fields)
        except DomainValidationError as error:
            session.rollback()
            form.add_domain_error(error)
        else:
            return _saved(organisation.id, equipment.id)
    return _form_page(
        request, session, principal, organisation, form, equipment=None, status_code=422
    )


def _sent(form: Form[Any]) -> dict[str, Any]:
    """The typed values of the fields that were sent (the rest: unchanged, or the default)."""
    return {name: value for name, value in form.fields.items() if name in form.sent}


@router.get("/equipment/{equipment_id:int}/edit", name="web.equipment_edit")
def edit_equipment(
    equipment_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """The line's form, with one-tap status buttons on top."""
    equipment = service.get_equipment(session, equipment_id)
    _may_edit(principal, equipment)
    form = blank_form(EquipmentChanges, translations_for(request), values_of(equipment))
    return _form_page(
        request, session, principal, equipment.organisation, form, equipment=equipment
    )


@router.post("/equipment/{equipment_id:int}/edit", name="web.equipment_update")
def update_equipment(
    equipment_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    """Change the fields that were sent (the status buttons send only the status).

    The form carries the version it was made from: if the line changed since, nothing is
    written and the form shows the current values with a conflict message.
    """
    equipment = service.get_equipment(session, equipment_id)
    _may_edit(principal, equipment)
    _may_send(principal, equipment, posted)
    translations = translations_for(request)
    form = parse_form(EquipmentChanges, posted, translations, number=number_format(request))

    def conflict() -> Response:
        stored = blank_form(EquipmentChanges, translations, values_of(equipment))
        return _form_page(
            request,
            session,
            principal,
            equipment.organisation,
            stored,
            equipment=equipment,
            conflict=True,
            status_code=409,
        )

    version = posted.get("version")
    if parse_version(version if isinstance(version, str) else None) != equipment.version:
        return conflict()
    _check_site(form, _site_choices(session, equipment.organisation_id, equipment.site))
    if form.valid:
        changes = _sent(form)
        changes.pop("resource_type_id", None)  # the type is chosen once, when added
        try:
            service.update_equipment(session, equipment, changes=changes)
        except DomainValidationError as error:
            session.rollback()
            form.add_domain_error(error)
        except StaleDataError:
            session.rollback()  # someone saved between our read and our write
            return conflict()
        else:
            return _saved(equipment.organisation_id, equipment.id)
    # Show the stored line with the user's input over it, and the messages.
    session.expire_all()
    form.values = values_of(equipment) | form.values
    return _form_page(
        request,
        session,
        principal,
        equipment.organisation,
        form,
        equipment=equipment,
        status_code=422,
    )
