"""Twilio Voice's webhooks for our calls, each with our call's id in the signed query (`?call=`):

- `POST /webhooks/twilio/voice/call`: the call was answered; our TwiML (`twiml.ask`);
- `POST /webhooks/twilio/voice/answer`: the key pressed: 1 = JA, 2 = NEI;
- `POST /webhooks/twilio/voice/minutes`: after a 1, the minutes to arrival (ended by #);
- `POST /webhooks/twilio/voice/status`: the call's status callback (204).

All are guarded like the SMS webhooks (`alerts.inbound.routes.twilio_form`): 403 and nothing
changed for anything Twilio did not sign for that URL, query included, so the call id cannot
be altered. A keyed answer is handed to the SMS replies' own lane as the reply text
"<code> JA <minutes>" / "<code> NEI", with the call's SID as its message id: it is logged,
counted, confirmed and escalated exactly as an SMS answer, and a webhook Twilio delivers twice
is recorded once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy import Select, select
from starlette.concurrency import run_in_threadpool

from alerts.inbound.routes import TwilioForm, _field, _Reply, lanes
from alerts.inbound.signature import status_callback_url
from alerts.inbound.twiml import TWIML_MEDIA_TYPE
from alerts.models import Callout, CalloutRecipient, CalloutStatus, VoiceCall
from alerts.settings import AlertSettings
from alerts.voice import service, texts, twiml
from beredskap.platform.auth.permissions import PUBLIC, Rule
from beredskap.platform.columns import utcnow
from beredskap.platform.db import transaction
from beredskap.platform.digits import parse_digits
from beredskap.platform.runtime import Database

CALL_PATH = "/webhooks/twilio/voice/call"
ANSWER_PATH = "/webhooks/twilio/voice/answer"
MINUTES_PATH = "/webhooks/twilio/voice/minutes"
STATUS_PATH = "/webhooks/twilio/voice/status"
CALL_PARAMETER = "call"
ACTOR = "voice-call"

_logger = logging.getLogger("alerts.voice")

router = APIRouter(include_in_schema=False)
# No login: Twilio's signature for our public URL instead (403 for anything else).
RULES: dict[str, Rule] = {
    "webhooks.voice_call": PUBLIC,
    "webhooks.voice_answer": PUBLIC,
    "webhooks.voice_minutes": PUBLIC,
    "webhooks.voice_status": PUBLIC,
}


def call_url(public_url: str, path: str, call_id: int) -> str:
    """One of our voice webhooks for call `call_id` (what Twilio calls, and signs)."""
    return status_callback_url(public_url, path, None) + f"?{CALL_PARAMETER}={call_id}"


@dataclass(frozen=True)
class _Call:
    id: int
    code: str
    message: str
    exercise: bool
    open: bool  # the callout is active and this volunteer may still answer
    mobile: str


def _call_id(request: Request) -> int:
    found = parse_digits(request.query_params.get(CALL_PARAMETER), max_digits=12)
    if found is None:
        raise HTTPException(status_code=404, detail="no such call")
    return found


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def _public_url(request: Request) -> str:
    settings: AlertSettings = request.app.state.settings
    return settings.public_url or ""


def _voice(request: Request) -> str:
    """The voice that speaks the calls (`twiml`'s docstring)."""
    settings: AlertSettings = request.app.state.settings
    return settings.voice_say_voice


def _load(request: Request, call_id: int) -> _Call:
    with transaction(_database(request).sessions, actor=ACTOR) as session:
        row = session.execute(_select_call().where(VoiceCall.id == call_id)).one_or_none()
    if row is None:
        raise HTTPException(status_code=404, detail="no such call")
    return _Call(
        id=row.id,
        code=row.code,
        message=row.message,
        exercise=bool(row.exercise),
        open=row.status == CalloutStatus.ACTIVE,
        mobile=row.mobile,
    )


def _select_call() -> Select[Any]:
    return (
        select(
            VoiceCall.id,
            VoiceCall.mobile,
            Callout.code,
            Callout.message,
            Callout.exercise,
            Callout.status,
        )
        .join(Callout, Callout.id == VoiceCall.callout_id)
        .join(CalloutRecipient, CalloutRecipient.id == VoiceCall.recipient_id)
    )


def _twiml(content: str) -> Response:
    return Response(content=content, media_type=TWIML_MEDIA_TYPE)


async def _answer(request: Request, call: _Call, sid: str, suffix: str, body: str) -> None:
    """The keyed answer, through the SMS replies' lane (the module docstring)."""
    await lanes(request).replies.submit(
        _Reply(
            from_number=call.mobile,
            body=body,
            received_at=utcnow(),
            message_sid=f"{sid}:{suffix}" if sid else None,
        )
    )


def _keep_digits(request: Request, call_id: int, digits: str) -> None:
    with transaction(_database(request).sessions, actor=ACTOR) as session:
        found = session.get(VoiceCall, call_id)
        if found is not None:
            found.digits = digits[:16]
            found.updated_at = utcnow()


@router.post(CALL_PATH, name="webhooks.voice_call")
async def call_answered(request: Request, form: TwilioForm) -> Response:
    call = await run_in_threadpool(_load, request, _call_id(request))
    if not call.open:
        return _twiml(twiml.say_and_hang_up(texts.no_longer_open(), voice=_voice(request)))
    action = call_url(_public_url(request), ANSWER_PATH, call.id)
    return _twiml(
        twiml.ask(call.message, exercise=call.exercise, action_url=action, voice=_voice(request))
    )


@router.post(ANSWER_PATH, name="webhooks.voice_answer")
async def key_pressed(request: Request, form: TwilioForm) -> Response:
    call = await run_in_threadpool(_load, request, _call_id(request))
    digits = _field(form, "Digits")
    sid = _field(form, "CallSid")
    if not call.open:
        return _twiml(twiml.say_and_hang_up(texts.no_longer_open(), voice=_voice(request)))
    await run_in_threadpool(_keep_digits, request, call.id, digits)
    if digits == "1":
        # The yes counts at once: a volunteer who hangs up now has still said yes.
        await _answer(request, call, sid, "yes", f"{call.code} JA")
        minutes_url = call_url(_public_url(request), MINUTES_PATH, call.id)
        return _twiml(twiml.ask_minutes(minutes_url, voice=_voice(request)))
    if digits == "2":
        await _answer(request, call, sid, "no", f"{call.code} NEI")
        return _twiml(twiml.say_and_hang_up(texts.thanks_no(), voice=_voice(request)))
    return _twiml(twiml.say_and_hang_up(texts.not_understood(), voice=_voice(request)))


@router.post(MINUTES_PATH, name="webhooks.voice_minutes")
async def minutes_keyed(request: Request, form: TwilioForm) -> Response:
    call = await run_in_threadpool(_load, request, _call_id(request))
    digits = _field(form, "Digits").rstrip("#")
    minutes = parse_digits(digits, max_digits=twiml.MINUTES_MAX_DIGITS) if digits else None
    if not call.open:
        return _twiml(twiml.say_and_hang_up(texts.no_longer_open(), voice=_voice(request)))
    await run_in_threadpool(_keep_digits, request, call.id, f"1 {digits}#")
    if minutes is not None:
        await _answer(
            request, call, _field(form, "CallSid"), "minutes", f"{call.code} JA {minutes}"
        )
    return _twiml(twiml.say_and_hang_up(texts.thanks_yes(minutes), voice=_voice(request)))


@router.post(STATUS_PATH, name="webhooks.voice_status", status_code=204)
async def call_status(request: Request, form: TwilioForm) -> Response:
    call_id = _call_id(request)

    def record() -> None:
        with transaction(_database(request).sessions, actor=ACTOR) as session:
            service.record_status(
                session,
                call_id,
                _field(form, "CallSid"),
                _field(form, "CallStatus"),
                _field(form, "ErrorCode"),
                now=utcnow(),
            )

    await run_in_threadpool(record)
    return Response(status_code=204)
