"""Our answer to a reply that came through a provider whose inbound webhook takes none in its
HTTP answer (LINK Mobility): queued in the outbox as a message of its own, sent by the worker
like any other. Flushes, never commits (the reply's transaction: answered and queued
together, or neither).

The answer's dedupe key is the inbound message's id, so a webhook delivered twice queues it
once. A STOP's confirmation is queued too, but the worker cancels what goes to someone who
has withdrawn consent, so after a STOP nothing more is sent.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from alerts.gateway.port import E164
from alerts.inbound.sms import InboundResult
from alerts.models import MessageChannel
from alerts.outbox.messages import queue_message
from alerts.redaction import mask_phone

_logger = logging.getLogger("alerts.inbound")


def queue_answer(
    session: Session, result: InboundResult, number: str, message_id: str | None
) -> int | None:
    """Queue `result.reply` to `number`; the outbox row's id, or None (nothing to send, a
    number no SMS can go to, or queued before)."""
    if not result.reply or not E164.fullmatch(number):
        return None
    key = f"answer:{message_id}" if message_id else f"answer:inbound:{result.inbound_id}"
    queued = queue_message(
        session, channel=MessageChannel.SMS, to=number, body=result.reply, dedupe_key=key[:200]
    )
    if queued is not None:
        _logger.info("answer to %s queued as m%d", mask_phone(number), queued)
    return queued
