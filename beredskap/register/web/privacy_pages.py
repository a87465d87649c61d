"""The administrator's privacy pages (GDPR): the record of processing with the retention
schedule (`/privacy`), everything held about one volunteer (`/privacy/volunteers/{id}`, the
access export of art. 15 as a page) and the erasure of art. 17 from there.

The same code as the API's: `record_of_processing` (`GET /api/v1/privacy/record`),
`export_subject` with its audited read (`GET /api/v1/volunteers/{id}/export`) and
`purge_volunteer` (`DELETE /api/v1/volunteers/{id}`). The routes are the administrator's alone
(the permission matrix); the erasure needs the form's CSRF token (`authorize`) and a ticked
confirmation.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from beredskap.platform.api.types import MAX_ID, PathId
from beredskap.platform.audit.reads import record_read
from beredskap.platform.auth.service import Principal
from beredskap.platform.db import Base
from beredskap.platform.deps import CurrentPrincipal, SessionDep, SettingsDep
from beredskap.platform.digits import parse_digits
from beredskap.platform.privacy.export import export_subject
from beredskap.platform.privacy.record import record_of_processing
from beredskap.platform.web.forms import Checkbox, Form, PostedForm, Whole, blank_form, parse_form
from beredskap.platform.web.i18n import N_, translations_for
from beredskap.platform.web.rendering import number_format, render
from beredskap.register.volunteers import service
from beredskap.register.volunteers.erasure import purge_volunteer, subject_of
from beredskap.register.volunteers.models import Volunteer
from beredskap.register.web.privacy_views import export_view, record_view

router = APIRouter()
PAGE = "/privacy"
READ_AS = "web.privacy_volunteer"  # what the audit entry of a read names


class FindVolunteer(BaseModel):
    """The form on /privacy that opens a volunteer's page by their number."""

    volunteer: Annotated[Whole, Field(ge=1, le=MAX_ID)] = Field(title=N_("Volunteer number"))


class ConfirmErasure(BaseModel):
    confirm: Checkbox = Field(default=False, title=N_("I understand that this cannot be undone"))


def _record_page(
    request: Request,
    settings: SettingsDep,
    principal: Principal,
    form: Form[FindVolunteer],
    *,
    erased: int | None = None,
    status_code: int = 200,
) -> Response:
    _ = translations_for(request).gettext
    categories, schedule = record_view(record_of_processing(Base.metadata, settings), _)
    context = form.context() | {
        "categories": categories,
        "schedule": schedule,
        "erased": erased,
    }
    return render(request, "privacy.html", context, principal=principal, status_code=status_code)


@router.get(PAGE, name="web.privacy")
def privacy(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    volunteer: str | None = None,
    erased: str | None = None,
) -> Response:
    """The record of processing and the retention schedule; with `volunteer`, that
    volunteer's page (or the form again with a message)."""
    translations = translations_for(request)
    if volunteer is None:
        form = blank_form(FindVolunteer, translations)
        return _record_page(request, settings, principal, form, erased=parse_digits(erased))
    form = parse_form(
        FindVolunteer, {"volunteer": volunteer}, translations, number=number_format(request)
    )
    number = form.fields.get("volunteer")
    if form.valid and session.get(Volunteer, number) is None:
        form.add_error("volunteer", N_("no volunteer has this number"))
    if not form.valid:
        return _record_page(request, settings, principal, form, status_code=422)
    return RedirectResponse(f"{PAGE}/volunteers/{number}", status_code=303)


def _volunteer_page(
    request: Request,
    session: Session,
    principal: Principal,
    volunteer: Volunteer,
    form: Form[ConfirmErasure],
) -> Response:
    """Everything held about the volunteer; showing it is a read of personal data, audited
    like the JSON export."""
    exported = export_subject(session, Base.metadata, subject_of(volunteer))
    view = export_view(session, exported, translations_for(request).gettext)
    record_read(session, Volunteer.__tablename__, volunteer.id, what=READ_AS)
    context = form.context() | {
        "volunteer": volunteer,
        "view": view,
        "generated_at": exported["generated_at"],
    }
    return render(request, "privacy_volunteer.html", context, principal=principal)


@router.get(f"{PAGE}/volunteers/{{volunteer_id:int}}", name="web.privacy_volunteer")
def privacy_volunteer(
    volunteer_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """The access export as a page, with the erasure form."""
    volunteer = service.get_volunteer(session, volunteer_id)
    form = blank_form(ConfirmErasure, translations_for(request))
    return _volunteer_page(request, session, principal, volunteer, form)


@router.post(f"{PAGE}/volunteers/{{volunteer_id:int}}/erase", name="web.privacy_erase")
def erase_volunteer(
    volunteer_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    """Erase the volunteer (CSRF by `authorize`) once the confirmation is ticked; otherwise
    the form again with the message on the checkbox, nothing changed. That page shows no
    personal data, so it is no read to audit (and a write request's transaction, holding
    SQLite's write lock, could not wait for the read's own)."""
    volunteer = service.get_volunteer(session, volunteer_id)
    form = parse_form(ConfirmErasure, posted, translations_for(request))
    if form.valid and not form.fields.get("confirm"):
        form.add_error("confirm", N_("tick the box to erase"))
    if not form.valid:
        context = form.context() | {"volunteer": volunteer}
        return render(request, "privacy_erase.html", context, principal=principal, status_code=422)
    erased = volunteer.id
    purge_volunteer(session, volunteer)
    return RedirectResponse(f"{PAGE}?erased={erased}", status_code=303)
