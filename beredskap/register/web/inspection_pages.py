"""/inspections: every equipment line past its inspection date or due within 30 days, most
overdue first, a page at a time, of one organisation or all (the dashboard shows the first
few)."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from beredskap.platform.columns import today_in_norway
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.digits import parse_digits
from beredskap.platform.web.rendering import render
from beredskap.register.web import queries

router = APIRouter()
PAGE_SIZE = 50
MAX_PAGE = 100_000


@router.get("/inspections", name="web.inspections")
def inspection_list(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    organisation: str | None = None,
    page: str | None = None,
) -> Response:
    """Unknown or malformed filters are ignored, as on the organisation list."""
    today = today_in_norway()
    choices = queries.organisations_with_inspections(session, today)
    chosen = parse_digits(organisation)
    chosen = chosen if chosen in {o.id for o in choices} else None
    number = parse_digits(page) or 1
    number = number if number <= MAX_PAGE else 1
    rows, total = queries.inspections(
        session,
        today,
        organisation_id=chosen,
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
    )
    return render(
        request,
        "inspections.html",
        {
            "rows": rows,
            "total": total,
            "organisations": choices,
            "chosen": chosen,
            "filter_query": urlencode({"organisation": chosen or ""}),
            "page": number,
            "pages": max(1, math.ceil(total / PAGE_SIZE)),
            "today": today,
            "editable": {
                line.id for line in rows if principal.may_edit_equipment_of(line.organisation_id)
            },
        },
        principal=principal,
    )
