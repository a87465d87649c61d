"""Reminders before an exercise: by SMS to participants who consented, by e-mail where an
address exists, each exactly once per (exercise, volunteer, offset, channel).

Participants are the invited volunteers plus the members of the participating organisations
and of the organisations holding the participating agreements; active volunteers only.

Exactly once, however often the job fires (APScheduler's cron trigger fires a 02:30 Oslo job
twice on the last Sunday of October; a job re-added by the sync after downtime; two
schedulers overlapping in a failover): the `ExerciseReminder` row is inserted with
ON CONFLICT DO NOTHING on its unique key, and only the caller that inserted it queues the
outbox message (itself deduplicated on `dedupe_key`). Flushes, never commits.

The text is bokmål by default through the interface's catalogs (context "sms"): "Påminnelse:
øvelse <title> tirsdag 2. mars kl. 18.00, <place>". It is not prefixed ØVELSE ØVELSE ØVELSE:
that marks the messages of an exercise callout, which this is not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_datetime
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from alerts.gateway.port import E164
from alerts.models import MessageChannel
from alerts.outbox.messages import queue_message
from beredskap.platform.columns import NORWAY
from beredskap.platform.db import insert_unless_present
from beredskap.platform.web.i18n import translations
from beredskap.register.agreements.models import Agreement
from beredskap.register.volunteers.models import Membership, Volunteer
from exercises.models import (
    Exercise,
    ExerciseReminder,
    ExerciseStatus,
    ReminderChannel,
    exercise_agreements,
    exercise_organisations,
    exercise_volunteers,
)

_logger = logging.getLogger("exercises.reminders")
LANGUAGE = "nb"  # volunteers have no language setting; bokmål is the municipality's language
MAX_TITLE_CHARS = 60  # keeps the SMS within two segments with a long place name
MAX_PLACE_CHARS = 60
WHEN_PATTERN = "EEEE d. MMMM 'kl.' HH.mm"  # "tirsdag 2. mars kl. 18.00"


@dataclass(frozen=True)
class Participant:
    volunteer_id: int
    mobile: str
    email: str | None
    sms_consent: bool


def participants(session: Session, exercise_id: int) -> list[Participant]:
    """Active volunteers invited, or members of a participating organisation (directly or
    through an agreement it holds), in id order."""
    organisations = select(exercise_organisations.c.organisation_id).where(
        exercise_organisations.c.exercise_id == exercise_id
    )
    by_agreement = (
        select(Agreement.organisation_id)
        .join(exercise_agreements, exercise_agreements.c.agreement_id == Agreement.id)
        .where(exercise_agreements.c.exercise_id == exercise_id)
    )
    members = select(Membership.volunteer_id).where(
        or_(
            Membership.organisation_id.in_(organisations),
            Membership.organisation_id.in_(by_agreement),
        )
    )
    invited = select(exercise_volunteers.c.volunteer_id).where(
        exercise_volunteers.c.exercise_id == exercise_id
    )
    rows = session.execute(
        select(Volunteer.id, Volunteer.mobile, Volunteer.email, Volunteer.sms_consent)
        .where(
            Volunteer.active.is_(True), or_(Volunteer.id.in_(invited), Volunteer.id.in_(members))
        )
        .order_by(Volunteer.id)
    ).all()
    return [Participant(row[0], row[1], row[2], bool(row[3])) for row in rows]


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def reminder_text(exercise: Exercise) -> tuple[str, str]:
    """(subject, text) of the reminder, in bokmål."""
    t = translations(LANGUAGE)
    title = _shorten(exercise.title, MAX_TITLE_CHARS)
    when = format_datetime(exercise.starts_at, WHEN_PATTERN, tzinfo=NORWAY, locale=LANGUAGE)
    place = ", ".join(site.name for site in exercise.sites)
    if place:
        text = t.pgettext("sms", "Reminder: exercise %(title)s %(when)s, %(place)s.") % {
            "title": title,
            "when": when,
            "place": _shorten(place, MAX_PLACE_CHARS),
        }
    else:
        text = t.pgettext("sms", "Reminder: exercise %(title)s %(when)s.") % {
            "title": title,
            "when": when,
        }
    subject = t.pgettext("sms", "Reminder: exercise %(title)s") % {"title": title}
    return subject, text


def _claim_reminder(
    session: Session,
    exercise_id: int,
    volunteer_id: int,
    offset_min: int,
    channel: ReminderChannel,
    now: datetime,
) -> int | None:
    """The new ExerciseReminder's id, or None when this reminder was queued before."""
    return insert_unless_present(
        session,
        ExerciseReminder,
        {
            "exercise_id": exercise_id,
            "volunteer_id": volunteer_id,
            "offset_min": offset_min,
            "channel": channel,
            "queued_at": now,
        },
        unique=["exercise_id", "volunteer_id", "offset_min", "channel"],
    )


def queue_reminders(session: Session, exercise_id: int, offset_min: int, *, now: datetime) -> int:
    """Queue the reminders of one offset for a planned exercise; how many were queued now.

    Nothing after the exercise has started (a reminder then is useless): logged, skipped.
    """
    exercise = session.get(Exercise, exercise_id)
    if exercise is None or exercise.status is not ExerciseStatus.PLANNED:
        _logger.info("exercise %s: not planned (any more); no reminder", exercise_id)
        return 0
    if now >= exercise.starts_at:
        _logger.warning(
            "exercise %s: the %d min reminder came after the start; skipped",
            exercise_id,
            offset_min,
        )
        return 0
    subject, text = reminder_text(exercise)
    queued = 0
    for person in participants(session, exercise_id):
        channels: list[tuple[ReminderChannel, str]] = []
        if person.sms_consent and E164.fullmatch(person.mobile or ""):
            channels.append((ReminderChannel.SMS, person.mobile))
        if person.email:
            channels.append((ReminderChannel.EMAIL, person.email))
        for channel, to in channels:
            reminder_id = _claim_reminder(
                session, exercise_id, person.volunteer_id, offset_min, channel, now
            )
            if reminder_id is None:
                continue  # queued by an earlier run of this job
            message_id = queue_message(
                session,
                channel=MessageChannel(channel.value),
                to=to,
                subject=subject if channel is ReminderChannel.EMAIL else None,
                body=text,
                dedupe_key=(
                    f"exercise:{exercise_id}:reminder:{offset_min}"
                    f":volunteer:{person.volunteer_id}:{channel.value}"
                ),
            )
            session.execute(
                update(ExerciseReminder)
                .where(ExerciseReminder.id == reminder_id)
                .values(message_id=message_id)
            )
            queued += 1
    _logger.info(
        "exercise %s: %d reminder(s) queued, %d min before the start",
        exercise_id,
        queued,
        offset_min,
    )
    return queued
