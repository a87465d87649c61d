"""Twilio's webhooks: `POST /webhooks/twilio/sms` (a reply, answered with TwiML) and
`POST /webhooks/twilio/status` (a delivery receipt, answered 204).

Both are public in the permission matrix and guarded by the signature instead: the
`TwilioWebhookGuard`, built from the auth token and `BEREDSKAP_PUBLIC_URL`, answers 403 to
anything Twilio did not sign for that URL. Without Twilio settings nothing can be signed, so
both answer 403. They are left out of the OpenAPI document: only Twilio calls them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from alerts.gateway import twilio_errors
from alerts.inbound.answers import queue_answer
from alerts.inbound.receipts import ReceiptResult, apply_receipt
from alerts.inbound.signature import (
    REFERENCE_PARAMETER,
    TwilioSignatureVerifier,
    TwilioWebhookGuard,
)
from alerts.inbound.sms import InboundResult, handle_inbound, sender_number
from alerts.inbound.twiml import TWIML_MEDIA_TYPE, twiml_reply
from alerts.settings import AlertSettings
from beredskap.platform.auth.permissions import PUBLIC, Rule
from beredskap.platform.columns import utcnow
from beredskap.platform.db import Backend
from beredskap.platform.digits import parse_digits
from beredskap.platform.group_commit import GroupCommitLane
from beredskap.platform.runtime import Database

SMS_PATH = "/webhooks/twilio/sms"
STATUS_PATH = "/webhooks/twilio/status"
# The audit trail's actor for what a reply changes (consent): the volunteer, by SMS.
SMS_ACTOR = "sms-reply"
RECEIPT_ACTOR = "sms-receipt"

_logger = logging.getLogger("alerts.webhooks")

router = APIRouter(include_in_schema=False)
# No login, but every request must carry Twilio's signature for our public URL
# (`inbound/signature.py`); anything else is answered 403.
RULES: dict[str, Rule] = {"webhooks.twilio_sms": PUBLIC, "webhooks.twilio_status": PUBLIC}


def _guard(request: Request) -> TwilioWebhookGuard | None:
    """The app's guard, made once from its settings; None when Twilio is not configured."""
    state = request.app.state
    if not hasattr(state, "twilio_webhook_guard"):
        settings: AlertSettings = state.settings
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


@dataclass(frozen=True)
class _Reply:
    from_number: str
    body: str
    received_at: datetime
    message_sid: str | None
    # Our answer goes out through the outbox rather than in the webhook's answer (a provider
    # whose inbound webhook takes no reply: LINK Mobility).
    queue_answer: bool = False


@dataclass(frozen=True)
class _Receipt:
    message_sid: str
    message_status: str
    error_code: str
    reference: str | None
    error_reason: str | None = None  # the provider's words for error_code (not Twilio's)
    number_gone: bool = False  # the provider's code says the number reaches no mobile


def _apply_reply(session: Session, reply: _Reply) -> InboundResult:
    result = handle_inbound(
        session,
        from_number=reply.from_number,
        body=reply.body,
        received_at=reply.received_at,
        message_sid=reply.message_sid,
    )
    if reply.queue_answer and result.reply and not result.duplicate:
        queue_answer(session, result, sender_number(reply.from_number), reply.message_sid)
    return result


def _apply_receipt(session: Session, receipt: _Receipt) -> ReceiptResult:
    return apply_receipt(
        session,
        message_sid=receipt.message_sid,
        message_status=receipt.message_status,
        error_code=receipt.error_code,
        reference=receipt.reference,
        error_reason=receipt.error_reason,
        number_gone=receipt.number_gone,
    )


@dataclass(frozen=True)
class WebhookLanes:
    """Replies and receipts are written in lanes of their own (`beredskap.platform.group_commit`):
    a burst of receipts shares transactions and never queues a reply behind it."""

    replies: GroupCommitLane[_Reply, InboundResult]
    receipts: GroupCommitLane[_Receipt, ReceiptResult]


def lane_connections(backend: Backend) -> int:
    """Connections the lanes hold at most (one each: a lane runs one batch at a time): the
    app keeps them out of request admission. (Two reply batches side by side on PostgreSQL
    measured no better than one: they wait on each other's row locks.)"""
    return 2


def lanes(request: Request) -> WebhookLanes:
    """The app's lanes, made once from its database."""
    state = request.app.state
    if not hasattr(state, "twilio_webhook_lanes"):
        database: Database = state.database
        state.twilio_webhook_lanes = WebhookLanes(
            replies=GroupCommitLane("replies", database.sessions, _apply_reply, actor=SMS_ACTOR),
            receipts=GroupCommitLane(
                "receipts", database.sessions, _apply_receipt, actor=RECEIPT_ACTOR
            ),
        )
    found: WebhookLanes = state.twilio_webhook_lanes
    return found


@router.post(SMS_PATH, name="webhooks.twilio_sms")
async def inbound_sms(request: Request, form: TwilioForm) -> Response:
    """A volunteer's SMS: record it and answer with TwiML (empty when there is nothing to
    say, e.g. a message without a sender). Answered only once the reply is committed."""
    sender = _field(form, "From")
    reply: str | None = None
    if sender:
        result = await lanes(request).replies.submit(
            _Reply(
                from_number=sender,
                body=_field(form, "Body"),
                received_at=utcnow(),
                message_sid=_field(form, "MessageSid") or _field(form, "SmsSid") or None,
            )
        )
        reply = result.reply
    else:
        _logger.warning("inbound SMS webhook without a sender; ignored")
    return Response(content=twiml_reply(reply), media_type=TWIML_MEDIA_TYPE)


@router.post(STATUS_PATH, name="webhooks.twilio_status", status_code=204)
async def delivery_receipt(request: Request, form: TwilioForm) -> Response:
    """A delivery receipt: move the outbox row forward. 204 whatever it names, once the
    change is committed."""
    await lanes(request).receipts.submit(
        _Receipt(
            message_sid=_field(form, "MessageSid") or _field(form, "SmsSid"),
            message_status=_field(form, "MessageStatus") or _field(form, "SmsStatus"),
            error_code=_field(form, "ErrorCode"),
            reference=request.query_params.get(REFERENCE_PARAMETER),
            number_gone=parse_digits(_field(form, "ErrorCode")) in twilio_errors.NUMBER_GONE,
        )
    )
    return Response(status_code=204)
