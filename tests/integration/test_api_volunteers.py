"""/api/v1/qualification-types and /api/v1/volunteers on both backends: CRUD, filters, bad
input, concurrency, and who sees which volunteers and which of their details."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.register.agreements.models import Agreement, Commitment
from beredskap.register.volunteers.models import (
    HOME_AREA_GRID_DEGREES,
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)
from tests.support.api import ApiHarness

TYPES = "/api/v1/qualification-types"
URL = "/api/v1/volunteers"
PROBLEM = "application/problem+json"
TODAY = date.today()
CONTRACT = {
    "id",
    "full_name",
    "mobile",
    "email",
    "home_area",
    "availability",
    "sms_consent",
    "sms_consent_changed_at",
    "active",
    "contact_verified_on",
    "contact_failed_on",
    "memberships",
    "qualifications",
    "version",
    "created_at",
    "updated_at",
}


def _type_id(api: ApiHarness, code: str) -> int:
    type_id = api.session.scalar(select(QualificationType.id).where(QualificationType.code == code))
    assert type_id is not None
    return type_id


def _volunteer(api: ApiHarness, role: Role = Role.ADMIN, **fields: Any) -> dict[str, Any]:
    body = {
        "full_name": "Kari Nordmann",
        "mobile": "+447700900101",
        "memberships": [{"organisation_id": api.own.id, "role": "mannskap"}],
    } | fields
    response = api.post(role, URL, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _first_aid(api: ApiHarness, expires: date | None, obtained: date | None = None) -> Any:
    return {
        "qualification_type_id": _type_id(api, "first_aid"),
        "obtained_on": obtained.isoformat() if obtained else None,
        "expires_on": expires.isoformat() if expires else None,
    }


# Qualification types ------------------------------------------------------------------------


def test_qualification_type_crud_and_rules(api: ApiHarness) -> None:
    body = {"code": "tractor", "name_nb": "Traktorkurs", "name_en": "Tractor course"}
    created = api.post(Role.ADMIN, TYPES, json=body | {"validity_months": 60})
    assert created.status_code == 201, created.text
    assert created.json()["shipped"] is False and created.json()["validity_months"] == 60
    url = f"{TYPES}/{created.json()['id']}"
    assert api.get(Role.COUNCIL, url).headers["etag"] == '"1"'
    before = api.counts(QualificationType)
    assert api.post(Role.ADMIN, TYPES, json=body).status_code == 409
    too_long = api.post(Role.ADMIN, TYPES, json=body | {"code": "x2", "validity_months": 601})
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "validity_months"
    assert api.post(Role.ORG_EDITOR, TYPES, json=body | {"code": "x3"}).status_code == 403
    shipped = api.patch(Role.ADMIN, f"{TYPES}/{_type_id(api, 'first_aid')}", json={"code": "fa"})
    assert shipped.status_code == 422 and shipped.json()["errors"][0]["field"] == "code"
    assert api.counts(QualificationType) == before

    patched = api.patch(Role.ADMIN, url, json={"validity_months": None, "active": False})
    assert patched.status_code == 200, patched.text
    assert patched.json()["validity_months"] is None and patched.json()["version"] == 2
    listed = api.get(Role.PLANNER, TYPES, params={"active": False}).json()
    assert [item["code"] for item in listed["items"]] == ["tractor"]
    found = api.get(Role.PLANNER, TYPES, params={"q": "båtfører"}).json()
    assert [item["code"] for item in found["items"]] == ["boat_licence"]
    assert api.delete(Role.ADMIN, url, headers={"If-Match": '"2"'}).status_code == 204
    assert api.get(Role.ADMIN, url).status_code == 404


def test_a_qualification_type_in_use_is_not_deleted(api: ApiHarness) -> None:
    _volunteer(api, qualifications=[_first_aid(api, None)])
    committed = api.session.get(QualificationType, _type_id(api, "water_rescue"))
    agreement = Agreement(
        organisation_id=api.own.id, reference="2025/1", title="Avtale", valid_from=TODAY
    )
    agreement.commitments.append(Commitment(qualification_type=committed, quantity=2))
    api.session.add(agreement)
    api.session.commit()
    before = api.counts(QualificationType, VolunteerQualification)
    for code in ("first_aid", "water_rescue"):
        response = api.delete(Role.ADMIN, f"{TYPES}/{_type_id(api, code)}")
        assert response.status_code == 409, code
        assert "inactive" in response.json()["detail"]
    assert api.counts(QualificationType, VolunteerQualification) == before


# Volunteers ---------------------------------------------------------------------------------


def test_volunteer_crud_and_contract(api: ApiHarness) -> None:
    created = _volunteer(
        api,
        Role.ORG_EDITOR,
        mobile="412 34 567",
        email="Kari@Example.org",
        home_area={"lat": 59.95612, "lon": 11.04937},
        sms_consent=True,
        qualifications=[_first_aid(api, TODAY + timedelta(days=400), TODAY)],
    )
    assert set(created) == CONTRACT
    assert created["mobile"] == "+4741234567"  # E.164
    assert created["email"] == "Kari@example.org"
    lon, lat = created["home_area"]["coordinates"]
    for value in (lon, lat):
        assert abs(value / HOME_AREA_GRID_DEGREES - round(value / HOME_AREA_GRID_DEGREES)) < 1e-6
    assert created["sms_consent"] is True and created["sms_consent_changed_at"] is not None
    assert created["memberships"] == [{"organisation_id": api.own.id, "role": "mannskap"}]
    assert created["qualifications"][0]["expires_on"] == (TODAY + timedelta(days=400)).isoformat()
    url = f"{URL}/{created['id']}"

    read = api.get(Role.DUTY_OFFICER, url)
    assert read.status_code == 200 and read.headers["etag"] == '"1"'
    assert read.json()["mobile"] == "+4741234567"

    patched = api.patch(
        Role.ORG_EDITOR, url, json={"availability": "limited", "email": None, "version": 1}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["availability"] == "limited" and patched.json()["email"] is None
    assert patched.headers["etag"] == '"2"'

    assert api.delete(Role.ORG_EDITOR, url, headers={"If-Match": '"2"'}).status_code == 204
    assert api.get(Role.ADMIN, url).status_code == 404
    assert api.counts(Membership)[0] == 0
    assert api.counts(VolunteerQualification)[0] == 0


def test_patch_replaces_memberships_and_qualifications(api: ApiHarness) -> None:
    created = _volunteer(api, qualifications=[_first_aid(api, None)])
    url = f"{URL}/{created['id']}"
    boat = {"qualification_type_id": _type_id(api, "boat_licence"), "obtained_on": "2020-05-01"}
    response = api.patch(
        Role.ADMIN,
        url,
        json={
            "memberships": [
                {"organisation_id": api.own.id, "role": "lagleder"},
                {"organisation_id": api.other.id},
            ],
            "qualifications": [boat],
        },
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    volunteer = response.json()
    assert volunteer["version"] == 2  # lists are part of the record: a new version
    assert volunteer["memberships"] == [
        {"organisation_id": api.own.id, "role": "lagleder"},
        {"organisation_id": api.other.id, "role": None},
    ]
    assert [q["qualification_type_id"] for q in volunteer["qualifications"]] == [
        boat["qualification_type_id"]
    ]
    assert api.counts(Membership)[0] == 2 and api.counts(VolunteerQualification)[0] == 1
    unchanged = api.patch(Role.ADMIN, url, json={"qualifications": [boat]})
    assert unchanged.json()["version"] == 2
    cleared = api.patch(Role.ADMIN, url, json={"qualifications": []})
    assert cleared.json()["qualifications"] == [] and cleared.json()["version"] == 3


def test_filters_sort_and_paging(api: ApiHarness) -> None:
    first_aid = _type_id(api, "first_aid")
    _volunteer(
        api,
        full_name="Åse Ødegård",
        sms_consent=True,
        qualifications=[_first_aid(api, TODAY + timedelta(days=20))],
    )
    _volunteer(
        api,
        full_name="Bjørn Berg",
        mobile="+447700900102",
        availability="unavailable",
        qualifications=[_first_aid(api, TODAY - timedelta(days=5))],
    )
    _volunteer(
        api,
        full_name="Cecilie Cappelen",
        mobile="+447700900103",
        memberships=[{"organisation_id": api.other.id}],
        qualifications=[{"qualification_type_id": _type_id(api, "boat_licence")}],
    )

    def names(**params: Any) -> list[str]:
        response = api.get(Role.PLANNER, URL, params=params)
        assert response.status_code == 200, response.text
        return [item["full_name"] for item in response.json()["items"]]

    assert names(organisation_id=api.own.id) == ["Bjørn Berg", "Åse Ødegård"]
    assert names(qualification_type_id=first_aid) == ["Bjørn Berg", "Åse Ødegård"]
    assert names(qualification="boat_licence") == ["Cecilie Cappelen"]
    assert names(qualification="first_aid", valid_on=TODAY.isoformat()) == ["Åse Ødegård"]
    assert names(valid_on=(TODAY + timedelta(days=30)).isoformat()) == ["Cecilie Cappelen"]
    soon = (TODAY + timedelta(days=60)).isoformat()
    assert names(expiring_before=soon, valid_on=TODAY.isoformat()) == ["Åse Ødegård"]
    assert names(expiring_before=soon) == ["Bjørn Berg", "Åse Ødegård"]
    assert names(availability="unavailable") == ["Bjørn Berg"]
    assert names(sms_consent=True) == ["Åse Ødegård"]
    assert names(q="ØDEG") == ["Åse Ødegård"]
    assert names(sort="-full_name") == ["Åse Ødegård", "Cecilie Cappelen", "Bjørn Berg"]
    first = api.get(Role.PLANNER, URL, params={"limit": 2, "sort": "id"}).json()
    rest = api.get(Role.PLANNER, URL, params={"limit": 2, "offset": 2, "sort": "id"}).json()
    assert first["total"] == rest["total"] == 3
    assert len({i["id"] for i in first["items"] + rest["items"]}) == 3
    refused = api.get(Role.PLANNER, URL, params={"sort": "mobile"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "sort"
    bad = api.get(Role.PLANNER, URL, params={"valid_on": "yesterday"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "valid_on"


BAD_VOLUNTEERS: list[tuple[str, dict[str, Any], str]] = [
    ("landline", {"mobile": "+47 22 12 34 56"}, "mobile"),
    ("malformed mobile", {"mobile": "12ab"}, "mobile"),
    ("mobile of 100k digits", {"mobile": "9" * 100_000}, "mobile"),
    ("100k-character name", {"full_name": "x" * 100_000}, "full_name"),
    ("NUL in name", {"full_name": "Kari\x00Nordmann"}, "full_name"),
    ("empty name", {"full_name": "   "}, "full_name"),
    ("name as number", {"full_name": 42}, "full_name"),
    ("bad e-mail", {"email": "kari(at)example.org"}, "email"),
    ("home outside Norway", {"home_area": {"lat": 48.85, "lon": 2.35}}, "home_area"),
    ("unknown availability", {"availability": "sometimes"}, "availability"),
    ("unknown field", {"phone": "+4741234567"}, "phone"),
    ("unknown organisation", {"memberships": [{"organisation_id": 999_999}]}, "memberships.0"),
    ("huge organisation id", {"memberships": [{"organisation_id": 10**30}]}, "memberships.0"),
    ("unknown qualification", {"qualifications": [{"qualification_type_id": 999_999}]}, "qual"),
    (
        "expiry before obtained",
        {
            "qualifications": [
                {
                    "qualification_type_id": 1,
                    "obtained_on": "2024-05-01",
                    "expires_on": "2024-04-30",
                }
            ]
        },
        "qualifications.0.expires_on",
    ),
    (
        "same qualification twice",
        {"qualifications": [{"qualification_type_id": 1}, {"qualification_type_id": 1}]},
        "qualifications.1",
    ),
    ("51 memberships", {"memberships": [{"organisation_id": 1}] * 51}, "memberships"),
]


def test_a_course_not_yet_taken_is_no_qualification_today(api: ApiHarness) -> None:
    """One rule everywhere: obtained by the day and not expired (search, lists, callouts)."""
    _volunteer(
        api,
        full_name="Dag Dahl",
        qualifications=[_first_aid(api, None, obtained=TODAY + timedelta(days=10))],
    )

    def names(day: date) -> list[str]:
        response = api.get(
            Role.PLANNER, URL, params={"qualification": "first_aid", "valid_on": day.isoformat()}
        )
        assert response.status_code == 200, response.text
        return [item["full_name"] for item in response.json()["items"]]

    assert names(TODAY) == []
    assert names(TODAY + timedelta(days=10)) == ["Dag Dahl"]


@pytest.mark.parametrize(
    "fields, field", [c[1:] for c in BAD_VOLUNTEERS], ids=[c[0] for c in BAD_VOLUNTEERS]
)
def test_bad_input_is_refused_with_the_field(
    api: ApiHarness, fields: dict[str, Any], field: str
) -> None:
    before = api.counts(Volunteer, Membership, VolunteerQualification)
    body = {
        "full_name": "Kari Nordmann",
        "mobile": "+447700900101",
        "memberships": [{"organisation_id": api.own.id}],
    } | fields
    response = api.post(Role.ADMIN, URL, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert any(e["field"].startswith(field) for e in response.json()["errors"]), response.json()
    assert api.counts(Volunteer, Membership, VolunteerQualification) == before


def test_duplicate_mobile_is_a_conflict(api: ApiHarness) -> None:
    first = _volunteer(api, mobile="+4741234567")
    second = _volunteer(api, mobile="+4791234567")
    before = api.counts(Volunteer, Membership)
    again = api.post(Role.ADMIN, URL, json={"full_name": "Kopi", "mobile": "412 34 567"})
    assert again.status_code == 409 and again.headers["content-type"].startswith(PROBLEM)
    taken = api.patch(Role.ADMIN, f"{URL}/{second['id']}", json={"mobile": "0047 41234567"})
    assert taken.status_code == 409
    assert api.counts(Volunteer, Membership) == before
    assert api.get(Role.ADMIN, f"{URL}/{second['id']}").json()["mobile"] == "+4791234567"
    same = api.patch(Role.ADMIN, f"{URL}/{first['id']}", json={"mobile": "41 23 45 67"})
    assert same.status_code == 200 and same.json()["mobile"] == "+4741234567"


def test_stale_edits_are_refused(api: ApiHarness) -> None:
    url = f"{URL}/{_volunteer(api)['id']}"
    etag = api.get(Role.ORG_EDITOR, url).headers["etag"]
    ok = api.patch(Role.ORG_EDITOR, url, json={"sms_consent": True}, headers={"If-Match": etag})
    assert ok.status_code == 200
    before = api.counts(Volunteer, Membership)
    stale = api.patch(Role.ADMIN, url, json={"memberships": []}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert api.patch(Role.ADMIN, url, json={"active": False, "version": 1}).status_code == 409
    assert api.delete(Role.ADMIN, url, headers={"If-Match": etag}).status_code == 412
    assert api.counts(Volunteer, Membership) == before
    assert api.get(Role.ADMIN, url).json()["active"] is True


def test_org_editor_sees_and_edits_only_its_members(api: ApiHarness) -> None:
    mine = _volunteer(api, full_name="Egen Frivillig")
    theirs = _volunteer(
        api,
        full_name="Annens Frivillig",
        mobile="+447700900102",
        memberships=[{"organisation_id": api.other.id}],
    )
    shared = _volunteer(
        api,
        full_name="Delt Frivillig",
        mobile="+447700900103",
        memberships=[
            {"organisation_id": api.own.id},
            {"organisation_id": api.other.id, "role": "lagleder"},
        ],
    )
    listed = api.get(Role.ORG_EDITOR, URL).json()
    assert {i["full_name"] for i in listed["items"]} == {"Egen Frivillig", "Delt Frivillig"}
    assert listed["total"] == 2
    assert (
        api.get(Role.ORG_EDITOR, URL, params={"organisation_id": api.other.id}).json()["total"] == 1
    )  # the shared one only
    their_url = f"{URL}/{theirs['id']}"
    before = api.counts(Volunteer, Membership)
    for response in (
        api.get(Role.ORG_EDITOR, their_url),
        api.patch(Role.ORG_EDITOR, their_url, json={"full_name": "Kapret"}),
        api.delete(Role.ORG_EDITOR, their_url),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["detail"] == f"No volunteer with id {theirs['id']}."
    assert api.get(Role.ORG_EDITOR, f"{URL}/987654").json()["detail"] == (
        "No volunteer with id 987654."
    )  # the same answer as for a volunteer that does not exist

    other_only = [{"organisation_id": api.other.id}]
    new = {"full_name": "Ny", "mobile": "+447700900104"}
    assert api.post(Role.ORG_EDITOR, URL, json=new | {"memberships": other_only}).status_code == 403
    nobody = api.post(Role.ORG_EDITOR, URL, json=new)
    assert nobody.status_code == 422 and nobody.json()["errors"][0]["field"] == "memberships"
    shared_url = f"{URL}/{shared['id']}"
    grab = [{"organisation_id": api.own.id}, {"organisation_id": api.other.id}]  # drops a role
    assert api.patch(Role.ORG_EDITOR, shared_url, json={"memberships": grab}).status_code == 403
    recruit = [{"organisation_id": api.own.id}, {"organisation_id": api.other.id}]
    add_other = api.patch(Role.ORG_EDITOR, f"{URL}/{mine['id']}", json={"memberships": recruit})
    assert add_other.status_code == 403
    assert api.delete(Role.ORG_EDITOR, shared_url).status_code == 403
    assert api.counts(Volunteer, Membership) == before

    keep_theirs = [{"organisation_id": api.other.id, "role": "lagleder"}]
    left = api.patch(Role.ORG_EDITOR, shared_url, json={"memberships": keep_theirs})
    assert left.status_code == 200, left.text
    assert api.get(Role.ORG_EDITOR, shared_url).status_code == 404  # no longer ours
    assert api.get(Role.ADMIN, shared_url).json()["memberships"] == keep_theirs


def test_planner_sees_no_contact_details_and_the_council_no_volunteers(api: ApiHarness) -> None:
    created = _volunteer(
        api,
        email="kari@example.org",
        home_area={"lat": 59.95, "lon": 11.05},
        qualifications=[_first_aid(api, None)],
    )
    url = f"{URL}/{created['id']}"
    planner = api.get(Role.PLANNER, url).json()
    assert planner["mobile"] is None and planner["email"] is None and planner["home_area"] is None
    assert planner["full_name"] == "Kari Nordmann" and len(planner["qualifications"]) == 1
    listed = api.get(Role.PLANNER, URL).json()["items"][0]
    assert (listed["mobile"], listed["email"], listed["home_area"]) == (None, None, None)
    for role in (Role.ADMIN, Role.DUTY_OFFICER, Role.ORG_EDITOR):
        seen = api.get(role, url).json()
        assert seen["mobile"] == "+447700900101" and seen["email"] == "kari@example.org"
        assert seen["home_area"] is not None
    for response in (api.get(Role.COUNCIL, URL), api.get(Role.COUNCIL, url)):
        assert response.status_code == 403
        assert "Kari" not in response.text and "+447700900101" not in response.text
    assert api.post(Role.PLANNER, URL, json={}).status_code == 403
    assert api.patch(Role.DUTY_OFFICER, url, json={"active": False}).status_code == 403


def test_home_area_is_stored_coarse(api: ApiHarness) -> None:
    created = _volunteer(api, home_area={"type": "Point", "coordinates": [11.04937, 59.95612]})
    api.session.expire_all()
    stored = to_shape(api.session.get(Volunteer, created["id"]).home_area)
    assert abs(stored.x - 11.05) < 1e-9 and abs(stored.y - 59.955) < 1e-9
