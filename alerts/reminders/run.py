"""Today's reminders of every kind, given once each; what the job and the command run.

Each reminder is given in a savepoint of the caller's transaction (its ledger row and its
messages together): one that cannot be queued is logged and left for the next run, and the
others still go. A reminder with no one to send to (no consent, no contact address) is not
recorded, so it goes when someone can be reached while it is still due. Flushes, never
commits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain

from sqlalchemy.orm import Session

from alerts.outbox.messages import queue_message
from alerts.reminders import agreements, confirmations, inspections, ledger, qualifications
from alerts.reminders.coordinators import coordinator_addresses
from alerts.reminders.items import Kind, Reminder
from alerts.reminders.wording import Wording
from beredskap.platform.errors import DomainValidationError
from beredskap.platform.settings import PlatformSettings

_logger = logging.getLogger("alerts.reminders")


@dataclass
class Tally:
    reminders: int = 0
    messages: int = 0


def due_reminders(session: Session, settings: PlatformSettings, today: date) -> Iterator[Reminder]:
    """Every reminder due today, given or not (the ledger decides)."""
    wording = Wording.of(settings.default_language)
    coordinators = coordinator_addresses(session, settings)
    return chain(
        qualifications.due(session, today, wording),
        inspections.due(session, today, wording),
        agreements.reviews(session, today, wording, coordinators),
        agreements.notices(session, today, wording, coordinators),
        confirmations.due(session, today, wording, settings.public_url),
    )


def give(session: Session, reminder: Reminder, now: datetime) -> int | None:
    """Queue the reminder's messages unless it was given before: how many were queued, or
    None (given before, no one to send to, or refused)."""
    if not reminder.messages:
        return None
    try:
        with session.begin_nested():
            ledger_id = ledger.claim(session, reminder, now)
            if ledger_id is None:
                return None
            queued = 0
            for message in reminder.messages:
                message_id = queue_message(
                    session,
                    channel=message.channel,
                    to=message.to,
                    body=message.body,
                    subject=message.subject,
                    dedupe_key=reminder.dedupe_key(message),
                )
                if message_id is not None:
                    queued += 1
            ledger.record_messages(session, ledger_id, queued)
            return queued
    except DomainValidationError as error:
        # The field and code only: the values are personal data.
        _logger.error(
            "%s reminder of %s not queued: %s %s",
            reminder.kind.value,
            reminder.subject_id,
            error.field,
            error.code,
        )
        return None


def run_reminders(
    session: Session, settings: PlatformSettings, *, today: date, now: datetime
) -> dict[Kind, Tally]:
    """Give every reminder due today that was not given before; per kind, how many."""
    tallies = {kind: Tally() for kind in Kind}
    given = ledger.given(session)
    for reminder in due_reminders(session, settings, today):
        if reminder.key in given:
            continue  # most of each day's candidates: overdue lines told on an earlier day
        queued = give(session, reminder, now)
        if queued is not None:
            tallies[reminder.kind].reminders += 1
            tallies[reminder.kind].messages += queued
    return tallies
