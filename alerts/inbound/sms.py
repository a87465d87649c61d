"""An SMS reply received: what it says, what it changes, and what we answer. Flushes, never
commits (the caller's transaction: the webhook's request, the CLI, the local page).

- JA / NEI (with minutes) is recorded on the recipient row of the callout it answers: the
  one whose code the reply starts with, else the newest active callout that asked that
  number; the confirmation names the callout. A later answer replaces an earlier one.
- A reply to a contact check ("K482 JA": a check code, never a callout code) confirms the
  volunteer's number; a bare JA does so only when no active callout asked the number. The
  order of these rules is `alerts.verification.answers`'s docstring.
- STOP withdraws SMS consent (the volunteer model records the time) and cancels what is
  still queued for that number; START restores consent.
- HELP, unparseable text and unknown numbers get the one-line help; nothing raises.

Every SMS is logged as an InboundSms row with its outcome and our reply. Twilio redelivers a
webhook it got no answer to: the row's unique `message_sid` makes the second delivery a no-op
that returns the stored reply. The row is inserted (in a savepoint) before anything else is
written, so of two simultaneous deliveries exactly one applies the reply.

Kept to a few indexed statements: the volunteer by mobile (unique), their recipient rows in
active callouts, one insert, one conditional update.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, defer

from alerts import sms_texts
from alerts.callouts.notices import may_be_covered, thank_others_if_covered
from alerts.gateway.port import E164, MAX_SMS_CHARS
from alerts.inbound.replies import ParsedReply, ReplyKind, parse_reply
from alerts.models import (
    REACHED_STATES,
    Answer,
    Callout,
    CalloutRecipient,
    CalloutStatus,
    InboundOutcome,
    InboundSms,
    MessageChannel,
    OutgoingMessage,
    RecipientState,
)
from alerts.outbox.references import OUTBOX_TABLES
from alerts.redaction import mask_phone
from alerts.verification import texts as check_texts
from alerts.verification.answers import (
    FoundCheck,
    check_with_code,
    pending_check,
    record_check_answer,
)
from alerts.verification.codes import CheckReply, read_check_reply
from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.platform.contact_details import normalise_mobile
from beredskap.platform.db import insert_unless_present
from beredskap.register.volunteers.models import ConsentChannel, Volunteer

_logger = logging.getLogger("alerts.inbound")

MAX_FROM_CHARS = 32  # InboundSms.from_number
MAX_SID_CHARS = 64  # InboundSms.message_sid
OPTED_OUT_REASON = "the recipient replied STOP"
# A reply needs the callout's settings and counts, never its place.
_NO_GEOMETRY = [defer(Callout.centre), defer(Callout.area)]

# Built once: a burst of replies spends its time answering, not building SQL.
_VOLUNTEERS_BY_MOBILE = select(Volunteer.id).where(Volunteer.mobile == bindparam("mobile"))
_ASKED_ROWS = (
    select(
        CalloutRecipient.id,
        CalloutRecipient.state,
        CalloutRecipient.answer,
        CalloutRecipient.answered_at,
        CalloutRecipient.minutes_to_arrival,
        Callout.id,
        Callout.code,
        Callout.title,
        Callout.exercise,
        Callout.thank_when_covered & Callout.covered_at.is_(None),
    )
    .join(Callout, Callout.id == CalloutRecipient.callout_id)
    .where(CalloutRecipient.mobile == bindparam("mobile"), Callout.status == CalloutStatus.ACTIVE)
    .order_by(Callout.sent_at.desc(), Callout.id.desc())
)
_ASKED_BY_MOBILE = _ASKED_ROWS
_ASKED_BY_VOLUNTEER = _ASKED_ROWS.where(
    CalloutRecipient.volunteer_id.in_(bindparam("volunteer_ids", expanding=True))
)
_RECORD_ANSWER = (
    update(CalloutRecipient)
    .where(
        CalloutRecipient.id == bindparam("recipient_id"),
        (CalloutRecipient.answered_at.is_(None))
        | (CalloutRecipient.answered_at <= bindparam("received_at")),
    )
    .values(
        answer=bindparam("answer"),
        answered_at=bindparam("received_at"),
        minutes_to_arrival=bindparam("minutes"),
        updated_at=bindparam("now"),
    )
)


@dataclass(frozen=True)
class InboundResult:
    """What became of a reply: our answer (None: say nothing), the outcome, the callout."""

    reply: str | None
    outcome: InboundOutcome
    callout_id: int | None = None
    recipient_id: int | None = None
    inbound_id: int | None = None
    duplicate: bool = False  # the same MessageSid was handled before: nothing changed


@dataclass(frozen=True)
class _Asked:
    """A recipient row and what of its callout a reply needs (no ORM entity: loading the
    callout with its geometries cost more than the rest of the reply)."""

    recipient_id: int
    state: RecipientState
    answer: Answer | None
    answered_at: datetime | None
    minutes_to_arrival: int | None
    callout_id: int
    code: str
    title: str
    exercise: bool  # its confirmation is marked ØVELSE like every SMS of the callout
    may_thank: bool  # the callout thanks the others when covered and has not yet


@dataclass
class _Decision:
    reply: str | None
    outcome: InboundOutcome
    asked: _Asked | None = None
    check: FoundCheck | None = None  # a contact check answered
    check_yes: bool = False


def sender_number(raw: str) -> str:
    """The sender in E.164 when it is a valid mobile number, else as given (bounded)."""
    if E164.fullmatch(raw):
        # What Twilio sends; normalising would return it unchanged (or fail and keep it).
        return raw
    raw = "".join(char for char in raw if char.isprintable()).strip()
    try:
        return normalise_mobile(raw)
    except ValueError:
        return raw[:MAX_FROM_CHARS]


def handle_inbound(
    session: Session,
    *,
    from_number: str,
    body: str,
    received_at: datetime,
    message_sid: str | None = None,
) -> InboundResult:
    """Apply one received SMS and say what to answer. Never raises for any text or number."""
    number = sender_number(from_number)
    body = body[:MAX_SMS_CHARS].replace("\x00", "")  # PostgreSQL text holds no NUL
    parsed = parse_reply(body, received_at=received_at)
    # Core statements on the connection: the ORM's execution layer around them cost as much
    # as running them (measured), and none of them loads an entity.
    connection = session.connection()
    volunteer_ids = list(connection.execute(_VOLUNTEERS_BY_MOBILE, {"mobile": number}).scalars())

    if parsed.kind is ReplyKind.OPT_OUT:
        decision = _Decision(sms_texts.opted_out(parsed.language), InboundOutcome.OPTED_OUT)
    elif parsed.kind is ReplyKind.OPT_IN:
        decision = (
            _Decision(sms_texts.opted_in(parsed.language), InboundOutcome.OPTED_IN)
            if volunteer_ids
            else _Decision(sms_texts.help_text(parsed.language), InboundOutcome.UNKNOWN_NUMBER)
        )
    elif parsed.kind is ReplyKind.HELP:
        decision = _Decision(sms_texts.help_text(parsed.language), InboundOutcome.HELP)
    elif parsed.callout_code is None and (check_reply := read_check_reply(body)) is not None:
        decision = _coded_check_answer(session, number, volunteer_ids, check_reply)
    elif parsed.is_answer:
        decision = _answer(session, number, volunteer_ids, parsed, received_at)
    else:
        known = bool(volunteer_ids) or _ever_asked(session, number)
        outcome = InboundOutcome.UNPARSEABLE if known else InboundOutcome.UNKNOWN_NUMBER
        decision = _Decision(sms_texts.help_text(parsed.language), outcome)

    values = {
        "message_sid": (message_sid or "")[:MAX_SID_CHARS] or None,
        "from_number": number,
        "body": body,
        "received_at": received_at,
        "outcome": decision.outcome,
        "callout_id": decision.asked.callout_id if decision.asked else None,
        "recipient_id": decision.asked.recipient_id if decision.asked else None,
        "reply": decision.reply,
    }
    inbound_id = _log(session, values)
    if inbound_id is None:
        stored = session.scalars(
            select(InboundSms).where(InboundSms.message_sid == values["message_sid"])
        ).one()
        _logger.info("SMS %s delivered again: answered as before", stored.message_sid)
        return _result(stored, duplicate=True)

    if parsed.kind is ReplyKind.OPT_OUT:
        _opt_out(session, number, volunteer_ids)
    elif decision.check is not None:
        record_check_answer(
            session,
            decision.check,
            yes=decision.check_yes,
            received_at=received_at,
            today=today_in_norway(),
        )
    elif decision.outcome is InboundOutcome.OPTED_IN:
        _set_consent(session, volunteer_ids, True)
    elif decision.asked is not None:
        _record_answer(session, decision.asked.recipient_id, parsed, received_at)
        if (
            parsed.kind is ReplyKind.YES
            and decision.asked.may_thank
            and may_be_covered(session, decision.asked.callout_id)
        ):
            callout = session.get(Callout, decision.asked.callout_id, options=_NO_GEOMETRY)
            if callout is not None:
                thank_others_if_covered(session, callout, today_in_norway())
    _logger.info(
        "SMS from %s: %s (callout %s)",
        mask_phone(number),
        decision.outcome.value,
        decision.asked.code if decision.asked else "-",
    )
    return InboundResult(
        reply=decision.reply,
        outcome=decision.outcome,
        callout_id=values["callout_id"],
        recipient_id=values["recipient_id"],
        inbound_id=inbound_id,
    )


def _result(row: InboundSms, *, duplicate: bool) -> InboundResult:
    return InboundResult(
        reply=row.reply,
        outcome=InboundOutcome(row.outcome),
        callout_id=row.callout_id,
        recipient_id=row.recipient_id,
        inbound_id=row.id,
        duplicate=duplicate,
    )


def _log(session: Session, values: dict[str, Any]) -> int | None:
    """Log the SMS; its id, or None when its MessageSid was logged before (nothing written).

    One INSERT ... ON CONFLICT DO NOTHING, before every other write: a second delivery of
    the same SID inserts nothing (on PostgreSQL it waits on the unique index until the first
    commits), so of two simultaneous deliveries exactly one applies the reply.
    """
    return insert_unless_present(session, InboundSms, values, unique=["message_sid"])


def _asked(session: Session, number: str, volunteer_ids: list[int]) -> list[_Asked]:
    """This number's recipient rows in active callouts, newest callout first."""
    connection = session.connection()
    if volunteer_ids:
        # The volunteer's rows, by an index; the mobile must still be the one asked.
        rows = connection.execute(
            _ASKED_BY_VOLUNTEER, {"mobile": number, "volunteer_ids": volunteer_ids}
        )
    else:
        rows = connection.execute(_ASKED_BY_MOBILE, {"mobile": number})
    return [_Asked(*row[:-1], may_thank=bool(row[-1])) for row in rows]


def _ever_asked(session: Session, number: str) -> bool:
    """A number some callout asked, though no volunteer has it now (changed or deleted)."""
    found = session.scalar(select(CalloutRecipient.id).where(CalloutRecipient.mobile == number))
    return found is not None


def _answer(
    session: Session,
    number: str,
    volunteer_ids: list[int],
    parsed: ParsedReply,
    received_at: datetime,
) -> _Decision:
    rows = _asked(session, number, volunteer_ids)
    language = parsed.language
    if parsed.callout_code is not None:
        # The code is proof the message was read, whatever its delivery state says.
        chosen = next(
            (
                row
                for row in rows
                if row.code == parsed.callout_code
                and row.state not in (RecipientState.PLANNED, RecipientState.CANCELLED)
            ),
            None,
        )
        if chosen is None:
            if any(row.state in REACHED_STATES for row in rows):
                return _Decision(
                    sms_texts.unknown_callout_code(parsed.callout_code, language),
                    InboundOutcome.UNKNOWN_CODE,
                )
            return _no_open_callout(session, number, volunteer_ids, language)
    else:
        chosen = next((row for row in rows if row.state in REACHED_STATES), None)
        if chosen is None:
            # No callout asked this number: a bare answer may be to a contact check.
            check = pending_check(session, number)
            if check is not None:
                return _check_decision(check, parsed.kind is ReplyKind.YES, language)
            return _no_open_callout(session, number, volunteer_ids, language)
    label = sms_texts.callout_label(chosen.code, chosen.title)
    confirmed = parsed
    if chosen.answer is not None and chosen.answered_at and chosen.answered_at > received_at:
        # A later answer arrived first (webhooks can cross): it stands, so confirm that one.
        confirmed = ParsedReply(
            ReplyKind.YES if chosen.answer == Answer.YES else ReplyKind.NO,
            minutes_to_arrival=chosen.minutes_to_arrival,
            language=language,
        )
    return _Decision(
        sms_texts.answer_confirmation(confirmed, label, language, exercise=bool(chosen.exercise)),
        InboundOutcome.ANSWERED,
        chosen,
    )


def _coded_check_answer(
    session: Session, number: str, volunteer_ids: list[int], reply: CheckReply
) -> _Decision:
    """A reply carrying a check code: to that number's check with the code, never to a
    callout; an unknown code changes nothing."""
    check = check_with_code(session, number, reply.code)
    if check is not None:
        return _check_decision(check, reply.yes, reply.language)
    if volunteer_ids or _ever_asked(session, number):
        return _Decision(
            check_texts.unknown_check_code(reply.code, reply.language),
            InboundOutcome.UNKNOWN_CODE,
        )
    return _Decision(sms_texts.help_text(reply.language), InboundOutcome.UNKNOWN_NUMBER)


def _check_decision(check: FoundCheck, yes: bool, language: str | None) -> _Decision:
    reply = check_texts.confirmed(language) if yes else check_texts.not_confirmed(language)
    return _Decision(reply, InboundOutcome.CONTACT_CHECKED, check=check, check_yes=yes)


def _no_open_callout(
    session: Session, number: str, volunteer_ids: list[int], language: str | None
) -> _Decision:
    if volunteer_ids or _ever_asked(session, number):
        return _Decision(sms_texts.no_open_callout(language), InboundOutcome.NO_OPEN_CALLOUT)
    return _Decision(sms_texts.help_text(language), InboundOutcome.UNKNOWN_NUMBER)


def _record_answer(
    session: Session, recipient_id: int, parsed: ParsedReply, received_at: datetime
) -> None:
    """The answer replaces an earlier one, never a later one (one conditional UPDATE)."""
    yes = parsed.kind is ReplyKind.YES
    session.connection().execute(
        _RECORD_ANSWER,
        {
            "recipient_id": recipient_id,
            "received_at": received_at,
            "answer": Answer.YES if yes else Answer.NO,
            "minutes": parsed.minutes_to_arrival if yes else None,
            "now": utcnow(),
        },
    )


def _set_consent(session: Session, volunteer_ids: list[int], consent: bool) -> None:
    # Through the ORM: the model records when consent changed, and the audit trail sees it.
    for volunteer in session.scalars(select(Volunteer).where(Volunteer.id.in_(volunteer_ids))):
        volunteer.change_consent(consent, ConsentChannel.SMS)
    session.flush()


def _opt_out(session: Session, number: str, volunteer_ids: list[int]) -> None:
    """No more SMS to this number: consent withdrawn, whatever is still queued cancelled."""
    if volunteer_ids:
        _set_consent(session, volunteer_ids, False)
    active = select(Callout.id).where(Callout.status == CalloutStatus.ACTIVE)
    now = utcnow()
    for table in OUTBOX_TABLES:
        if table is OutgoingMessage:  # outside any callout: an exercise reminder, say
            to_them = (table.channel == MessageChannel.SMS) & (table.to == number)
        else:
            to_them = (table.mobile == number) & table.callout_id.in_(active)
        session.execute(
            update(table)
            .where(to_them, table.state == RecipientState.QUEUED)
            .values(state=RecipientState.CANCELLED, error_reason=OPTED_OUT_REASON, updated_at=now)
            .execution_options(synchronize_session=False)
        )
