"""/api/v1/exercises on both backends: the contract, validation, filters, who may do what,
personal data, PATCH with If-Match, and cancelling (a running drill's callout stops)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from shapely.geometry import Point

from alerts.models import Callout, CalloutStatus
from beredskap.platform.auth.models import Role
from beredskap.platform.columns import utcnow
from beredskap.register.volunteers.models import Membership, Volunteer
from exercises.models import Exercise, ExerciseStatus, ExerciseType
from tests.support.api import ApiHarness
from tests.support.callouts import LILLESTROM

URL = "/api/v1/exercises"
NEXT_YEAR = utcnow().year + 1


def _body(api: ApiHarness, **fields: Any) -> dict[str, Any]:
    return {
        "title": "Diskusjonsøvelse flom",
        "type": "tabletop",
        "starts_at": f"{NEXT_YEAR}-05-04T18:00:00+02:00",
        "ends_at": f"{NEXT_YEAR}-05-04T20:00:00+02:00",
        "organisation_ids": [api.own.id],
    } | fields


def _drill() -> dict[str, Any]:
    return {
        "message": "Varslingsøvelse: svar JA om du kan møte.",
        "radius_m": 10_000,
        "needs": [{"qualification": "first_aid", "count": 2}],
    }


def _volunteer(api: ApiHarness, name: str, organisation: Any = None) -> Volunteer:
    person = Volunteer(
        full_name=name,
        mobile="+447700900555",
        email="person@example.org",
        home_area=Point(*LILLESTROM),
        sms_consent=True,
    )
    if organisation is not None:
        person.memberships.append(Membership(organisation=organisation))
    api.session.add(person)
    api.session.commit()
    return person


def _create(api: ApiHarness, **fields: Any) -> dict[str, Any]:
    response = api.post(Role.PLANNER, URL, json=_body(api, **fields))
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_planner_creates_an_exercise_and_reads_it_back(api: ApiHarness) -> None:
    created = _create(api, scenario="Flom i Nitelva", site_ids=[api.own_site.id])
    assert created["conflicts"] == [] and created["occurrence_ids"] == [created["id"]]
    read = api.get(Role.COUNCIL, f"{URL}/{created['id']}")
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    exercise = read.json()
    assert exercise["status"] == "planned" and exercise["type"] == "tabletop"
    assert exercise["starts_at"] == f"{NEXT_YEAR}-05-04T16:00:00Z"
    assert exercise["starts_at_local"] == f"{NEXT_YEAR}-05-04T18:00:00+02:00"
    assert exercise["organisations"] == [{"id": api.own.id, "name": api.own.name}]
    assert exercise["sites"] == [{"id": api.own_site.id, "name": api.own_site.name}]
    assert exercise["reminder_offsets_min"] == [10080, 1440]  # the settings' default
    assert created["created_by"] == "planner@test.example" and exercise["created_by"] is None


def test_a_naive_time_is_oslo_time_in_winter_and_summer(api: ApiHarness) -> None:
    winter = _create(
        api, starts_at=f"{NEXT_YEAR}-01-12T18:00:00", ends_at=f"{NEXT_YEAR}-01-12T19:00:00"
    )
    assert winter["starts_at"] == f"{NEXT_YEAR}-01-12T17:00:00Z"
    summer = _create(
        api, starts_at=f"{NEXT_YEAR}-07-12T18:00:00", ends_at=f"{NEXT_YEAR}-07-12T19:00:00"
    )
    assert summer["starts_at"] == f"{NEXT_YEAR}-07-12T16:00:00Z"


def test_a_time_in_the_spring_gap_is_a_422_on_its_field_and_saves_nothing(
    api: ApiHarness,
) -> None:
    before = api.counts(Exercise)
    response = api.post(
        Role.PLANNER,
        URL,
        json=_body(api, starts_at="2027-03-28T02:30:00", ends_at="2027-03-28T04:00:00"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "starts_at"
    assert "does not exist in Europe/Oslo" in response.json()["errors"][0]["message"]
    assert api.counts(Exercise) == before
    # The October night's 02:30 happens twice: the first (summer time) is taken.
    october = _create(api, starts_at="2027-10-31T02:30:00", ends_at="2027-10-31T04:00:00")
    assert october["starts_at"] == "2027-10-31T00:30:00Z"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ends_at": f"{NEXT_YEAR}-05-04T17:00:00+02:00"}, "ends_at"),
        ({"ends_at": f"{NEXT_YEAR}-05-20T18:00:00+02:00"}, "ends_at"),  # over 14 days
        ({"organisation_ids": [999_999]}, "organisation_ids"),
        ({"agreement_ids": [999_999]}, "agreement_ids"),
        ({"volunteer_ids": [999_999]}, "volunteer_ids"),
        ({"site_ids": [999_999]}, "site_ids"),
        ({"type": "alert_drill"}, "drill"),  # a drill needs its callout
        ({"type": "alert_drill", "drill": _drill()}, "place"),  # ... and a place
        ({"drill": _drill()}, "drill"),  # only alert drills have one
        (
            {
                "type": "alert_drill",
                "place": {"lat": LILLESTROM[1], "lon": LILLESTROM[0]},
                "drill": _drill() | {"needs": [{"qualification": "nonesuch", "count": 1}]},
            },
            "drill.needs",
        ),
        (
            {
                "type": "alert_drill",
                "place": {"lat": LILLESTROM[1], "lon": LILLESTROM[0]},
                "drill": _drill(),
                "starts_at": "2020-01-01T10:00:00+01:00",
                "ends_at": "2020-01-01T11:00:00+01:00",
            },
            "starts_at",
        ),
        ({"place": {"lat": 40.0, "lon": 2.0}}, "place"),  # outside Norway
        ({"recurrence": {"rrule": "FREQ=SOMETIMES"}}, "recurrence.rrule"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_changes_nothing(
    api: ApiHarness, fields: dict[str, Any], field: str
) -> None:
    before = api.counts(Exercise)
    response = api.post(Role.PLANNER, URL, json=_body(api, **fields))
    assert response.status_code == 422, response.text
    assert field in {error["field"] for error in response.json()["errors"]}
    assert api.counts(Exercise) == before


@pytest.mark.parametrize(
    "fields",
    [
        {"type": "parade"},
        {"reminder_offsets_min": [0]},
        {"reminder_offsets_min": [86_401]},
        {"title": ""},
        {"starts_at": "tomorrow"},
        {"starts_at": "0001-01-01T00:00:00+05:00"},  # would overflow in UTC
        {"ends_at": "9999-12-31T23:00:00-05:00"},
        {"unknown": 1},
    ],
)
def test_malformed_bodies_are_refused_by_the_schema(
    api: ApiHarness, fields: dict[str, Any]
) -> None:
    assert api.post(Role.PLANNER, URL, json=_body(api, **fields)).status_code == 422


def test_an_alert_drill_keeps_its_callout_fields_and_has_no_reminders_by_default(
    api: ApiHarness,
) -> None:
    created = _create(
        api,
        type="alert_drill",
        place={"lat": LILLESTROM[1], "lon": LILLESTROM[0]},
        drill=_drill() | {"wanted": 3},
    )
    assert created["reminder_offsets_min"] == []
    assert created["drill"] == {
        "message": _drill()["message"],
        "radius_m": 10_000.0,
        "needs": [{"qualification": "first_aid", "count": 2}],
        "wanted": 3,
    }
    assert created["place"]["coordinates"] == [LILLESTROM[0], LILLESTROM[1]]


def test_who_may_plan_and_who_may_read(api: ApiHarness) -> None:
    for role in (Role.DUTY_OFFICER, Role.ORG_EDITOR, Role.COUNCIL):
        assert api.post(role, URL, json=_body(api)).status_code == 403
        assert api.post(role, f"{URL}/conflicts", json=_window(api)).status_code == 403
    assert api.post(None, URL, json=_body(api)).status_code == 401
    created = _create(api)
    for role in Role:
        assert api.get(role, f"{URL}/{created['id']}").status_code == 200
        assert api.get(role, URL).status_code == 200
    assert api.post(Role.ADMIN, URL, json=_body(api)).status_code == 201
    assert api.get(Role.PLANNER, f"{URL}/999999").status_code == 404


def test_invited_volunteers_are_names_for_planners_and_a_count_for_the_council(
    api: ApiHarness,
) -> None:
    kari = _volunteer(api, "Kari Nordmann")
    created = _create(api, volunteer_ids=[kari.id])
    planner = api.get(Role.PLANNER, f"{URL}/{created['id']}")
    assert planner.json()["volunteers"] == [{"id": kari.id, "name": "Kari Nordmann"}]
    assert "+447700900555" not in planner.text and "person@example.org" not in planner.text
    council = api.get(Role.COUNCIL, f"{URL}/{created['id']}")
    assert council.json()["volunteers"] is None
    # One invited is a person to the council: "fewer than 3" (test_who_sees_whom.py).
    assert council.json()["volunteers_count"] is None
    assert council.json()["withheld"] == ["volunteers_count", "volunteers_others"]
    assert "Kari" not in council.text
    assert council.json()["created_by"] is None  # a user's e-mail
    listed = api.get(Role.COUNCIL, URL)
    assert "Kari" not in listed.text


def test_the_list_filters_by_window_organisation_status_and_type(api: ApiHarness) -> None:
    may = _create(api)
    june = _create(
        api,
        type="functional",
        starts_at=f"{NEXT_YEAR}-06-10T09:00:00",
        ends_at=f"{NEXT_YEAR}-06-10T15:00:00",
        organisation_ids=[api.other.id],
    )

    def ids(**params: Any) -> list[int]:
        response = api.get(Role.COUNCIL, URL, params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [may["id"], june["id"]]
    assert ids(**{"from": f"{NEXT_YEAR}-06-01T00:00:00"}) == [june["id"]]
    assert ids(to=f"{NEXT_YEAR}-05-04T18:00:00") == []  # ends at its start: no overlap
    assert ids(to=f"{NEXT_YEAR}-05-04T18:01:00") == [may["id"]]
    assert ids(organisation_id=api.other.id) == [june["id"]]
    assert ids(type="functional") == [june["id"]]
    assert ids(status="cancelled") == []
    assert ids(sort="-starts_at") == [june["id"], may["id"]]
    page = api.get(Role.COUNCIL, URL, params={"limit": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    assert api.get(Role.COUNCIL, URL, params={"from": "2027-03-28T02:30:00"}).status_code == 422
    assert api.get(Role.COUNCIL, URL, params={"status": "nonsense"}).status_code == 422
    assert api.get(Role.COUNCIL, URL, params={"to": "0001-01-01T00:00:00"}).status_code == 422
    assert api.get(Role.COUNCIL, URL, params={"sort": "secret"}).status_code == 422


def test_patch_needs_the_current_version_and_returns_conflicts(api: ApiHarness) -> None:
    first = _create(api)
    second = _create(
        api,
        title="Annen øvelse",
        starts_at=f"{NEXT_YEAR}-05-05T18:00:00+02:00",
        ends_at=f"{NEXT_YEAR}-05-05T20:00:00+02:00",
    )
    url = f"{URL}/{second['id']}"
    stale = api.patch(Role.PLANNER, url, headers={"If-Match": '"7"'}, json={"title": "Ny"})
    assert stale.status_code == 412
    assert api.patch(Role.PLANNER, url, json={"title": "Ny", "version": 7}).status_code == 409
    moved = api.patch(
        Role.PLANNER,
        url,
        headers={"If-Match": '"1"'},
        json={
            "starts_at": f"{NEXT_YEAR}-05-04T19:00:00+02:00",
            "ends_at": f"{NEXT_YEAR}-05-04T21:00:00+02:00",
        },
    )
    assert moved.status_code == 200, moved.text
    assert moved.headers["etag"] == '"2"'
    assert [(c["kind"], c["other"]["id"]) for c in moved.json()["conflicts"]] == [
        ("organisation", first["id"])
    ]
    assert api.patch(Role.PLANNER, url, json={"title": None}).status_code == 422
    assert api.patch(Role.PLANNER, url, json={"ends_at": "2020-01-01T00:00:00Z"}).status_code == 422
    assert api.patch(Role.COUNCIL, url, json={"title": "x"}).status_code == 403


def test_patch_turns_a_tabletop_into_an_alert_drill_only_with_its_callout(api: ApiHarness) -> None:
    created = _create(api)
    url = f"{URL}/{created['id']}"
    refused = api.patch(Role.PLANNER, url, json={"type": "alert_drill"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "drill"
    changed = api.patch(
        Role.PLANNER,
        url,
        json={
            "type": "alert_drill",
            "drill": _drill(),
            "place": {"lat": LILLESTROM[1], "lon": LILLESTROM[0]},
        },
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["drill"]["radius_m"] == 10_000
    back = api.patch(Role.PLANNER, url, json={"type": "tabletop"})
    assert back.status_code == 200 and back.json()["drill"] is None


def test_only_a_planned_exercise_can_be_changed_and_cancel_happens_once(api: ApiHarness) -> None:
    created = _create(api)
    url = f"{URL}/{created['id']}"
    cancelled = api.post(Role.PLANNER, f"{url}/cancel", json={"reason": "Flom på ordentlig"})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "Flom på ordentlig"
    assert cancelled.json()["cancelled_at"] is not None
    assert api.post(Role.PLANNER, f"{url}/cancel").status_code == 409
    assert api.patch(Role.PLANNER, url, json={"title": "Ny"}).status_code == 409
    assert api.post(Role.COUNCIL, f"{url}/cancel").status_code == 403
    assert api.post(Role.PLANNER, f"{URL}/999999/cancel").status_code == 404


def test_cancelling_a_running_drill_stops_its_callout(api: ApiHarness) -> None:
    created = _create(
        api,
        type="alert_drill",
        place={"lat": LILLESTROM[1], "lon": LILLESTROM[0]},
        drill=_drill(),
    )
    exercise = api.session.get(Exercise, created["id"])
    assert exercise is not None
    callout = Callout(
        code="B2",
        title="Varslingsøvelse",
        message=_drill()["message"],
        exercise=True,
        status=CalloutStatus.ACTIVE,
        centre=Point(*LILLESTROM),
        radius_m=10_000,
        created_by="scheduler",
        sent_at=datetime.now(UTC) - timedelta(minutes=3),
    )
    api.session.add(callout)
    api.session.flush()
    exercise.callout_id = callout.id
    exercise.status = ExerciseStatus.RUNNING
    api.session.commit()
    response = api.post(Role.ADMIN, f"{URL}/{created['id']}/cancel")
    assert response.status_code == 200, response.text
    api.session.expire_all()
    assert api.session.get(Callout, callout.id).status == CalloutStatus.STOPPED  # type: ignore[union-attr]
    assert api.session.get(Exercise, created["id"]).type == ExerciseType.ALERT_DRILL  # type: ignore[union-attr]


def _window(api: ApiHarness, **fields: Any) -> dict[str, Any]:
    body = _body(api, **fields)
    return {key: body[key] for key in body if key not in ("title", "type")}


def test_the_conflicts_route_saves_nothing(api: ApiHarness) -> None:
    first = _create(api)
    before = api.counts(Exercise)
    response = api.post(Role.PLANNER, f"{URL}/conflicts", json=_window(api))
    assert response.status_code == 200, response.text
    assert [(c["kind"], c["what"], c["other"]["id"]) for c in response.json()["conflicts"]] == [
        ("organisation", api.own.name, first["id"])
    ]
    # Editing the exercise itself: it does not conflict with itself.
    own = api.post(Role.PLANNER, f"{URL}/conflicts", json=_window(api, exercise_id=first["id"]))
    assert own.json()["conflicts"] == []
    assert api.counts(Exercise) == before
    bad = api.post(Role.PLANNER, f"{URL}/conflicts", json=_window(api, exercise_id=999_999))
    assert bad.status_code == 404


def test_an_agreement_brings_its_organisation_into_conflicts(api: ApiHarness) -> None:
    from beredskap.register.agreements.models import Agreement, AgreementStatus

    agreement = Agreement(
        organisation=api.other,
        reference="AVT-1",
        title="Sanitetsvakt",
        status=AgreementStatus.ACTIVE,
        valid_from=utcnow().date(),
    )
    api.session.add(agreement)
    api.session.commit()
    first = _create(api, organisation_ids=[api.other.id])
    second = _create(api, organisation_ids=[], agreement_ids=[agreement.id])
    assert second["agreements"][0]["reference"] == "AVT-1"
    assert [(c["kind"], c["other"]["id"]) for c in second["conflicts"]] == [
        ("organisation", first["id"])
    ]
