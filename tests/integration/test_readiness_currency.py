"""Issue 16, currency, in the API on both backends: organisations confirm their record
(POST /api/v1/organisations/{id}/confirm), the plan's yearly revisions
(GET/POST /api/v1/readiness/revisions) and each equipment line's inspection state beside
its status; who may do what (403), unknown ids (404), bad input (422), nothing written."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth.models import Role
from beredskap.platform.columns import today_in_norway
from beredskap.register.inventory.models import Equipment, ResourceType
from beredskap.register.organisations.models import Organisation
from beredskap.register.readiness.currency import (
    is_stale,
    unconfirmed_organisations,
    year_before,
)
from beredskap.register.readiness.models import PlanRevision
from tests.support.api import ApiHarness

ORGANISATIONS = "/api/v1/organisations"
REVISIONS = "/api/v1/readiness/revisions"
PROBLEM = "application/problem+json"
NOT_EDITORS = (Role.COUNCIL, Role.DUTY_OFFICER, Role.PLANNER)


def _confirmed_on(api: ApiHarness, organisation: Organisation) -> date | None:
    api.session.expire_all()
    stored = api.session.get(Organisation, organisation.id)
    assert stored is not None
    return stored.confirmed_on


# Confirming an organisation's record ----------------------------------------------------------


def test_the_editor_confirms_its_own_organisation_today_and_it_is_audited(
    api: ApiHarness,
) -> None:
    before = api.get(Role.ORG_EDITOR, f"{ORGANISATIONS}/{api.own.id}").json()
    assert before["confirmed_on"] is None
    audited = api.counts()[0]

    response = api.post(Role.ORG_EDITOR, f"{ORGANISATIONS}/{api.own.id}/confirm")

    assert response.status_code == 200, response.text
    today = today_in_norway()
    assert response.json()["confirmed_on"] == today.isoformat()
    assert response.json()["version"] == before["version"] + 1
    assert _confirmed_on(api, api.own) == today
    assert api.counts()[0] == audited + 1
    entry = api.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert entry.entity == "organisations" and entry.entity_id == str(api.own.id)
    assert entry.actor == "org_editor@test.example"
    assert entry.after is not None and entry.after["confirmed_on"] == today.isoformat()
    listed = api.get(Role.COUNCIL, ORGANISATIONS, params={"q": "Eget"}).json()["items"]
    assert listed[0]["confirmed_on"] == today.isoformat()


def test_the_coordinator_confirms_any_organisation(api: ApiHarness) -> None:
    response = api.post(Role.ADMIN, f"{ORGANISATIONS}/{api.other.id}/confirm")
    assert response.status_code == 200, response.text
    assert _confirmed_on(api, api.other) == today_in_norway()


@pytest.mark.parametrize("role", [Role.ORG_EDITOR, *NOT_EDITORS])
def test_others_may_not_confirm_and_nothing_is_written(api: ApiHarness, role: Role) -> None:
    before = api.counts(Organisation)
    response = api.post(role, f"{ORGANISATIONS}/{api.other.id}/confirm")
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert api.counts(Organisation) == before
    assert _confirmed_on(api, api.other) is None


def test_confirming_an_unknown_organisation_is_404_and_anonymous_401(api: ApiHarness) -> None:
    before = api.counts(Organisation)
    assert api.post(Role.ADMIN, f"{ORGANISATIONS}/999999/confirm").status_code == 404
    assert api.post(Role.ADMIN, f"{ORGANISATIONS}/abc/confirm").status_code in (404, 422)
    assert api.post(None, f"{ORGANISATIONS}/{api.own.id}/confirm").status_code == 401
    assert api.counts(Organisation) == before


def test_a_confirmation_is_due_again_after_12_months(api: ApiHarness) -> None:
    today = date(2027, 3, 1)
    assert year_before(date(2028, 2, 29)) == date(2027, 2, 28)
    assert is_stale(None, today)
    assert is_stale(date(2026, 3, 1), today)  # exactly 12 months ago
    assert not is_stale(date(2026, 3, 2), today)
    api.own.confirmed_on = date(2026, 1, 5)
    api.other.confirmed_on = None
    recent = Organisation(name="Nylig Bekreftet", category="scouts", confirmed_on=today)
    gone = Organisation(name="Nedlagt Lag", category="scouts", active=False)
    api.session.add_all([recent, gone])
    api.session.commit()
    names = [o.name for o in unconfirmed_organisations(api.session, today)]
    # Never confirmed first; the recent one and the inactive one are left out.
    assert names == ["Annet Sanitetslag", "Eget Hjelpekorps"]


# The plan's yearly revisions ------------------------------------------------------------------


def _revision(**fields: Any) -> dict[str, Any]:
    return {
        "revised_on": (today_in_norway() - timedelta(days=3)).isoformat(),
        "revised_by": "Beredskapsrådet",
        "scope": "Ressursoversikten og varslingslisten",
        "note": "Frivillige lag gjennomgått",
    } | fields


def test_the_coordinator_records_revisions_and_the_readers_list_them_newest_first(
    api: ApiHarness,
) -> None:
    empty = api.get(Role.COUNCIL, REVISIONS).json()
    assert empty["total"] == 0 and empty["revision_due"] is True

    old = _revision(revised_on=(today_in_norway() - timedelta(days=800)).isoformat(), note=None)
    assert api.post(Role.ADMIN, REVISIONS, json=old).status_code == 201
    still_due = api.get(Role.ADMIN, REVISIONS).json()
    assert still_due["revision_due"] is True  # the only one is more than 12 months old

    created = api.post(Role.ADMIN, REVISIONS, json=_revision())
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["revised_by"] == "Beredskapsrådet" and body["recorded_by_user_id"] is not None
    stored = api.session.get(PlanRevision, body["id"])
    assert stored is not None and stored.scope == "Ressursoversikten og varslingslisten"

    for role in (Role.ADMIN, Role.COUNCIL, Role.DUTY_OFFICER, Role.PLANNER):
        listed = api.get(role, REVISIONS)
        assert listed.status_code == 200, role
        page = listed.json()
        assert page["total"] == 2 and page["revision_due"] is False
        assert page["items"][0]["id"] == body["id"]  # newest first
    # The council sees what was revised, not who recorded it.
    assert api.get(Role.COUNCIL, REVISIONS).json()["items"][0]["recorded_by_user_id"] is None
    second = api.get(Role.ADMIN, REVISIONS, params={"limit": 1, "offset": 1}).json()
    assert second["items"][0]["note"] is None and second["revision_due"] is False


def test_revisions_are_not_for_the_organisation_editor_and_only_the_admin_records(
    api: ApiHarness,
) -> None:
    assert api.get(Role.ORG_EDITOR, REVISIONS).status_code == 403
    assert api.get(None, REVISIONS).status_code == 401
    before = api.counts(PlanRevision)
    for role in (Role.ORG_EDITOR, *NOT_EDITORS):
        response = api.post(role, REVISIONS, json=_revision())
        assert response.status_code == 403, role
    assert api.counts(PlanRevision) == before


FUTURE = (date.today() + timedelta(days=40)).isoformat()
BAD_REVISIONS: list[tuple[str, dict[str, Any], str]] = [
    ("malformed date", {"revised_on": "31.02.2026"}, "revised_on"),
    ("not a date", {"revised_on": "last spring"}, "revised_on"),
    ("no date", {"revised_on": None}, "revised_on"),
    ("in the future", {"revised_on": FUTURE}, "revised_on"),
    ("empty body", {"revised_by": "   "}, "revised_by"),
    ("long body", {"revised_by": "x" * 201}, "revised_by"),
    ("no scope", {"scope": ""}, "scope"),
    ("NUL in note", {"note": "a\x00b"}, "note"),
    ("unknown field", {"revised_at": "2026-01-01"}, "revised_at"),
]


@pytest.mark.parametrize(
    "fields, field", [c[1:] for c in BAD_REVISIONS], ids=[c[0] for c in BAD_REVISIONS]
)
def test_bad_revisions_are_422_on_their_field_and_nothing_is_written(
    api: ApiHarness, fields: dict[str, Any], field: str
) -> None:
    before = api.counts(PlanRevision)
    response = api.post(Role.ADMIN, REVISIONS, json=_revision(**fields))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    errors = response.json()["errors"]
    assert any(error["field"] == field for error in errors), errors
    assert api.counts(PlanRevision) == before


def test_malformed_revision_bodies_and_paging_are_4xx(api: ApiHarness) -> None:
    before = api.counts(PlanRevision)
    for raw in (b"{not json", b"", b"[]", b"null"):
        response = api.client.post(
            REVISIONS,
            content=raw,
            headers=api.headers(Role.ADMIN) | {"content-type": "application/json"},
        )
        assert 400 <= response.status_code < 500, raw
    assert api.get(Role.ADMIN, REVISIONS, params={"limit": 0}).status_code == 422
    assert api.get(Role.ADMIN, REVISIONS, params={"offset": -1}).status_code == 422
    assert api.counts(PlanRevision) == before


# Equipment: its inspection state beside its status --------------------------------------------


def _line(api: ApiHarness, next_due: date | None, status: str = "ready") -> dict[str, Any]:
    type_id = api.session.scalar(select(ResourceType.id).where(ResourceType.code == "generator"))
    body = {
        "organisation_id": api.own.id,
        "site_id": api.own_site.id,
        "resource_type_id": type_id,
        "status": status,
        "next_inspection_due": next_due.isoformat() if next_due else None,
    }
    response = api.post(Role.ADMIN, "/api/v1/equipment", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_equipment_says_its_inspection_state_beside_its_status(api: ApiHarness) -> None:
    today = today_in_norway()
    expected = {
        _line(api, None)["id"]: "unknown",
        _line(api, today + timedelta(days=90))["id"]: "ok",
        _line(api, today + timedelta(days=30))["id"]: "due_soon",
        _line(api, today)["id"]: "due_soon",  # due today still counts
        _line(api, today - timedelta(days=1))["id"]: "overdue",
    }
    for line_id, state in expected.items():
        read = api.get(Role.COUNCIL, f"/api/v1/equipment/{line_id}").json()
        assert read["inspection_state"] == state and read["status"] == "ready", read
    listed = api.get(Role.PLANNER, "/api/v1/equipment", params={"organisation_id": api.own.id})
    states = {item["id"]: item["inspection_state"] for item in listed.json()["items"]}
    assert states == expected
    # A change of date changes the state at once.
    line_id = next(i for i, s in expected.items() if s == "overdue")
    assert api.session.get(Equipment, line_id) is not None
    patched = api.patch(
        Role.ADMIN,
        f"/api/v1/equipment/{line_id}",
        json={"next_inspection_due": (today + timedelta(days=200)).isoformat(), "version": 1},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["inspection_state"] == "ok"
