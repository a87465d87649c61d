"""Readiness reminders on both backends: who gets what for expiring qualifications, inspections
due and overdue, agreements to review or ending, organisations not confirmed; each reminder
exactly once per thing, threshold and due day (the same day twice, two runs at once, a run
that fails half-way and is run again); the daily job at its hour; the command."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from shapely.geometry import Point
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from alerts.capability import ALERTS
from alerts.models import MessageChannel, OutgoingMessage
from alerts.reminders import jobs, run
from alerts.reminders.items import Kind
from alerts.reminders.models import ReminderSent
from alerts.reminders.wording import Wording
from alerts.sms_texts import EXERCISE_MARKER
from beredskap.main import reminders_cli
from beredskap.main.cli import app as cli
from beredskap.main.settings import Settings
from beredskap.platform.auth.models import Role, User
from beredskap.platform.columns import NORWAY, today_in_norway, utcnow
from beredskap.platform.jobs import JobContext
from beredskap.platform.runtime import Database
from beredskap.register.agreements.models import Agreement, AgreementStatus
from beredskap.register.inventory.models import Equipment, EquipmentStatus, ResourceType
from beredskap.register.organisations.models import Organisation, Site, SiteKind
from beredskap.register.volunteers.models import (
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)

TODAY = today_in_norway()
NOW = utcnow()
LILLESTROM = Point(11.0494, 59.9560)
DAY = Wording("nb").day
_numbers = iter(range(1, 100_000))


# -- the register ------------------------------------------------------------------------------


def organisation(
    session: Session, email: str | None = "beredskap@laget.example", **fields: Any
) -> Organisation:
    number = next(_numbers)
    values: dict[str, Any] = {
        "name": f"Lillestrøm Røde Kors {number}",
        "category": "other",
        "contact_24_7_email": email,
        "confirmed_on": TODAY,
    } | fields
    found = Organisation(**values)
    session.add(found)
    session.flush()
    return found


def volunteer(
    session: Session,
    expires_on: date | None,
    *members_of: Organisation,
    consent: bool = True,
    active: bool = True,
) -> tuple[Volunteer, VolunteerQualification]:
    number = next(_numbers)
    person = Volunteer(
        full_name=f"Kari Nordmann {number}",
        mobile=f"+4790{number:06d}",
        sms_consent=consent,
        active=active,
    )
    for holder in members_of:
        person.memberships.append(Membership(organisation=holder))
    first_aid = session.scalars(
        select(QualificationType).where(QualificationType.code == "first_aid")
    ).one()
    held = VolunteerQualification(
        qualification_type=first_aid,
        obtained_on=TODAY - timedelta(days=1000),
        expires_on=expires_on,
    )
    person.qualifications.append(held)
    session.add(person)
    session.flush()
    return person, held


def equipment(session: Session, holder: Organisation, due: date | None, **fields: Any) -> Equipment:
    site = Site(
        organisation=holder, name="Brannstasjonen", kind=SiteKind.STORAGE, location=LILLESTROM
    )
    session.add(site)
    atv = session.scalars(select(ResourceType).where(ResourceType.code == "atv")).one()
    values: dict[str, Any] = {
        "organisation": holder,
        "site": site,
        "resource_type": atv,
        "quantity": 1,
        "identifier": f"ATV-{next(_numbers)}",
        "status": EquipmentStatus.READY,
        "next_inspection_due": due,
    } | fields
    line = Equipment(**values)
    session.add(line)
    session.flush()
    return line


def agreement(session: Session, holder: Organisation, **fields: Any) -> Agreement:
    values: dict[str, Any] = {
        "organisation_id": holder.id,
        "reference": f"BER-2026-{next(_numbers)}",
        "title": "Søk og redning",
        "status": AgreementStatus.ACTIVE,
        "valid_from": TODAY - timedelta(days=300),
    } | fields
    found = Agreement(**values)
    session.add(found)
    session.flush()
    return found


def admin(session: Session, *, role: Role = Role.ADMIN, active: bool = True) -> User:
    user = User(email=f"bruker{next(_numbers)}@kommune.example", role=role, active=active)
    if not active:
        user.disabled_at = NOW
    session.add(user)
    session.flush()
    return user


# -- running them ------------------------------------------------------------------------------


def give(
    session: Session, today: date = TODAY, settings: Settings | None = None
) -> dict[Kind, tuple[int, int]]:
    tallies = run.run_reminders(session, settings or Settings(), today=today, now=NOW)
    return {
        kind: (tally.reminders, tally.messages)
        for kind, tally in tallies.items()
        if tally.reminders
    }


def messages(session: Session) -> list[OutgoingMessage]:
    session.expire_all()
    return list(session.scalars(select(OutgoingMessage).order_by(OutgoingMessage.id)))


def ledger(session: Session, kind: Kind) -> list[tuple[int, str, date, int]]:
    rows = session.execute(
        select(
            ReminderSent.subject_id,
            ReminderSent.threshold,
            ReminderSent.due_on,
            ReminderSent.messages,
        )
        .where(ReminderSent.kind == kind.value)
        .order_by(ReminderSent.id)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


@pytest.fixture
def bound(session: Session) -> JobContext:
    """The job's context on the test's connection (its commits are savepoints)."""
    sessions = sessionmaker(
        bind=session.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    database = Database(engine=session.get_bind().engine, sessions=sessions)  # type: ignore[union-attr]
    return JobContext(database, Settings())


# -- qualifications ----------------------------------------------------------------------------


def test_a_qualification_is_reminded_at_60_then_14_days_by_sms_and_to_each_organisation(
    session: Session,
) -> None:
    first, second = organisation(session), organisation(session, email="vakt@andre.example")
    without_email = organisation(session, email=None)
    inactive = organisation(session, email="gammel@lag.example", active=False)
    same_contact = organisation(session, email=first.contact_24_7_email)  # told once
    person, held = volunteer(
        session, TODAY + timedelta(days=50), first, second, without_email, inactive, same_contact
    )

    assert give(session) == {Kind.QUALIFICATION: (1, 3)}
    sent = messages(session)
    assert sorted((m.channel.value, m.to) for m in sent) == sorted(
        [
            ("sms", person.mobile),
            ("email", first.contact_24_7_email),
            ("email", "vakt@andre.example"),
        ]
    )
    sms = next(m for m in sent if m.channel is MessageChannel.SMS)
    assert "Førstehjelp" in sms.body and DAY(held.expires_on) in sms.body
    assert not sms.body.startswith("ØVELSE") and not sms.body.startswith(EXERCISE_MARKER)
    assert sms.subject is None
    mail = next(m for m in sent if m.to == first.contact_24_7_email)
    for part in (person.full_name, "Førstehjelp", DAY(held.expires_on), first.name):
        assert part in mail.body
    assert person.full_name in mail.subject and DAY(held.expires_on) in mail.subject
    assert ledger(session, Kind.QUALIFICATION) == [(held.id, "60", held.expires_on, 3)]

    assert give(session) == {}  # the same day again
    assert give(session, TODAY + timedelta(days=20)) == {}  # 30 days left: still the 60 one
    assert give(session, TODAY + timedelta(days=40)) == {Kind.QUALIFICATION: (1, 3)}  # 10 left
    assert give(session, TODAY + timedelta(days=45)) == {}
    assert [row[1] for row in ledger(session, Kind.QUALIFICATION)] == ["60", "14"]
    assert len(messages(session)) == 6


def test_a_qualification_first_seen_inside_14_days_gets_only_that_reminder(
    session: Session,
) -> None:
    _, held = volunteer(session, TODAY + timedelta(days=10), organisation(session))
    assert give(session) == {Kind.QUALIFICATION: (1, 2)}
    assert ledger(session, Kind.QUALIFICATION) == [(held.id, "14", held.expires_on, 2)]
    # The day itself still counts (valid through its expiry day); after it, nothing.
    _, today = volunteer(session, TODAY, organisation(session))
    _, expired = volunteer(session, TODAY - timedelta(days=1), organisation(session))
    _, far = volunteer(session, TODAY + timedelta(days=61), organisation(session))
    _, never = volunteer(session, None, organisation(session))
    assert give(session) == {Kind.QUALIFICATION: (1, 2)}
    reminded = {row[0] for row in ledger(session, Kind.QUALIFICATION)}
    assert today.id in reminded and not reminded & {expired.id, far.id, never.id}


def test_a_renewed_qualification_is_reminded_again(session: Session) -> None:
    _, held = volunteer(session, TODAY + timedelta(days=12), organisation(session))
    assert give(session) == {Kind.QUALIFICATION: (1, 2)}
    held.expires_on = TODAY + timedelta(days=55)  # renewed, but only for a while
    session.flush()
    assert give(session) == {Kind.QUALIFICATION: (1, 2)}
    assert [row[1:3] for row in ledger(session, Kind.QUALIFICATION)] == [
        ("14", TODAY + timedelta(days=12)),
        ("60", TODAY + timedelta(days=55)),
    ]


def test_no_sms_without_consent_and_nothing_for_inactive_volunteers(session: Session) -> None:
    holder = organisation(session)
    refusing, _ = volunteer(session, TODAY + timedelta(days=5), holder, consent=False)
    volunteer(session, TODAY + timedelta(days=5), holder, active=False)
    alone, unreachable = volunteer(session, TODAY + timedelta(days=5), consent=False)  # no org
    assert give(session) == {Kind.QUALIFICATION: (1, 1)}
    assert [(m.channel.value, m.to) for m in messages(session)] == [
        ("email", holder.contact_24_7_email)
    ]
    assert refusing.full_name in messages(session)[0].body
    # No one to tell is no reminder: it goes once someone can be reached while still due.
    assert unreachable.id not in {row[0] for row in ledger(session, Kind.QUALIFICATION)}
    alone.memberships.append(Membership(organisation=holder))
    session.flush()
    assert give(session) == {Kind.QUALIFICATION: (1, 1)}


# -- inspections -------------------------------------------------------------------------------


def test_inspections_due_within_30_days_and_overdue_are_reminded_to_the_owner(
    session: Session,
) -> None:
    holder = organisation(session)
    soon = equipment(session, holder, TODAY + timedelta(days=30))
    overdue = equipment(session, holder, TODAY - timedelta(days=3))
    equipment(session, holder, TODAY + timedelta(days=31))
    equipment(session, holder, None)
    equipment(session, holder, TODAY - timedelta(days=3), status=EquipmentStatus.OUT_OF_SERVICE)
    equipment(session, organisation(session, email=None), TODAY)
    equipment(session, organisation(session, active=False), TODAY)

    assert give(session) == {Kind.INSPECTION: (2, 2)}
    assert ledger(session, Kind.INSPECTION) == [
        (soon.id, "30", soon.next_inspection_due, 1),
        (overdue.id, "overdue", overdue.next_inspection_due, 1),
    ]
    first, second = messages(session)
    assert first.to == second.to == holder.contact_24_7_email
    for line, mail in ((soon, first), (overdue, second)):
        for part in ("ATV", line.identifier, "Brannstasjonen", DAY(line.next_inspection_due)):
            assert part in mail.subject and part in mail.body  # type: ignore[operator]
        assert holder.name in mail.body
    assert first.subject != second.subject  # due soon / overdue

    assert give(session) == {}
    # Ten days on: the line due in 31 days comes inside the window; the others were told.
    assert give(session, TODAY + timedelta(days=10)) == {Kind.INSPECTION: (1, 1)}
    # Once past its day the line due soon is overdue: reminded once more.
    assert give(session, TODAY + timedelta(days=31)) == {Kind.INSPECTION: (1, 1)}
    assert [row[:2] for row in ledger(session, Kind.INSPECTION)][-1] == (soon.id, "overdue")
    # Inspected: a new due day, reminded again when it comes close.
    overdue.next_inspection_due = TODAY + timedelta(days=20)
    session.flush()
    assert give(session) == {Kind.INSPECTION: (1, 1)}


# -- agreements --------------------------------------------------------------------------------


def test_agreement_reviews_and_notice_periods_go_to_the_active_admins(session: Session) -> None:
    coordinator = admin(session)
    admin(session, active=False)  # a leaver
    admin(session, role=Role.DUTY_OFFICER)
    holder = organisation(session)
    review = agreement(session, holder, annual_review_on=TODAY + timedelta(days=30))
    passed = agreement(session, holder, annual_review_on=TODAY - timedelta(days=1))
    agreement(session, holder, annual_review_on=TODAY + timedelta(days=31))
    agreement(session, holder, annual_review_on=TODAY, status=AgreementStatus.DRAFT)
    ending = agreement(
        session, holder, valid_until=TODAY + timedelta(days=90), notice_period_days=90
    )
    agreement(session, holder, valid_until=TODAY + timedelta(days=91), notice_period_days=90)
    agreement(session, holder, valid_until=TODAY, notice_period_days=90)  # ended today
    agreement(session, holder, valid_until=TODAY + timedelta(days=5))  # no notice period
    agreement(
        session,
        holder,
        valid_until=TODAY + timedelta(days=5),
        notice_period_days=30,
        status=AgreementStatus.TERMINATED,
    )

    assert give(session) == {Kind.AGREEMENT_REVIEW: (2, 2), Kind.AGREEMENT_NOTICE: (1, 1)}
    sent = messages(session)
    assert {m.to for m in sent} == {coordinator.email}
    assert [row[:3] for row in ledger(session, Kind.AGREEMENT_REVIEW)] == [
        (review.id, "30", review.annual_review_on),
        (passed.id, "passed", passed.annual_review_on),
    ]
    assert ledger(session, Kind.AGREEMENT_NOTICE) == [(ending.id, "notice", ending.valid_until, 1)]
    for found, day in (
        (review, review.annual_review_on),
        (passed, passed.annual_review_on),
        (ending, ending.valid_until),
    ):
        # The subject quotes the title as its language does ("…" in English, «…» in bokmål).
        mail = next(
            m
            for m in sent
            if found.reference in (m.subject or "") and found.title in (m.subject or "")
        )
        for part in (found.reference, found.title, holder.name, DAY(day)):  # type: ignore[arg-type]
            assert part in mail.body
    notice = next(m for m in sent if f"{ending.reference} " in (m.subject or ""))
    assert "90" in notice.body
    assert give(session) == {}
    # A day on: the next notice period begins, the next review comes within 30 days.
    assert give(session, TODAY + timedelta(days=1)) == {
        Kind.AGREEMENT_REVIEW: (1, 1),
        Kind.AGREEMENT_NOTICE: (1, 1),
    }
    # A month on: the first review date has passed.
    assert give(session, TODAY + timedelta(days=31)) == {Kind.AGREEMENT_REVIEW: (1, 1)}
    assert ledger(session, Kind.AGREEMENT_REVIEW)[-1][:2] == (review.id, "passed")


def test_a_configured_coordinator_address_replaces_the_admins(session: Session) -> None:
    admin(session)
    agreement(session, organisation(session), annual_review_on=TODAY + timedelta(days=3))
    settings = Settings(coordinator_email="beredskap@kommune.example")
    assert give(session, settings=settings) == {Kind.AGREEMENT_REVIEW: (1, 1)}
    assert [m.to for m in messages(session)] == ["beredskap@kommune.example"]


# -- organisations not confirmed ---------------------------------------------------------------


def test_organisations_not_confirmed_for_a_year_are_asked_with_a_link(session: Session) -> None:
    stale = organisation(session, confirmed_on=TODAY - timedelta(days=366))
    never = organisation(session, confirmed_on=None)
    organisation(session, confirmed_on=TODAY - timedelta(days=365))
    organisation(session, confirmed_on=None, active=False)
    organisation(session, email=None, confirmed_on=None)
    settings = Settings(public_url="https://beredskap.kommune.example")

    assert give(session, settings=settings) == {Kind.CONFIRMATION: (2, 2)}
    assert [row[:3] for row in ledger(session, Kind.CONFIRMATION)] == [
        (stale.id, "12-months", TODAY - timedelta(days=1)),
        (never.id, "12-months", never.created_at.astimezone(NORWAY).date()),
    ]
    first, second = messages(session)
    assert f"https://beredskap.kommune.example/organisations/{stale.id}/confirm" in first.body
    assert stale.name in first.subject and DAY(stale.confirmed_on) in first.body  # type: ignore[arg-type, operator]
    assert f"/organisations/{never.id}/confirm" in second.body
    assert give(session, settings=settings) == {}
    # Confirmed again yesterday: a year on it is asked again (with the one confirmed a year
    # ago today, by then two years ago); the one never confirmed is not asked twice.
    stale.confirmed_on = TODAY - timedelta(days=1)
    session.flush()
    assert give(session, TODAY + timedelta(days=365), settings) == {Kind.CONFIRMATION: (2, 2)}
    assert (stale.id, "12-months", TODAY + timedelta(days=364)) in [
        row[:3] for row in ledger(session, Kind.CONFIRMATION)
    ]


def test_without_a_public_url_the_confirmation_asks_to_log_in(session: Session) -> None:
    organisation(session, confirmed_on=None)
    assert give(session, settings=Settings(public_url=None)) == {Kind.CONFIRMATION: (1, 1)}
    (mail,) = messages(session)
    assert "/confirm" not in mail.body and "http" not in mail.body


# -- exactly once ------------------------------------------------------------------------------


def _everything_due(session: Session) -> int:
    """One reminder of each kind (six messages); the number of messages."""
    holder = organisation(session, confirmed_on=None)
    volunteer(session, TODAY + timedelta(days=7), holder)
    equipment(session, holder, TODAY + timedelta(days=5))
    admin(session)
    agreement(
        session,
        holder,
        annual_review_on=TODAY + timedelta(days=5),
        valid_until=TODAY + timedelta(days=10),
        notice_period_days=30,
    )
    return 6


def test_a_run_that_fails_half_way_leaves_nothing_and_the_next_gives_each_once(
    session: Session, bound: JobContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _everything_due(session)
    real = run.queue_message
    calls = 0

    def failing(*args: Any, **kwargs: Any) -> int | None:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise RuntimeError("the worker was killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(run, "queue_message", failing)
    at_nine = datetime.combine(TODAY, datetime.min.time().replace(hour=9), NORWAY).astimezone(UTC)
    with pytest.raises(RuntimeError):
        jobs.run_daily(bound, at_nine)
    assert messages(session) == []
    assert session.scalar(select(func.count()).select_from(ReminderSent)) == 0  # nor the day's mark

    monkeypatch.setattr(run, "queue_message", real)
    tallies = jobs.run_daily(bound, at_nine)
    assert tallies is not None and sum(t.messages for t in tallies.values()) == expected
    assert jobs.run_daily(bound, at_nine + timedelta(hours=1)) is None  # once a day
    assert len(messages(session)) == expected
    assert len({m.dedupe_key for m in messages(session)}) == expected


def test_the_daily_job_runs_from_its_hour_once_a_day(session: Session, bound: JobContext) -> None:
    _everything_due(session)
    bound.settings = Settings(reminder_hour=8)

    def oslo(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, datetime.min.time().replace(hour=hour, minute=minute), NORWAY)

    assert jobs.run_daily(bound, oslo(TODAY, 7, 59).astimezone(UTC)) is None
    assert messages(session) == []
    first = jobs.run_daily(bound, oslo(TODAY, 14, 10).astimezone(UTC))  # the worker was down
    assert first is not None and first[Kind.QUALIFICATION].reminders == 1
    assert jobs.run_daily(bound, oslo(TODAY, 14, 20).astimezone(UTC)) is None
    assert jobs.run_daily(bound, oslo(TODAY, 23, 50).astimezone(UTC)) is None
    tomorrow = TODAY + timedelta(days=1)
    assert jobs.run_daily(bound, oslo(tomorrow, 0, 30).astimezone(UTC)) is None  # before 8
    second = jobs.run_daily(bound, oslo(tomorrow, 8).astimezone(UTC))
    assert second is not None and all(t.reminders == 0 for t in second.values())
    assert len(messages(session)) == 6


def test_the_job_is_declared_to_the_scheduler() -> None:
    (job,) = ALERTS.jobs
    assert job.func == "alerts.reminders.jobs:send_daily"
    assert job.every_s(Settings()) <= 3600  # it looks often enough to run within the hour
    assert Settings().reminder_hour == 7
    for bad in (-1, 24):
        with pytest.raises(ValueError):
            Settings(reminder_hour=bad)
    with pytest.raises(ValueError):
        Settings(coordinator_email="not an address")
    assert Settings(coordinator_email="").coordinator_email is None


def test_two_runs_at_once_give_each_reminder_once(fresh_database: Database) -> None:
    with fresh_database.sessions() as session:
        expected = _everything_due(session)
        session.commit()
    context = JobContext(fresh_database, Settings())
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def run_once() -> None:
        barrier.wait()
        try:
            with context.transaction("test") as session:
                tallies = run.run_reminders(session, context.settings, today=TODAY, now=utcnow())
            outcomes.append(sum(t.messages for t in tallies.values()))
        except Exception as error:  # reported by the assertion below
            outcomes.append(error)

    threads = [threading.Thread(target=run_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes, key=str) == [0, expected]
    with fresh_database.sessions() as session:
        keys = session.scalars(select(OutgoingMessage.dedupe_key)).all()
        assert len(keys) == len(set(keys)) == expected
        assert session.scalar(select(func.count()).select_from(ReminderSent)) == 5


# -- the command -------------------------------------------------------------------------------


@pytest.fixture
def cli_database(session: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The command's database is the test's (inside its rolled-back transaction)."""
    bind = session.get_bind()
    factory = sessionmaker(bind=bind, join_transaction_mode="create_savepoint")
    engine: Engine = getattr(bind, "engine", bind)
    monkeypatch.setattr(
        reminders_cli, "open_database", lambda _settings: Database(engine=engine, sessions=factory)
    )
    yield


def test_the_command_counts_per_kind_and_gives_each_once(
    cli_database: None, session: Session
) -> None:
    _everything_due(session)
    runner = CliRunner()
    dry = runner.invoke(cli, ["reminders", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dry run: nothing written" in dry.output
    assert f"{Kind.QUALIFICATION.value:<26} would send 1 reminder(s), 2 message(s)" in dry.output
    assert messages(session) == []
    assert session.scalar(select(func.count()).select_from(ReminderSent)) == 0

    done = runner.invoke(cli, ["reminders", "run"])
    assert done.exit_code == 0, done.output
    for kind in Kind:
        assert f"{kind.value:<26} sent 1 reminder(s)" in done.output
    assert len(messages(session)) == 6

    again = runner.invoke(cli, ["reminders", "run"])
    assert again.exit_code == 0, again.output
    for kind in Kind:
        assert f"{kind.value:<26} sent 0 reminder(s), 0 message(s)" in again.output
    assert len(messages(session)) == 6
