"""Recurring exercises on both backends: RFC 5545 rules over Oslo wall time across both
daylight-saving changes of 2027 (28 March and 31 October), the horizon and its cap, and
extending series as time passes (idempotent)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from beredskap.platform.auth.models import Role
from beredskap.platform.columns import NORWAY
from beredskap.platform.errors import DomainValidationError
from exercises.models import Exercise, ExerciseSeries
from exercises.planning import recurrence, service
from exercises.planning.schemas import ExerciseCreate
from tests.support.api import ApiHarness

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _plan(session: Session, rule: str, starts: str, ends: str, **fields: Any) -> service.Planned:
    body = ExerciseCreate.model_validate(
        {
            "title": "Rutinevarsling",
            "type": "tabletop",
            "starts_at": starts,
            "ends_at": ends,
            "recurrence": {"rrule": rule},
        }
        | fields
    )
    return service.create_exercises(session, body, actor="test", default_offsets=[], now=NOW)


def _local(exercise: Exercise) -> str:
    return exercise.starts_at.astimezone(NORWAY).isoformat(timespec="minutes")


def test_a_daily_0230_drill_moves_forward_in_the_spring_gap(session: Session) -> None:
    planned = _plan(session, "FREQ=DAILY;COUNT=3", "2027-03-27T02:30:00", "2027-03-27T03:00:00")
    assert [_local(e) for e in planned.exercises] == [
        "2027-03-27T02:30+01:00",
        "2027-03-28T03:30+02:00",  # 02:30 does not exist that night: moved by the gap
        "2027-03-29T02:30+02:00",
    ]
    assert [e.starts_at.isoformat() for e in planned.exercises] == [
        "2027-03-27T01:30:00+00:00",
        "2027-03-28T01:30:00+00:00",
        "2027-03-29T00:30:00+00:00",
    ]
    # Each occurrence keeps the series' length, and its RECURRENCE-ID is its computed start.
    assert all((e.ends_at - e.starts_at).total_seconds() == 1800 for e in planned.exercises)
    assert all(e.occurrence_start == e.starts_at for e in planned.exercises)


def test_a_daily_0230_drill_takes_the_first_0230_in_the_october_overlap(session: Session) -> None:
    planned = _plan(session, "FREQ=DAILY;COUNT=3", "2027-10-30T02:30:00", "2027-10-30T03:00:00")
    assert [_local(e) for e in planned.exercises] == [
        "2027-10-30T02:30+02:00",
        "2027-10-31T02:30+02:00",  # the first of the two 02:30s: summer time, once
        "2027-11-01T02:30+01:00",
    ]
    assert planned.exercises[1].starts_at.isoformat() == "2027-10-31T00:30:00+00:00"


def test_an_evening_drill_stays_at_1800_wall_time_across_both_changes(session: Session) -> None:
    planned = _plan(
        session,
        "FREQ=WEEKLY;BYDAY=SU;UNTIL=20271107T230000Z",
        "2027-03-21T18:00:00",
        "2027-03-21T19:00:00",
    )
    local_times = {e.starts_at.astimezone(NORWAY).strftime("%H:%M") for e in planned.exercises}
    assert local_times == {"18:00"}
    offsets = [e.starts_at.astimezone(NORWAY).utcoffset() for e in planned.exercises]
    assert offsets[0] != offsets[1]  # 21 March winter time, 28 March summer time
    assert _local(planned.exercises[-1]) == "2027-11-07T18:00+01:00"  # UNTIL in UTC, inclusive
    assert len(planned.exercises) == 34


def test_every_first_tuesday_of_the_quarter_up_to_the_horizon(session: Session) -> None:
    planned = _plan(
        session,
        "FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU",
        "2027-01-05T18:00:00",
        "2027-01-05T20:00:00",
    )
    # 13 months from 25 November 2026: up to 25 December 2027.
    assert [_local(e) for e in planned.exercises] == [
        "2027-01-05T18:00+01:00",
        "2027-04-06T18:00+02:00",
        "2027-07-06T18:00+02:00",
        "2027-10-05T18:00+02:00",
    ]
    assert planned.series is not None
    assert planned.series.rrule == "FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU"
    assert planned.series.duration_min == 120
    assert planned.series.materialised_until == datetime(2027, 12, 25, 12, 0, tzinfo=UTC)
    assert {e.series_id for e in planned.exercises} == {planned.series.id}


def test_an_endless_daily_rule_is_capped_and_extended_later_once(session: Session) -> None:
    planned = _plan(session, "FREQ=DAILY", "2026-12-01T09:00:00", "2026-12-01T10:00:00")
    assert len(planned.exercises) == recurrence.MAX_OCCURRENCES
    series = planned.series
    assert series is not None
    assert series.materialised_until == planned.exercises[-1].starts_at
    # A month later the sync makes what has come within reach, each like the last one.
    later = datetime(2027, 1, 25, 12, 0, tzinfo=UTC)
    made = recurrence.extend_series(session, now=later)
    assert made > 0
    assert recurrence.extend_series(session, now=later) == 0  # idempotent
    starts = list(
        session.scalars(
            select(Exercise.starts_at)
            .where(Exercise.series_id == series.id)
            .order_by(Exercise.starts_at)
        )
    )
    assert len(starts) == len(set(starts)) == recurrence.MAX_OCCURRENCES + made
    assert all(s.astimezone(NORWAY).strftime("%H:%M") == "09:00" for s in starts)
    titles = set(session.scalars(select(Exercise.title).where(Exercise.series_id == series.id)))
    assert titles == {"Rutinevarsling"}


def test_extending_skips_occurrences_that_exist_and_finished_series(session: Session) -> None:
    done = _plan(session, "FREQ=WEEKLY;COUNT=2", "2026-12-01T09:00:00", "2026-12-01T10:00:00")
    assert len(done.exercises) == 2
    quarterly = _plan(
        session,
        "FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU",
        "2027-01-05T18:00:00",
        "2027-01-05T20:00:00",
    )
    made = recurrence.extend_series(session, now=datetime(2027, 2, 1, tzinfo=UTC))
    assert made == 1  # 4 January 2028 came within reach; the finished series made none
    # Even with its high-water mark lost, a series gets no occurrence twice.
    assert quarterly.series is not None
    quarterly.series.materialised_until = None
    session.flush()
    assert recurrence.extend_series(session, now=datetime(2027, 2, 1, tzinfo=UTC)) == 0
    count = session.scalar(
        select(func.count()).select_from(Exercise).where(Exercise.series_id == done.series.id)  # type: ignore[union-attr]
    )
    assert count == 2


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=HOURLY", "at most daily"),
        ("FREQ=SOMETIMES", "not a valid RRULE"),
        ("FREQ=DAILY;COUNT=0", "no occurrence"),
        ("FREQ=DAILY;UNTIL=20200101T000000Z", "no occurrence"),
        ("DTSTART:20270101T000000\nRRULE:FREQ=DAILY", "one RFC 5545 RRULE"),
        ("FREQ=DAILY;BYDAY=XX", "not a valid RRULE"),
        ("", "one RFC 5545 RRULE"),
    ],
)
def test_rules_that_cannot_be_used_are_refused(rule: str, message: str) -> None:
    with pytest.raises(DomainValidationError) as raised:
        recurrence.parse_rule(rule, datetime(2027, 1, 5, 17, 0, tzinfo=UTC))
    assert raised.value.field == "recurrence.rrule"
    assert message in raised.value.message


def test_the_api_creates_a_series_and_names_its_occurrences(api: ApiHarness) -> None:
    response = api.post(
        Role.PLANNER,
        "/api/v1/exercises",
        json={
            "title": "Kvartalsvis varslingsøvelse",
            "type": "tabletop",
            "starts_at": "2027-01-05T18:00:00",
            "ends_at": "2027-01-05T19:00:00",
            "organisation_ids": [api.own.id],
            "recurrence": {"rrule": "RRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU;COUNT=3"},
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["series_id"] is not None and len(body["occurrence_ids"]) == 3
    assert body["id"] == body["occurrence_ids"][0]
    assert body["conflicts"] == []  # a series does not conflict with itself
    starts = [
        api.get(Role.COUNCIL, f"/api/v1/exercises/{exercise_id}").json()["starts_at_local"]
        for exercise_id in body["occurrence_ids"]
    ]
    assert starts == [
        "2027-01-05T18:00:00+01:00",
        "2027-04-06T18:00:00+02:00",
        "2027-07-06T18:00:00+02:00",
    ]
    series = api.session.get(ExerciseSeries, body["series_id"])
    assert series is not None and series.rrule == "FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU;COUNT=3"
    refused = api.post(
        Role.PLANNER,
        "/api/v1/exercises",
        json={
            "title": "x",
            "type": "tabletop",
            "starts_at": "2027-01-05T18:00:00",
            "ends_at": "2027-01-05T19:00:00",
            "recurrence": {"rrule": "FREQ=MINUTELY"},
        },
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "recurrence.rrule"
