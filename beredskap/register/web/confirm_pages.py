"""/organisations/{id}/confirm: the organisation's editor (its own; the coordinator any) reads
what is registered for it and confirms with one button that it is current. The reminder
e-mails link here."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from beredskap.platform.api.crud import get_or_404
from beredskap.platform.api.problems import forbidden
from beredskap.platform.api.types import PathId
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import today_in_norway
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.web.rendering import render
from beredskap.register.organisations import service
from beredskap.register.organisations.models import Organisation
from beredskap.register.readiness.currency import is_stale
from beredskap.register.web.confirmation import registered_for

router = APIRouter()


def _editable(session: Session, principal: Principal, organisation_id: int) -> Organisation:
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    if not principal.may_edit_organisation(organisation.id):
        raise forbidden("You may confirm only your own organisations.")
    return organisation


@router.get("/organisations/{organisation_id:int}/confirm", name="web.organisation_confirm_page")
def confirm_page(
    organisation_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    done: str | None = None,
) -> Response:
    """What is registered, and the one button."""
    organisation = _editable(session, principal, organisation_id)
    today = today_in_norway()
    return render(
        request,
        "organisation_confirm.html",
        {
            "organisation": organisation,
            "registered": registered_for(session, organisation, today),
            "stale": is_stale(organisation.confirmed_on, today),
            "confirmed": done == "confirmed",
            "today": today,
        },
        principal=principal,
    )


@router.post("/organisations/{organisation_id:int}/confirm", name="web.organisation_confirm")
def confirm(organisation_id: PathId, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Confirmed today (Norway's day); audited as a change of the organisation."""
    organisation = _editable(session, principal, organisation_id)
    service.confirm_organisation(session, organisation, on=today_in_norway())
    return RedirectResponse(
        f"/organisations/{organisation.id}/confirm?done=confirmed", status_code=303
    )
