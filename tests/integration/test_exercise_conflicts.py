"""Conflicts before saving, on both backends: one test per kind (organisation, volunteer
invited or a member, site, callout by organisation or by person), none when the windows
only touch, and none with cancelled exercises or draft callouts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from shapely.geometry import Point
from sqlalchemy.orm import Session

from alerts.models import Callout, CalloutRecipient, CalloutStatus, RecipientState
from beredskap.register.organisations.models import Organisation, Site, SiteKind
from beredskap.register.volunteers.models import Membership, Volunteer
from exercises.models import Exercise, ExerciseStatus, ExerciseType
from exercises.planning.conflicts import Window, find_conflicts
from tests.support.callouts import LILLESTROM

START = datetime(2027, 5, 4, 16, 0, tzinfo=UTC)
END = START + timedelta(hours=2)


@dataclass
class Town:
    red_cross: Organisation
    people_aid: Organisation
    hall: Site
    kari: Volunteer
    ola: Volunteer


@pytest.fixture
def town(session: Session) -> Town:
    red_cross = Organisation(name="Røde Kors Hjelpekorps", category="first_aid_corps")
    people_aid = Organisation(name="Norsk Folkehjelp", category="first_aid_corps")
    hall = Site(
        organisation=red_cross,
        name="Kurslokalet",
        kind=SiteKind.STORAGE,
        location=Point(*LILLESTROM),
    )
    kari = Volunteer(full_name="Kari Nordmann", mobile="+447700900601", sms_consent=True)
    ola = Volunteer(full_name="Ola Nordmann", mobile="+447700900602", sms_consent=True)
    ola.memberships.append(Membership(organisation=people_aid))
    session.add_all([red_cross, people_aid, hall, kari, ola])
    session.flush()
    return Town(red_cross, people_aid, hall, kari, ola)


def _exercise(
    session: Session, title: str, starts: datetime, ends: datetime, **who: list[Any]
) -> Exercise:
    exercise = Exercise(
        title=title,
        type=ExerciseType.TABLETOP,
        starts_at=starts,
        ends_at=ends,
        created_by="test",
        **who,
    )
    session.add(exercise)
    session.flush()
    return exercise


def _window(**ids: list[int]) -> Window:
    return Window(
        START,
        END,
        ids.get("organisations", []),
        ids.get("volunteers", []),
        ids.get("sites", []),
    )


def _kinds(session: Session, window: Window) -> list[tuple[str, str, str, int]]:
    return [(c.kind, c.what, c.other.kind, c.other.id) for c in find_conflicts(session, [window])]


def test_an_organisation_in_another_overlapping_exercise(session: Session, town: Town) -> None:
    other = _exercise(
        session,
        "Annen",
        START + timedelta(hours=1),
        END + timedelta(hours=1),
        organisations=[town.red_cross],
    )
    window = _window(organisations=[town.red_cross.id, town.people_aid.id])
    assert _kinds(session, window) == [
        ("organisation", "Røde Kors Hjelpekorps", "exercise", other.id)
    ]
    conflict = find_conflicts(session, [window])[0]
    assert conflict.other.title == "Annen" and conflict.other.starts_at == other.starts_at


def test_an_invited_volunteer_directly_or_as_a_member(session: Session, town: Town) -> None:
    invited = _exercise(session, "Kari inviteres", START, END, volunteers=[town.kari])
    by_membership = _exercise(
        session, "Folkehjelpa øver", START, END, organisations=[town.people_aid]
    )
    window = _window(volunteers=[town.kari.id, town.ola.id])
    assert sorted(_kinds(session, window)) == sorted(
        [
            ("volunteer", "Kari Nordmann", "exercise", invited.id),
            ("volunteer", "Ola Nordmann", "exercise", by_membership.id),
        ]
    )


def test_a_site_double_booked(session: Session, town: Town) -> None:
    other = _exercise(
        session,
        "Samme lokale",
        START - timedelta(hours=1),
        START + timedelta(minutes=1),
        sites=[town.hall],
    )
    window = _window(sites=[town.hall.id])
    assert _kinds(session, window) == [("site", "Kurslokalet", "exercise", other.id)]


def _callout(session: Session, organisation_ids: list[int], **fields: object) -> Callout:
    callout = Callout(
        code=f"B{len(organisation_ids) + 2}",
        title="Savnet person",
        message="Leteaksjon",
        status=CalloutStatus.ACTIVE,
        centre=Point(*LILLESTROM),
        radius_m=5_000,
        organisation_ids=organisation_ids,
        created_by="test",
        sent_at=START - timedelta(minutes=30),
    )
    for name, value in fields.items():
        setattr(callout, name, value)
    session.add(callout)
    session.flush()
    return callout


def test_a_running_callout_asking_an_organisation_or_everyone(session: Session, town: Town) -> None:
    red_cross = town.red_cross.id
    named = _callout(session, [red_cross])
    window = _window(organisations=[red_cross])
    assert _kinds(session, window) == [("callout", "Røde Kors Hjelpekorps", "callout", named.id)]
    named.stopped_at = START  # stopped when the exercise starts: touching, no overlap
    named.status = CalloutStatus.STOPPED
    everyone = _callout(session, [], code="C9")  # no organisations named: it asks every one
    session.flush()
    assert _kinds(session, window) == [("callout", "Røde Kors Hjelpekorps", "callout", everyone.id)]
    conflict = find_conflicts(session, [window])[0]
    assert conflict.other.ends_at is None  # still running


def test_a_callout_that_asked_an_invited_volunteer(session: Session, town: Town) -> None:
    kari = town.kari
    callout = _callout(
        session,
        [town.people_aid.id],
        status=CalloutStatus.STOPPED,
        stopped_at=START + timedelta(minutes=5),
    )
    session.add(
        CalloutRecipient(
            callout_id=callout.id,
            volunteer_id=kari.id,
            mobile=kari.mobile,
            distance_m=100.0,
            state=RecipientState.DELIVERED,
        )
    )
    session.flush()
    window = _window(volunteers=[kari.id])
    assert _kinds(session, window) == [("callout", "Kari Nordmann", "callout", callout.id)]


def test_no_conflict_when_adjacent_cancelled_or_a_draft(session: Session, town: Town) -> None:
    red_cross = town.red_cross
    _exercise(
        session,
        "Før",
        START - timedelta(hours=2),
        START,
        organisations=[red_cross],
        sites=[town.hall],
    )
    _exercise(session, "Etter", END, END + timedelta(hours=2), organisations=[red_cross])
    cancelled = _exercise(session, "Avlyst", START, END, organisations=[red_cross])
    cancelled.status = ExerciseStatus.CANCELLED
    _callout(session, [red_cross.id], status=CalloutStatus.DRAFT, sent_at=None)
    _callout(session, [red_cross.id], code="D3", sent_at=END)  # sent as we end
    session.flush()
    window = _window(organisations=[red_cross.id], sites=[town.hall.id])
    assert _kinds(session, window) == []
    # The exercise being edited is left out of its own conflicts.
    same = _exercise(session, "Denne", START, END, organisations=[red_cross])
    assert find_conflicts(session, [window], exclude_exercises=[same.id]) == []
    assert len(find_conflicts(session, [window])) == 1
