"""POST /api/v1/contact-checks: ask volunteers to confirm their number by SMS."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from alerts.verification.schemas import ContactCheckRequest, ContactCheckRun
from alerts.verification.service import ask_volunteers
from beredskap.platform.api.crud import get_or_404
from beredskap.platform.api.problems import PROBLEM_RESPONSES, forbidden
from beredskap.platform.auth.permissions import ORGANISATION_EDITORS, Rule
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.register.organisations.models import Organisation

router = APIRouter(tags=["contact checks"], responses=PROBLEM_RESPONSES)
# The coordinator any organisation (or all); an org editor its own (checked per request).
RULES: dict[str, Rule] = {"contact_checks.create": ORGANISATION_EDITORS}


def may_ask(session: Session, principal: Principal, organisation_id: int | None) -> None:
    """Refuse whom the principal may not ask: 404 for an unknown organisation, 403 for
    another's, and for everyone's unless the coordinator."""
    if organisation_id is None:
        if not principal.is_admin:
            raise forbidden("Only the coordinator asks every organisation's volunteers.")
        return
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    if not principal.may_edit_organisation(organisation.id):
        raise forbidden("You may ask only your own organisations' volunteers.")


@router.post(
    "/contact-checks",
    name="contact_checks.create",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ContactCheckRun,
)
def create_contact_checks(
    request: ContactCheckRequest, session: SessionDep, principal: CurrentPrincipal
) -> ContactCheckRun:
    """Queue one contact check SMS to each consenting, active volunteer of the organisation
    (or of all), not confirmed within `older_than_days` when given; once a day per person."""
    may_ask(session, principal, request.organisation_id)
    run = ask_volunteers(
        session,
        organisation_id=request.organisation_id,
        older_than_days=request.older_than_days,
        today=today_in_norway(),
        now=utcnow(),
    )
    return ContactCheckRun(
        asked=run.asked,
        already_asked=run.already_asked,
        organisation_id=request.organisation_id,
        older_than_days=request.older_than_days,
    )
