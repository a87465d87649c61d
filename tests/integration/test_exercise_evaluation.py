"""An exercise's evaluation on both backends: the drill's figures from known reply times, the
lessons learned API, recording the evaluation, and what is overdue (time travel by dates)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from alerts.models import RecipientQualification
from beredskap.platform.auth.models import Role
from beredskap.platform.columns import NORWAY, today_in_norway, utcnow
from beredskap.register.agreements.models import Agreement, AgreementStatus, Commitment
from beredskap.register.organisations.models import Organisation
from beredskap.register.volunteers.erasure import purge_volunteer
from exercises.evaluation.figures import evaluate_drill
from exercises.evaluation.overdue import overdue
from exercises.models import (
    ActionStatus,
    ExerciseStatus,
    FollowUpAction,
    Observation,
)
from tests.support.api import ApiHarness
from tests.support.callouts import qualification
from tests.support.exercises import Drill, exercise, finished_drill

PLANNER = Role.PLANNER
API = "/api/v1"


@pytest.fixture
def drill(api: ApiHarness) -> Drill:
    made = finished_drill(api.session, api.own, api.other)
    api.session.commit()
    return made


def _within(counts: Any) -> list[tuple[int, int, float | None]]:
    return [(item.minutes, item.answered, item.share) for item in counts.within]


def test_the_drills_figures_come_out_exactly(api: ApiHarness, drill: Drill) -> None:
    figures = evaluate_drill(api.session, drill.exercise)
    assert figures is not None
    counts = figures.counts
    assert (counts.asked, counts.delivered, counts.failed) == (10, 8, 1)
    assert (counts.answered, counts.yes, counts.no) == (7, 5, 2)
    assert counts.first_answer_min == 2.0
    assert _within(counts) == [(5, 3, 0.3), (15, 5, 0.5), (30, 5, 0.5), (60, 6, 0.6)]
    needs = {need.code: (need.count, need.yes, need.met_after_min) for need in figures.needs}
    # First aid: yes at 2 (1), 14 (5) and 31 (6); boat licence: yes at 4 (3).
    assert needs == {"first_aid": (2, 3, 14.0), "boat_licence": (1, 1, 4.0)}
    assert figures.all_needs_met_after_min == 14.0
    assert figures.wanted == 4 and figures.wanted_reached_after_min == 31.0
    by_name = {row.name: row.counts for row in figures.by_organisation}
    assert [row.name for row in figures.by_organisation] == [
        "Annet Sanitetslag",
        "Eget Hjelpekorps",
        None,
    ]
    own, other, unknown = by_name["Eget Hjelpekorps"], by_name["Annet Sanitetslag"], by_name[None]
    # Volunteer 6 is in both organisations and counts in both.
    assert (own.asked, own.delivered, own.failed, own.answered, own.yes, own.no) == (
        6,
        5,
        0,
        4,
        2,
        2,
    )
    assert own.first_answer_min == 2.0
    assert _within(own) == [(5, 2, 0.3333), (15, 3, 0.5), (30, 3, 0.5), (60, 4, 0.6667)]
    assert (other.asked, other.delivered, other.failed, other.answered, other.yes) == (
        4,
        3,
        1,
        3,
        3,
    )
    assert other.first_answer_min == 4.0
    assert _within(other) == [(5, 1, 0.25), (15, 2, 0.5), (30, 2, 0.5), (60, 3, 0.75)]
    assert (unknown.asked, unknown.answered, unknown.yes, unknown.first_answer_min) == (
        1,
        1,
        1,
        61.0,
    )
    assert _within(unknown) == [(5, 0, 0.0), (15, 0, 0.0), (30, 0, 0.0), (60, 0, 0.0)]
    series = [(point.minute, point.answers, point.yes) for point in figures.series]
    assert series == [
        (0.0, 0, 0),
        (2.0, 1, 1),
        (4.0, 2, 1),
        (4.0, 3, 2),
        (9.0, 4, 2),
        (14.0, 5, 3),
        (31.0, 6, 4),
        (61.0, 7, 5),
    ]


def test_a_qualification_that_lapsed_before_the_drill_does_not_meet_a_need(
    api: ApiHarness, drill: Drill
) -> None:
    first_aid = qualification(api.session, "first_aid")
    recipient = next(
        r
        for r in drill.callout.recipients
        if r.answered_at == drill.sent_at + timedelta(minutes=14)
    )
    # What the recipient held when asked is what counts (copied when the callout was sent).
    held = api.session.get(RecipientQualification, (recipient.id, first_aid.id))
    assert held is not None
    held.obtained_on = drill.sent_at.date() - timedelta(days=400)
    held.expires_on = drill.sent_at.date() - timedelta(days=1)
    api.session.commit()
    figures = evaluate_drill(api.session, drill.exercise)
    assert figures is not None
    needs = {need.code: (need.yes, need.met_after_min) for need in figures.needs}
    assert needs["first_aid"] == (2, 31.0)
    assert figures.all_needs_met_after_min == 31.0


def test_purging_volunteers_who_answered_leaves_the_drills_figures_as_they_were(
    api: ApiHarness, drill: Drill
) -> None:
    before = evaluate_drill(api.session, drill.exercise)
    answered = [r.volunteer for r in drill.callout.recipients if r.answer is not None]
    assert len([person for person in answered if person is not None]) >= 5
    for person in answered:
        if person is not None:
            purge_volunteer(api.session, person)
    api.session.commit()
    api.session.expire_all()
    assert evaluate_drill(api.session, drill.exercise) == before


def test_the_evaluation_api_gives_counts_and_no_people_to_every_role(
    api: ApiHarness, drill: Drill
) -> None:
    for role in Role:
        response = api.get(role, f"{API}/exercises/{drill.exercise.id}/evaluation")
        assert response.status_code == 200, response.text
        body = response.json()
        assert "+44770090" not in response.text and "Frivillig" not in response.text
    assert response.headers["etag"] == f'"{drill.exercise.version}"'
    figures = body["drill"]
    assert figures["counts"]["asked"] == 10 and figures["counts"]["first_answer_min"] == 2.0
    assert [w["share"] for w in figures["counts"]["within"]] == [0.3, 0.5, 0.5, 0.6]
    assert {n["qualification"]: n["met_after_min"] for n in figures["needs"]} == {
        "first_aid": 14.0,
        "boat_licence": 4.0,
    }
    assert figures["by_organisation"][2] == {
        "organisation_id": None,
        "name": None,
        "counts": figures["by_organisation"][2]["counts"],
    }
    assert len(figures["series"]) == 8
    assert api.get(PLANNER, f"{API}/exercises/987654/evaluation").status_code == 404


def test_an_exercise_without_a_callout_has_no_drill_figures(api: ApiHarness) -> None:
    tabletop = exercise(api.session)
    api.session.commit()
    body = api.get(Role.COUNCIL, f"{API}/exercises/{tabletop.id}/evaluation").json()
    assert body["drill"] is None and body["type"] == "tabletop"
    assert (body["observations"], body["open_actions"], body["closed_actions"]) == (0, 0, 0)


def _count(api: ApiHarness) -> tuple[int, ...]:
    return api.counts(Observation, FollowUpAction)


def test_planners_record_observations_and_actions_others_may_not(api: ApiHarness) -> None:
    tabletop = exercise(api.session)
    api.session.commit()
    url = f"{API}/exercises/{tabletop.id}"
    made = api.post(PLANNER, f"{url}/observations", json={"text": "Sambandet sviktet i 10 min."})
    assert made.status_code == 201, made.text
    observation = made.json()
    assert observation["text"] == "Sambandet sviktet i 10 min." and "created_by" not in observation
    action = api.post(
        Role.ADMIN,
        f"{url}/actions",
        json={
            "description": "Skaffe reservesamband",
            "owner": "Beredskapskoordinator",
            "due_on": "2027-02-01",
            "observation_id": observation["id"],
        },
    )
    assert action.status_code == 201, action.text
    assert (
        action.json()["status"] == "open" and action.json()["observation_id"] == observation["id"]
    )
    assert action.headers["location"] == f"/api/v1/exercise-actions/{action.json()['id']}"
    before = _count(api)
    for role in (Role.COUNCIL, Role.DUTY_OFFICER, Role.ORG_EDITOR):
        assert api.post(role, f"{url}/observations", json={"text": "x"}).status_code == 403
        assert (
            api.patch(
                role, f"{API}/exercise-actions/{action.json()['id']}", json={"status": "closed"}
            ).status_code
            == 403
        )
    assert _count(api) == before
    summary = api.get(Role.COUNCIL, f"{url}/evaluation").json()
    assert (summary["observations"], summary["open_actions"]) == (1, 1)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("observations", {"text": ""}),
        ("observations", {"text": "   "}),
        ("observations", {"text": "x" * 4001}),
        ("observations", {"text": "a\x00b"}),
        ("observations", {"text": "ok", "extra": 1}),
        ("actions", {"description": "x", "owner": "y"}),
        ("actions", {"description": "x", "owner": "y", "due_on": "2027-02-30"}),
        ("actions", {"description": "x", "owner": "y", "due_on": "1900-01-01"}),
        ("actions", {"description": "x", "owner": "", "due_on": "2027-01-01"}),
        (
            "actions",
            {"description": "x", "owner": "y", "due_on": "2027-01-01", "observation_id": 0},
        ),
    ],
)
def test_bad_lessons_are_refused_with_a_message_and_change_nothing(
    api: ApiHarness, path: str, body: dict[str, Any]
) -> None:
    tabletop = exercise(api.session)
    api.session.commit()
    before = _count(api)
    response = api.post(PLANNER, f"{API}/exercises/{tabletop.id}/{path}", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _count(api) == before


def test_an_action_may_only_name_an_observation_of_its_own_exercise(api: ApiHarness) -> None:
    first, second = exercise(api.session), exercise(api.session, title="Annen øvelse")
    api.session.commit()
    observation = api.post(PLANNER, f"{API}/exercises/{first.id}/observations", json={"text": "A"})
    before = _count(api)
    response = api.post(
        PLANNER,
        f"{API}/exercises/{second.id}/actions",
        json={
            "description": "x",
            "owner": "y",
            "due_on": "2027-01-01",
            "observation_id": observation.json()["id"],
        },
    )
    assert response.status_code == 422 and "observation_id" in response.text
    assert _count(api) == before
    missing = api.post(PLANNER, f"{API}/exercises/987654/observations", json={"text": "A"})
    assert missing.status_code == 404


def _action(api: ApiHarness, exercise_id: int, due_on: date, **fields: Any) -> dict[str, Any]:
    response = api.post(
        PLANNER,
        f"{API}/exercises/{exercise_id}/actions",
        json={
            "description": "Oppdatere varslingslisten",
            "owner": "Kari",
            "due_on": due_on.isoformat(),
        }
        | fields,
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_an_action_is_closed_and_reopened_with_if_match(api: ApiHarness) -> None:
    tabletop = exercise(api.session)
    api.session.commit()
    action = _action(api, tabletop.id, today_in_norway() + timedelta(days=10))
    url = f"{API}/exercise-actions/{action['id']}"
    stale = api.patch(PLANNER, url, json={"status": "closed"}, headers={"If-Match": '"99"'})
    assert stale.status_code == 412
    closed = api.patch(
        PLANNER,
        url,
        json={"status": "closed", "closing_note": "Listen er oppdatert."},
        headers={"If-Match": f'"{action["version"]}"'},
    )
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["status"] == "closed" and body["closing_note"] == "Listen er oppdatert."
    assert body["closed_at"] is not None and body["version"] == action["version"] + 1
    assert closed.headers["etag"] == f'"{body["version"]}"'
    conflict = api.patch(PLANNER, url, json={"owner": "Ola", "version": action["version"]})
    assert conflict.status_code == 409
    reopened = api.patch(
        PLANNER, url, json={"status": "open", "owner": "Ola", "due_on": "2027-03-01"}
    )
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "open" and reopened.json()["closed_at"] is None
    assert reopened.json()["closing_note"] is None and reopened.json()["owner"] == "Ola"
    for bad in ({"status": None}, {"owner": ""}, {"status": "done"}, {"due_on": "never"}):
        assert api.patch(PLANNER, url, json=bad).status_code == 422, bad
    assert api.patch(PLANNER, url, json={"closing_note": "x"}).status_code == 422
    assert api.patch(PLANNER, f"{API}/exercise-actions/987654", json={}).status_code == 404


def test_the_action_list_filters_open_and_overdue(api: ApiHarness) -> None:
    tabletop = exercise(api.session)
    api.session.commit()
    today = today_in_norway()
    late = _action(api, tabletop.id, today - timedelta(days=3))
    _action(api, tabletop.id, today + timedelta(days=3))
    done = _action(api, tabletop.id, today - timedelta(days=9))
    api.patch(PLANNER, f"{API}/exercise-actions/{done['id']}", json={"status": "closed"})
    listing = api.get(Role.COUNCIL, f"{API}/exercise-actions").json()
    assert listing["total"] == 3
    assert [item["due_on"] for item in listing["items"]] == sorted(
        item["due_on"] for item in listing["items"]
    )
    overdue_only = api.get(
        Role.COUNCIL, f"{API}/exercise-actions", params={"overdue": "true"}
    ).json()
    assert [item["id"] for item in overdue_only["items"]] == [late["id"]]
    assert overdue_only["items"][0]["overdue"] is True
    closed = api.get(PLANNER, f"{API}/exercise-actions", params={"status": "closed"}).json()
    assert [item["id"] for item in closed["items"]] == [done["id"]]
    assert api.get(PLANNER, f"{API}/exercise-actions", params={"status": "x"}).status_code == 422


def test_only_a_completed_exercise_is_evaluated(api: ApiHarness) -> None:
    planned = exercise(api.session, status=ExerciseStatus.PLANNED)
    completed = exercise(api.session, title="Ferdig øvelse")
    api.session.commit()
    refused = api.post(PLANNER, f"{API}/exercises/{planned.id}/evaluation", json={"summary": "Bra"})
    assert refused.status_code == 409, refused.text
    api.session.refresh(planned)
    assert planned.evaluated_at is None and planned.evaluation_summary is None
    assert (
        api.post(PLANNER, f"{API}/exercises/{completed.id}/evaluation", json={}).status_code == 422
    )
    stale = api.client.post(
        f"{API}/exercises/{completed.id}/evaluation",
        json={"summary": "Bra"},
        headers=api.headers(PLANNER) | {"If-Match": '"42"'},
    )
    assert stale.status_code == 412
    done = api.post(
        PLANNER, f"{API}/exercises/{completed.id}/evaluation", json={"summary": "Gikk bra."}
    )
    assert done.status_code == 200, done.text
    assert (
        done.json()["evaluated_at"] is not None and done.json()["evaluation_summary"] == "Gikk bra."
    )
    assert (
        api.post(
            Role.COUNCIL, f"{API}/exercises/{completed.id}/evaluation", json={"summary": "x"}
        ).status_code
        == 403
    )


def _agreement(
    api: ApiHarness, organisation: Organisation, reference: str, **fields: Any
) -> Agreement:
    agreement = Agreement(
        organisation=organisation,
        reference=reference,
        title=f"Avtale {reference}",
        status=fields.pop("status", AgreementStatus.ACTIVE),
        valid_from=fields.pop("valid_from", date(2020, 1, 1)),
        **fields,
    )
    api.session.add(agreement)
    return agreement


def test_what_is_overdue(api: ApiHarness) -> None:
    now, today = utcnow(), today_in_norway()
    third = Organisation(name="Tredje Røde Kors", category="first_aid_corps")
    fourth = Organisation(name="Fjerde Speidergruppe", category="scouts")
    api.session.add_all([third, fourth])
    tested = _agreement(api, api.own, "2020/1")
    tested.commitments.append(
        Commitment(qualification_type=qualification(api.session, "first_aid"), quantity=4)
    )
    untested = _agreement(api, api.other, "2021/7")
    _agreement(api, third, "2019/3")
    _agreement(api, fourth, "2018/2", status=AgreementStatus.EXPIRED)  # not in force
    api.session.flush()
    # Own: exercised 10 months ago through its agreement. Other: 25 months ago by name.
    recent = exercise(api.session, starts_at=now - timedelta(days=300))
    recent.agreements = [tested]
    old = exercise(
        api.session,
        title="Gammel øvelse",
        starts_at=now - timedelta(days=760),
        organisations=[api.other],
    )
    # Third: only in a cancelled exercise and one still planned, which do not count.
    exercise(api.session, status=ExerciseStatus.CANCELLED, organisations=[third])
    exercise(
        api.session,
        status=ExerciseStatus.PLANNED,
        starts_at=now + timedelta(days=5),
        organisations=[third],
    )
    # Evaluations: the old one is evaluated; one ended 31 days ago is missing; 29 days is not yet.
    old.evaluated_at = now - timedelta(days=700)
    missing = exercise(
        api.session, title="Mangler evaluering", starts_at=now - timedelta(days=31, hours=3)
    )
    exercise(api.session, title="Nylig", starts_at=now - timedelta(days=29))
    recent.evaluated_at = now
    late = FollowUpAction(
        exercise=recent, description="Ny sirene", owner="Ola", due_on=today - timedelta(days=5)
    )
    closed = FollowUpAction(
        exercise=recent,
        description="Gammel",
        owner="Ola",
        due_on=today - timedelta(days=50),
        status=ActionStatus.CLOSED,
    )
    on_time = FollowUpAction(exercise=recent, description="Senere", owner="Ola", due_on=today)
    api.session.add_all([late, closed, on_time])
    api.session.commit()

    found = overdue(api.session, today=today, now=now)
    organisations = {item.name: item for item in found.organisations}
    assert set(organisations) == {"Annet Sanitetslag", "Tredje Røde Kors"}
    other = organisations["Annet Sanitetslag"]
    assert other.last_exercised_on == old.ends_at.astimezone(NORWAY).date()
    due = other.last_exercised_on + relativedelta(months=24)
    assert other.due_on == due and other.days_overdue == (today - due).days > 0
    never = organisations["Tredje Røde Kors"]
    assert never.last_exercised_on is None and never.due_on == date(2022, 1, 1)
    assert never.days_overdue == (today - date(2022, 1, 1)).days
    assert [item.reference for item in found.agreements] == ["2019/3", "2021/7"]
    assert [item.exercise_id for item in found.evaluations] == [missing.id]
    assert found.evaluations[0].days_overdue >= 0
    assert [(item.action_id, item.days_overdue) for item in found.actions] == [(late.id, 5)]

    # The same over the API, for every role; the agreement once tested drops out.
    body = api.get(Role.COUNCIL, f"{API}/exercises/overdue").json()
    assert {item["name"] for item in body["organisations_not_exercised"]} == set(organisations)
    assert {item["reference"] for item in body["agreements_never_tested"]} == {"2019/3", "2021/7"}
    assert [item["exercise_id"] for item in body["evaluations_missing"]] == [missing.id]
    assert [item["action_id"] for item in body["actions_overdue"]] == [late.id]
    assert untested.id in {item["agreement_id"] for item in body["agreements_never_tested"]}

    # Two years on, with nothing done, the recent exercise is too old as well.
    later = overdue(api.session, today=today + timedelta(days=800), now=now + timedelta(days=800))
    assert "Eget Hjelpekorps" in {item.name for item in later.organisations}
