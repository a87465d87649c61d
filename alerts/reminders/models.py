"""ReminderSent: the ledger that makes each reminder exactly once."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from beredskap.platform.columns import UtcDateTime
from beredskap.platform.db import Base


class ReminderSent(Base):
    """One reminder given: of what kind, about which thing (a qualification held, an
    equipment line, an agreement, an organisation), at which threshold ("60", "14", "due",
    "overdue"), for which due day. The unique key is the promise: the same thing at the
    same threshold for the same day is reminded once, however often the job runs; a renewed
    qualification or a moved inspection date is a new due day and reminded again.

    Outlives the outbox rows (deleted after the message-log period), and holds ids only.
    The daily job also marks each day it ran as kind "daily-run", subject 0 (`ledger.py`).
    """

    __tablename__ = "reminders_sent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(Integer)
    threshold: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())
    messages: Mapped[int] = mapped_column(Integer, default=0)  # how many were queued

    __table_args__ = (
        UniqueConstraint("kind", "subject_id", "threshold", "due_on", name="uq_reminders_sent_key"),
    )
