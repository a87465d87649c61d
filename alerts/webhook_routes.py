"""Twilio's webhooks: `POST /webhooks/twilio/sms` (a reply, answered with TwiML) and
`POST /webhooks/twilio/status` (a delivery receipt, answered 204).

Both are public in the permission matrix and guarded by the signature instead: the
`TwilioWebhookGuard`, built from the auth token and `BEREDSKAP_PUBLIC_URL`, answers 403 to
anything Twilio did not sign for that URL. Without Twilio settings nothing can be signed, so
both answer 403. They are left out of the OpenAPI document: only Twilio calls them.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from starlette.datastructures import FormData

from alerts.inbound import handle_inbound
from alerts.receipts import apply_receipt
from alerts.twiml import TWIML_MEDIA_TYPE, twiml_reply
from alerts.webhook_signature import (
    REFERENCE_PARAMETER,
    TwilioSignatureVerifier,
    TwilioWebhookGuard,
)
from beredskap.columns import utcnow
from beredskap.deps import SessionDep
from beredskap.settings import Settings

SMS_PATH = "/webhooks/twilio/sms"
STATUS_PATH = "/webhooks/twilio/status"
# The audit trail's actor for what a reply changes (consent): the volunteer, by SMS.
SMS_ACTOR = "sms-reply"

_logger = logging.getLogger("alerts.webhooks")

router = APIRouter(include_in_schema=False)


def _guard(request: Request) -> TwilioWebhookGuard | None:
    """The app's guard, made once from its settings; None when Twilio is not configured."""
    state = request.app.state
    if not hasattr(state, "twilio_webhook_guard"):
        settings: Settings = state.settings
        guard = None
        if settings.twilio_configured and settings.twilio_auth_token and settings.public_url:
            guard = TwilioWebhookGuard(
                TwilioSignatureVerifier(settings.twilio_auth_token, settings.public_url)
            )
        state.twilio_webhook_guard = guard
    found: TwilioWebhookGuard | None = state.twilio_webhook_guard
    return found


async def twilio_form(request: Request) -> FormData:
    """The verified form of a Twilio webhook; 403 for anything else."""
    guard = _guard(request)
    if guard is None:
        raise HTTPException(status_code=403, detail="Twilio is not configured")
    return await guard(request)


TwilioForm = Annotated[FormData, Depends(twilio_form)]


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.post(SMS_PATH, name="webhooks.twilio_sms")
def inbound_sms(form: TwilioForm, session: SessionDep) -> Response:
    """A volunteer's SMS: record it and answer with TwiML (empty when there is nothing to
    say, e.g. a message without a sender)."""
    sender = _field(form, "From")
    reply: str | None = None
    if sender:
        # The request's own session: it already holds SQLite's write lock for this request
        # (a second transaction here would wait for the first one).
        session.info["actor"] = SMS_ACTOR
        result = handle_inbound(
            session,
            from_number=sender,
            body=_field(form, "Body"),
            received_at=utcnow(),
            message_sid=_field(form, "MessageSid") or _field(form, "SmsSid") or None,
        )
        reply = result.reply
    else:
        _logger.warning("inbound SMS webhook without a sender; ignored")
    return Response(content=twiml_reply(reply), media_type=TWIML_MEDIA_TYPE)


@router.post(STATUS_PATH, name="webhooks.twilio_status", status_code=204)
def delivery_receipt(request: Request, form: TwilioForm, session: SessionDep) -> Response:
    """A delivery receipt: move the outbox row forward. 204 whatever it names."""
    apply_receipt(
        session,
        message_sid=_field(form, "MessageSid") or _field(form, "SmsSid"),
        message_status=_field(form, "MessageStatus") or _field(form, "SmsStatus"),
        error_code=_field(form, "ErrorCode"),
        reference=request.query_params.get(REFERENCE_PARAMETER),
    )
    return Response(status_code=204)
