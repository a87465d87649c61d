"""Answers to contact checks, and how a reply is told apart from a callout answer.

A volunteer asked by a check may be asked by a callout at the same time, and a bare "JA"
must never be taken from a callout. `alerts.inbound.sms` routes a reply in this order:

1. STOP, START and HELP as always.
2. A reply with a callout code ("B7 JA") goes to that callout: the callout-code rules stay.
3. A reply with a check code ("K482 JA", "JA K482"; `codes.py`: never a callout code) goes
   to that number's check with that code, whether a callout is open or not, and never to a
   callout. No check of that number has the code: the unknown-code answer, nothing changed.
4. A bare JA / NEI goes to the newest active callout that reached the number (the callout
   rule, unchanged). Only when no active callout reached it does it answer the number's
   newest unanswered check whose message went out (sending, sent or delivered).
5. Anything else as before (no open callout, help).

A yes records `contact_verified_on` (the day in Norway) on the volunteer and clears
`contact_failed_on`, when the number is still the volunteer's (a number given up since
confirms nothing about the new one); a no records the answer on the check only. The reply
is logged with the outcome `contact_checked`. Flushes, never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from alerts.models import REACHED_STATES, OutgoingMessage
from alerts.verification.models import ContactCheck
from beredskap.register.volunteers.models import Volunteer


@dataclass(frozen=True)
class FoundCheck:
    """A check a reply answers."""

    check_id: int
    volunteer_id: int | None
    mobile: str


_COLUMNS = select(ContactCheck.id, ContactCheck.volunteer_id, ContactCheck.mobile)
# Built once: a burst of replies spends its time answering, not building SQL.
_BY_CODE = (
    _COLUMNS.where(
        ContactCheck.mobile == bindparam("mobile"), ContactCheck.code == bindparam("code")
    )
    .order_by(ContactCheck.asked_at.desc(), ContactCheck.id.desc())
    .limit(1)
)
_PENDING = (
    _COLUMNS.join(OutgoingMessage, OutgoingMessage.id == ContactCheck.message_id)
    .where(
        ContactCheck.mobile == bindparam("mobile"),
        ContactCheck.answered_at.is_(None),
        OutgoingMessage.state.in_(REACHED_STATES),
    )
    .order_by(ContactCheck.asked_at.desc(), ContactCheck.id.desc())
    .limit(1)
)
_RECORD = (
    update(ContactCheck)
    .where(
        ContactCheck.id == bindparam("check_id"),
        ContactCheck.answered_at.is_(None) | (ContactCheck.answered_at <= bindparam("received_at")),
    )
    .values(answered_at=bindparam("received_at"), confirmed=bindparam("confirmed"))
)


def check_with_code(session: Session, number: str, code: str) -> FoundCheck | None:
    """The newest check sent to `number` with `code`, answered or not (answering twice is
    harmless), or None."""
    row = session.connection().execute(_BY_CODE, {"mobile": number, "code": code}).first()
    return FoundCheck(*row) if row is not None else None


def pending_check(session: Session, number: str) -> FoundCheck | None:
    """The newest unanswered check whose message went out to `number`, or None."""
    row = session.connection().execute(_PENDING, {"mobile": number}).first()
    return FoundCheck(*row) if row is not None else None


def record_check_answer(
    session: Session, check: FoundCheck, *, yes: bool, received_at: datetime, today: date
) -> None:
    """The answer on the check (a later one replaces an earlier, never the other way); a yes
    confirms the volunteer's number, through the ORM so the audit trail records it."""
    session.connection().execute(
        _RECORD, {"check_id": check.check_id, "received_at": received_at, "confirmed": yes}
    )
    if not yes or check.volunteer_id is None:
        return
    volunteer = session.get(Volunteer, check.volunteer_id)
    if volunteer is None or volunteer.mobile != check.mobile:
        return
    if volunteer.contact_verified_on != today or volunteer.contact_failed_on is not None:
        volunteer.contact_verified_on = today
        volunteer.contact_failed_on = None
        session.flush()
