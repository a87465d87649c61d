"""/api/v1/organisations and /api/v1/sites on both backends: CRUD, filters, bad input,
concurrency, scoping and what the council may see."""

from __future__ import annotations

from typing import Any

import pytest

from beredskap.platform.auth.models import Role
from beredskap.register.organisations.models import Organisation, Site
from tests.support.api import ApiHarness

URL = "/api/v1/organisations"
PROBLEM = "application/problem+json"


def _create(api: ApiHarness, **fields: Any) -> dict[str, Any]:
    body = {"name": "Leirsund Vel", "category": "residents_association"} | fields
    response = api.post(Role.ADMIN, URL, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_read_update_delete(api: ApiHarness) -> None:
    created = _create(
        api,
        organisation_number="974 760 673",
        home_base={"type": "Point", "coordinates": [11.1, 59.99]},
        municipality_numbers=["3205"],
    )
    assert created["organisation_number"] == "974760673"
    assert created["home_base"] == {"type": "Point", "coordinates": [11.1, 59.99]}
    url = f"{URL}/{created['id']}"

    read = api.get(Role.COUNCIL, url)
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'

    patched = api.patch(Role.ADMIN, url, json={"name": "Leirsund Velforening", "version": 1})
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "Leirsund Velforening"
    assert patched.json()["version"] == 2

    assert api.delete(Role.ADMIN, url).status_code == 204
    assert api.get(Role.ADMIN, url).status_code == 404


@pytest.mark.parametrize(
    "point",
    [
        {"lat": 59.99, "lon": 11.1},
        {"east": 617_000.0, "north": 6_653_000.0, "epsg": 25832},
        {"east": 283_000.0, "north": 6_656_000.0, "epsg": 25833},
    ],
)
def test_points_as_lat_lon_and_utm(api: ApiHarness, point: dict[str, Any]) -> None:
    lon, lat = _create(api, home_base=point)["home_base"]["coordinates"]
    assert 10.9 < lon < 11.3 and 59.9 < lat < 60.1


def test_list_filters_sorts_and_pages(api: ApiHarness) -> None:
    for name in ("Øyeren Båtlag", "øvre Leira Vel", "Blaker Vel"):
        _create(api, name=name)
    page = api.get(Role.PLANNER, URL, params={"q": "ØY", "limit": 10}).json()
    assert [item["name"] for item in page["items"]] == ["Øyeren Båtlag"]  # any case, æøå too

    page = api.get(
        Role.PLANNER, URL, params={"category": "residents_association", "sort": "-name"}
    ).json()
    assert page["total"] == 3
    assert [i["name"] for i in page["items"]] == sorted([i["name"] for i in page["items"]])[::-1]

    first = api.get(Role.PLANNER, URL, params={"limit": 2, "offset": 0}).json()
    second = api.get(Role.PLANNER, URL, params={"limit": 2, "offset": 2}).json()
    assert first["total"] == second["total"] == 5
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 4

    refused = api.get(Role.PLANNER, URL, params={"sort": "password"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "sort"


BAD_BODIES: list[tuple[str, Any, str]] = [
    ("wrong check digit", {"organisation_number": "974760674"}, "organisation_number"),
    ("latitude 123", {"home_base": {"lat": 123, "lon": 10}}, "home_base"),
    ("outside Norway", {"home_base": {"lat": 48.85, "lon": 2.35}}, "home_base"),
    ("swapped GeoJSON", {"home_base": {"type": "Point", "coordinates": [59.9, 10.7]}}, "home_base"),
    ("UTM far away", {"home_base": {"east": 1, "north": 1, "epsg": 25833}}, "home_base"),
    ("100k name", {"name": "x" * 100_000}, "name"),
    ("NUL in name", {"name": "Bad\x00Name"}, "name"),
    ("wrong type", {"name": 42}, "name"),
    ("unknown category", {"category": "pirates"}, "category"),
    ("huge number", {"umbrella_organisation_id": 10**30}, "umbrella_organisation_id"),
    ("missing umbrella", {"umbrella_organisation_id": 999_999}, "umbrella_organisation_id"),
    ("unknown field", {"nmae": "typo"}, "nmae"),
    ("bad municipality", {"municipality_numbers": ["32O5"]}, "municipality_numbers.0"),
    ("bad phone", {"contact_24_7_phone": "call me"}, "contact_24_7_phone"),
]


@pytest.mark.parametrize(
    "fields, field", [c[1:] for c in BAD_BODIES], ids=[c[0] for c in BAD_BODIES]
)
def test_bad_input_is_refused_with_the_field_and_nothing_written(
    api: ApiHarness, fields: dict[str, Any], field: str
) -> None:
    before = api.counts(Organisation)
    body = {"name": "Ny", "category": "scouts"} | fields
    response = api.post(Role.ADMIN, URL, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["status"] == 422
    assert any(error["field"].startswith(field) for error in problem["errors"]), problem
    assert api.counts(Organisation) == before


def test_malformed_bodies_are_4xx_and_write_nothing(api: ApiHarness) -> None:
    before = api.counts(Organisation)
    for raw in (b"{not json", b'{"name": "\xff\xfe", "category": "scouts"}', b"", b"[]", b"null"):
        response = api.client.post(
            URL,
            content=raw,
            headers=api.headers(Role.ADMIN) | {"content-type": "application/json"},
        )
        assert 400 <= response.status_code < 500, (raw, response.status_code)
        assert response.headers["content-type"].startswith(PROBLEM)
    for url in (f"{URL}/abc", f"{URL}/0", f"{URL}/{10**20}", f"{URL}/999999"):
        assert api.get(Role.ADMIN, url).status_code in (404, 422)
    assert api.counts(Organisation) == before


def test_duplicate_organisation_number_is_a_conflict(api: ApiHarness) -> None:
    _create(api, organisation_number="974760673")
    before = api.counts(Organisation)
    response = api.post(
        Role.ADMIN,
        URL,
        json={"name": "Kopi", "category": "scouts", "organisation_number": "974760673"},
    )
    assert response.status_code == 409
    assert "974760673" in response.json()["detail"]
    assert api.counts(Organisation) == before


def test_two_editors_cannot_overwrite_each_other(api: ApiHarness) -> None:
    url = f"{URL}/{api.own.id}"
    etag = api.get(Role.ORG_EDITOR, url).headers["etag"]
    first = api.patch(Role.ORG_EDITOR, url, json={"name": "Første"}, headers={"If-Match": etag})
    assert first.status_code == 200
    second = api.patch(Role.ADMIN, url, json={"name": "Andre"}, headers={"If-Match": etag})
    assert second.status_code == 412
    stale_body = api.patch(Role.ADMIN, url, json={"name": "Andre", "version": 1})
    assert stale_body.status_code == 409
    assert api.get(Role.ADMIN, url).json()["name"] == "Første"


def test_org_editor_edits_only_its_own(api: ApiHarness) -> None:
    assert (
        api.patch(Role.ORG_EDITOR, f"{URL}/{api.own.id}", json={"active": True}).status_code == 200
    )
    refused = api.patch(Role.ORG_EDITOR, f"{URL}/{api.other.id}", json={"name": "Kapret"})
    assert refused.status_code == 403
    assert api.get(Role.ADMIN, f"{URL}/{api.other.id}").json()["name"] == "Annet Sanitetslag"
    site = {"name": "Nytt lager", "kind": "storage", "location": {"lat": 59.95, "lon": 11.0}}
    assert (
        api.post(
            Role.ORG_EDITOR, "/api/v1/sites", json=site | {"organisation_id": api.own.id}
        ).status_code
        == 201
    )
    assert (
        api.post(
            Role.ORG_EDITOR, "/api/v1/sites", json=site | {"organisation_id": api.other.id}
        ).status_code
        == 403
    )
    assert api.post(Role.ORG_EDITOR, "/api/v1/sites", json=site).status_code == 403  # municipal


def test_council_sees_no_contact_details(api: ApiHarness) -> None:
    council = api.get(Role.COUNCIL, f"{URL}/{api.own.id}").json()
    assert council["contact_24_7_phone"] is None and council["contact_24_7_email"] is None
    duty = api.get(Role.DUTY_OFFICER, f"{URL}/{api.own.id}").json()
    assert duty["contact_24_7_phone"] == "+447700900990"
    site = api.get(Role.COUNCIL, f"/api/v1/sites/{api.own_site.id}").json()
    assert site["access_notes"] is None


def test_deleting_an_organisation_that_holds_things_says_what(api: ApiHarness) -> None:
    before = api.counts(Organisation, Site)
    response = api.delete(Role.ADMIN, f"{URL}/{api.own.id}")
    assert response.status_code == 409
    assert "1 sites" in response.json()["detail"]
    assert api.counts(Organisation, Site) == before


def test_writes_are_audited_as_the_acting_user(api: ApiHarness) -> None:
    created = _create(api)
    entries = api.get(
        Role.ADMIN,
        "/api/v1/audit",
        params={"entity": "organisations", "entity_id": str(created["id"])},
    ).json()
    assert entries["total"] == 1
    assert entries["items"][0]["actor"] == "admin@test.example"
    assert entries["items"][0]["action"] == "insert"
    assert api.get(Role.DUTY_OFFICER, "/api/v1/audit").status_code == 403
