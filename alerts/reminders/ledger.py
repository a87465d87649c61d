"""The ledger `reminders_sent`: a reminder is given by the caller that inserts its row.

Its row and its messages are written in one transaction, so a run killed half-way leaves
neither (the next run gives it) and two runs at once give it once: INSERT ... ON CONFLICT DO
NOTHING on the unique key (kind, subject, threshold, due day), and on PostgreSQL the second
inserter waits on the unique index until the first commits, then inserts nothing.

The daily job marks its day with a row of its own kind (`DAILY_RUN`, subject 0), in the same
transaction as that day's reminders, so it runs once a day whichever worker leads.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alerts.reminders.items import Reminder
from alerts.reminders.models import ReminderSent
from beredskap.platform.db import insert_unless_present

KEY = ["kind", "subject_id", "threshold", "due_on"]
DAILY_RUN = "daily-run"


def _insert(
    session: Session, kind: str, subject_id: int, threshold: str, due_on: date, now: datetime
) -> int | None:
    values = {
        "kind": kind,
        "subject_id": subject_id,
        "threshold": threshold,
        "due_on": due_on,
        "sent_at": now,
        "messages": 0,
    }
    return insert_unless_present(session, ReminderSent, values, unique=KEY)


def given(session: Session) -> set[tuple[str, int, str, date]]:
    """The keys of every reminder given before: what a run need not try again (the ledger
    holds a few small rows a reminder; the unique key still decides)."""
    rows = session.execute(
        select(
            ReminderSent.kind, ReminderSent.subject_id, ReminderSent.threshold, ReminderSent.due_on
        )
    )
    return {(kind, subject_id, threshold, due_on) for kind, subject_id, threshold, due_on in rows}


def claim(session: Session, reminder: Reminder, now: datetime) -> int | None:
    """The new ledger row's id, or None when this reminder was given before."""
    return _insert(
        session, reminder.kind.value, reminder.subject_id, reminder.threshold, reminder.due_on, now
    )


def record_messages(session: Session, ledger_id: int, messages: int) -> None:
    session.execute(
        update(ReminderSent).where(ReminderSent.id == ledger_id).values(messages=messages)
    )


def claim_day(session: Session, day: date, now: datetime) -> bool:
    """Whether this caller is the first to run the daily reminders of `day`."""
    return _insert(session, DAILY_RUN, 0, "run", day, now) is not None
