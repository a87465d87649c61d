"""Numbers that fail for good are flagged on their volunteers (`contact_failed_on`), so their
organisation sees them on its member list and in the API before a crisis does.

Called by the outbox when it records the gateway's answers (`alerts.outbox.recording`): any
SMS (a callout's, a notice, a contact check, a reminder) refused as `PERMANENT` (the gateway
sorts its errors: `alerts.gateway.twilio_errors`) flags its number; so does a delivery receipt
saying the number reaches no mobile (`alerts.inbound.receipts`: Twilio's 30005 and 30006,
LINK's unknown or barred subscriber). Through the ORM, so the
audit trail records the change (by the worker); permanent refusals are few. A later yes to
a contact check clears the flag (`answers.py`). Flushes, never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.gateway.port import FailureKind, SendFailed, SendResult
from alerts.models import MessageChannel
from beredskap.register.volunteers.models import Volunteer

if TYPE_CHECKING:
    from alerts.outbox.claims import Claim


def flag_permanent_failures(
    session: Session, failed: Sequence[tuple[Claim, SendResult]], *, on: date
) -> int:
    """Flag the volunteers whose SMS were failed by a permanent refusal among `failed` (the
    answers whose rows recording moved to `failed`); how many volunteers were flagged."""
    numbers = sorted(
        {
            claim.to
            for claim, result in failed
            if claim.channel is MessageChannel.SMS
            and isinstance(result, SendFailed)
            and result.kind is FailureKind.PERMANENT
        }
    )
    return flag_numbers(session, numbers, on=on)


def flag_numbers(session: Session, numbers: Sequence[str], *, on: date) -> int:
    """Flag the volunteers holding any of `numbers` as failing on `on`; how many changed."""
    if not numbers:
        return 0
    flagged = 0
    for volunteer in session.scalars(select(Volunteer).where(Volunteer.mobile.in_(numbers))):
        if volunteer.contact_failed_on != on:
            volunteer.contact_failed_on = on
            flagged += 1
    session.flush()
    return flagged
