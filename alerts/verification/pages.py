"""The contact check button: POST /contact-checks (from the organisation page and the
coordinator's dashboard, with the CSRF token) queues the checks and shows how many were
asked at /contact-checks/sent. The same rules as the API (`routes.may_ask`): the coordinator
any organisation or all, an org editor its own; bad input shows the form again with its
message (422), nothing written."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from alerts.verification.routes import may_ask
from alerts.verification.service import (
    MAX_OLDER_THAN_DAYS,
    ask_volunteers,
    check_older_than_days,
)
from beredskap.platform.auth.permissions import ORGANISATION_EDITORS, Rule
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.digits import parse_digits
from beredskap.platform.errors import DomainValidationError
from beredskap.platform.web.forms import PostedForm
from beredskap.platform.web.i18n import translations_for
from beredskap.platform.web.rendering import render
from beredskap.register.organisations.models import Organisation

router = APIRouter(prefix="/contact-checks", include_in_schema=False)
RULES: dict[str, Rule] = {
    "web.contact_checks_send": ORGANISATION_EDITORS,
    "web.contact_checks_sent": ORGANISATION_EDITORS,
}
MAX_ID_DIGITS = 9


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    organisation_id: int | None,
    *,
    asked: int | None = None,
    already_asked: int | None = None,
    problem: str | None = None,
    days_problem: str | None = None,
    older_than_days: str = "",
    status_code: int = 200,
) -> Response:
    organisation = session.get(Organisation, organisation_id) if organisation_id else None
    return render(
        request,
        "contact_checks/page.html",
        {
            "check_organisation": organisation,
            "asked": asked,
            "already_asked": already_asked,
            "page_problem": problem,
            "check_problem": days_problem,
            "older_than_days": older_than_days,
        },
        principal=principal,
        status_code=status_code,
    )


@router.post("", name="web.contact_checks_send")
def send_checks(
    request: Request, session: SessionDep, principal: CurrentPrincipal, posted: PostedForm
) -> Response:
    """Queue the checks, then the confirmation of how many were asked."""
    translations = translations_for(request)
    raw_organisation = str(posted.get("organisation_id") or "").strip()
    organisation_id = parse_digits(raw_organisation, max_digits=MAX_ID_DIGITS)
    if raw_organisation and not organisation_id:
        return _page(
            request,
            session,
            principal,
            None,
            problem=translations.gettext("No such organisation."),
            status_code=422,
        )
    may_ask(session, principal, organisation_id)
    raw_days = str(posted.get("older_than_days") or "").strip()
    days = parse_digits(raw_days, max_digits=6)
    if not _days_read(raw_days, days):
        problem = translations.gettext(
            "Give the days as a whole number from 1 to %(high)s, or leave the field empty."
        ) % {"high": MAX_OLDER_THAN_DAYS}
        return _page(
            request,
            session,
            principal,
            organisation_id,
            days_problem=problem,
            older_than_days=raw_days[:20],
            status_code=422,
        )
    run = ask_volunteers(
        session,
        organisation_id=organisation_id,
        older_than_days=days,
        today=today_in_norway(),
        now=utcnow(),
    )
    target = f"/contact-checks/sent?asked={run.asked}&already={run.already_asked}"
    if organisation_id:
        target += f"&organisation_id={organisation_id}"
    return RedirectResponse(target, status_code=303)


@router.get("/sent", name="web.contact_checks_sent")
def checks_sent(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    asked: str | None = None,
    already: str | None = None,
    organisation_id: str | None = None,
) -> Response:
    """How many were asked (the numbers the redirect carries), and the form again."""
    organisation = parse_digits(organisation_id, max_digits=MAX_ID_DIGITS)
    if organisation is not None:
        may_ask(session, principal, organisation)
    return _page(
        request,
        session,
        principal,
        organisation,
        asked=parse_digits(asked) or 0,
        already_asked=parse_digits(already) or 0,
    )


def _days_read(raw: str, days: int | None) -> bool:
    """Empty (everyone), or a whole number of days in range."""
    if not raw:
        return True
    try:
        return check_older_than_days(days) is not None
    except DomainValidationError:
        return False
