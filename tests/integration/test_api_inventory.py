"""/api/v1/resource-types and /api/v1/equipment on both backends: CRUD, filters, bad input,
concurrency and which organisation's lines each role may change."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.register.inventory.models import Equipment, ResourceType
from beredskap.register.organisations.models import Site, SiteKind
from tests.support.api import ApiHarness

TYPES = "/api/v1/resource-types"
EQUIPMENT = "/api/v1/equipment"
PROBLEM = "application/problem+json"
CONTRACT = {
    "id",
    "organisation_id",
    "site_id",
    "resource_type_id",
    "quantity",
    "status",
    "identifier",
    "last_inspected_on",
    "next_inspection_due",
    "inspection_state",
    "notes",
    "version",
    "created_at",
    "updated_at",
}


def _type_id(api: ApiHarness, code: str) -> int:
    type_id = api.session.scalar(select(ResourceType.id).where(ResourceType.code == code))
    assert type_id is not None
    return type_id


def _line(api: ApiHarness, role: Role = Role.ADMIN, **fields: Any) -> dict[str, Any]:
    body = {
        "organisation_id": api.own.id,
        "site_id": api.own_site.id,
        "resource_type_id": _type_id(api, "generator"),
        "quantity": 2,
    } | fields
    response = api.post(role, EQUIPMENT, json=body)
    assert response.status_code == 201, response.text
    return response.json()


# Resource types -----------------------------------------------------------------------------


def _new_type(api: ApiHarness, **fields: Any) -> dict[str, Any]:
    body = {
        "code": "hay_bales",
        "name_nb": "Høyballer",
        "name_en": "Hay bales",
        "capability": "shelter",
        "unit": "stk",
    } | fields
    response = api.post(Role.ADMIN, TYPES, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_resource_type_crud(api: ApiHarness) -> None:
    created = _new_type(api)
    assert created["shipped"] is False and created["active"] is True
    url = f"{TYPES}/{created['id']}"
    read = api.get(Role.COUNCIL, url)
    assert read.status_code == 200 and read.headers["etag"] == '"1"'
    assert read.json()["name_nb"] == "Høyballer"

    patched = api.patch(Role.ADMIN, url, json={"active": False, "version": 1})
    assert patched.status_code == 200, patched.text
    assert patched.json()["active"] is False and patched.json()["version"] == 2
    assert patched.headers["etag"] == '"2"'

    assert api.delete(Role.ADMIN, url, headers={"If-Match": '"1"'}).status_code == 412
    assert api.delete(Role.ADMIN, url, headers={"If-Match": '"2"'}).status_code == 204
    assert api.get(Role.ADMIN, url).status_code == 404


def test_resource_type_rules(api: ApiHarness) -> None:
    _new_type(api)
    before = api.counts(ResourceType)
    duplicate = api.post(
        Role.ADMIN,
        TYPES,
        json={
            "code": "hay_bales",
            "name_nb": "X",
            "name_en": "X",
            "capability": "food",
            "unit": "kg",
        },
    )
    assert duplicate.status_code == 409 and "hay_bales" in duplicate.json()["detail"]
    shipped = api.post(
        Role.ADMIN,
        TYPES,
        json={"code": "a", "name_nb": "A", "name_en": "A", "capability": "food", "unit": "kg"}
        | {"shipped": True},
    )
    assert shipped.status_code == 422 and shipped.json()["errors"][0]["field"] == "shipped"
    bad_code = api.post(
        Role.ADMIN,
        TYPES,
        json={"code": "Høy", "name_nb": "A", "name_en": "A", "capability": "food", "unit": "kg"},
    )
    assert bad_code.status_code == 422 and bad_code.json()["errors"][0]["field"] == "code"
    atv = f"{TYPES}/{_type_id(api, 'atv')}"
    renamed = api.patch(Role.ADMIN, atv, json={"code": "quad"})
    assert renamed.status_code == 422 and renamed.json()["errors"][0]["field"] == "code"
    nulled = api.patch(Role.ADMIN, atv, json={"name_nb": None})
    assert nulled.status_code == 422 and nulled.json()["errors"][0]["field"] == "name_nb"
    assert api.post(Role.ORG_EDITOR, TYPES, json={}).status_code == 403
    assert api.counts(ResourceType) == before


def test_a_resource_type_in_use_is_not_deleted(api: ApiHarness) -> None:
    _line(api)
    before = api.counts(ResourceType, Equipment)
    response = api.delete(Role.ADMIN, f"{TYPES}/{_type_id(api, 'generator')}")
    assert response.status_code == 409
    assert "inactive" in response.json()["detail"]
    assert api.counts(ResourceType, Equipment) == before


def test_resource_type_filters(api: ApiHarness) -> None:
    _new_type(api, active=False)
    power = api.get(Role.PLANNER, TYPES, params={"capability": "power", "limit": 500}).json()
    assert power["total"] >= 3
    assert {item["capability"] for item in power["items"]} == {"power"}
    assert all(item["shipped"] for item in power["items"])
    found = api.get(Role.PLANNER, TYPES, params={"q": "HØY"}).json()
    assert [item["code"] for item in found["items"]] == ["hay_bales"]
    inactive = api.get(Role.PLANNER, TYPES, params={"active": False}).json()
    assert [item["code"] for item in inactive["items"]] == ["hay_bales"]
    by_name = api.get(Role.PLANNER, TYPES, params={"sort": "-name_en", "limit": 3}).json()
    names = [item["name_en"] for item in by_name["items"]]
    assert names == sorted(names, reverse=True) and by_name["limit"] == 3


# Equipment ----------------------------------------------------------------------------------


def test_equipment_crud_and_contract(api: ApiHarness) -> None:
    due = (date.today() + timedelta(days=30)).isoformat()
    created = _line(api, Role.ORG_EDITOR, next_inspection_due=due, notes="Står bak døra")
    assert set(created) == CONTRACT
    assert created["status"] == "ready" and created["quantity"] == 2
    assert created["next_inspection_due"] == due
    url = f"{EQUIPMENT}/{created['id']}"

    read = api.get(Role.COUNCIL, url)
    assert read.status_code == 200 and read.headers["etag"] == '"1"'
    assert read.json() == created

    patched = api.patch(
        Role.ORG_EDITOR,
        url,
        json={"quantity": 5, "status": "maintenance"},
        headers={"If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["quantity"] == 5 and patched.json()["status"] == "maintenance"
    assert patched.headers["etag"] == '"2"'

    item = api.patch(Role.ORG_EDITOR, url, json={"quantity": 1, "identifier": "EL 12345"})
    assert item.status_code == 200, item.text
    back = api.patch(Role.ORG_EDITOR, url, json={"quantity": 4, "identifier": None})
    assert back.status_code == 200, back.text
    assert back.json()["identifier"] is None and back.json()["quantity"] == 4

    assert api.delete(Role.ORG_EDITOR, url).status_code == 204
    assert api.get(Role.ADMIN, url).status_code == 404


def test_equipment_filters_sort_and_paging(api: ApiHarness) -> None:
    soon = date.today() + timedelta(days=10)
    _line(api, quantity=3, next_inspection_due=soon.isoformat())
    _line(api, resource_type_id=_type_id(api, "tent"), quantity=7, status="in_use")
    _line(
        api,
        organisation_id=api.other.id,
        site_id=api.other_site.id,
        resource_type_id=_type_id(api, "atv"),
        quantity=1,
    )

    def listed(**params: Any) -> dict[str, Any]:
        response = api.get(Role.COUNCIL, EQUIPMENT, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    assert listed(organisation_id=api.own.id)["total"] == 2
    assert listed(site_id=api.other_site.id)["items"][0]["quantity"] == 1
    assert listed(resource_type_id=_type_id(api, "tent"))["items"][0]["quantity"] == 7
    assert [i["quantity"] for i in listed(capability="power")["items"]] == [3]
    assert [i["quantity"] for i in listed(capability="transport")["items"]] == [1]
    assert [i["quantity"] for i in listed(status="in_use")["items"]] == [7]
    due = listed(inspection_due_before=(soon + timedelta(days=1)).isoformat())
    assert [i["quantity"] for i in due["items"]] == [3]
    assert listed(inspection_due_before=soon.isoformat())["total"] == 0

    by_quantity = listed(sort="-quantity")
    assert [i["quantity"] for i in by_quantity["items"]] == [7, 3, 1]
    first, second = listed(limit=2, sort="quantity"), listed(limit=2, offset=2, sort="quantity")
    assert first["total"] == second["total"] == 3
    assert [i["quantity"] for i in first["items"] + second["items"]] == [1, 3, 7]
    refused = api.get(Role.COUNCIL, EQUIPMENT, params={"sort": "notes"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "sort"
    bad_date = api.get(Role.COUNCIL, EQUIPMENT, params={"inspection_due_before": "tomorrow"})
    assert bad_date.status_code == 422
    assert bad_date.json()["errors"][0]["field"] == "inspection_due_before"


BAD_LINES: list[tuple[str, dict[str, Any], str]] = [
    ("quantity -1", {"quantity": -1}, "quantity"),
    ("quantity 10**12", {"quantity": 10**12}, "quantity"),
    ("quantity zero", {"quantity": 0}, "quantity"),
    ("quantity as text", {"quantity": "many"}, "quantity"),
    ("unknown site", {"site_id": 999_999}, "site_id"),
    ("huge site id", {"site_id": 10**30}, "site_id"),
    ("unknown resource type", {"resource_type_id": 999_999}, "resource_type_id"),
    ("unknown organisation", {"organisation_id": 999_999}, "organisation_id"),
    ("unknown status", {"status": "lost"}, "status"),
    ("100k notes", {"notes": "x" * 100_000}, "notes"),
    ("NUL in identifier", {"quantity": 1, "identifier": "EL\x0012"}, "identifier"),
    ("identified item of 3", {"quantity": 3, "identifier": "EL 12345"}, "identifier"),
    ("bad date", {"last_inspected_on": "2024-02-30"}, "last_inspected_on"),
    ("year 10000", {"next_inspection_due": "10000-01-01"}, "next_inspection_due"),
    ("unknown field", {"colour": "red"}, "colour"),
    ("version on create", {"version": 7}, "version"),
]


@pytest.mark.parametrize("fields, field", [c[1:] for c in BAD_LINES], ids=[c[0] for c in BAD_LINES])
def test_bad_equipment_is_refused_with_the_field(
    api: ApiHarness, fields: dict[str, Any], field: str
) -> None:
    before = api.counts(Equipment)
    body = {
        "organisation_id": api.own.id,
        "site_id": api.own_site.id,
        "resource_type_id": _type_id(api, "generator"),
    } | fields
    response = api.post(Role.ADMIN, EQUIPMENT, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert any(e["field"].startswith(field) for e in response.json()["errors"]), response.json()
    assert api.counts(Equipment) == before


def test_a_site_of_another_organisation_is_refused(api: ApiHarness) -> None:
    line = _line(api)
    before = api.counts(Equipment)
    body = {
        "organisation_id": api.own.id,
        "site_id": api.other_site.id,
        "resource_type_id": _type_id(api, "generator"),
    }
    created = api.post(Role.ADMIN, EQUIPMENT, json=body)
    assert created.status_code == 422 and created.json()["errors"][0]["field"] == "site_id"
    moved = api.patch(Role.ADMIN, f"{EQUIPMENT}/{line['id']}", json={"site_id": api.other_site.id})
    assert moved.status_code == 422 and moved.json()["errors"][0]["field"] == "site_id"
    unknown = api.patch(Role.ADMIN, f"{EQUIPMENT}/{line['id']}", json={"resource_type_id": 999_999})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "resource_type_id"
    nulled = api.patch(Role.ADMIN, f"{EQUIPMENT}/{line['id']}", json={"status": None})
    assert nulled.status_code == 422 and nulled.json()["errors"][0]["field"] == "status"
    assert api.counts(Equipment) == before
    assert api.get(Role.ADMIN, f"{EQUIPMENT}/{line['id']}").json() == line


def test_a_municipal_site_may_hold_any_organisations_equipment(api: ApiHarness) -> None:
    municipal = Site(name="Kommunelager", kind=SiteKind.STORAGE, location=api.own_site.location)
    api.session.add(municipal)
    api.session.commit()
    line = _line(api, site_id=municipal.id)
    assert line["site_id"] == municipal.id


def test_stale_edits_are_refused(api: ApiHarness) -> None:
    url = f"{EQUIPMENT}/{_line(api)['id']}"
    etag = api.get(Role.ORG_EDITOR, url).headers["etag"]
    assert (
        api.patch(
            Role.ORG_EDITOR, url, json={"quantity": 3}, headers={"If-Match": etag}
        ).status_code
        == 200
    )
    before = api.counts(Equipment)
    stale = api.patch(Role.DUTY_OFFICER, url, json={"status": "in_use"}, headers={"If-Match": etag})
    assert stale.status_code == 412 and stale.headers["content-type"].startswith(PROBLEM)
    stale_body = api.patch(Role.DUTY_OFFICER, url, json={"status": "in_use", "version": 1})
    assert stale_body.status_code == 409
    assert api.delete(Role.ORG_EDITOR, url, headers={"If-Match": etag}).status_code == 412
    assert api.counts(Equipment) == before
    assert api.get(Role.ADMIN, url).json()["status"] == "ready"


def test_org_editor_changes_only_its_own_equipment(api: ApiHarness) -> None:
    theirs = _line(
        api, organisation_id=api.other.id, site_id=api.other_site.id, notes="Annet lags aggregat"
    )
    mine = _line(api, Role.ORG_EDITOR)
    before = api.counts(Equipment)
    other_body = {
        "organisation_id": api.other.id,
        "site_id": api.other_site.id,
        "resource_type_id": _type_id(api, "generator"),
    }
    assert api.post(Role.ORG_EDITOR, EQUIPMENT, json=other_body).status_code == 403
    their_url = f"{EQUIPMENT}/{theirs['id']}"
    assert api.patch(Role.ORG_EDITOR, their_url, json={"quantity": 1}).status_code == 403
    assert api.delete(Role.ORG_EDITOR, their_url).status_code == 403
    moved = api.patch(
        Role.ORG_EDITOR,
        f"{EQUIPMENT}/{mine['id']}",
        json={"organisation_id": api.other.id, "site_id": api.other_site.id},
    )
    assert moved.status_code == 403
    assert api.post(Role.DUTY_OFFICER, EQUIPMENT, json=other_body).status_code == 403
    assert api.delete(Role.DUTY_OFFICER, their_url).status_code == 403
    assert api.counts(Equipment) == before
    assert api.get(Role.ADMIN, their_url).json() == theirs


def test_duty_officer_sets_the_status_of_any_line(api: ApiHarness) -> None:
    theirs = _line(api, organisation_id=api.other.id, site_id=api.other_site.id)
    response = api.patch(
        Role.DUTY_OFFICER, f"{EQUIPMENT}/{theirs['id']}", json={"status": "in_use"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "in_use"
    entries = api.get(
        Role.ADMIN, "/api/v1/audit", params={"entity": "equipment", "entity_id": str(theirs["id"])}
    ).json()
    assert [e["actor"] for e in entries["items"]] == [
        "duty_officer@test.example",
        "admin@test.example",
    ]
    assert api.patch(Role.COUNCIL, f"{EQUIPMENT}/{theirs['id']}", json={}).status_code == 403
