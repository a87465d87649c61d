"""Callouts with queued recipients for the worker tests and benchmark, inserted in bulk.

The recipients are outbox rows without volunteers (who is asked is the service's business,
tested elsewhere): a callout through the ORM (audited, validated), its rows by Core inserts,
so 2,000 recipients take a moment, not minutes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from shapely.geometry import Point
from sqlalchemy import insert
from sqlalchemy.orm import Session

from alerts.models import Callout, CalloutRecipient, CalloutStatus, RecipientState
from beredskap.platform.columns import utcnow

LILLESTROM = Point(11.0494, 59.9560)
_codes = itertools.count(1)


@dataclass(frozen=True)
class QueuedCallout:
    callout_id: int
    code: str
    numbers: list[str]


def number(index: int, prefix: str = "+4791") -> str:
    """A Norwegian-looking mobile number, unique per index (not a fictional range: the
    fake Twilio is told to accept it, and no real gateway ever sees a test)."""
    return f"{prefix}{index:06d}"


def queue_callout(
    session: Session,
    count: int,
    *,
    exercise: bool = False,
    message: str = "Leteaksjon ved Nitelva. Møt ved brannstasjonen.",
    first_number: int = 0,
    prefix: str = "+4791",
) -> QueuedCallout:
    """An active callout with `count` queued recipients; flushes, never commits."""
    sequence = next(_codes)
    code = f"{'ABCDEFGH'[sequence % 8]}{sequence % 99 + 1}"
    callout = Callout(
        code=code,
        title=f"Test {sequence}",
        message=message,
        exercise=exercise,
        status=CalloutStatus.ACTIVE,
        centre=LILLESTROM,
        radius_m=5_000,
        created_by="test",
        sent_at=utcnow(),
    )
    session.add(callout)
    session.flush()
    numbers = [number(first_number + index, prefix) for index in range(count)]
    now = utcnow()
    if numbers:
        session.execute(
            insert(CalloutRecipient),
            [
                {
                    "callout_id": callout.id,
                    "volunteer_id": None,
                    "mobile": mobile,
                    "distance_m": 100.0 + index,
                    "state": RecipientState.QUEUED,
                    "attempts": 0,
                    "ask_round": 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for index, mobile in enumerate(numbers)
            ],
        )
    session.flush()
    return QueuedCallout(callout.id, code, numbers)
