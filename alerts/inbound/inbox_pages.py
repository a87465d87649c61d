"""`/sms/inbox`: every SMS received and what the system answered, for the duty officer.

Whichever provider carries SMS (Twilio, LINK Mobility or the local gateway), every reply is
an `InboundSms` row (`alerts.inbound.sms.handle_inbound`): answers to callouts, those that
matched none ("JA" with no open callout, an unknown code), HELP, STOP/START, unknown numbers
and text not understood, each with our answer. This page lists them newest first, a page at
a time, filtered by callout or to those that matched no callout.

Personal data: the sender's number and who that is go only to readers who see personal data
(`Principal.sees_personal_data`; others get the number masked), and the text of a reply may
hold health data ("JA, men vondt i kneet"): the page says so, and every read is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.inbound.local_sms_pages import OUTCOME_LABELS, format_moment
from alerts.models import Callout, InboundSms
from alerts.redaction import mask_phone
from alerts.roles import CALLOUT_ROLES
from beredskap.platform.audit.reads import record_read
from beredskap.platform.auth.permissions import Rule
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.digits import parse_digits
from beredskap.platform.web.i18n import language_of, translations_for
from beredskap.platform.web.rendering import render
from beredskap.register.volunteers.models import Volunteer

router = APIRouter(include_in_schema=False)
RULES: dict[str, Rule] = {"web.sms_inbox": CALLOUT_ROLES}

PAGE_SIZE = 50
MAX_PAGE = 100_000
CALLOUTS_OFFERED = 30  # the newest callouts offered in the filter
UNMATCHED = "unmatched"  # ?callout=unmatched: replies that matched no callout


@dataclass(frozen=True)
class InboxRow:
    sms: InboundSms
    sender: str  # the number, or masked for readers who do not see personal data
    callable: bool  # a tel: link makes sense (a full number shown)
    who: str | None  # the volunteer(s) with that number, for readers who see them
    callout: Callout | None


@router.get("/sms/inbox", name="web.sms_inbox")
def inbox(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    callout: Annotated[str | None, Query(max_length=20)] = None,
    page: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The replies received, newest first; `callout=<id>` or `callout=unmatched` filters."""
    t = translations_for(request)
    wanted = (callout or "").strip()
    problem: str | None = None
    callout_id: int | None = None
    if wanted and wanted != UNMATCHED:
        callout_id = parse_digits(wanted, max_digits=9)
        if callout_id is None or session.get(Callout, callout_id) is None:
            problem = t.gettext("choose a callout from the list")
    number = parse_digits(page, max_digits=6) if page else 1
    if page and (number is None or not 1 <= number <= MAX_PAGE):
        problem = problem or t.gettext("the page is a whole number from 1")
    if problem is not None:
        return _render(request, session, principal, [], wanted, 1, 0, problem, 422)

    statement = select(InboundSms)
    if wanted == UNMATCHED:
        statement = statement.where(InboundSms.callout_id.is_(None))
    elif callout_id is not None:
        statement = statement.where(InboundSms.callout_id == callout_id)
    total = int(session.scalar(select(func.count()).select_from(statement.subquery())) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(number or 1, pages)
    found = list(
        session.scalars(
            statement.order_by(InboundSms.received_at.desc(), InboundSms.id.desc())
            .offset((number - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    )
    rows = _rows(session, found, sees_people=principal.sees_personal_data)
    if found:
        # Numbers, names and the texts themselves (which may tell of health): a read.
        record_read(session, "inbound_sms", what="web.sms_inbox", count=len(found))
    return _render(request, session, principal, rows, wanted, number, total, None, 200)


def _rows(session: Session, found: list[InboundSms], *, sees_people: bool) -> list[InboxRow]:
    callout_ids = {row.callout_id for row in found if row.callout_id is not None}
    callouts = (
        {c.id: c for c in session.scalars(select(Callout).where(Callout.id.in_(callout_ids)))}
        if callout_ids
        else {}
    )
    names: dict[str, list[str]] = {}
    if sees_people and found:
        numbers = {row.from_number for row in found}
        for mobile, name in session.execute(
            select(Volunteer.mobile, Volunteer.full_name)
            .where(Volunteer.mobile.in_(numbers))
            .order_by(Volunteer.full_name)
        ):
            names.setdefault(mobile, []).append(name)
    return [
        InboxRow(
            sms=row,
            sender=row.from_number if sees_people else mask_phone(row.from_number),
            callable=sees_people and row.from_number.startswith("+"),
            who=", ".join(names[row.from_number]) if row.from_number in names else None,
            callout=callouts.get(row.callout_id) if row.callout_id is not None else None,
        )
        for row in found
    ]


def _render(
    request: Request,
    session: Session,
    principal: CurrentPrincipal,
    rows: list[InboxRow],
    wanted: str,
    number: int,
    total: int,
    problem: str | None,
    status_code: int,
) -> Response:
    t = translations_for(request)
    language = language_of(request)
    offered = list(
        session.execute(
            select(Callout.id, Callout.code, Callout.title, Callout.exercise)
            .order_by(Callout.id.desc())
            .limit(CALLOUTS_OFFERED)
        )
    )
    return render(
        request,
        "sms/inbox.html",
        {
            "active": "callouts",
            "rows": rows,
            "wanted": wanted,
            "offered": offered,
            "unmatched": UNMATCHED,
            "page": number,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "total": total,
            "page_size": PAGE_SIZE,
            "problem": problem,
            "when": lambda moment: format_moment(moment, language),
            "outcome_label": lambda outcome: t.pgettext(*OUTCOME_LABELS[outcome]),
        },
        principal=principal,
        status_code=status_code,
    )
