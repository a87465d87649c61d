"""The duty officer's callout pages: /callouts (list), /callouts/new (plan a draft) and
/callouts/{id} (the draft's preview with Send, or the live view with Stop, follow-up and
"need covered").

Writes go through `alerts.callouts.planning`, `alerts.callouts.service` and
`alerts.callouts.notices`, so the pages and the API share every rule. The live view renders
the current figures (a reload is enough without JavaScript); `static/callouts/live.js` then
refreshes them from the API every few seconds. Lives in `alerts` (not `beredskap.register.web`): the
core never imports `alerts`, while `alerts` may use the web layer's rendering, forms and
translations.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from babel.support import Translations
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from alerts.callouts import notices, sending_status, service
from alerts.callouts.delivery_problems import SmsProblem, problem_of
from alerts.callouts.form import FIELD_OF, CalloutForm, empty_form, parse_callout_form
from alerts.callouts.from_map import MapFilter, map_filter
from alerts.callouts.planning import in_force, plan
from alerts.gateway.failover import PROVIDER_NAMES
from alerts.models import (
    MAX_MESSAGE_LENGTH,
    Answer,
    Callout,
    CalloutRecipient,
    CalloutStatus,
    NoticeKind,
    RecipientState,
    VoiceCallState,
)
from alerts.outbox import worker_status
from alerts.roles import CALLOUT_ROLES
from alerts.settings import AlertSettings
from alerts.voice.service import calls_of as voice_calls_of
from beredskap.platform.api.types import PathId
from beredskap.platform.audit.reads import record_read
from beredskap.platform.auth.permissions import Rule
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import NORWAY, today_in_norway, utcnow
from beredskap.platform.database_errors import DatabaseFault, classify, describe, is_transient
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.digits import parse_digits
from beredskap.platform.errors import ConflictError, DomainValidationError
from beredskap.platform.web.forms import PostedForm
from beredskap.platform.web.i18n import N_, in_context, language_of, translations_for
from beredskap.platform.web.rendering import number_format, render, stamp
from beredskap.register.addresses.resolve import locate
from beredskap.register.agreements.models import Agreement
from beredskap.register.organisations.models import Organisation
from beredskap.register.web.map_forms import active_qualification_types

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/callouts", include_in_schema=False)
# The duty officer's (and the administrator's) pages only.
RULES: dict[str, Rule] = {
    "web.callouts": CALLOUT_ROLES,
    "web.callout_new": CALLOUT_ROLES,
    "web.callout_create": CALLOUT_ROLES,
    "web.callout": CALLOUT_ROLES,
    **{
        f"web.callout_{action}{step}": CALLOUT_ROLES
        for action in ("send", "stop", "covered")
        for step in ("_confirm", "")
    },
    "web.callout_follow_up": CALLOUT_ROLES,
    "web.callout_discard_confirm": CALLOUT_ROLES,
    "web.callout_discard": CALLOUT_ROLES,
}

LIST_SIZE = 50  # callouts per list (real, exercise): the newest
# Recipients per page of a draft or a live callout (nearest first); a callout of 20,000 is
# read page by page, and the live refresh fetches only the page on screen.
PAGE_SIZE = 200
REFRESH_SECONDS = 5
Text = Annotated[str | None, Form()]

LABELS: dict[type[enum.Enum], dict[Any, tuple[str, str]]] = {
    CalloutStatus: {
        CalloutStatus.DRAFT: in_context("callout status", "Draft"),
        CalloutStatus.ACTIVE: in_context("callout status", "Active"),
        CalloutStatus.STOPPED: in_context("callout status", "Stopped"),
    },
    RecipientState: {
        RecipientState.PLANNED: in_context("sms state", "Planned"),
        RecipientState.QUEUED: in_context("sms state", "Queued"),
        RecipientState.SENDING: in_context("sms state", "Sending"),
        RecipientState.SENT: in_context("sms state", "Sent"),
        RecipientState.DELIVERED: in_context("sms state", "Delivered"),
        RecipientState.FAILED: in_context("sms state", "Failed"),
        RecipientState.CANCELLED: in_context("sms state", "Cancelled"),
    },
    Answer: {
        Answer.YES: in_context("callout answer", "YES"),
        Answer.NO: in_context("callout answer", "NO"),
    },
    NoticeKind: {
        NoticeKind.FOLLOW_UP: in_context("notice", "Follow-up"),
        NoticeKind.COVERED: in_context("notice", "Need covered"),
    },
    VoiceCallState: {
        VoiceCallState.QUEUED: in_context("voice call", "to be called"),
        VoiceCallState.CALLING: in_context("voice call", "calling"),
        VoiceCallState.PLACED: in_context("voice call", "ringing"),
        VoiceCallState.COMPLETED: in_context("voice call", "answered"),
        VoiceCallState.NO_ANSWER: in_context("voice call", "not answered"),
        VoiceCallState.BUSY: in_context("voice call", "busy"),
        VoiceCallState.FAILED: in_context("voice call", "failed"),
        VoiceCallState.CANCELLED: in_context("voice call", "not called"),
    },
    SmsProblem: {
        SmsProblem.NOT_MOBILE: in_context("sms problem", "not a valid mobile number"),
        SmsProblem.UNSUBSCRIBED: in_context("sms problem", "has opted out at the provider (STOP)"),
        SmsProblem.OPTED_OUT: in_context("sms problem", "has withdrawn consent to SMS"),
        SmsProblem.UNREACHABLE: in_context("sms problem", "phone off or out of coverage"),
        SmsProblem.BLOCKED: in_context("sms problem", "blocked by the recipient or the carrier"),
        SmsProblem.EXPIRED: in_context("sms problem", "not delivered in time"),
        SmsProblem.RETRYING: in_context("sms problem", "tried again shortly"),
        SmsProblem.IN_DOUBT: in_context(
            "sms problem", "in doubt: checked with the provider before any resend"
        ),
        SmsProblem.OTHER: in_context("sms problem", "refused or failed at the provider"),
    },
}


class Action(enum.StrEnum):
    """What a confirmation page asks about."""

    SEND = "send"
    STOP = "stop"
    COVERED = "covered"
    DISCARD = "discard"  # a draft only, with its own routes (version-checked)


# In the answer column instead of nothing: someone who sent STOP will not answer, and is not
# waited for as "no answer".
OPTED_OUT_ANSWER = in_context("callout answer", "Opted out (STOP)")


def labels(translations: Translations) -> dict[str, dict[str, str]]:
    """Every label of the callout pages by enum and value (also handed to the page's script)."""
    found = {
        enum_class.__name__: {
            member.value: translations.pgettext(context, message)
            for member, (context, message) in members.items()
        }
        for enum_class, members in LABELS.items()
    }
    found["Answer"]["opted_out"] = translations.pgettext(*OPTED_OUT_ANSWER)
    found["SmsProvider"] = dict(PROVIDER_NAMES)
    return found


def sending(session: Session) -> sending_status.SendingStatus | None:
    """How sending goes (senders, provider, alarms); None when that cannot be told."""
    try:
        return sending_status.current(session)
    except Exception:  # a page must not fail because the heartbeats cannot be read
        logger.exception("could not tell how sending goes")
        return None


def clock(value: datetime | None) -> str:
    """A time of day in Norway (24 hours in both languages)."""
    return "" if value is None else value.astimezone(NORWAY).strftime("%H:%M")


def arrival(row: CalloutRecipient) -> str:
    """When someone who said yes will be there, as a clock time in Norway: the minutes they
    gave counted from their answer (what the officer plans by at 03:40 is "03:42", not "20")."""
    if row.answered_at is None or row.minutes_to_arrival is None:
        return ""
    return clock(row.answered_at + timedelta(minutes=row.minutes_to_arrival))


def _max_recipients(request: Request) -> int:
    settings: AlertSettings = request.app.state.settings
    return settings.callout_max_recipients


def _organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def _agreements_in_force(session: Session) -> list[Agreement]:
    """Agreements a callout may ask by: active and in force today, by reference."""
    return list(
        session.scalars(
            select(Agreement)
            .where(in_force(today_in_norway()))
            .options(selectinload(Agreement.organisation))
            .order_by(Agreement.reference)
        )
    )


def _qualifications(session: Session, language: str) -> list[tuple[int, str, str]]:
    """(id, code, name) of the catalogue's active qualifications, by name."""
    entries = [
        (entry.id, entry.code, entry.name_nb if language == "nb" else entry.name_en)
        for entry in active_qualification_types(session)
    ]
    return sorted(entries, key=lambda entry: entry[2].lower())


@router.get("", name="web.callouts")
def callouts(
    request: Request, session: SessionDep, principal: CurrentPrincipal, done: str | None = None
) -> Response:
    """The newest callouts, real ones and exercises apart, with their counts."""
    sections = []
    for exercise in (False, True):
        rows = list(
            session.scalars(
                service.callouts_query(exercise=exercise)
                .order_by(Callout.id.desc())
                .limit(LIST_SIZE)
            )
        )
        figures = service.figures_for(session, [row.id for row in rows], today_in_norway())
        sections.append((exercise, [(row, figures[row.id]) for row in rows]))
    return render(
        request,
        "callouts/list.html",
        {
            "active": "callouts",
            "sections": sections,
            "totals": service.totals_real_and_exercise(session),
            "labels": labels(translations_for(request)),
            "stamp": stamp,
            "discarded": done == "discarded",
        },
        principal=principal,
    )


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    form: CalloutForm,
    *,
    status_code: int = 200,
    from_map: MapFilter | None = None,
) -> Response:
    if from_map is None:
        from_map = map_filter(
            session, form.form.values, translations_for(request), language_of(request)
        )
    return render(
        request,
        "callouts/new.html",
        {
            "active": "callouts",
            "form": form,
            **form.form.context(),
            "qualifications": _qualifications(session, language_of(request)),
            "organisations": _organisations(session),
            "agreements": _agreements_in_force(session),
            "max_message": MAX_MESSAGE_LENGTH,
            "from_map": from_map,
        },
        principal=principal,
        status_code=status_code,
    )


@router.get("/new", name="web.callout_new")
def new_callout(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """An empty callout form; the incident map's link fills in point, radius, address and
    need, and its equipment filter chooses the organisations holding that equipment ready
    in the radius (`from_map`)."""
    ids = {entry[0] for entry in _qualifications(session, "nb")}
    translations = translations_for(request)
    form = empty_form(translations, dict(request.query_params), ids)
    from_map = map_filter(session, form.form.values, translations, language_of(request))
    if from_map is not None and from_map.organisation_ids:
        form.form.values["organisation_ids"] = [str(key) for key in from_map.organisation_ids]
    return _form_page(request, session, principal, form, from_map=from_map)


@router.post("/new", name="web.callout_create")
def create_callout(
    request: Request, session: SessionDep, principal: CurrentPrincipal, posted: PostedForm
) -> Response:
    """Plan the draft and go to its page; bad input shows the form again, nothing written."""
    form = parse_callout_form(
        translations_for(request),
        posted,
        qualification_codes={entry[0]: entry[1] for entry in _qualifications(session, "nb")},
        organisation_ids={organisation.id for organisation in _organisations(session)},
        agreement_ids={agreement.id for agreement in _agreements_in_force(session)},
        number=number_format(request),
        locate=lambda text: locate(session, text),
    )
    if form.body is not None:
        try:
            callout = plan(
                session, form.body, actor=principal.email, max_recipients=_max_recipients(request)
            )
        except DomainValidationError as error:
            session.rollback()
            form.form.add_domain_error(error, FIELD_OF)
        except ConflictError:
            session.rollback()
            form.form.add_error("", N_("Too many callouts are open: stop some first."))
        else:
            return RedirectResponse(f"/callouts/{callout.id}", status_code=303)
    return _form_page(request, session, principal, form, status_code=422)


def _recipients(session: Session, callout_id: int, offset: int) -> list[CalloutRecipient]:
    return list(
        session.scalars(
            select(CalloutRecipient)
            .where(CalloutRecipient.callout_id == callout_id)
            .options(selectinload(CalloutRecipient.volunteer))
            .order_by(CalloutRecipient.distance_m, CalloutRecipient.id)
            .offset(offset)
            .limit(PAGE_SIZE)
        )
    )


@dataclass(frozen=True)
class RecipientPage:
    """Which part of a callout's recipients a page shows (1-based numbers)."""

    number: int
    count: int
    first: int  # the first row's position, 1-based (0 when there are none)
    last: int
    total: int

    @classmethod
    def of(cls, requested: int | None, total: int) -> RecipientPage:
        count = max(1, -(-total // PAGE_SIZE))
        number = min(max(requested or 1, 1), count)
        first = (number - 1) * PAGE_SIZE + 1 if total else 0
        return cls(number, count, first, min(number * PAGE_SIZE, total), total)

    @property
    def offset(self) -> int:
        return (self.number - 1) * PAGE_SIZE


def _callout_page(
    request: Request,
    session: Session,
    principal: Principal,
    callout: Callout,
    *,
    problem: str | None = None,
    done: str | None = None,
    status_code: int = 200,
    page_number: int | None = None,
) -> Response:
    figures = service.figures_for(session, [callout.id], today_in_norway())[callout.id]
    page = RecipientPage.of(page_number, figures.counts["recipients"])
    rows = _recipients(session, callout.id, page.offset)
    translations = translations_for(request)
    sent_later = service.notices_of(session, [row.id for row in rows])
    calls = voice_calls_of(session, [row.id for row in rows])
    organisations = {organisation.id: organisation.name for organisation in _organisations(session)}
    now = utcnow()
    live = {worker.name for worker in worker_status.live_workers(session, now)}
    if principal.sees_personal_data and rows:
        record_read(session, "callout_recipients", callout.id, what="web.callout", count=len(rows))
    problems = {
        row.id: problem_of(
            row.state,
            row.error_code,
            in_doubt=not worker_status.held_by_live_worker(
                row.claimed_by, row.attempt_started_at, live, now=now
            ),
            opted_out=row.volunteer is not None and not row.volunteer.sms_consent,
        )
        for row in rows
    }
    return render(
        request,
        "callouts/show.html",
        {
            "active": "callouts",
            "callout": callout,
            "figures": figures,
            "counts": figures.counts,
            "needs": [
                (need, figures.yes_per_need.get(need.qualification_type_id, 0))
                for need in callout.needs
            ],
            "rows": rows,
            "page": page,
            "page_size": PAGE_SIZE,
            "notices": sent_later,
            "calls": calls,
            "problems": problems,
            "organisations": organisations,
            "shows_phones": principal.sees_personal_data,
            "sending": sending(session) if callout.is_open else None,
            "labels": labels(translations),
            "clock": clock,
            "arrival": arrival,
            "problem": problem,
            "done": done,
            "refresh_seconds": REFRESH_SECONDS,
            "max_message": MAX_MESSAGE_LENGTH,
        },
        principal=principal,
        status_code=status_code,
    )


_DONE = {"sent", "stopped", "covered", "follow_up", "created"}


@router.get("/{callout_id:int}", name="web.callout")
def callout_page(
    callout_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    done: str | None = None,
    count: str | None = None,
    page: str | None = None,
) -> Response:
    """A draft: whom it would ask, and Send. Sent: the live view of answers and delivery,
    its recipients a page at a time (`?page=2`)."""
    callout = service.get_callout(session, callout_id)
    return _callout_page(
        request,
        session,
        principal,
        callout,
        done=_done_text(translations_for(request), done, count),
        page_number=parse_digits(page, max_digits=6),
    )


def _done_text(translations: Translations, done: str | None, count: str | None) -> str | None:
    """The confirmation shown after an action (the redirect names it)."""
    if done not in _DONE:
        return None
    number = parse_digits(count, max_digits=6) or 0
    if done == "sent":
        return translations.gettext("The callout is queued for sending.")
    if done == "stopped":
        return translations.gettext("The callout is stopped; nothing more is sent.")
    if done == "covered":
        return translations.ngettext(
            "The need is covered: %(count)d person is told.",
            "The need is covered: %(count)d people are told.",
            number,
        ) % {"count": number}
    if done == "follow_up":
        return translations.ngettext(
            "The follow-up is queued to %(count)d person.",
            "The follow-up is queued to %(count)d people.",
            number,
        ) % {"count": number}
    return None


@router.post("/{callout_id:int}/follow-up", name="web.callout_follow_up")
def follow_up(
    callout_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    message: Text = None,
) -> Response:
    """Queue a message to everyone who said yes ("Oppmøte ved ...")."""
    callout = service.get_callout(session, callout_id)
    translations = translations_for(request)
    text = (message or "").strip()
    if not text or len(text) > MAX_MESSAGE_LENGTH:
        problem = translations.gettext("Write the follow-up (at most %(count)s characters).") % {
            "count": MAX_MESSAGE_LENGTH
        }
        return _callout_page(request, session, principal, callout, problem=problem, status_code=422)
    try:
        count = notices.follow_up(session, callout, text)
    except (ConflictError, DomainValidationError) as error:
        return _refused(request, session, principal, callout_id, error)
    return RedirectResponse(f"/callouts/{callout_id}?done=follow_up&count={count}", status_code=303)


def _confirm_page(
    action: Action, callout_id: int, request: Request, session: Session, principal: Principal
) -> Response:
    """The explicit confirmation of Send, Stop or "need covered": what it will do, and a
    button that does it."""
    callout = service.get_callout(session, callout_id)
    figures = service.figures_for(session, [callout.id], today_in_norway())[callout.id]
    return render(
        request,
        "callouts/confirm.html",
        {
            "active": "callouts",
            "callout": callout,
            "action": action.value,
            "counts": figures.counts,
            "labels": labels(translations_for(request)),
        },
        principal=principal,
    )


def _act(
    action: Action, callout_id: int, request: Request, session: Session, principal: Principal
) -> Response:
    """Send, stop or "need covered", then back to the callout's page; a refusal (sent
    already, stopped already, told already) is shown there and changes nothing."""
    callout = service.get_callout(session, callout_id)
    count = 0
    try:
        if action == Action.SEND:
            service.send(
                session, callout, on=today_in_norway(), max_recipients=_max_recipients(request)
            )
        elif action == Action.STOP:
            service.stop(session, callout)
        else:
            count = notices.thank_others(session, callout)
        # Committed here, not after the page: whether it took effect is what the page says.
        session.commit()
    except ConflictError as error:
        return _refused(request, session, principal, callout_id, error, action)
    except SQLAlchemyError as error:
        if not is_transient(error):
            raise
        return _not_done(action, request, session, principal, callout_id, error)
    return RedirectResponse(
        f"/callouts/{callout_id}?done={_DONE_BY_ACTION[action]}&count={count}", status_code=303
    )


_DONE_BY_ACTION = {Action.SEND: "sent", Action.STOP: "stopped", Action.COVERED: "covered"}
# What did NOT happen when the database could not save an action, and why (by fault).
_NOT_DONE = {
    Action.SEND: in_context(
        "callout",
        "The callout was NOT sent: the register could not save it (%(reason)s). "
        "Nothing has been sent. Try again; if it keeps failing, call the system administrator.",
    ),
    Action.STOP: in_context(
        "callout",
        "The callout was NOT stopped: the register could not save it (%(reason)s). "
        "Messages may still go out. Try again now; if it keeps failing, call the system "
        "administrator.",
    ),
    Action.COVERED: in_context(
        "callout", "Nobody was told: the register could not save it (%(reason)s). Try again."
    ),
}
_FAULT_REASONS = {
    DatabaseFault.DISK_FULL: in_context("database fault", "its disk is full"),
    DatabaseFault.UNREACHABLE: in_context("database fault", "its database cannot be reached"),
    DatabaseFault.LOCKED: in_context("database fault", "its database is busy with another change"),
    DatabaseFault.BUSY: in_context("database fault", "too many requests at once"),
    DatabaseFault.OTHER: in_context("database fault", "a database error"),
}


def _not_done(
    action: Action,
    request: Request,
    session: Session,
    principal: Principal,
    callout_id: int,
    error: SQLAlchemyError,
) -> Response:
    """The callout's page saying plainly that the action was not done, and why; if even
    that page cannot be read, the 503 error page (which says nothing was done)."""
    session.rollback()
    logger.error("callout %s: %s not saved: %s", callout_id, action.value, describe(error))
    translations = translations_for(request)
    reason = translations.pgettext(*_FAULT_REASONS[classify(error)])
    problem = translations.pgettext(*_NOT_DONE[action]) % {"reason": reason}
    try:
        callout = service.get_callout(session, callout_id)
        return _callout_page(request, session, principal, callout, problem=problem, status_code=503)
    except SQLAlchemyError:
        raise error from None


def _register(action: Action) -> None:
    """GET /callouts/{id}/<action> asks for confirmation; POST does it."""

    def ask(
        callout_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
    ) -> Response:
        return _confirm_page(action, callout_id, request, session, principal)

    def do(
        callout_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
    ) -> Response:
        return _act(action, callout_id, request, session, principal)

    path = "/{callout_id:int}/" + action.value
    router.add_api_route(path, ask, methods=["GET"], name=f"web.callout_{action.value}_confirm")
    router.add_api_route(path, do, methods=["POST"], name=f"web.callout_{action.value}")


for _action in (Action.SEND, Action.STOP, Action.COVERED):
    _register(_action)


_NOT_A_DRAFT = in_context(
    "callout", "Only a draft can be discarded: this callout has been sent. Stop it instead."
)
_CHANGED = in_context("callout", "The draft changed meanwhile: nothing was discarded. Look again.")


@router.get("/{callout_id:int}/discard", name="web.callout_discard_confirm")
def discard_confirm(
    callout_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Ask before a draft is discarded (a sent callout is refused here already)."""
    callout = service.get_callout(session, callout_id)
    if callout.status != CalloutStatus.DRAFT:
        problem = translations_for(request).pgettext(*_NOT_A_DRAFT)
        return _callout_page(request, session, principal, callout, problem=problem, status_code=409)
    return _confirm_page(Action.DISCARD, callout_id, request, session, principal)


@router.post("/{callout_id:int}/discard", name="web.callout_discard")
def discard(
    callout_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    version: Text = None,
) -> Response:
    """Delete the draft the officer confirmed, at the version they saw; then the list."""
    callout = service.get_callout(session, callout_id)
    translations = translations_for(request)
    seen = parse_digits(version, max_digits=9)
    try:
        if seen is None:
            raise ConflictError(N_("the draft was changed meanwhile; look at it again"))
        service.discard(session, callout, version=seen)
        session.commit()
    except (ConflictError, StaleDataError):
        session.rollback()
        callout = service.get_callout(session, callout_id)
        refusal = _NOT_A_DRAFT if callout.status != CalloutStatus.DRAFT else _CHANGED
        problem = translations.pgettext(*refusal)
        return _callout_page(request, session, principal, callout, problem=problem, status_code=409)
    return RedirectResponse("/callouts?done=discarded", status_code=303)


def _refusal(action: Action | None, callout: Callout) -> tuple[str, str] | None:
    """Why the service refused an action, told by the callout's state as it is now (the
    refusal's words are not read): sent already, stopped already, told already..."""
    if callout.status == CalloutStatus.DRAFT and action != Action.SEND:
        return in_context("callout", "Send the callout first.")
    if action == Action.SEND:
        if callout.status != CalloutStatus.DRAFT:
            return in_context("callout", "The callout has been sent already.")
        return in_context(
            "callout",
            "Nobody qualifies now: plan a new callout with a wider radius or other needs.",
        )
    if action == Action.STOP and callout.status == CalloutStatus.STOPPED:
        return in_context("callout", "The callout is stopped already.")
    if action == Action.COVERED and callout.covered_at is not None:
        return in_context("callout", "The others have been told already.")
    if action is None:  # the follow-up goes to those who said yes
        return in_context("callout", "Nobody has said yes yet.")
    return None


def _refused(
    request: Request,
    session: Session,
    principal: Principal,
    callout_id: int,
    error: ConflictError | DomainValidationError,
    action: Action | None = None,
) -> Response:
    session.rollback()
    translations = translations_for(request)
    callout = service.get_callout(session, callout_id)
    if isinstance(error, DomainValidationError):
        problem = error.translated(translations, number_format(request))
    else:
        refusal = _refusal(action, callout)
        problem = (
            translations.pgettext(*refusal)
            if refusal
            else translations.gettext("That was not done.")
        )
    return _callout_page(request, session, principal, callout, problem=problem, status_code=409)
