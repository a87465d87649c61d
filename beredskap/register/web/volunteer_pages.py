"""Volunteers on the web: an organisation's list, and the form to add or edit a volunteer.

The rules are the API's (`beredskap.register.volunteers.routes`): the same permission matrix
(reading for `PEOPLE_READERS`, writing for `ORGANISATION_EDITORS`), the same lookups (an
organisation editor finds its own organisations' members only; anyone else's record is 404),
the same membership rule (`_check_memberships`), the same service functions and the same
audited read whenever mobiles, e-mails and home areas are shown (`record_read`). SMS consent
changes through the model's `change_consent` rule: a STOP is undone only by the volunteer's
START, so the form then explains and offers no change; every change is a `ConsentEvent` of
channel staff. A failed write is rolled back before the form is shown again.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from beredskap.platform.api.crud import get_or_404
from beredskap.platform.api.problems import forbidden
from beredskap.platform.api.types import PathId
from beredskap.platform.audit.reads import record_read
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import today_in_norway
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.digits import parse_digits
from beredskap.platform.errors import ConflictError, DomainValidationError
from beredskap.platform.web.forms import PostedForm
from beredskap.platform.web.i18n import language_of, translations_for
from beredskap.platform.web.rendering import number_format, render
from beredskap.register.organisations.models import Organisation
from beredskap.register.volunteers import service
from beredskap.register.volunteers.models import (
    Availability,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)
from beredskap.register.volunteers.routes import _check_memberships
from beredskap.register.volunteers.schemas import MembershipIn
from beredskap.register.web.equipment_form import parse_version
from beredskap.register.web.volunteer_form import (
    VolunteerForm,
    add_row,
    new_form,
    parse_volunteer_form,
    stored_form,
    values_of,
)

router = APIRouter()
PAGE_SIZE = 100
LIST_READ = "web.volunteers"  # what the audit entry of a read names
EDIT_READ = "web.volunteer_edit"


# The list ------------------------------------------------------------------------------------


@router.get("/organisations/{organisation_id:int}/volunteers", name="web.volunteers")
def volunteers(
    organisation_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    q: str | None = None,
    page: str | None = None,
    saved: str | None = None,
) -> Response:
    """The organisation's volunteers (active or not), by name, a page at a time; mobiles and
    e-mail only for the roles that see personal data (and that read is audited)."""
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    if not principal.sees_members_of(organisation.id):
        raise forbidden("You may see only your own organisations' volunteers.")
    text = (q or "").strip()[:100]
    number = max(parse_digits((page or "").strip(), max_digits=6) or 1, 1)
    statement = service.volunteers_query(
        members_of=principal.sees_only_members_of, organisation_id=organisation.id, text=text
    )
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = list(
        session.scalars(
            statement.options(
                selectinload(Volunteer.qualifications).joinedload(
                    VolunteerQualification.qualification_type
                )
            )
            .order_by(Volunteer.full_name, Volunteer.id)
            .limit(PAGE_SIZE)
            .offset((number - 1) * PAGE_SIZE)
        ).unique()
    )
    personal = principal.sees_personal_data
    if personal and rows:  # the page shows these people's contact details
        record_read(session, Volunteer.__tablename__, what=LIST_READ, count=len(rows))
    return render(
        request,
        "volunteers.html",
        {
            "organisation": organisation,
            "volunteers": rows,
            "total": total,
            "page": number,
            "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            "q": text,
            "personal": personal,
            "may_edit": principal.may_edit_organisation(organisation.id),
            "saved": parse_digits((saved or "").strip(), max_digits=10),
            "today": today_in_norway(),
        },
        principal=principal,
    )


# The form ------------------------------------------------------------------------------------


def _editable_organisations(session: Session, principal: Principal) -> list[Organisation]:
    """The organisations whose memberships the reader may set, by name."""
    statement = select(Organisation).order_by(Organisation.name, Organisation.id)
    if not principal.is_admin:
        statement = statement.where(Organisation.id.in_(principal.organisation_ids))
    return list(session.scalars(statement))


def _qualification_types(
    session: Session, language: str, volunteer: Volunteer | None
) -> list[QualificationType]:
    """Active qualification types (and those the volunteer holds), by name in the language."""
    held = {q.qualification_type_id for q in volunteer.qualifications} if volunteer else set()
    types = session.scalars(
        select(QualificationType).where(
            QualificationType.active | QualificationType.id.in_(held or {0})
        )
    )
    key = (lambda t: t.name_nb.lower()) if language == "nb" else (lambda t: t.name_en.lower())
    return sorted(types, key=key)


def _point(volunteer: Volunteer) -> tuple[float, float] | None:
    if volunteer.home_area is None:
        return None
    shape = to_shape(volunteer.home_area)
    return (shape.y, shape.x)


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    result: VolunteerForm,
    *,
    organisation: Organisation | None,
    volunteer: Volunteer | None,
    conflict: bool = False,
    saved: bool = False,
    came_from: int | None = None,
    status_code: int = 200,
) -> Response:
    editable = _editable_organisations(session, principal)
    editable_ids = {o.id for o in editable}
    others = (
        sorted(
            (m for m in volunteer.memberships if m.organisation_id not in editable_ids),
            key=lambda m: m.organisation.name,
        )
        if volunteer
        else []
    )
    return render(
        request,
        "volunteer_form.html",
        {
            **result.context(),
            "organisation": organisation,
            "volunteer": volunteer,
            "conflict": conflict,
            "saved": saved,
            "from_organisation": came_from,
            "organisations": editable,
            "other_memberships": others,
            "qualification_types": _qualification_types(session, language_of(request), volunteer),
            "availabilities": list(Availability),
            # Only the volunteer takes back their own STOP (by replying START).
            "consent_locked": volunteer is not None and volunteer.withdrew_by_sms,
            "last_consent": volunteer.consent_events[-1]
            if volunteer and volunteer.consent_events
            else None,
        },
        principal=principal,
        status_code=status_code,
    )


def _parse(
    request: Request,
    session: Session,
    principal: Principal,
    posted: PostedForm,
    volunteer: Volunteer | None,
) -> VolunteerForm:
    held = {q.qualification_type_id for q in volunteer.qualifications} if volunteer else set()
    type_ids = set(
        session.scalars(
            select(QualificationType.id).where(
                QualificationType.active | QualificationType.id.in_(held or {0})
            )
        )
    )
    return parse_volunteer_form(
        translations_for(request),
        posted,
        organisation_ids={o.id for o in _editable_organisations(session, principal)},
        qualification_type_ids=type_ids,
        number=number_format(request),
    )


def _memberships(
    principal: Principal, volunteer: Volunteer | None, result: VolunteerForm
) -> list[dict[str, Any]]:
    """The rows' memberships, and those of organisations the reader may not edit as they are
    stored (the form shows them and cannot change them); the API's rule checks the whole."""
    kept = (
        [
            {"organisation_id": m.organisation_id, "role": m.role}
            for m in volunteer.memberships
            if not principal.may_edit_organisation(m.organisation_id)
        ]
        if volunteer
        else []
    )
    items = result.membership_items + kept
    _check_memberships(principal, volunteer, [MembershipIn(**item) for item in items])
    return items


def _home_area(result: VolunteerForm) -> Point | None:
    lat_lon = result.fields.pop("home_area")
    return Point(lat_lon[1], lat_lon[0]) if lat_lon else None


def _saved(principal: Principal, volunteer: Volunteer, organisation_id: int | None) -> Response:
    """Back to the list the volunteer was opened from (or one the reader may see)."""
    seen = [
        m.organisation_id
        for m in volunteer.memberships
        if principal.sees_members_of(m.organisation_id)
    ]
    target = organisation_id if organisation_id in seen else (min(seen) if seen else None)
    if target is None:
        return RedirectResponse(f"/volunteers/{volunteer.id}/edit?saved=1", status_code=303)
    return RedirectResponse(
        f"/organisations/{target}/volunteers?saved={volunteer.id}#volunteer-{volunteer.id}",
        status_code=303,
    )


def _failed(result: VolunteerForm, error: DomainValidationError | ConflictError) -> int:
    """The service's refusal on its field (a known mobile: on the mobile, 409 as the API)."""
    if isinstance(error, DomainValidationError):
        result.add_domain_error(error)
        return 422
    message = error.translated(result.form.translations, result.form.number)
    field = "mobile" if "mobile" in error.params else "sms_consent"  # a known mobile, or STOP
    result.form.errors.setdefault(field, message)
    return 409


@router.get("/organisations/{organisation_id:int}/volunteers/new", name="web.volunteer_new")
def new_volunteer(
    organisation_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """An empty form for a new member of the organisation."""
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    if not principal.may_edit_organisation(organisation.id):
        raise forbidden("You may add volunteers only to your own organisations.")
    result = new_form(translations_for(request), organisation.id)
    return _form_page(
        request, session, principal, result, organisation=organisation, volunteer=None
    )


@router.post("/organisations/{organisation_id:int}/volunteers/new", name="web.volunteer_create")
def create_volunteer(
    organisation_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    """Register the volunteer; on bad input show the form again with the input and messages."""
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    if not principal.may_edit_organisation(organisation.id):
        raise forbidden("You may add volunteers only to your own organisations.")
    result = _parse(request, session, principal, posted, None)
    status_code = 422
    kind = posted.get("add_row")
    if isinstance(kind, str) and kind:
        add_row(result, kind)
        result.form.errors.clear()
        for row in (*result.memberships, *result.qualifications):
            row.errors.clear()
        status_code = 200
    elif result.valid:
        try:
            memberships = _memberships(principal, None, result)
            fields = dict(result.fields, home_area=_home_area(result))
            fields["sms_consent"] = bool(result.form.fields.get("sms_consent"))
            volunteer = service.create_volunteer(
                session,
                fields=fields,
                memberships=memberships,
                qualifications=result.qualification_items,
                sees_holder=principal.sees_member_of_any,
            )
        except (DomainValidationError, ConflictError) as error:
            session.rollback()
            status_code = _failed(result, error)
        else:
            return _saved(principal, volunteer, organisation.id)
    return _form_page(
        request,
        session,
        principal,
        result,
        organisation=organisation,
        volunteer=None,
        status_code=status_code,
    )


def _editable_volunteer(session: Session, principal: Principal, volunteer_id: int) -> Volunteer:
    """The volunteer as the API finds it for the reader (404 outside its organisations)."""
    return service.get_volunteer(session, volunteer_id, members_of=principal.sees_only_members_of)


@router.get("/volunteers/{volunteer_id:int}/edit", name="web.volunteer_edit")
def edit_volunteer(
    volunteer_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    saved: str | None = None,
) -> Response:
    """The volunteer's form (their contact details: an audited read)."""
    volunteer = _editable_volunteer(session, principal, volunteer_id)
    record_read(session, Volunteer.__tablename__, volunteer.id, what=EDIT_READ)
    editable = {o.id for o in _editable_organisations(session, principal)}
    result = stored_form(
        translations_for(request),
        volunteer,
        _point(volunteer),
        editable,
        number=number_format(request),
    )
    return _form_page(
        request,
        session,
        principal,
        result,
        organisation=None,
        volunteer=volunteer,
        saved=saved == "1",
        came_from=_from(request.query_params),
    )


@router.post("/volunteers/{volunteer_id:int}/edit", name="web.volunteer_update")
def update_volunteer(
    volunteer_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    """Change the volunteer: the form carries the version it was made from, and a volunteer
    changed since is not overwritten (the form shows what is stored now)."""
    volunteer = _editable_volunteer(session, principal, volunteer_id)
    translations = translations_for(request)
    editable = {o.id for o in _editable_organisations(session, principal)}

    def conflict() -> Response:
        record_read(session, Volunteer.__tablename__, volunteer.id, what=EDIT_READ)
        stored = stored_form(translations, volunteer, _point(volunteer), editable)
        return _form_page(
            request,
            session,
            principal,
            stored,
            organisation=None,
            volunteer=volunteer,
            conflict=True,
            came_from=_from(posted),
            status_code=409,
        )

    version = posted.get("version")
    if parse_version(version if isinstance(version, str) else None) != volunteer.version:
        return conflict()
    result = _parse(request, session, principal, posted, volunteer)
    status_code = 422
    kind = posted.get("add_row")
    if isinstance(kind, str) and kind:
        add_row(result, kind)
        result.form.errors.clear()
        for row in (*result.memberships, *result.qualifications):
            row.errors.clear()
        status_code = 200
    elif result.valid:
        try:
            memberships = _memberships(principal, volunteer, result)
            changes = _changes(volunteer, result)
            service.update_volunteer(
                session,
                volunteer,
                changes=changes,
                memberships=memberships,
                qualifications=result.qualification_items,
                sees_holder=principal.sees_member_of_any,
            )
        except (DomainValidationError, ConflictError) as error:
            session.rollback()
            status_code = _failed(result, error)
        except StaleDataError:
            session.rollback()  # someone saved between our read and our write
            return conflict()
        else:
            return _saved(principal, volunteer, _from(posted))
    session.expire_all()
    return _form_page(
        request,
        session,
        principal,
        result,
        organisation=None,
        volunteer=volunteer,
        came_from=_from(posted),
        status_code=status_code,
    )


def _from(source: Any) -> int | None:
    """The list the form was opened from (`?from=` on the form, then a hidden field)."""
    raw = source.get("from") or source.get("from_organisation")
    return parse_digits(raw.strip(), max_digits=10) if isinstance(raw, str) else None


def _changes(volunteer: Volunteer, result: VolunteerForm) -> dict[str, Any]:
    """The fields to set: the home area only when it was moved (a stored one is shown on
    its grid, and setting the same point again would be a change in the audit trail), and
    the consent only when it changed (the form does not offer it after a STOP)."""
    stored = values_of(volunteer, _point(volunteer))
    typed = result.form.values
    moved = (typed.get("home_lat", ""), typed.get("home_lon", "")) != (
        stored["home_lat"],
        stored["home_lon"],
    )
    home_area = _home_area(result)
    changes = {k: v for k, v in result.fields.items() if getattr(volunteer, k) != v}
    if moved:
        changes["home_area"] = home_area
    consent = bool(result.form.fields.get("sms_consent"))
    if consent != volunteer.sms_consent:  # the model refuses to undo a STOP (409)
        changes["sms_consent"] = consent
    return changes
