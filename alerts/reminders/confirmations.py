"""An active organisation whose record was not confirmed for 12 months (never, or last more
than 365 days ago): an e-mail to its contact with a link to its confirmation page.

The due day is a year after the last confirmation; for one never confirmed, the day it was
registered, so it is reminded once, and again a year after each confirmation.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from alerts.models import MessageChannel
from alerts.reminders.items import Kind, Message, Reminder
from alerts.reminders.wording import Wording, subject_line
from beredskap.platform.columns import NORWAY
from beredskap.register.organisations.models import Organisation

CONFIRM_EVERY = timedelta(days=365)
THRESHOLD = "12-months"


def confirm_link(public_url: str | None, organisation_id: int) -> str | None:
    """The organisation's confirmation page under `BEREDSKAP_PUBLIC_URL`; None without it."""
    return (
        f"{public_url.rstrip('/')}/organisations/{organisation_id}/confirm" if public_url else None
    )


def due(
    session: Session, today: date, wording: Wording, public_url: str | None
) -> Iterator[Reminder]:
    """The confirmation reminders due today, in the organisations' id order."""
    rows = session.execute(
        select(
            Organisation.id,
            Organisation.name,
            Organisation.contact_24_7_email,
            Organisation.confirmed_on,
            Organisation.created_at,
        )
        .where(
            Organisation.active.is_(True),
            Organisation.contact_24_7_email.is_not(None),
            or_(
                Organisation.confirmed_on.is_(None),
                Organisation.confirmed_on < today - CONFIRM_EVERY,
            ),
        )
        .order_by(Organisation.id)
    ).all()
    for organisation_id, name, email, confirmed_on, created_at in rows:
        due_on = (
            confirmed_on + CONFIRM_EVERY
            if confirmed_on is not None
            else created_at.astimezone(NORWAY).date()
        )
        subject, body = _email(
            wording, name, confirmed_on, confirm_link(public_url, organisation_id)
        )
        message = Message(MessageChannel.EMAIL, email, body, subject, "organisation")
        yield Reminder(Kind.CONFIRMATION, organisation_id, THRESHOLD, due_on, (message,))


def _email(
    wording: Wording, name: str, confirmed_on: date | None, link: str | None
) -> tuple[str, str]:
    t = wording.t
    values = {"organisation": name, "link": link or ""}
    subject = t.gettext("Please confirm what the preparedness register holds for %(organisation)s")
    if confirmed_on is None:
        first = t.gettext(
            "What the municipality's preparedness register holds for %(organisation)s has "
            "never been confirmed by the organisation."
        )
    else:
        values["date"] = wording.day(confirmed_on)
        first = t.gettext(
            "What the municipality's preparedness register holds for %(organisation)s was "
            "last confirmed on %(date)s, more than a year ago."
        )
    if link:
        ask = t.gettext(
            "Please check the contacts, sites, equipment, members and agreements registered, "
            "correct what is wrong, and confirm the record here: %(link)s"
        )
    else:
        ask = t.gettext(
            "Please log in to the preparedness register, check the contacts, sites, "
            "equipment, members and agreements registered, correct what is wrong, and "
            "confirm the record on the organisation's page."
        )
    body = wording.email_body(first % values, ask % values)
    return subject_line(subject % values), body
