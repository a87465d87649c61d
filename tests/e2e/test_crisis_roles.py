"""The crisis roles on both backends: the API (read by the coordinator and the duty officer,
kept by the coordinator; titles unique; holders checked; version-checked) and the pages (a row
for the holder and three deputies; an error is shown at its field and nothing is written)."""

from __future__ import annotations

import pytest

from beredskap.platform.auth.models import Role
from beredskap.register.crisis_roles.models import CrisisRole
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness

API = "/api/v1/crisis-roles"
ADMIN = ROLE_EMAILS[Role.ADMIN]


def _create(api: ApiHarness, **body: object) -> dict:
    response = api.post(Role.ADMIN, API, json={"title": "Ordfører", **body})
    assert response.status_code == 201, response.text
    return response.json()


def test_the_coordinator_keeps_the_roles_in_order(api: ApiHarness) -> None:
    mayor = _create(
        api,
        position=1,
        duties="Leder kriseledelsen.",
        holders=[{"name": "Kari", "phone": "912 34 567"}, {"name": "Ola", "phone": "+4791234568"}],
    )
    assert mayor["holders"][0] == {
        "name": "Kari",
        "role": None,
        "phone": "+4791234567",
        "email": None,
    }
    _create(api, title="Beredskapskoordinator", position=3)
    _create(api, title="Kommunedirektør", position=2)
    listed = api.get(Role.DUTY_OFFICER, API).json()
    assert [role["title"] for role in listed] == [
        "Ordfører",
        "Kommunedirektør",
        "Beredskapskoordinator",
    ]
    changed = api.patch(
        Role.ADMIN,
        f"{API}/{mayor['id']}",
        json={"holders": [{"name": "Ola"}, {"name": "Kari"}], "version": mayor["version"]},
    )
    assert changed.status_code == 200
    assert [h["name"] for h in changed.json()["holders"]] == ["Ola", "Kari"]
    stale = api.patch(
        Role.ADMIN, f"{API}/{mayor['id']}", json={"position": 9, "version": mayor["version"]}
    )
    assert stale.status_code == 409
    gone = api.delete(Role.ADMIN, f"{API}/{mayor['id']}")
    assert gone.status_code == 204
    assert api.get(Role.ADMIN, f"{API}/{mayor['id']}").status_code == 404


@pytest.mark.parametrize("role", [Role.COUNCIL, Role.PLANNER, Role.ORG_EDITOR])
def test_no_other_role_reads_or_keeps_them(api: ApiHarness, role: Role) -> None:
    _create(api, holders=[{"name": "Kari", "phone": "+4791234567"}])
    assert api.get(role, API).status_code == 403
    assert api.post(role, API, json={"title": "X"}).status_code == 403
    assert api.get(Role.DUTY_OFFICER, API).status_code == 200
    assert api.post(Role.DUTY_OFFICER, API, json={"title": "X"}).status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "X" * 121}, "title"),
        ({"title": "X", "position": 0}, "position"),
        ({"title": "X", "holders": [{"name": "Kari", "phone": "12"}]}, "holders[0].phone"),
        ({"title": "X", "holders": [{"name": ""}]}, "holders[0].name"),
        ({"title": "X", "holders": [{"name": f"P{n}"} for n in range(11)]}, "holders"),
        ({"title": "X", "extra": 1}, "extra"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_nothing_written(
    api: ApiHarness, body: dict, field: str
) -> None:
    before = api.counts(CrisisRole)
    response = api.post(Role.ADMIN, API, json=body)
    assert response.status_code == 422, response.text
    assert field.split("[")[0] in response.text
    assert api.counts(CrisisRole) == before


def test_a_title_in_use_is_a_conflict(api: ApiHarness) -> None:
    _create(api)
    before = api.counts(CrisisRole)
    assert api.post(Role.ADMIN, API, json={"title": "Ordfører"}).status_code == 409
    assert api.counts(CrisisRole) == before


def _form(client: object, url: str) -> str:
    return form_token(client.get(url).text)  # type: ignore[attr-defined]


def test_the_form_adds_a_role_with_its_holder_and_deputies(api: ApiHarness) -> None:
    client = logged_in(api, ADMIN)
    token = _form(client, "/crisis-roles/new")
    posted = client.post(
        "/crisis-roles",
        data={
            "csrf_token": token,
            "title": "Kommuneoverlege",
            "position": "4",
            "holder_1_name": "Dr. Eva",
            "holder_1_phone": "912 34 567",
            "holder_3_name": "Dr. Knut",  # an empty row between is skipped
            "holder_3_phone": "+47 912 34 568",
        },
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text
    api.session.expire_all()
    role = api.session.query(CrisisRole).one()
    assert role.position == 4
    assert role.holders == [
        {"name": "Dr. Eva", "phone": "+4791234567"},
        {"name": "Dr. Knut", "phone": "+4791234568"},
    ]
    page = logged_in(api, ROLE_EMAILS[Role.DUTY_OFFICER]).get("/crisis-roles").text
    assert 'href="tel:+4791234567"' in page and "Stedfortreder 1" in page
    assert "/crisis-roles/new" not in page  # the duty officer reads, the coordinator keeps


def test_the_form_shows_each_error_at_its_field_and_writes_nothing(api: ApiHarness) -> None:
    client = logged_in(api, ADMIN)
    token = _form(client, "/crisis-roles/new")
    before = api.counts(CrisisRole)
    posted = client.post(
        "/crisis-roles",
        data={
            "csrf_token": token,
            "title": "Ordfører",
            "position": "x",
            "holder_1_name": "Kari",
            "holder_1_phone": "12",
            "holder_2_phone": "+4791234568",  # a number without a name
        },
    )
    assert posted.status_code == 422
    html = posted.text
    assert 'href="#f-position"' in html
    assert 'href="#f-holder_2_name"' in html and 'id="f-holder_2_name-error"' in html
    assert api.counts(CrisisRole) == before
    # With the other fields right, the phone's error is on the holder's phone.
    again = client.post(
        "/crisis-roles",
        data={
            "csrf_token": token,
            "title": "Ordfører",
            "position": "1",
            "holder_1_name": "Kari",
            "holder_1_phone": "12",
        },
    )
    assert again.status_code == 422
    assert 'href="#f-holder_1_phone"' in again.text and 'aria-invalid="true"' in again.text
    assert api.counts(CrisisRole) == before


def test_a_stale_form_is_not_saved(api: ApiHarness) -> None:
    role = _create(api, holders=[{"name": "Kari"}])
    client = logged_in(api, ADMIN)
    token = _form(client, f"/crisis-roles/{role['id']}")
    api.patch(Role.ADMIN, f"{API}/{role['id']}", json={"position": 2})
    posted = client.post(
        f"/crisis-roles/{role['id']}",
        data={"csrf_token": token, "version": str(role["version"]), "title": "Endret"},
    )
    assert posted.status_code == 409
    api.session.expire_all()
    assert api.session.get(CrisisRole, role["id"]).title == "Ordfører"  # type: ignore[union-attr]
