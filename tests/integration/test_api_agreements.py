"""/api/v1/agreements on both backends: CRUD with committed capacities, filters, bad input,
concurrency, what the council sees, and coverage: does what is registered meet the promise."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.platform.columns import today_in_norway
from beredskap.register.agreements.models import Agreement, Commitment
from beredskap.register.inventory.models import ResourceType
from beredskap.register.volunteers.models import QualificationType
from tests.support.api import ApiHarness

URL = "/api/v1/agreements"
PROBLEM = "application/problem+json"
TODAY = today_in_norway()  # the day the register judges on (Oslo), not the machine's


def _resource(api: ApiHarness, code: str) -> int:
    type_id = api.session.scalar(select(ResourceType.id).where(ResourceType.code == code))
    assert type_id is not None
    return type_id


def _qualification(api: ApiHarness, code: str) -> int:
    type_id = api.session.scalar(select(QualificationType.id).where(QualificationType.code == code))
    assert type_id is not None
    return type_id


def _agreement(api: ApiHarness, **fields: Any) -> dict[str, Any]:
    body = {
        "organisation_id": api.own.id,
        "reference": "2025/0042",
        "title": "Beredskapsavtale med Eget Hjelpekorps",
        "valid_from": (TODAY - timedelta(days=365)).isoformat(),
    } | fields
    response = api.post(Role.ADMIN, URL, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_agreement_crud_with_commitments(api: ApiHarness) -> None:
    created = _agreement(
        api,
        status="active",
        tasks=["search", "first_aid", "search"],
        committed_mobilisation_minutes=60,
        notice_period_days=90,
        contacts=[{"name": "Kari Vakt", "role": "beredskapsleder", "phone": "+44 7700 900701"}],
        commitments=[
            {"resource_type_id": _resource(api, "atv"), "quantity": 2},
            {"qualification_type_id": _qualification(api, "first_aid"), "quantity": 10},
        ],
    )
    assert created["tasks"] == ["first_aid", "search"]
    assert created["contacts"] == [
        {"name": "Kari Vakt", "role": "beredskapsleder", "phone": "+447700900701", "email": None}
    ]
    assert [
        (c["resource_type_id"], c["qualification_type_id"], c["quantity"])
        for c in created["commitments"]
    ] == [
        (_resource(api, "atv"), None, 2),
        (None, _qualification(api, "first_aid"), 10),
    ]
    assert created["police_rescue_precedence"] is True and created["version"] == 1
    url = f"{URL}/{created['id']}"

    read = api.get(Role.DUTY_OFFICER, url)
    assert read.status_code == 200 and read.headers["etag"] == '"1"'
    assert read.json() == created

    patched = api.patch(
        Role.ADMIN,
        url,
        json={
            "status": "suspended",
            "commitments": [{"resource_type_id": _resource(api, "atv"), "quantity": 3}],
        },
        headers={"If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["status"] == "suspended" and body["version"] == 2
    assert [c["quantity"] for c in body["commitments"]] == [3]
    assert body["commitments"][0]["id"] == created["commitments"][0]["id"]  # updated in place
    assert api.counts(Commitment)[0] == 1
    only_lists = api.patch(
        Role.ADMIN, url, json={"commitments": [], "version": 2}, headers={"If-Match": '"2"'}
    )
    assert only_lists.json()["commitments"] == [] and only_lists.json()["version"] == 3

    assert api.delete(Role.ADMIN, url, headers={"If-Match": '"3"'}).status_code == 204
    assert api.get(Role.ADMIN, url).status_code == 404
    assert api.counts(Agreement, Commitment)[:2] == (0, 0)


def test_only_the_admin_writes_and_the_council_sees_no_contacts(api: ApiHarness) -> None:
    contact = {"name": "Per Kontakt", "phone": "+447700900702", "email": "per@eget.example"}
    created = _agreement(api, contacts=[contact])
    url = f"{URL}/{created['id']}"
    council = api.get(Role.COUNCIL, url)
    assert council.status_code == 200 and council.json()["contacts"] == []
    assert "+447700900702" not in council.text and "per@eget.example" not in council.text
    listed = api.get(Role.COUNCIL, URL).json()["items"]
    assert [item["contacts"] for item in listed] == [[]]
    for role in (Role.ADMIN, Role.DUTY_OFFICER, Role.ORG_EDITOR, Role.PLANNER):
        assert api.get(role, url).json()["contacts"][0]["phone"] == "+447700900702"
    before = api.counts(Agreement)
    assert api.post(Role.ORG_EDITOR, URL, json={}).status_code == 403
    assert api.patch(Role.ORG_EDITOR, url, json={"title": "Vår avtale"}).status_code == 403
    assert api.delete(Role.DUTY_OFFICER, url).status_code == 403
    assert api.counts(Agreement) == before


def test_filters_sort_and_paging(api: ApiHarness) -> None:
    _agreement(api, reference="A-1", status="active", tasks=["search", "transport"])
    _agreement(
        api,
        reference="A-2",
        status="active",
        tasks=["reception_of_evacuees"],
        valid_until=(TODAY + timedelta(days=30)).isoformat(),
    )
    _agreement(
        api,
        reference="B-1",
        organisation_id=api.other.id,
        status="expired",
        tasks=["catering"],
        valid_from=(TODAY - timedelta(days=800)).isoformat(),
        valid_until=(TODAY - timedelta(days=90)).isoformat(),
    )
    _agreement(
        api, reference="C-1", status="draft", valid_from=(TODAY + timedelta(days=10)).isoformat()
    )

    def references(**params: Any) -> list[str]:
        response = api.get(Role.COUNCIL, URL, params=params)
        assert response.status_code == 200, response.text
        return [item["reference"] for item in response.json()["items"]]

    assert references(organisation_id=api.other.id) == ["B-1"]
    assert references(status="active") == ["A-1", "A-2"]
    assert references(task="search") == ["A-1"]
    assert references(task="reception_of_evacuees") == ["A-2"]
    assert references(task="psychosocial_support") == []
    assert references(valid_on=TODAY.isoformat()) == ["A-1", "A-2"]
    assert references(valid_on=(TODAY + timedelta(days=60)).isoformat()) == ["A-1", "C-1"]
    assert references(expiring_before=(TODAY + timedelta(days=31)).isoformat()) == ["A-2", "B-1"]
    # start the same day: the tiebreak (id) follows the direction.
    assert references(sort="-valid_from") == ["C-1", "A-2", "A-1", "B-1"]
    first = api.get(Role.COUNCIL, URL, params={"limit": 3}).json()
    rest = api.get(Role.COUNCIL, URL, params={"limit": 3, "offset": 3}).json()
    assert first["total"] == rest["total"] == 4
    assert [i["reference"] for i in first["items"] + rest["items"]] == ["A-1", "A-2", "B-1", "C-1"]
    refused = api.get(Role.COUNCIL, URL, params={"sort": "contacts"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "sort"
    unknown = api.get(Role.COUNCIL, URL, params={"task": "piracy"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "task"


def _commitment(**fields: Any) -> dict[str, Any]:
    return {"commitments": [fields]}


BAD_AGREEMENTS: list[tuple[str, dict[str, Any], str]] = [
    ("both ids", _commitment(resource_type_id=1, qualification_type_id=1, quantity=1), "commit"),
    ("neither id", _commitment(quantity=1), "commitments.0"),
    ("quantity 0", _commitment(resource_type_id=1, quantity=0), "commitments.0.quantity"),
    ("quantity -1", _commitment(resource_type_id=1, quantity=-1), "commitments.0.quantity"),
    ("quantity 10**12", _commitment(resource_type_id=1, quantity=10**12), "commitments.0.quantity"),
    ("unknown resource type", _commitment(resource_type_id=999_999, quantity=1), "commitments.0"),
    (
        "unknown qualification",
        _commitment(qualification_type_id=999_999, quantity=1),
        "commitments.0.qualification_type_id",
    ),
    (
        "committed twice",
        {"commitments": [{"resource_type_id": 1, "quantity": 1}] * 2},
        "commitments.1.resource_type_id",
    ),
    ("unknown organisation", {"organisation_id": 999_999}, "organisation_id"),
    ("huge organisation id", {"organisation_id": 10**30}, "organisation_id"),
    ("ends before it starts", {"valid_until": "2000-01-01"}, "valid_until"),
    ("no start", {"valid_from": None}, "valid_from"),
    ("unknown task", {"tasks": ["piracy"]}, "tasks.0"),
    ("unknown status", {"status": "signed"}, "status"),
    ("100k title", {"title": "x" * 100_000}, "title"),
    ("NUL in reference", {"reference": "2025\x00/1"}, "reference"),
    ("notice of 5000 days", {"notice_period_days": 5000}, "notice_period_days"),
    ("mobilisation -1 minutes", {"committed_mobilisation_minutes": -1}, "committed_mobilisation"),
    ("contact phone", {"contacts": [{"name": "Kari", "phone": "call me"}]}, "contacts"),
    ("contact without name", {"contacts": [{"phone": "+4741234567"}]}, "contacts.0.name"),
    ("unknown field", {"signed_by": "ordføreren"}, "signed_by"),
]


@pytest.mark.parametrize(
    "fields, field", [c[1:] for c in BAD_AGREEMENTS], ids=[c[0] for c in BAD_AGREEMENTS]
)
def test_bad_input_is_refused_with_the_field(
    api: ApiHarness, fields: dict[str, Any], field: str
) -> None:
    before = api.counts(Agreement, Commitment)
    body = {
        "organisation_id": api.own.id,
        "reference": "2025/0042",
        "title": "Avtale",
        "valid_from": "2024-01-01",
    } | fields
    response = api.post(Role.ADMIN, URL, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert any(e["field"].startswith(field) for e in response.json()["errors"]), response.json()
    assert api.counts(Agreement, Commitment) == before


def test_duplicate_reference_and_bad_patches_write_nothing(api: ApiHarness) -> None:
    first = _agreement(api, reference="2025/1")
    second = _agreement(api, reference="2025/2")
    before = api.counts(Agreement, Commitment)
    again = api.post(
        Role.ADMIN,
        URL,
        json={
            "organisation_id": api.other.id,
            "reference": "2025/1",
            "title": "Kopi",
            "valid_from": "2024-01-01",
        },
    )
    assert again.status_code == 409 and "2025/1" in again.json()["detail"]
    url = f"{URL}/{second['id']}"
    assert api.patch(Role.ADMIN, url, json={"reference": "2025/1"}).status_code == 409
    late_start = (TODAY + timedelta(days=1)).isoformat()
    reversed_period = api.patch(
        Role.ADMIN, url, json={"valid_until": TODAY.isoformat(), "valid_from": late_start}
    )
    assert reversed_period.status_code == 422
    assert reversed_period.json()["errors"][0]["field"] == "valid_until"
    api.patch(Role.ADMIN, url, json={"valid_until": TODAY.isoformat()})
    after_end = api.patch(Role.ADMIN, url, json={"valid_from": late_start})
    assert after_end.status_code == 422 and after_end.json()["errors"][0]["field"] == "valid_until"
    both = api.patch(Role.ADMIN, url, json={"commitments": [{"quantity": 2}]})
    assert both.status_code == 422 and both.json()["errors"][0]["field"] == "commitments.0"
    nulled = api.patch(Role.ADMIN, url, json={"tasks": None})
    assert nulled.status_code == 422 and nulled.json()["errors"][0]["field"] == "tasks"
    assert api.counts(Agreement, Commitment)[:2] == before[:2]
    assert api.get(Role.ADMIN, f"{URL}/{first['id']}").json() == first


def test_stale_edits_are_refused(api: ApiHarness) -> None:
    url = f"{URL}/{_agreement(api)['id']}"
    etag = api.get(Role.ADMIN, url).headers["etag"]
    assert (
        api.patch(
            Role.ADMIN, url, json={"status": "active"}, headers={"If-Match": etag}
        ).status_code
        == 200
    )
    before = api.counts(Agreement, Commitment)
    stale = api.patch(Role.ADMIN, url, json={"status": "terminated"}, headers={"If-Match": etag})
    assert stale.status_code == 412 and stale.headers["content-type"].startswith(PROBLEM)
    assert api.patch(Role.ADMIN, url, json={"title": "Ny", "version": 1}).status_code == 409
    assert api.delete(Role.ADMIN, url, headers={"If-Match": etag}).status_code == 412
    assert api.counts(Agreement, Commitment) == before
    assert api.get(Role.ADMIN, url).json()["status"] == "active"


# Coverage -----------------------------------------------------------------------------------


def _equipment(api: ApiHarness, code: str, quantity: int, **fields: Any) -> None:
    body = {
        "organisation_id": api.own.id,
        "site_id": api.own_site.id,
        "resource_type_id": _resource(api, code),
        "quantity": quantity,
    } | fields
    assert api.post(Role.ADMIN, "/api/v1/equipment", json=body).status_code == 201


def _volunteer(api: ApiHarness, number: int, expires: date | None, **fields: Any) -> None:
    body = {
        "full_name": f"Frivillig {number}",
        "mobile": f"+447700900{number:03d}",
        "sms_consent": True,
        "memberships": [{"organisation_id": api.own.id}],
        "qualifications": [
            {
                "qualification_type_id": _qualification(api, "first_aid"),
                "expires_on": expires.isoformat() if expires else None,
            }
        ],
    } | fields
    response = api.post(Role.ADMIN, "/api/v1/volunteers", json=body)
    assert response.status_code == 201, response.text


def test_coverage_compares_what_is_registered_with_what_was_committed(api: ApiHarness) -> None:
    agreement = _agreement(
        api,
        status="active",
        commitments=[
            {"resource_type_id": _resource(api, "atv"), "quantity": 3},
            {"resource_type_id": _resource(api, "tent"), "quantity": 4},
            {"qualification_type_id": _qualification(api, "first_aid"), "quantity": 3},
            {"qualification_type_id": _qualification(api, "boat_licence"), "quantity": 1},
        ],
    )
    # ATVs: 2 + 1 ready count; one in maintenance and the other organisation's do not.
    _equipment(api, "atv", 2)
    _equipment(api, "atv", 1)
    _equipment(api, "atv", 5, status="maintenance")
    _equipment(api, "atv", 9, organisation_id=api.other.id, site_id=api.other_site.id)
    _equipment(api, "tent", 6)
    # First aid: valid today or not expiring counts; expired, no consent, inactive, others' not.
    _volunteer(api, 1, TODAY)
    _volunteer(api, 2, None)
    _volunteer(api, 3, TODAY - timedelta(days=1))
    _volunteer(api, 4, TODAY + timedelta(days=100), sms_consent=False)
    _volunteer(api, 5, TODAY + timedelta(days=100), active=False)
    _volunteer(api, 6, None, memberships=[{"organisation_id": api.other.id}])
    _volunteer(
        api,
        7,
        None,
        memberships=[{"organisation_id": api.own.id}, {"organisation_id": api.other.id}],
    )

    response = api.get(Role.COUNCIL, f"{URL}/{agreement['id']}/coverage")
    assert response.status_code == 200, response.text
    coverage = response.json()
    assert coverage["agreement_id"] == agreement["id"]
    assert coverage["organisation_id"] == api.own.id
    assert abs((date.fromisoformat(coverage["on"]) - TODAY).days) <= 1
    figures = {
        line["code"]: (line["committed"], line["registered"], line["shortfall"], line["met"])
        for line in coverage["lines"]
    }
    assert figures == {
        "atv": (3, 3, 0, True),
        "tent": (4, 6, 0, True),
        "first_aid": (3, 3, 0, True),
        "boat_licence": (1, 0, 1, False),
    }
    assert coverage["met"] is False
    assert [line["commitment_id"] for line in coverage["lines"]] == [
        c["id"] for c in agreement["commitments"]
    ]
    assert "Frivillig" not in response.text and "+447700900" not in response.text

    _volunteer(
        api,
        8,
        None,
        qualifications=[{"qualification_type_id": _qualification(api, "boat_licence")}],
    )
    assert api.get(Role.COUNCIL, f"{URL}/{agreement['id']}/coverage").json()["met"] is True


def test_coverage_of_nothing_and_of_no_agreement(api: ApiHarness) -> None:
    empty = _agreement(api)
    coverage = api.get(Role.PLANNER, f"{URL}/{empty['id']}/coverage").json()
    assert coverage["lines"] == [] and coverage["met"] is True
    missing = api.get(Role.PLANNER, f"{URL}/987654/coverage")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(PROBLEM)
    assert api.get(None, f"{URL}/{empty['id']}/coverage").status_code == 401


# Around Lillestrøm, [lon, lat]; the bow tie crosses itself.
LILLESTROM_SQUARE = [[10.9, 59.9], [11.2, 59.9], [11.2, 60.05], [10.9, 60.05], [10.9, 59.9]]
BOW_TIE = [[10.9, 59.9], [11.2, 60.05], [11.2, 59.9], [10.9, 60.05], [10.9, 59.9]]


def test_service_area_in_as_polygon_out_as_multipolygon_and_removable(api: ApiHarness) -> None:
    created = _agreement(api, service_area={"type": "Polygon", "coordinates": [LILLESTROM_SQUARE]})
    assert created["service_area"] == {"type": "MultiPolygon", "coordinates": [[LILLESTROM_SQUARE]]}
    url = f"{URL}/{created['id']}"
    two = {
        "type": "MultiPolygon",
        "coordinates": [
            [LILLESTROM_SQUARE],
            [[[11.3, 60.1], [11.4, 60.1], [11.4, 60.2], [11.3, 60.1]]],
        ],
    }
    patched = api.patch(Role.ADMIN, url, json={"service_area": two})
    assert patched.status_code == 200, patched.text
    assert len(patched.json()["service_area"]["coordinates"]) == 2
    cleared = api.patch(Role.ADMIN, url, json={"service_area": None})
    assert cleared.status_code == 200 and cleared.json()["service_area"] is None


@pytest.mark.parametrize(
    "area, message",
    [
        ({"type": "Polygon", "coordinates": [BOW_TIE]}, "not a valid polygon"),
        (
            {"type": "Polygon", "coordinates": [[[lat, lon] for lon, lat in LILLESTROM_SQUARE]]},
            "outside Norway",
        ),
        ({"type": "Polygon", "coordinates": [LILLESTROM_SQUARE[:3]]}, ""),
        ({"type": "Point", "coordinates": [11.0, 59.9]}, ""),
        (
            {
                "type": "Polygon",
                "coordinates": [[[10.9, 59.9], [11.2, 59.9], [11.2, 60.0], [10.8, 60.1]]],
            },
            "closed",
        ),
    ],
)
def test_bad_service_areas_are_refused_and_write_nothing(
    api: ApiHarness, area: dict[str, Any], message: str
) -> None:
    before = api.session.scalar(select(Agreement.id).order_by(Agreement.id.desc()).limit(1))
    response = api.post(
        Role.ADMIN,
        URL,
        json={
            "organisation_id": api.own.id,
            "reference": "2025/0099",
            "title": "Avtale med feil område",
            "valid_from": TODAY.isoformat(),
            "service_area": area,
        },
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert message in response.text
    after = api.session.scalar(select(Agreement.id).order_by(Agreement.id.desc()).limit(1))
    assert after == before
