"""/reports/varslingsliste as a page, a PDF and a spreadsheet for the coordinator and the duty
officer (it holds phone numbers: 403 to every other role), and the coordinator's edits of its
order: an agreement's place among those for its tasks, and which contact is alerted first.

Each edit carries the version it was made from; a record changed in between is not written
(409, the list shown as stored now). Every extraction is audited as a read of the report."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from beredskap.platform.api.crud import get_or_404
from beredskap.platform.auth.models import Role
from beredskap.platform.auth.permissions import ADMIN, Rule
from beredskap.platform.auth.service import Principal
from beredskap.platform.contact_details import readable_phone
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.digits import parse_digits
from beredskap.platform.web.forms import PostedForm
from beredskap.platform.web.i18n import translations_for
from beredskap.platform.web.rendering import render, stamp
from beredskap.register.agreements.models import Agreement
from reports.downloads import download
from reports.extraction import extraction_for
from reports.marking import audit_extraction
from reports.varslingsliste.data import build_alert_list
from reports.varslingsliste.documents import REPORT, varslingsliste_pdf, varslingsliste_xlsx
from reports.varslingsliste.sections import agreement_heading, rank_label, texts_of

# Whom to call in the night is for those who call: the coordinator and the duty officer.
ALERT_LIST_READERS = frozenset({Role.ADMIN, Role.DUTY_OFFICER})
MAX_ORDER = 999

router = APIRouter(prefix="/reports", include_in_schema=False)
RULES: dict[str, Rule] = {
    "web.report_varslingsliste": ALERT_LIST_READERS,
    "web.report_varslingsliste_pdf": ALERT_LIST_READERS,
    "web.report_varslingsliste_xlsx": ALERT_LIST_READERS,
    "web.report_varslingsliste_order": ADMIN,
    "web.report_varslingsliste_contact_up": ADMIN,
}


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    errors: dict[str, str] | None = None,
    conflict: bool = False,
    status_code: int = 200,
) -> Response:
    extraction = extraction_for(request, principal)
    translations = extraction.translations
    alert_list = build_alert_list(session, extraction.on)
    # An agreement under several tasks is listed under each; its place is edited under the first.
    first_task: dict[int, str] = {}
    for group in alert_list.tasks:
        for entry in group.agreements:
            first_task.setdefault(entry.id, group.task)
    for entry in alert_list.untasked:
        first_task[entry.id] = "no-task"
    response = render(
        request,
        "reports/varslingsliste.html",
        {
            "active": "dashboard",
            "texts": texts_of(translations),
            "alert_list": alert_list,
            "first_task": first_task,
            "marking": extraction.marking,
            "extracted_at": stamp(extraction.extracted_at),
            "heading_of": lambda place, entry: agreement_heading(translations, place, entry),
            "rank_of": lambda person: rank_label(translations, person),
            "readable_phone": readable_phone,
            "errors": errors or {},
            "conflict": conflict,
            "done": request.query_params.get("done"),
        },
        principal=principal,
        status_code=status_code,
    )
    audit_extraction(session, REPORT, "page")
    return response


@router.get("/varslingsliste", name="web.report_varslingsliste")
def alert_list_page(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """The list as a page: tappable numbers, and the coordinator's controls of its order."""
    return _page(request, session, principal)


@router.get("/varslingsliste.pdf", name="web.report_varslingsliste_pdf")
def alert_list_pdf(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """The list as an A4 PDF to print and keep by the phone."""
    extraction = extraction_for(request, principal)
    content = varslingsliste_pdf(session, extraction)
    audit_extraction(session, REPORT, "pdf")
    return download(content, REPORT, "pdf", extraction)


@router.get("/varslingsliste.xlsx", name="web.report_varslingsliste_xlsx")
def alert_list_xlsx(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """The list as a spreadsheet, a sheet per task."""
    extraction = extraction_for(request, principal)
    content = varslingsliste_xlsx(session, extraction)
    audit_extraction(session, REPORT, "xlsx")
    return download(content, REPORT, "xlsx", extraction)


def _posted_text(posted: PostedForm, name: str) -> str:
    value = posted.get(name)
    return value.strip() if isinstance(value, str) else ""


def _saved(agreement: Agreement, done: str) -> Response:
    anchor = f"#agreement-{agreement.id}"
    return RedirectResponse(f"/reports/varslingsliste?done={done}{anchor}", status_code=303)


def _write(
    request: Request,
    session: Session,
    principal: Principal,
    agreement: Agreement,
    posted: PostedForm,
    change: dict[str, object],
    done: str,
) -> Response:
    """Write the change if the form was made from the stored version; else 409."""
    if parse_digits(_posted_text(posted, "version")) != agreement.version:
        session.expire_all()
        return _page(request, session, principal, conflict=True, status_code=409)
    for name, value in change.items():
        setattr(agreement, name, value)
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        return _page(request, session, principal, conflict=True, status_code=409)
    return _saved(agreement, done)


@router.post(
    "/varslingsliste/agreements/{agreement_id}/order", name="web.report_varslingsliste_order"
)
def set_order(
    request: Request,
    agreement_id: int,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    """The agreement's place among those for its tasks (1 first; empty: no fixed place)."""
    agreement = get_or_404(session, Agreement, agreement_id, "agreement")
    raw = _posted_text(posted, "alert_order")
    order = parse_digits(raw, max_digits=3)
    if raw and (order is None or not 1 <= order <= MAX_ORDER):
        _ = translations_for(request).gettext
        message = _("a whole number from 1 to %(count)s") % {"count": MAX_ORDER}
        return _page(
            request,
            session,
            principal,
            errors={f"order-{agreement.id}": message},
            status_code=422,
        )
    return _write(request, session, principal, agreement, posted, {"alert_order": order}, "order")


@router.post(
    "/varslingsliste/agreements/{agreement_id}/contacts/{index}/up",
    name="web.report_varslingsliste_contact_up",
)
def contact_up(
    request: Request,
    agreement_id: int,
    index: int,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    """Move a contact one place up: the deputy moved to the top becomes the primary."""
    agreement = get_or_404(session, Agreement, agreement_id, "agreement")
    contacts = list(agreement.contacts or [])
    if not 1 <= index < len(contacts):
        _ = translations_for(request).gettext
        return _page(
            request,
            session,
            principal,
            errors={"contacts": _("That contact cannot be moved up.")},
            status_code=422,
        )
    contacts[index - 1], contacts[index] = contacts[index], contacts[index - 1]
    return _write(request, session, principal, agreement, posted, {"contacts": contacts}, "moved")
