"""Queueing a message outside any callout (an exercise reminder) in the outbox.

`OutgoingMessage` rows are sent by the same worker as callout messages: SMS through the
`SmsGateway`, e-mail through the `EmailGateway`. Flushes, never commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from alerts.gateway.port import E164, MAX_SMS_CHARS
from alerts.models import MessageChannel, OutgoingMessage, RecipientState
from beredskap.platform.columns import coerce_email, utcnow
from beredskap.platform.db import insert_unless_present
from beredskap.platform.errors import N_, DomainValidationError

MAX_SUBJECT = 200
MAX_EMAIL_BODY = 20_000
MAX_DEDUPE_KEY = 200


def queue_message(
    session: Session,
    *,
    channel: MessageChannel | str,
    to: str,
    body: str,
    subject: str | None = None,
    dedupe_key: str,
) -> int | None:
    """Queue one message; its row id, or None when `dedupe_key` was queued before.

    One INSERT ... ON CONFLICT DO NOTHING on the unique key: of two callers queueing the same
    key at once (a job that fired twice, two schedulers), exactly one inserts (on PostgreSQL
    the second waits on the unique index until the first commits, then inserts nothing).
    """
    channel = MessageChannel(channel)
    _check(channel, to, body, subject, dedupe_key)
    now = utcnow()
    values: dict[str, Any] = {
        "channel": channel,
        "to": to,
        "subject": subject if channel is MessageChannel.EMAIL else None,
        "body": body,
        "dedupe_key": dedupe_key,
        "state": RecipientState.QUEUED,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }
    return insert_unless_present(session, OutgoingMessage, values, unique=["dedupe_key"])


def _check(
    channel: MessageChannel, to: str, body: str, subject: str | None, dedupe_key: str
) -> None:
    if not dedupe_key or len(dedupe_key) > MAX_DEDUPE_KEY:
        raise DomainValidationError(
            "dedupe_key", N_("must be 1 to %(count)s characters"), count=MAX_DEDUPE_KEY
        )
    if not body.strip():
        raise DomainValidationError("body", N_("must not be empty"))
    if channel is MessageChannel.SMS:
        if not E164.fullmatch(to):
            raise DomainValidationError("to", N_("an SMS goes to an E.164 mobile number"))
        if len(body) > MAX_SMS_CHARS:
            raise DomainValidationError(
                "body", N_("an SMS is at most %(count)s characters"), count=MAX_SMS_CHARS
            )
        return
    coerce_email("to", to)
    if not subject or not subject.strip() or len(subject) > MAX_SUBJECT:
        raise DomainValidationError(
            "subject",
            N_("an e-mail needs a subject of 1 to %(count)s characters"),
            count=MAX_SUBJECT,
        )
    if len(body) > MAX_EMAIL_BODY:
        raise DomainValidationError(
            "body", N_("an e-mail is at most %(count)s characters"), count=MAX_EMAIL_BODY
        )
