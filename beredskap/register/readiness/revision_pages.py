"""/readiness/revisions: the plan's yearly revisions, newest first, and the coordinator's form
to record one (the API's rules and service: a date in the future is refused on its field)."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import today_in_norway
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.digits import parse_digits
from beredskap.platform.errors import DomainValidationError
from beredskap.platform.web.forms import (
    Form,
    OptionalText,
    PostedForm,
    Text,
    at_most,
    blank_form,
    parse_form,
)
from beredskap.platform.web.i18n import N_, translations_for
from beredskap.platform.web.rendering import number_format, render
from beredskap.register.readiness import revisions

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
MAX_PAGE = 100_000


class RevisionInput(BaseModel):
    revised_on: Annotated[date, Field(title=N_("Date of the revision"))]
    revised_by: Annotated[
        Text, Field(min_length=1, title=N_("Revised by (a body or role)")), at_most(200)
    ]
    scope: Annotated[Text, Field(min_length=1, title=N_("What was reviewed")), at_most(4000)]
    note: Annotated[OptionalText, Field(title=N_("Note")), at_most(4000)] = None


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    form: Form[Any],
    *,
    page: int = 1,
    status_code: int = 200,
) -> Response:
    today = today_in_norway()
    rows, total = revisions.list_revisions(session, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    latest = revisions.latest_revision(session)
    return render(
        request,
        "readiness_revisions.html",
        {
            "revisions": rows,
            "total": total,
            "latest": latest,
            "revision_due": revisions.revision_is_due(latest, today),
            "today": today,
            "page": page,
            "pages": max(1, math.ceil(total / PAGE_SIZE)),
            "saved": request.query_params.get("done") == "saved",
            **form.context(),
        },
        principal=principal,
        status_code=status_code,
    )


@router.get("/readiness/revisions", name="web.readiness_revisions")
def revision_list(
    request: Request, session: SessionDep, principal: CurrentPrincipal, page: str | None = None
) -> Response:
    """The revisions, newest first; the form for those who may record one."""
    number = parse_digits(page) or 1
    number = number if number <= MAX_PAGE else 1
    form = blank_form(RevisionInput, translations_for(request), {"revised_on": ""})
    return _page(request, session, principal, form, page=number)


@router.post("/readiness/revisions", name="web.readiness_revision_create")
def revision_create(
    request: Request, session: SessionDep, principal: CurrentPrincipal, posted: PostedForm
) -> Response:
    form = parse_form(
        RevisionInput, posted, translations_for(request), number=number_format(request)
    )
    data = form.data
    if data is not None:
        try:
            revisions.record_revision(
                session,
                revised_on=data.revised_on,
                revised_by=data.revised_by,
                scope=data.scope,
                note=data.note,
                recorded_by_user_id=principal.user_id,
                today=today_in_norway(),
            )
        except DomainValidationError as error:
            session.rollback()
            form.add_domain_error(error)
        else:
            return RedirectResponse("/readiness/revisions?done=saved", status_code=303)
    return _page(request, session, principal, form, status_code=422)
