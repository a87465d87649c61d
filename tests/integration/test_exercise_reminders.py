"""Reminders and the scheduler's jobs, in process, on both backends: who is reminded, once
per participant, offset and channel (also when APScheduler's cron trigger fires twice on the
October night), job times across the daylight-saving changes, the alert drill's callout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.models import (
    Callout,
    CalloutRecipient,
    CalloutStatus,
    OutgoingMessage,
    RecipientState,
)
from alerts.sms_texts import EXERCISE_MARKER
from beredskap.main.settings import Settings
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.columns import NORWAY, utcnow
from beredskap.platform.jobs import JobContext
from beredskap.platform.runtime import Database
from exercises.models import (
    Exercise,
    ExerciseReminder,
    ExerciseStatus,
    ExerciseType,
    ReminderChannel,
)
from exercises.scheduling import jobs, reminders
from exercises.times import to_utc
from tests.support import scheduling as make


@pytest.fixture
def bound(session: Session) -> JobContext:
    """The jobs' context, on the test's connection (commits are savepoints, rolled back)."""
    sessions = sessionmaker(
        bind=session.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    database = Database(engine=session.get_bind().engine, sessions=sessions)  # type: ignore[union-attr]
    return JobContext(database, Settings())


def _messages(session: Session) -> list[OutgoingMessage]:
    session.expire_all()
    return list(session.scalars(select(OutgoingMessage).order_by(OutgoingMessage.id)))


def test_participants_are_invited_members_and_agreement_holders_active_only(
    session: Session,
) -> None:
    taking_part, by_agreement, outside = (make.organisation(session) for _ in range(3))
    members = make.members(session, taking_part, 2)
    holders = make.members(session, by_agreement, 1)
    others = make.members(session, outside, 2)
    members[1].active = False
    exercise = make.exercise(session)
    exercise.organisations.append(taking_part)
    exercise.agreements.append(make.agreement(session, by_agreement))
    exercise.volunteers.append(others[0])  # invited by name
    session.flush()
    found = {person.volunteer_id for person in reminders.participants(session, exercise.id)}
    assert found == {members[0].id, holders[0].id, others[0].id}


def test_reminders_go_once_per_participant_offset_and_channel(session: Session) -> None:
    group = make.organisation(session)
    with_mail, without_consent, plain = make.members(session, group, 3)
    with_mail.email = "kari@example.no"
    without_consent.sms_consent = False
    without_consent.email = "per@example.no"
    site = make.site(session, "Brannstasjonen")
    start = to_utc("starts_at", datetime(2027, 3, 2, 18, 0))
    exercise = make.exercise(session, starts_at=start, reminder_offsets_min=[1440])
    exercise.organisations.append(group)
    exercise.sites.append(site)
    session.flush()
    now = start - timedelta(days=1)

    assert reminders.queue_reminders(session, exercise.id, 1440, now=now) == 4
    assert reminders.queue_reminders(session, exercise.id, 1440, now=now) == 0  # once
    messages = _messages(session)
    channels = sorted((message.to, message.channel.value) for message in messages)
    assert channels == sorted(
        [
            (with_mail.mobile, "sms"),
            ("kari@example.no", "email"),
            ("per@example.no", "email"),  # e-mail where an address exists
            (plain.mobile, "sms"),
        ]
    )
    text = messages[0].body
    assert text == (
        "Påminnelse: øvelse Øvelse flom i Nitelva tirsdag 2. mars kl. 18.00, Brannstasjonen."
    )
    assert not text.startswith(EXERCISE_MARKER)
    email = next(message for message in messages if message.channel.value == "email")
    assert email.subject == "Påminnelse: øvelse Øvelse flom i Nitelva"
    rows = session.scalars(select(ExerciseReminder)).all()
    assert len(rows) == 4
    assert all(row.message_id is not None for row in rows)
    assert {row.channel for row in rows} == {ReminderChannel.SMS, ReminderChannel.EMAIL}


def test_a_reminder_after_the_start_is_skipped(session: Session) -> None:
    group = make.organisation(session)
    make.members(session, group, 1)
    exercise = make.exercise(session, starts_at=utcnow() - timedelta(minutes=1))
    exercise.organisations.append(group)
    session.flush()
    assert reminders.queue_reminders(session, exercise.id, 60, now=utcnow()) == 0
    assert _messages(session) == []


def test_cron_fires_twice_on_the_october_night_and_the_reminder_still_goes_once(
    session: Session, bound: JobContext
) -> None:
    """APScheduler's cron trigger at 02:30 Europe/Oslo fires at 02:30 summer time and again
    at 02:30 winter time on 2027-10-31; the reminder job run at both queues one each."""
    trigger = CronTrigger(hour=2, minute=30, timezone=NORWAY)
    after = datetime(2027, 10, 30, 12, 0, tzinfo=NORWAY)
    first = trigger.get_next_fire_time(None, after)
    second = trigger.get_next_fire_time(first, first)
    assert first is not None and second is not None
    assert first.astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert second.astimezone(UTC) == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)

    group = make.organisation(session)
    people = make.members(session, group, 3)
    exercise = make.exercise(
        session, starts_at=utcnow() + timedelta(days=1), reminder_offsets_min=[1440]
    )
    exercise.organisations.append(group)
    session.flush()
    for _fire_time in (first, second):
        jobs.send_reminders(bound, exercise.id, 1440)
    assert sorted(message.to for message in _messages(session)) == sorted(
        person.mobile for person in people
    )


@pytest.mark.parametrize(
    ("oslo_start", "utc_start", "utc_reminder"),
    [
        # The spring night: 03:30 summer time is 01:30 UTC; an hour earlier is 01:30 winter
        # time (00:30 UTC), across the jump.
        (datetime(2027, 3, 28, 3, 30), datetime(2027, 3, 28, 1, 30), datetime(2027, 3, 28, 0, 30)),
        # The autumn night: 02:30 happens twice; the first (summer time) is taken.
        (
            datetime(2027, 10, 31, 2, 30),
            datetime(2027, 10, 31, 0, 30),
            datetime(2027, 10, 30, 23, 30),
        ),
        # Just after: 03:30 winter time; an hour before is the second 02:30.
        (
            datetime(2027, 10, 31, 3, 30),
            datetime(2027, 10, 31, 2, 30),
            datetime(2027, 10, 31, 1, 30),
        ),
    ],
)
def test_job_times_are_the_right_utc_instants_across_daylight_saving(
    session: Session, oslo_start: datetime, utc_start: datetime, utc_reminder: datetime
) -> None:
    exercise = make.exercise(
        session, starts_at=to_utc("starts_at", oslo_start), reminder_offsets_min=[60]
    )
    planned = {
        job.id: job
        for job in jobs.planned_jobs(session, now=datetime(2027, 1, 1, tzinfo=UTC))
        if job.args[0] == exercise.id
    }
    key = f"exercise:{exercise.id}"
    assert planned[f"{key}:start"].run_at == utc_start.replace(tzinfo=UTC)
    assert planned[f"{key}:reminder:60"].run_at == utc_reminder.replace(tzinfo=UTC)
    assert planned[f"{key}:end"].run_at == (utc_start + timedelta(hours=1)).replace(tzinfo=UTC)
    # Misfire grace: a start until the end, a reminder until the start, an end without limit.
    assert planned[f"{key}:start"].grace_s == 3600
    assert planned[f"{key}:reminder:60"].grace_s == 3600
    assert planned[f"{key}:end"].grace_s is None


def test_sync_plans_nothing_for_cancelled_or_finished_exercises(session: Session) -> None:
    now = utcnow()
    cancelled = make.exercise(session, status=ExerciseStatus.CANCELLED)
    done = make.exercise(session, status=ExerciseStatus.COMPLETED)
    running = make.exercise(
        session, starts_at=now - timedelta(minutes=5), status=ExerciseStatus.RUNNING
    )
    ids = {job.id for job in jobs.planned_jobs(session, now=now)}
    assert not any(f":{cancelled.id}:" in job or f":{done.id}:" in job for job in ids)
    assert f"exercise:{running.id}:end" in ids
    assert f"exercise:{running.id}:start" not in ids


def test_start_and_end_happen_once_and_are_audited(session: Session, bound: JobContext) -> None:
    exercise = make.exercise(session, starts_at=utcnow() - timedelta(seconds=1))
    jobs.start_exercise(bound, exercise.id)
    jobs.start_exercise(bound, exercise.id)  # fired twice: nothing more happens
    session.expire_all()
    assert session.get(Exercise, exercise.id).status is ExerciseStatus.RUNNING  # type: ignore[union-attr]
    jobs.end_exercise(bound, exercise.id)
    jobs.end_exercise(bound, exercise.id)
    session.expire_all()
    assert session.get(Exercise, exercise.id).status is ExerciseStatus.COMPLETED  # type: ignore[union-attr]
    changes = session.scalars(
        select(AuditEntry.after)
        .where(
            AuditEntry.entity == "exercises",
            AuditEntry.entity_id == str(exercise.id),
            AuditEntry.actor == "scheduler",
        )
        .order_by(AuditEntry.id)  # in the order written; PostgreSQL returns any order else
    ).all()
    assert [change["status"] for change in changes] == ["running", "completed"]


def test_an_alert_drill_sends_its_exercise_callout_and_stops_it_at_the_end(
    session: Session, bound: JobContext
) -> None:
    group = make.organisation(session)
    people = make.members(session, group, 3)
    make.members(session, make.organisation(session), 2)  # not taking part
    drill = make.exercise(
        session, type=ExerciseType.ALERT_DRILL, starts_at=utcnow() - timedelta(seconds=1)
    )
    drill.organisations.append(group)
    session.flush()
    jobs.start_exercise(bound, drill.id)
    session.expire_all()
    started = session.get(Exercise, drill.id)
    assert started is not None and started.status is ExerciseStatus.RUNNING
    callout = session.get(Callout, started.callout_id)
    assert callout is not None
    assert callout.exercise is True
    assert callout.status is CalloutStatus.ACTIVE
    asked = session.scalars(
        select(CalloutRecipient).where(CalloutRecipient.callout_id == callout.id)
    ).all()
    assert sorted(row.volunteer_id for row in asked) == sorted(person.id for person in people)
    assert {row.state for row in asked} == {RecipientState.QUEUED}

    jobs.end_exercise(bound, drill.id)
    session.expire_all()
    assert session.get(Exercise, drill.id).status is ExerciseStatus.COMPLETED  # type: ignore[union-attr]
    assert session.get(Callout, callout.id).status is CalloutStatus.STOPPED  # type: ignore[union-attr]


def test_a_drill_never_started_is_cancelled_as_missed_at_its_end(
    session: Session, bound: JobContext
) -> None:
    drill = make.exercise(
        session,
        type=ExerciseType.ALERT_DRILL,
        starts_at=utcnow() - timedelta(hours=2),
        minutes=60,
    )
    meeting = make.exercise(session, starts_at=utcnow() - timedelta(hours=2), minutes=60)
    jobs.start_exercise(bound, drill.id)  # too late: after its end
    jobs.end_exercise(bound, drill.id)
    jobs.end_exercise(bound, meeting.id)
    session.expire_all()
    missed = session.get(Exercise, drill.id)
    assert missed is not None and missed.status is ExerciseStatus.CANCELLED
    assert missed.callout_id is None
    assert "missed" in (missed.cancel_reason or "")
    assert session.get(Exercise, meeting.id).status is ExerciseStatus.COMPLETED  # type: ignore[union-attr]


def test_a_drill_whose_callout_cannot_start_runs_and_says_why_on_its_report(
    session: Session, bound: JobContext
) -> None:
    drill = make.exercise(
        session, type=ExerciseType.ALERT_DRILL, starts_at=utcnow() - timedelta(seconds=1)
    )
    drill.drill_needs = [{"qualification": "no_such_course", "count": 2}]
    session.flush()
    jobs.start_exercise(bound, drill.id)
    session.expire_all()
    started = session.get(Exercise, drill.id)
    assert started is not None and started.status is ExerciseStatus.RUNNING
    assert started.callout_id is None
    [observation] = started.observations
    assert observation.text.startswith("Øvelsesutkallingen kunne ikke startes automatisk")
    assert "no_such_course" in observation.text
    assert observation.created_by == "scheduler"
