"""`/sms/local`: what the local gateway "sent", the replies received, and simulated replies.

Without Twilio the local gateway records messages instead of sending them (LocalSms rows);
this page shows them newest first with a form per message to answer it as the volunteer
would ("JA 15"). The simulated reply goes through `alerts.inbound.sms.handle_inbound`, the same
code as Twilio's webhook, and the page shows our answer. With Twilio configured the page
only says so, and simulating is refused (404): a made-up answer must never reach a real
callout. Mobiles are shown, so the callout roles only (the permission matrix).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from babel.dates import format_datetime
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.gateway.port import MAX_SMS_CHARS
from alerts.inbound.replies import NORWAY
from alerts.inbound.sms import handle_inbound, sender_number
from alerts.models import InboundOutcome, InboundSms, LocalSms
from alerts.roles import CALLOUT_ROLES
from alerts.settings import AlertSettings
from beredskap.platform.api.problems import ProblemError
from beredskap.platform.audit.reads import record_read
from beredskap.platform.auth.permissions import Rule
from beredskap.platform.columns import utcnow
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.web.i18n import FORMAT_LOCALES, in_context, language_of, translations_for
from beredskap.platform.web.rendering import render

router = APIRouter(include_in_schema=False)
# The local gateway's page (mobiles and replies) and its simulated replies.
RULES: dict[str, Rule] = {"web.sms_local": CALLOUT_ROLES, "web.sms_local_reply": CALLOUT_ROLES}

PAGE_SIZE = 100
INBOUND_SHOWN = 50
DEFAULT_REPLY = "JA 15"
# The audit trail's actor for what a simulated reply changes.
SIMULATED_ACTOR = "sms-simulated"

OptionalField = Annotated[str | None, Form()]

OUTCOME_LABELS = {
    InboundOutcome.ANSWERED: in_context("sms outcome", "Answer recorded"),
    InboundOutcome.OPTED_OUT: in_context("sms outcome", "Stopped SMS (STOP)"),
    InboundOutcome.OPTED_IN: in_context("sms outcome", "Restarted SMS (START)"),
    InboundOutcome.HELP: in_context("sms outcome", "Asked for help"),
    InboundOutcome.NO_OPEN_CALLOUT: in_context("sms outcome", "No open callout"),
    InboundOutcome.UNKNOWN_CODE: in_context("sms outcome", "Unknown callout code"),
    InboundOutcome.UNKNOWN_NUMBER: in_context("sms outcome", "Unknown number"),
    InboundOutcome.UNPARSEABLE: in_context("sms outcome", "Not understood"),
    InboundOutcome.CONTACT_CHECKED: in_context("sms outcome", "Contact check answered"),
}


def _twilio_configured(request: Request) -> bool:
    settings: AlertSettings = request.app.state.settings
    return settings.twilio_configured


def format_moment(moment: datetime, language: str) -> str:
    """A time as the page shows it: Norwegian time, to the second."""
    return format_datetime(
        moment.astimezone(NORWAY), "dd.MM.yyyy HH:mm:ss", locale=FORMAT_LOCALES[language]
    )


def _page(
    request: Request,
    session: Session,
    principal: CurrentPrincipal,
    *,
    answered: int | None = None,
    values: dict[str, str] | None = None,
    error: tuple[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    twilio = _twilio_configured(request)
    t = translations_for(request)
    messages: list[LocalSms] = []
    inbound: list[InboundSms] = []
    answer: InboundSms | None = None
    if not twilio:
        messages = list(
            session.scalars(
                select(LocalSms).order_by(LocalSms.created_at.desc(), LocalSms.id.desc())
            ).fetchmany(PAGE_SIZE)
        )
        inbound = list(
            session.scalars(
                select(InboundSms).order_by(InboundSms.received_at.desc(), InboundSms.id.desc())
            ).fetchmany(INBOUND_SHOWN)
        )
        if answered is not None:
            answer = session.get(InboundSms, answered)
        record_read(session, "local_sms", what="web.sms_local", count=len(messages) + len(inbound))
    return render(
        request,
        "sms/local.html",
        {
            "twilio": twilio,
            "messages": messages,
            "inbound": inbound,
            "answer": answer,
            "when": lambda moment: format_moment(moment, language_of(request)),
            "outcome_label": lambda outcome: t.pgettext(*OUTCOME_LABELS[outcome]),
            "values": values or {},
            "error": error,
            "default_reply": DEFAULT_REPLY,
            "max_chars": MAX_SMS_CHARS,
        },
        principal=principal,
        status_code=status_code,
    )


@router.get("/sms/local", name="web.sms_local")
def local_sms(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    answered: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    """The local gateway's messages and the replies, newest first."""
    return _page(request, session, principal, answered=answered)


@router.post("/sms/local/reply", name="web.sms_local_reply")
def simulate_reply(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    to: OptionalField = None,
    text: OptionalField = None,
) -> Response:
    """Answer a local message as its recipient would; then show our answer."""
    if _twilio_configured(request):
        raise ProblemError(404, "Not Found", "SMS go through Twilio: nothing to simulate.")
    t = translations_for(request)
    number = sender_number(to or "")
    body = (text or "").strip()
    values = {"to": to or "", "text": text or ""}
    problem: tuple[str, str] | None = None
    if not session.scalar(select(LocalSms.id).where(LocalSms.to == number).limit(1)):
        problem = ("to", t.gettext("no local message went to this number"))
    elif not body:
        problem = ("text", t.gettext("write the reply"))
    elif len(body) > MAX_SMS_CHARS or any(ord(c) < 32 and c not in "\n\r\t" for c in body):
        message = t.gettext("at most %(count)d characters, no control characters")
        problem = ("text", message % {"count": MAX_SMS_CHARS})
    if problem is not None:
        return _page(request, session, principal, values=values, error=problem, status_code=422)
    session.info["actor"] = SIMULATED_ACTOR
    result = handle_inbound(session, from_number=number, body=body, received_at=utcnow())
    return RedirectResponse(f"/sms/local?answered={result.inbound_id}#answer", status_code=303)
