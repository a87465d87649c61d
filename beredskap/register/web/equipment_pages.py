"""Adding and editing equipment lines: the forms of the organisation editor in the store room.

Writes go through `beredskap.register.inventory.service`, so the web and the API share every rule.
A failed write is rolled back before the form is shown again: nothing half-done is committed.
"""

from __future__ import annotations

from typing import Annotated, Any

from babel.support import Translations
from fastapi import APIRouter, Form, Request
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
from beredskap.platform.web.i18n import language_of, translations_for
from beredskap.platform.web.rendering import number_format, render
from beredskap.register.inventory import service
from beredskap.register.inventory.models import Capability, Equipment, EquipmentStatus, ResourceType
from beredskap.register.organisations.models import Organisation, Site
from beredskap.register.web.equipment_form import (
    FIELD_LABELS,
    FormResult,
    parse_equipment_form,
    parse_version,
)
from beredskap.register.web.queries import organisation_sites

router = APIRouter()

OptionalField = Annotated[str | None, Form()]


def _may_add(principal: Principal, organisation_id: int) -> None:
    if not principal.may_edit_organisation(organisation_id):
        raise forbidden("You may add equipment only to your own organisations.")


def _may_edit(principal: Principal, equipment: Equipment) -> None:
    if not principal.may_edit_equipment_of(equipment.organisation_id):
        raise forbidden("You may edit only your own organisations' equipment.")


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


def _values_of(equipment: Equipment) -> dict[str, str]:
    """The stored line as form values."""
    return {
        "resource_type_id": str(equipment.resource_type_id),
        "site_id": str(equipment.site_id),
        "quantity": str(equipment.quantity),
        "identifier": equipment.identifier or "",
        "status": equipment.status.value,
        "last_inspected_on": equipment.last_inspected_on.isoformat()
        if equipment.last_inspected_on
        else "",
        "next_inspection_due": equipment.next_inspection_due.isoformat()
        if equipment.next_inspection_due
        else "",
        "notes": equipment.notes or "",
    }


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    organisation: Organisation,
    *,
    equipment: Equipment | None,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    conflict: bool = False,
    status_code: int = 200,
) -> Response:
    errors = errors or {}
    translations = translations_for(request)
    # The summary lists the fields in the form's order; messages for fields the form does
    # not show (e.g. the organisation) come last.
    summary = [
        (name, translations.gettext(label), errors[name])
        for name, label in FIELD_LABELS.items()
        if name in errors
    ]
    general = [message for name, message in errors.items() if name not in FIELD_LABELS]
    return render(
        request,
        "equipment_form.html",
        {
            "organisation": organisation,
            "equipment": equipment,
            "values": values,
            "errors": errors,
            "error_summary": summary,
            "general_errors": general,
            "field_labels": {
                name: translations.gettext(text) for name, text in FIELD_LABELS.items()
            },
            "conflict": conflict,
            "sites": _site_choices(session, organisation.id, equipment.site if equipment else None),
            "resource_types": _resource_type_choices(session, language_of(request)),
            "statuses": list(EquipmentStatus),
        },
        principal=principal,
        status_code=status_code,
    )


def _check_site(
    translations: Translations, result: FormResult, sites: list[Site], *, required: bool
) -> None:
    if "site_id" in result.fields:
        if result.fields["site_id"] not in {site.id for site in sites}:
            del result.fields["site_id"]
            result.errors["site_id"] = translations.gettext(
                "choose one of the organisation's own sites"
            )
    elif required and "site_id" not in result.errors:
        result.errors["site_id"] = translations.gettext("is required")


def _saved(organisation_id: int, equipment_id: int) -> Response:
    return RedirectResponse(
        f"/organisations/{organisation_id}?saved={equipment_id}#equipment-{equipment_id}",
        status_code=303,
    )


@router.get("/organisations/{organisation_id}/equipment/new", name="web.equipment_new")
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
    return _form_page(request, session, principal, organisation, equipment=None, values=values)


@router.post("/organisations/{organisation_id}/equipment/new", name="web.equipment_create")
def create_equipment(
    organisation_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    resource_type_id: OptionalField = None,
    site_id: OptionalField = None,
    quantity: OptionalField = None,
    identifier: OptionalField = None,
    status: OptionalField = None,
    last_inspected_on: OptionalField = None,
    next_inspection_due: OptionalField = None,
    notes: OptionalField = None,
) -> Response:
    """Add the line; on bad input show the form again with the input and the messages."""
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    _may_add(principal, organisation.id)
    translations = translations_for(request)
    number = number_format(request)
    raw = {
        "resource_type_id": resource_type_id,
        "site_id": site_id,
        "quantity": quantity,
        "identifier": identifier,
        "status": status,
        "last_inspected_on": last_inspected_on,
        "next_inspection_due": next_inspection_due,
        "notes": notes,
    }
    result = parse_equipment_form(translations, raw, number)
    for name in ("resource_type_id", "quantity"):
        if name not in result.fields and name not in result.errors:
            result.errors[name] = translations.gettext("is required")
    _check_site(translations, result, organisation_sites(session, organisation.id), required=True)
    if not result.errors:
        fields: dict[str, Any] = {"organisation_id": organisation.id, **result.fields}
        try:
            equipment = service.create_equipment(session, fields=fields)
        except DomainValidationError as error:
            session.rollback()
            result.add_domain_error(translations, error, number)
        else:
            return _saved(organisation.id, equipment.id)
    return _form_page(
        request,
        session,
        principal,
        organisation,
        equipment=None,
        values=result.values,
        errors=result.errors,
        status_code=422,
    )


@router.get("/equipment/{equipment_id}/edit", name="web.equipment_edit")
def edit_equipment(
    equipment_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """The line's form, with one-tap status buttons on top."""
    equipment = service.get_equipment(session, equipment_id)
    _may_edit(principal, equipment)
    return _form_page(
        request,
        session,
        principal,
        equipment.organisation,
        equipment=equipment,
        values=_values_of(equipment),
    )


@router.post("/equipment/{equipment_id}/edit", name="web.equipment_update")
def update_equipment(
    equipment_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    version: OptionalField = None,
    site_id: OptionalField = None,
    quantity: OptionalField = None,
    identifier: OptionalField = None,
    status: OptionalField = None,
    last_inspected_on: OptionalField = None,
    next_inspection_due: OptionalField = None,
    notes: OptionalField = None,
) -> Response:
    """Change the fields that were sent (the status buttons send only the status).

    The form carries the version it was made from: if the line changed since, nothing is
    written and the form shows the current values with a conflict message.
    """
    equipment = service.get_equipment(session, equipment_id)
    _may_edit(principal, equipment)
    translations = translations_for(request)
    number = number_format(request)
    raw = {
        "site_id": site_id,
        "quantity": quantity,
        "identifier": identifier,
        "status": status,
        "last_inspected_on": last_inspected_on,
        "next_inspection_due": next_inspection_due,
        "notes": notes,
    }
    result = parse_equipment_form(translations, raw, number)

    def conflict() -> Response:
        return _form_page(
            request,
            session,
            principal,
            equipment.organisation,
            equipment=equipment,
            values=_values_of(equipment),
            conflict=True,
            status_code=409,
        )

    if parse_version(version) != equipment.version:
        return conflict()
    sites = _site_choices(session, equipment.organisation_id, equipment.site)
    _check_site(translations, result, sites, required=False)
    if not result.errors:
        try:
            service.update_equipment(session, equipment, changes=result.fields)
        except DomainValidationError as error:
            session.rollback()
            result.add_domain_error(translations, error, number)
        except StaleDataError:
            session.rollback()  # someone saved between our read and our write
            return conflict()
        else:
            return _saved(equipment.organisation_id, equipment.id)
    # Show the stored line with the user's input over it, and the messages.
    session.expire_all()
    values = _values_of(equipment) | result.values
    return _form_page(
        request,
        session,
        principal,
        equipment.organisation,
        equipment=equipment,
        values=values,
        errors=result.errors,
        status_code=422,
    )
