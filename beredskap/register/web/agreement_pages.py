"""Agreements on the web: the list, and the form to register or change an agreement with its
commitments, contacts and service area.

The rules are the API's (`beredskap.register.agreements.routes`): the same permission matrix
(reading for every role, writing for the admin), the same service functions
(`agreements.service.create_agreement` / `update_agreement`) and the model's validators, so
the pages refuse what the API refuses in the same words. The service area is drawn on the map
(`static/maps/area_draw.js`), pasted, or uploaded as a GeoJSON file (multipart, at most
`MAX_AREA_BYTES`), and checked as the API checks it. A form carries the version it was made
from: an agreement changed meanwhile is shown (409), never overwritten. A failed write is
rolled back before the form is shown again.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError
from starlette.datastructures import UploadFile

from beredskap.platform.api.geometry import area_out
from beredskap.platform.api.types import PathId
from beredskap.platform.auth.service import Principal
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.digits import parse_digits
from beredskap.platform.errors import ConflictError, DomainValidationError
from beredskap.platform.web.forms import PostedForm
from beredskap.platform.web.i18n import language_of, translations_for
from beredskap.platform.web.rendering import number_format, render
from beredskap.register.agreements import service
from beredskap.register.agreements.models import Agreement, AgreementStatus, AgreementTask
from beredskap.register.inventory.models import ResourceType
from beredskap.register.maps.base import DEFAULT_CENTRE, DEFAULT_ZOOM, new_map
from beredskap.register.maps.embed import embed
from beredskap.register.maps.tiles import tile_sources
from beredskap.register.organisations.models import Organisation
from beredskap.register.volunteers.models import QualificationType
from beredskap.register.web.agreement_form import (
    AREA,
    MAX_AREA_BYTES,
    AgreementForm,
    add_row,
    new_form,
    parse_agreement_form,
    stored_form,
    summary_of,
)
from beredskap.register.web.equipment_form import parse_version
from beredskap.register.web.map_data import catalogue_name
from beredskap.register.web.map_pages import map_policy

router = APIRouter()


# The list ------------------------------------------------------------------------------------


@router.get("/agreements", name="web.agreements")
def agreements(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    status: str | None = None,
    done: str | None = None,
) -> Response:
    """Every agreement by organisation and reference, filtered by status."""
    chosen = next((s for s in AgreementStatus if s.value == status), None)
    statement = (
        service.agreements_query(status=chosen)
        .options(joinedload(Agreement.organisation))
        .join(Organisation, Organisation.id == Agreement.organisation_id)
        .order_by(Organisation.name, Agreement.reference, Agreement.id)
    )
    return render(
        request,
        "agreements.html",
        {
            "agreements": list(session.scalars(statement).unique()),
            "statuses": list(AgreementStatus),
            "status": chosen.value if chosen else "",
            "may_edit": principal.is_admin,
            "saved": parse_digits((done or "").strip(), max_digits=10),
        },
        principal=principal,
    )


# The form ------------------------------------------------------------------------------------


def _organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name, Organisation.id)))


def _catalogue(
    session: Session, model: Any, language: str, held: set[int]
) -> list[tuple[int, str]]:
    """Active types (and those the agreement commits) as (id, name), by name."""
    rows = session.scalars(select(model).where(model.active | model.id.in_(held or {0})))
    named = [(row.id, catalogue_name(row, language)) for row in rows]
    return sorted(named, key=lambda option: option[1].lower())


def _held(agreement: Agreement | None) -> tuple[set[int], set[int]]:
    if agreement is None:
        return set(), set()
    commitments = agreement.commitments
    return (
        {c.resource_type_id for c in commitments if c.resource_type_id is not None},
        {c.qualification_type_id for c in commitments if c.qualification_type_id is not None},
    )


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    result: AgreementForm,
    *,
    agreement: Agreement | None,
    conflict: bool = False,
    status_code: int = 200,
) -> Response:
    language = language_of(request)
    resources, qualifications = _held(agreement)
    translations = translations_for(request)
    sources = tile_sources(
        request.app.state.settings,
        default_name=translations.gettext("Topographic map"),
        alternative_name=translations.gettext("Street map"),
    )
    stored = summary_of(agreement.service_area) if agreement is not None else None
    centre, zoom = DEFAULT_CENTRE, DEFAULT_ZOOM
    if stored is not None:
        centre, zoom = ((stored.south + stored.north) / 2, (stored.west + stored.east) / 2), 10
    embedded = embed(new_map(sources, centre=centre, zoom=zoom))
    typed = result.form.values.get(AREA) or ""
    typed_summary = None
    if typed and AREA not in result.form.errors:
        try:
            typed_summary = summary_of(json.loads(typed))
        except (ValueError, TypeError, AttributeError):
            typed_summary = None
    stored_geojson = (
        json.dumps(_stored_area(agreement), separators=(",", ":"))
        if agreement is not None and agreement.service_area is not None
        else ""
    )
    return render(
        request,
        "agreement_form.html",
        {
            **result.context(),
            "agreement": agreement,
            "conflict": conflict,
            "organisations": _organisations(session),
            "statuses": list(AgreementStatus),
            "tasks": list(AgreementTask),
            "resource_types": _catalogue(session, ResourceType, language, resources),
            "qualification_types": _catalogue(session, QualificationType, language, qualifications),
            "stored_area": stored,
            "stored_geojson": stored_geojson,
            "typed_area": typed_summary,
            "max_area_kb": MAX_AREA_BYTES // 1000,
            "map": embedded,
        },
        principal=principal,
        status_code=status_code,
        headers={"Content-Security-Policy": map_policy(embedded, sources)},
    )


def _stored_area(agreement: Agreement) -> dict[str, Any] | None:
    return area_out(agreement.service_area)


def _upload(posted: PostedForm) -> bytes | None:
    """The chosen GeoJSON file's bytes (at most one byte past the limit), or None. The
    multipart parser has spooled it already (the request's body limit bounds it)."""
    file = posted.get("service_area_file")
    if not isinstance(file, UploadFile) or not file.filename:
        return None
    file.file.seek(0)
    data = file.file.read(MAX_AREA_BYTES + 1)
    return data or None


def _parse(
    request: Request,
    session: Session,
    posted: PostedForm,
    agreement: Agreement | None,
    upload: bytes | None,
) -> AgreementForm:
    resources, qualifications = _held(agreement)
    resource_ids = set(
        session.scalars(
            select(ResourceType.id).where(
                ResourceType.active | ResourceType.id.in_(resources or {0})
            )
        )
    )
    qualification_ids = set(
        session.scalars(
            select(QualificationType.id).where(
                QualificationType.active | QualificationType.id.in_(qualifications or {0})
            )
        )
    )
    return parse_agreement_form(
        translations_for(request),
        posted,
        organisation_ids=set(session.scalars(select(Organisation.id))),
        resource_type_ids=resource_ids,
        qualification_type_ids=qualification_ids,
        upload=upload,
        number=number_format(request),
    )


def _failed(result: AgreementForm, error: DomainValidationError | ConflictError) -> int:
    """The service's refusal on its field (a known reference: on the reference, 409 as the
    API answers it)."""
    if isinstance(error, DomainValidationError):
        result.add_domain_error(error)
        return 422
    message = error.translated(result.form.translations, result.form.number)
    result.form.errors.setdefault("reference", message)
    return 409


def _added_row(result: AgreementForm, posted: PostedForm) -> bool:
    kind = posted.get("add_row")
    if isinstance(kind, str) and kind:
        add_row(result, kind)
        result.clear_errors()
        return True
    return False


def _saved(agreement: Agreement, done: str) -> Response:
    return RedirectResponse(
        f"/organisations/{agreement.organisation_id}?done={done}#agreement-{agreement.id}",
        status_code=303,
    )


@router.get("/agreements/new", name="web.agreement_new")
def new_agreement(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    organisation_id: str | None = None,
) -> Response:
    """An empty form (`?organisation_id=` chooses the organisation)."""
    chosen = parse_digits((organisation_id or "").strip(), max_digits=10)
    result = new_form(translations_for(request), chosen)
    return _form_page(request, session, principal, result, agreement=None)


@router.post("/agreements/new", name="web.agreement_create")
def create_agreement(
    request: Request, session: SessionDep, principal: CurrentPrincipal, posted: PostedForm
) -> Response:
    """Register the agreement; on bad input the form again with the input and messages."""
    upload = _upload(posted)
    result = _parse(request, session, posted, None, upload)
    status_code = 422
    if _added_row(result, posted):
        status_code = 200
    elif result.valid:
        fields = dict(result.fields)
        if result.area_change == "set" and result.area is not None:
            fields["service_area"] = result.area
        try:
            agreement = service.create_agreement(
                session, fields=fields, commitments=result.commitment_items
            )
        except (DomainValidationError, ConflictError) as error:
            session.rollback()
            status_code = _failed(result, error)
        else:
            return _saved(agreement, "agreement_created")
    return _form_page(request, session, principal, result, agreement=None, status_code=status_code)


def _agreement(session: Session, agreement_id: int) -> Agreement:
    return service.get_agreement(session, agreement_id)


@router.get("/agreements/{agreement_id:int}/edit", name="web.agreement_edit")
def edit_agreement(
    agreement_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    agreement = _agreement(session, agreement_id)
    result = stored_form(translations_for(request), agreement, number_format(request))
    return _form_page(request, session, principal, result, agreement=agreement)


@router.post("/agreements/{agreement_id:int}/edit", name="web.agreement_update")
def update_agreement(
    agreement_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    """Change the agreement: a form made from an older version writes nothing and shows
    what is stored now (409)."""
    agreement = _agreement(session, agreement_id)
    upload = _upload(posted)

    def conflict() -> Response:
        session.expire_all()
        stored = _agreement(session, agreement_id)
        fresh = stored_form(translations_for(request), stored, number_format(request))
        return _form_page(
            request, session, principal, fresh, agreement=stored, conflict=True, status_code=409
        )

    version = posted.get("version")
    if parse_version(version if isinstance(version, str) else None) != agreement.version:
        return conflict()
    result = _parse(request, session, posted, agreement, upload)
    status_code = 422
    if _added_row(result, posted):
        status_code = 200
    elif result.valid:
        changes = dict(result.fields)
        if result.area_change == "set":
            changes["service_area"] = result.area
        try:
            service.update_agreement(
                session, agreement, changes=changes, commitments=result.commitment_items
            )
        except (DomainValidationError, ConflictError) as error:
            session.rollback()
            status_code = _failed(result, error)
        except StaleDataError:
            session.rollback()  # someone saved between our read and our write
            return conflict()
        else:
            return _saved(agreement, "agreement_saved")
    session.expire_all()
    agreement = _agreement(session, agreement_id)
    return _form_page(
        request, session, principal, result, agreement=agreement, status_code=status_code
    )
