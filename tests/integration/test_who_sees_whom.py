"""Issue 14 over the API, on both backends: who learns whom through a duplicate mobile, what
the duty officer may change of an equipment line, and that the council reads no count of one
or two people (agreement coverage, a drill's evaluation) while the people's roles read them."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from alerts.models import RecipientState
from beredskap.platform.auth.models import Role
from beredskap.register.inventory.models import Equipment, ResourceType
from beredskap.register.volunteers.models import QualificationType, Volunteer
from tests.support.api import ApiHarness
from tests.support.exercises import exercise, finished_drill

VOLUNTEERS = "/api/v1/volunteers"
EQUIPMENT = "/api/v1/equipment"
PROBLEM = "application/problem+json"
# The figures that count people, wherever they are in an answer.
PEOPLE_COUNTS = {"asked", "delivered", "failed", "answered", "yes", "no", "answers", "registered"}
PEOPLE_COUNTS |= {"volunteers_count", "volunteers_others"}


def _volunteer(api: ApiHarness, mobile: str, organisation_id: int, name: str) -> dict[str, Any]:
    body = {
        "full_name": name,
        "mobile": mobile,
        "memberships": [{"organisation_id": organisation_id}],
    }
    response = api.post(Role.ADMIN, VOLUNTEERS, json=body)
    assert response.status_code == 201, response.text
    return response.json()


# Duplicate mobile ---------------------------------------------------------------------------


def test_a_taken_mobile_names_its_holder_only_to_who_may_see_them(api: ApiHarness) -> None:
    theirs = _volunteer(api, "+4741234567", api.other.id, "Olga Annensen")
    mine = _volunteer(api, "+4791234567", api.own.id, "Kari Egen")
    before = api.counts(Volunteer)
    new = {"full_name": "Ny Person", "memberships": [{"organisation_id": api.own.id}]}

    # An org editor registering someone with another organisation's member's number.
    refused = api.post(Role.ORG_EDITOR, VOLUNTEERS, json=new | {"mobile": "412 34 567"})
    assert refused.status_code == 409 and refused.headers["content-type"].startswith(PROBLEM)
    detail = refused.json()["detail"]
    assert "already registered" in detail and "+4741234567" in detail
    assert "id" not in detail.split() and "Olga" not in detail and "Annet" not in detail
    # The same through an update of one of its own members.
    moved = api.patch(Role.ORG_EDITOR, f"{VOLUNTEERS}/{mine['id']}", json={"mobile": "41234567"})
    assert moved.status_code == 409
    assert "already registered" in moved.json()["detail"]
    assert "(id" not in moved.json()["detail"]
    assert api.counts(Volunteer) == before

    # Its own member's number: the helpful message, with the id.
    own_clash = api.post(Role.ORG_EDITOR, VOLUNTEERS, json=new | {"mobile": "+4791234567"})
    assert own_clash.status_code == 409
    assert f"(id {mine['id']})" in own_clash.json()["detail"]
    # The administrator sees everybody, so it is told who.
    admin = api.post(Role.ADMIN, VOLUNTEERS, json=new | {"mobile": "+4741234567"})
    assert admin.status_code == 409 and f"(id {theirs['id']})" in admin.json()["detail"]
    assert api.counts(Volunteer) == before


# The duty officer and equipment -------------------------------------------------------------


def _line(api: ApiHarness) -> dict[str, Any]:
    type_id = api.session.scalar(select(ResourceType.id).where(ResourceType.code == "generator"))
    body = {
        "organisation_id": api.other.id,
        "site_id": api.other_site.id,
        "resource_type_id": type_id,
        "quantity": 2,
    }
    response = api.post(Role.ADMIN, EQUIPMENT, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_the_duty_officer_sets_status_and_notes_only(api: ApiHarness) -> None:
    line = _line(api)
    url = f"{EQUIPMENT}/{line['id']}"
    ok = api.patch(Role.DUTY_OFFICER, url, json={"status": "in_use", "notes": "På skadestedet"})
    assert ok.status_code == 200, ok.text
    assert (ok.json()["status"], ok.json()["notes"]) == ("in_use", "På skadestedet")

    before = api.counts(Equipment)
    for change in (
        {"quantity": 5},
        {"identifier": "AB 12345", "quantity": 1},
        {"site_id": api.own_site.id},
        {"organisation_id": api.own.id, "site_id": api.own_site.id},
        {"status": "ready", "next_inspection_due": "2030-01-01"},
    ):
        refused = api.patch(Role.DUTY_OFFICER, url, json=change)
        assert refused.status_code == 403, (change, refused.text)
        assert refused.headers["content-type"].startswith(PROBLEM)
        problem = refused.json()
        assert "status and notes" in problem["detail"]
        named = {error["field"] for error in problem["errors"]}
        assert named == set(change) - {"status", "notes"}, problem
    assert api.counts(Equipment) == before
    stored = api.get(Role.ADMIN, url).json()
    assert (stored["quantity"], stored["site_id"], stored["status"]) == (
        2,
        api.other_site.id,
        "in_use",
    )
    assert stored["organisation_id"] == api.other.id and stored["next_inspection_due"] is None


def test_org_editors_still_edit_their_own_lines_fully(api: ApiHarness) -> None:
    type_id = api.session.scalar(select(ResourceType.id).where(ResourceType.code == "generator"))
    body = {"organisation_id": api.own.id, "site_id": api.own_site.id, "resource_type_id": type_id}
    created = api.post(Role.ORG_EDITOR, EQUIPMENT, json=body | {"quantity": 2})
    assert created.status_code == 201, created.text
    url = f"{EQUIPMENT}/{created.json()['id']}"
    changed = api.patch(Role.ORG_EDITOR, url, json={"quantity": 7, "status": "maintenance"})
    assert changed.status_code == 200 and changed.json()["quantity"] == 7
    # Another organisation's line stays out of its reach altogether.
    theirs = f"{EQUIPMENT}/{_line(api)['id']}"
    assert api.patch(Role.ORG_EDITOR, theirs, json={"status": "in_use"}).status_code == 403


# Small counts -------------------------------------------------------------------------------


def _people_counts(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every (path, value) of a people-counting key in a JSON answer."""
    found: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in PEOPLE_COUNTS and not isinstance(item, (dict, list)):
                found.append((f"{path}.{key}", item))
            found += _people_counts(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _people_counts(item, f"{path}[{index}]")
    return found


def _small(found: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [(path, value) for path, value in found if value in (1, 2)]


def test_coverage_says_fewer_than_3_members_to_the_council(api: ApiHarness) -> None:
    licence = api.session.scalar(
        select(QualificationType.id).where(QualificationType.code == "boat_licence")
    )
    body = {
        "organisation_id": api.own.id,
        "reference": "2026/0014",
        "title": "Båt",
        "valid_from": "2020-01-01",
        "status": "active",
        "commitments": [{"qualification_type_id": licence, "quantity": 2}],
    }
    agreement = api.post(Role.ADMIN, "/api/v1/agreements", json=body).json()
    person = {
        "full_name": "Båtfører",
        "mobile": "+447700900141",
        "sms_consent": True,
        "memberships": [{"organisation_id": api.own.id}],
        "qualifications": [{"qualification_type_id": licence, "obtained_on": "2020-01-01"}],
    }
    assert api.post(Role.ADMIN, VOLUNTEERS, json=person).status_code == 201
    url = f"/api/v1/agreements/{agreement['id']}/coverage"

    council = api.get(Role.COUNCIL, url).json()
    (line,) = council["lines"]
    assert (line["registered"], line["shortfall"], line["met"]) == (None, None, False)
    assert _small(_people_counts(council)) == []
    for role in (Role.ADMIN, Role.DUTY_OFFICER, Role.PLANNER, Role.ORG_EDITOR):
        (exact,) = api.get(role, url).json()["lines"]
        assert (exact["registered"], exact["shortfall"]) == (1, 1), role


def test_the_council_reads_no_count_of_one_or_two_in_a_drill(api: ApiHarness) -> None:
    drill = finished_drill(api.session, api.own, api.other)
    api.session.commit()
    url = f"/api/v1/exercises/{drill.exercise.id}/evaluation"

    council = api.get(Role.COUNCIL, url)
    assert council.status_code == 200, council.text
    figures = council.json()["drill"]
    assert _small(_people_counts(figures)) == []
    rows = {row["name"]: row["counts"] for row in figures["by_organisation"]}
    # The unknown group is one person who said yes after 61 minutes: nothing of it shows.
    unknown = rows[None]
    assert unknown["asked"] is None and unknown["first_answer_min"] is None
    assert {"asked", "yes", "no", "first_answer_min"} <= set(unknown["withheld"])
    assert all(item["answered"] is None and item["share"] is None for item in unknown["within"])
    # Overall: ten asked; one failed and two said no, so both splits are withheld.
    counts = figures["counts"]
    assert (counts["asked"], counts["answered"]) == (10, 7)
    assert (counts["yes"], counts["no"], counts["delivered"], counts["failed"]) == (None,) * 4
    boat = next(need for need in figures["needs"] if need["qualification"] == "boat_licence")
    assert (boat["yes"], boat["met_after_min"], boat["withheld"]) == (None, None, True)
    assert figures["all_needs_met_after_min"] is None
    assert figures["wanted_reached_after_min"] is None
    assert all(point["answers"] not in (1, 2) for point in figures["series"])

    # The people's roles read the figures as they are.
    for role in (Role.ADMIN, Role.DUTY_OFFICER, Role.PLANNER):
        exact = api.get(role, url).json()["drill"]
        assert (exact["counts"]["yes"], exact["counts"]["no"], exact["counts"]["failed"]) == (
            5,
            2,
            1,
        ), role
        assert exact["counts"]["withheld"] == [] and exact["withheld"] == []
        assert {row["name"]: row["counts"]["asked"] for row in exact["by_organisation"]}[None] == 1
    # An org editor reads its own organisation's row exactly, no other's small counts.
    editor = api.get(Role.ORG_EDITOR, url).json()["drill"]
    assert _small(_people_counts(editor["counts"])) == []
    rows = {row["name"]: row["counts"] for row in editor["by_organisation"]}
    assert rows[api.own.name]["no"] == 2 and rows[None]["asked"] is None


def test_a_drill_asking_two_shows_the_council_nothing_but_fewer_than_3(api: ApiHarness) -> None:
    drill = finished_drill(api.session, api.own, api.other)
    # Only two recipients asked (the rest left as if never sent).
    for recipient in drill.callout.recipients[2:]:
        recipient.state = RecipientState.CANCELLED
    api.session.commit()
    figures = api.get(Role.COUNCIL, f"/api/v1/exercises/{drill.exercise.id}/evaluation").json()
    drill_figures = figures["drill"]
    assert drill_figures["counts"]["asked"] is None
    assert drill_figures["counts"]["first_answer_min"] is None
    assert "series" in drill_figures["withheld"]
    assert drill_figures["series"] == [{"minute": 0.0, "answers": 0, "yes": 0}]
    assert _small(_people_counts(drill_figures)) == []
    assert date.fromisoformat(figures["starts_at"][:10])  # the facts stay


# An exercise's invited volunteers ------------------------------------------------------------


def _invite(api: ApiHarness, own: int, other: int) -> int:
    """An exercise inviting `own` members of the org editor's organisation and `other` of
    another; its id."""
    first = api.counts(Volunteer)[0]
    people = [
        _volunteer(api, f"+4790000{first + index:03d}", organisation.id, f"{prefix} {index}")
        for index, (organisation, prefix) in enumerate(
            [(api.own, "Egen")] * own + [(api.other, "Annen")] * other
        )
    ]
    made = exercise(api.session, organisations=[api.own, api.other])
    made.volunteers = [api.session.get(Volunteer, person["id"]) for person in people]
    api.session.commit()
    return made.id


def _invited(api: ApiHarness, role: Role, exercise_id: int) -> tuple[Any, ...]:
    one = api.get(role, f"/api/v1/exercises/{exercise_id}")
    assert one.status_code == 200, one.text
    listed = api.get(role, "/api/v1/exercises", params={"limit": 200}).json()["items"]
    (same,) = [item for item in listed if item["id"] == exercise_id]
    keys = ("volunteers", "volunteers_count", "volunteers_others", "withheld")
    assert {key: same[key] for key in keys} == {key: one.json()[key] for key in keys}, role
    body = one.json()
    names = None if body["volunteers"] is None else sorted(v["name"] for v in body["volunteers"])
    return names, body["volunteers_count"], body["volunteers_others"], body["withheld"]


def test_an_exercise_names_only_the_volunteers_the_reader_may_see(api: ApiHarness) -> None:
    exercise_id = _invite(api, own=1, other=2)
    everybody = ["Annen 1", "Annen 2", "Egen 0"]
    for role in (Role.ADMIN, Role.DUTY_OFFICER, Role.PLANNER):
        assert _invited(api, role, exercise_id) == (everybody, 3, 0, []), role
    # The org editor: its own member by name; the two others are "fewer than 3", and so is
    # the whole number (3 less the one named would tell).
    assert _invited(api, Role.ORG_EDITOR, exercise_id) == (
        ["Egen 0"],
        None,
        None,
        ["volunteers_count", "volunteers_others"],
    )
    # The council: no name, and three is no small count.
    assert _invited(api, Role.COUNCIL, exercise_id) == (None, 3, 3, [])


def test_one_or_two_invited_are_fewer_than_3_to_the_council(api: ApiHarness) -> None:
    for own, other in ((0, 1), (2, 0)):
        exercise_id = _invite(api, own=own, other=other)
        body = api.get(Role.COUNCIL, f"/api/v1/exercises/{exercise_id}").json()
        assert (body["volunteers"], body["volunteers_count"], body["volunteers_others"]) == (
            None,
            None,
            None,
        )
        assert body["withheld"] == ["volunteers_count", "volunteers_others"]
        assert _small(_people_counts(body)) == []
        assert (
            api.get(Role.PLANNER, f"/api/v1/exercises/{exercise_id}").json()["volunteers_count"]
            == own + other
        )
    # Two of its own: the org editor sees both by name and every number.
    names, count, others, withheld = _invited(api, Role.ORG_EDITOR, exercise_id)
    assert (names, count, others, withheld) == (["Egen 0", "Egen 1"], 2, 0, [])
    # Nobody invited is no small count: zero for everyone.
    empty = exercise(api.session, organisations=[api.own])
    api.session.commit()
    for role in (Role.COUNCIL, Role.ORG_EDITOR):
        assert _invited(api, role, empty.id)[1:] == (0, 0, [])
