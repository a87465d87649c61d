"""GET /api/v1/readiness on both backends: one definition of ready, each line saying what
counts and why the rest does not, the forecast, the filters, bad input, and what the council
sees."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.platform.columns import today_in_norway
from beredskap.register.inventory.models import ResourceType
from beredskap.register.readiness.schemas import ReadinessOut
from beredskap.register.volunteers.models import QualificationType
from tests.support.api import ApiHarness

URL = "/api/v1/readiness"
TODAY = today_in_norway()
# A square around Lillestrøm holding the harness's own storage site (11.06, 59.96).
AROUND_OWN_SITE = {
    "type": "Polygon",
    "coordinates": [[[11.0, 59.9], [11.1, 59.9], [11.1, 60.0], [11.0, 60.0], [11.0, 59.9]]],
}


def _type_id(api: ApiHarness, model: Any, code: str) -> int:
    type_id = api.session.scalar(select(model.id).where(model.code == code))
    assert type_id is not None
    return int(type_id)


def _agreement(api: ApiHarness, reference: str, commitments: list[dict[str, Any]], **fields: Any):
    body = {
        "organisation_id": api.own.id,
        "reference": reference,
        "title": f"Avtale {reference}",
        "valid_from": (TODAY - timedelta(days=365)).isoformat(),
        "status": "active",
        "commitments": commitments,
    } | fields
    response = api.post(Role.ADMIN, "/api/v1/agreements", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _equipment(api: ApiHarness, quantity: int, **fields: Any) -> None:
    body = {
        "organisation_id": api.own.id,
        "site_id": api.own_site.id,
        "resource_type_id": _type_id(api, ResourceType, "atv"),
        "quantity": quantity,
    } | fields
    response = api.post(Role.ADMIN, "/api/v1/equipment", json=body)
    assert response.status_code == 201, response.text


def _volunteer(api: ApiHarness, number: int, expires: date | None, **fields: Any) -> None:
    body = {
        "full_name": f"Frivillig {number}",
        "mobile": f"+447700900{number:03d}",
        "sms_consent": True,
        "memberships": [{"organisation_id": api.own.id}],
        "qualifications": [
            {
                "qualification_type_id": _type_id(api, QualificationType, "first_aid"),
                "expires_on": expires.isoformat() if expires else None,
            }
        ],
    } | fields
    response = api.post(Role.ADMIN, "/api/v1/volunteers", json=body)
    assert response.status_code == 201, response.text


def _only(api: ApiHarness, role: Role, **params: Any) -> dict[str, Any]:
    response = api.get(role, URL, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    ReadinessOut.model_validate(body)  # the JSON built of plain dicts keeps the documented shape
    assert body["travel"] == {"speed_kmh": 50.0, "detour_factor": 1.3}
    assert len(body["agreements"]) == 1, body
    return body["agreements"][0]


def test_equipment_counts_when_ready_inspected_and_inside_the_service_area(
    api: ApiHarness,
) -> None:
    atv = _type_id(api, ResourceType, "atv")
    agreement = _agreement(
        api, "2026/1", [{"resource_type_id": atv, "quantity": 4}], service_area=AROUND_OWN_SITE
    )
    _equipment(api, 2, next_inspection_due=(TODAY + timedelta(days=200)).isoformat())
    _equipment(api, 1, next_inspection_due=(TODAY - timedelta(days=3)).isoformat())
    _equipment(api, 1, status="maintenance")
    # A storage of ours in Trondheim lies outside the area drawn.
    site = {
        "organisation_id": api.own.id,
        "name": "Lager i Trondheim",
        "kind": "storage",
        "location": {"type": "Point", "coordinates": [10.40, 63.43]},
    }
    far_site = api.post(Role.ADMIN, "/api/v1/sites", json=site)
    assert far_site.status_code == 201, far_site.text
    _equipment(api, 1, site_id=far_site.json()["id"])

    item = _only(api, Role.ADMIN)
    assert item["agreement_id"] == agreement["id"] and item["in_force"] is True
    (line,) = item["lines"]
    assert (line["committed"], line["counted"], line["held"], line["shortfall"]) == (4, 2, 5, 2)
    assert line["not_counted"] == {
        "inspection_overdue": 1,
        "maintenance": 1,
        "outside_service_area": 1,
    }
    assert line["met"] is False and item["met"] is False
    # The old coverage endpoint reads the same definition: no longer "met" on overdue ATVs.
    coverage = api.get(Role.ADMIN, f"/api/v1/agreements/{agreement['id']}/coverage").json()
    assert coverage["lines"][0]["registered"] == 2 and coverage["met"] is False


def test_people_count_when_callable_qualified_and_within_reach(api: ApiHarness) -> None:
    first_aid = _type_id(api, QualificationType, "first_aid")
    _agreement(
        api,
        "2026/2",
        [{"qualification_type_id": first_aid, "quantity": 3}],
        committed_mobilisation_minutes=30,
    )
    near = {"type": "Point", "coordinates": [11.07, 59.95]}  # 1 km from the home base
    far = {"type": "Point", "coordinates": [10.40, 63.43]}  # Trondheim
    _volunteer(api, 1, None, home_area=near)
    _volunteer(api, 2, TODAY + timedelta(days=400), home_area=near)
    _volunteer(api, 3, None, home_area=near, availability="unavailable")
    _volunteer(api, 4, TODAY - timedelta(days=1), home_area=near)
    _volunteer(api, 5, None, home_area=far)
    _volunteer(api, 6, None)  # no home area: reach unknown
    _volunteer(api, 7, None, home_area=near, sms_consent=False)
    _volunteer(api, 8, None, home_area=near, active=False)

    (line,) = _only(api, Role.ADMIN)["lines"]
    assert (line["counted"], line["held"], line["travel_checked"]) == (2, 8, True)
    assert line["not_counted"] == {
        "home_unknown": 1,
        "inactive": 1,
        "no_consent": 1,
        "qualification_not_valid": 1,
        "too_far": 1,
        "unavailable": 1,
    }
    # The council reads counts of people of one or two as withheld, zero and more as they are.
    (seen,) = _only(api, Role.COUNCIL)["lines"]
    assert seen["counted"] is None and seen["shortfall"] is None and seen["held"] == 8
    assert set(seen["not_counted"].values()) == {None}
    assert "Frivillig" not in api.get(Role.COUNCIL, URL).text


def test_the_forecast_names_what_the_calendar_takes(api: ApiHarness) -> None:
    atv = _type_id(api, ResourceType, "atv")
    first_aid = _type_id(api, QualificationType, "first_aid")
    _agreement(
        api,
        "2026/3",
        [
            {"resource_type_id": atv, "quantity": 1},
            {"qualification_type_id": first_aid, "quantity": 3},
        ],
        valid_until=(TODAY + timedelta(days=75)).isoformat(),
    )
    _equipment(api, 1, next_inspection_due=(TODAY + timedelta(days=45)).isoformat())
    _volunteer(api, 1, None)
    _volunteer(api, 2, None)
    _volunteer(api, 3, TODAY + timedelta(days=20))

    item = _only(api, Role.ADMIN)
    assert item["met"] is True
    by_days = {entry["days"]: entry for entry in item["forecast"]}
    assert sorted(by_days) == [30, 60, 90]
    assert by_days[30]["on"] == (TODAY + timedelta(days=30)).isoformat()
    assert [(s["code"], s["counted"], s["lost_to_expiry"]) for s in by_days[30]["short"]] == [
        ("first_aid", 2, 1)
    ]
    assert by_days[30]["met"] is False and by_days[30]["agreement_ends"] is False
    shorts_60 = {s["code"]: s for s in by_days[60]["short"]}
    assert shorts_60["atv"]["lost_to_inspection"] == 1 and shorts_60["atv"]["counted"] == 0
    assert by_days[60]["agreement_ends"] is False and by_days[90]["agreement_ends"] is True


def test_filters_order_and_bad_input(api: ApiHarness) -> None:
    atv = _type_id(api, ResourceType, "atv")
    met = _agreement(api, "2026/4", [{"resource_type_id": atv, "quantity": 1}], tasks=["search"])
    short = _agreement(api, "2026/5", [{"resource_type_id": atv, "quantity": 9}])
    draft = _agreement(api, "2026/6", [], status="draft")
    _equipment(api, 2)

    body = api.get(Role.PLANNER, URL).json()
    # Worst first: in force and short, then met, then what is not in force at all.
    assert [a["agreement_id"] for a in body["agreements"]] == [short["id"], met["id"], draft["id"]]
    assert (body["total"], body["met"]) == (3, 1)
    assert body["agreements"][2]["in_force"] is False and body["agreements"][2]["met"] is False
    assert [
        a["agreement_id"]
        for a in api.get(Role.PLANNER, URL, params={"met": "true"}).json()["agreements"]
    ] == [met["id"]]
    by_task = api.get(Role.PLANNER, URL, params={"task": "search"}).json()["agreements"]
    assert [a["agreement_id"] for a in by_task] == [met["id"]]
    by_organisation = api.get(Role.PLANNER, URL, params={"organisation_id": api.other.id})
    assert by_organisation.json()["agreements"] == []
    # Judged on a day: in a year the agreements' status still holds, their ATVs too.
    later = (TODAY + timedelta(days=365)).isoformat()
    assert api.get(Role.PLANNER, URL, params={"on": later}).json()["on"] == later

    assert api.get(Role.PLANNER, URL, params={"organisation_id": 987654}).status_code == 404
    for params in ({"on": "2026-13-01"}, {"met": "maybe"}, {"task": "juggling"}):
        response = api.get(Role.PLANNER, URL, params=params)
        assert response.status_code == 422, params
    assert api.get(None, URL).status_code == 401
