"""Asking volunteers whether their number still reaches them: one contact check SMS each,
through the outbox. Flushes, never commits (the caller's unit of work: the command, the page,
the API).

Who is asked: active volunteers who consent to SMS, of one organisation or of all, and,
given `older_than_days`, only those not confirmed within that many days. Consent is checked
again when the worker sends (`alerts.outbox.claims`), so a STOP in between still wins.

Exactly once: the message's dedupe key names the volunteer and the day in Norway, so running
again the same day (twice at once, too) queues nothing more for anyone asked already; the
next day a volunteer still unconfirmed is asked again with a new code (both codes answer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, insert, or_, select
from sqlalchemy.orm import Session

from alerts.models import MessageChannel
from alerts.outbox.messages import queue_message
from alerts.verification import texts
from alerts.verification.codes import new_code
from alerts.verification.models import ContactCheck
from beredskap.platform.errors import N_, DomainValidationError
from beredskap.register.volunteers.models import Membership, Volunteer

MAX_OLDER_THAN_DAYS = 3650


@dataclass(frozen=True)
class CheckRun:
    """What one run did: checks queued now, and volunteers skipped as asked already today."""

    asked: int
    already_asked: int


def check_older_than_days(value: int | None) -> int | None:
    """The threshold as given, or a validation error on the field (1 to 3,650 days)."""
    if value is not None and not 1 <= value <= MAX_OLDER_THAN_DAYS:
        raise DomainValidationError(
            "older_than_days",
            N_("must be between %(low)s and %(high)s"),
            low=1,
            high=MAX_OLDER_THAN_DAYS,
        )
    return value


def ask_volunteers(
    session: Session,
    *,
    organisation_id: int | None,
    older_than_days: int | None,
    today: date,
    now: datetime,
) -> CheckRun:
    """Queue a contact check to each volunteer to ask (see the module docstring). The
    organisation, when given, must exist (the callers answer 404 before)."""
    check_older_than_days(older_than_days)
    statement = (
        select(Volunteer.id, Volunteer.mobile)
        .where(Volunteer.active.is_(True), Volunteer.sms_consent.is_(True))
        .order_by(Volunteer.id)
    )
    if organisation_id is not None:
        statement = statement.where(
            exists().where(
                Membership.volunteer_id == Volunteer.id,
                Membership.organisation_id == organisation_id,
            )
        )
    if older_than_days is not None:
        since = today - timedelta(days=older_than_days)
        statement = statement.where(
            or_(Volunteer.contact_verified_on.is_(None), Volunteer.contact_verified_on < since)
        )
    asked = already = 0
    for volunteer_id, mobile in session.execute(statement).all():
        code = new_code()
        message_id = queue_message(
            session,
            channel=MessageChannel.SMS,
            to=mobile,
            body=texts.question(code),
            dedupe_key=f"contact-check:volunteer:{volunteer_id}:{today.isoformat()}",
        )
        if message_id is None:
            already += 1
            continue
        session.execute(
            insert(ContactCheck).values(
                volunteer_id=volunteer_id,
                mobile=mobile,
                code=code,
                asked_on=today,
                asked_at=now,
                message_id=message_id,
            )
        )
        asked += 1
    return CheckRun(asked, already)
