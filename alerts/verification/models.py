"""ContactCheck: one "does this number still reach you?" SMS to a volunteer, and its answer."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from beredskap.platform.columns import UtcDateTime
from beredskap.platform.db import Base
from beredskap.platform.privacy.declaration import (
    MOBILE,
    SUBJECT_ID,
    DataClass,
    identifies,
    personal,
)
from beredskap.platform.privacy.retention import Action, Period, retains

MAX_CODE_CHARS = 8


class ContactCheck(Base):
    """A contact check asked of a volunteer: the number and code it was sent with, when, and
    whether (and how) it was answered.

    Not audited row by row (a check of the whole register is thousands of rows): the row and
    its outgoing message are the record; the volunteer's `contact_verified_on`, set from the
    answer, is audited. One check per volunteer and day (the unique key), so asking twice the
    same day asks once. The number is kept as it was asked, so a reply is matched to the
    number that got the code.
    """

    __tablename__ = "contact_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("volunteers.id", ondelete="SET NULL"), info=identifies(SUBJECT_ID)
    )
    mobile: Mapped[str] = mapped_column(String(20), info=personal(DataClass.CONTACT, MOBILE))
    code: Mapped[str] = mapped_column(String(MAX_CODE_CHARS))
    asked_on: Mapped[date] = mapped_column(Date)  # the day in Norway
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # True: a yes (the number reaches them); False: a no; None: not answered.
    confirmed: Mapped[bool | None] = mapped_column(Boolean)
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outgoing_messages.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (
        UniqueConstraint("volunteer_id", "asked_on"),
        # A reply is matched by its number, newest check first.
        Index("ix_contact_checks_mobile_asked_at", "mobile", "asked_at"),
        # The answer is on the volunteer; the check goes with the message log.
        {"info": retains(Period.MESSAGE_LOG, "asked_at", Action.DELETE)},
    )
