"""The municipality as an owner, on both backends: one of its own services owns sites and
equipment like an organisation and is shown apart from the voluntary organisations (API,
list, page, map layers, ressursoversikt); only the coordinator says a service is the
municipality's own."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from shapely.geometry import Point
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.register.inventory.models import Equipment, ResourceType
from beredskap.register.organisations.models import Organisation, Site, SiteKind
from tests.e2e.web_client import logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness


@pytest.fixture
def service(api: ApiHarness) -> Organisation:
    """Teknisk drift with its store holding three generators, one of the own org's too."""
    generator = api.session.scalar(select(ResourceType.id).where(ResourceType.code == "generator"))
    drift = Organisation(name="Kommunen, teknisk drift", category="other", municipal=True)
    store = Site(
        organisation=drift, name="Driftslager", kind=SiteKind.STORAGE, location=Point(11.0, 59.95)
    )
    api.session.add_all([drift, store])
    api.session.flush()
    api.session.add_all(
        [
            Equipment(
                organisation_id=drift.id, site_id=store.id, resource_type_id=generator, quantity=3
            ),
            Equipment(
                organisation_id=api.own.id,
                site_id=api.own_site.id,
                resource_type_id=generator,
                quantity=2,
            ),
        ]
    )
    api.session.commit()
    return drift


def test_the_api_says_and_filters_whose_it_is(api: ApiHarness, service: Organisation) -> None:
    read = api.get(Role.COUNCIL, f"/api/v1/organisations/{service.id}").json()
    assert read["municipal"] is True
    assert api.get(Role.COUNCIL, f"/api/v1/organisations/{api.own.id}").json()["municipal"] is False
    own = api.get(Role.PLANNER, "/api/v1/organisations", params={"municipal": "true"}).json()
    assert [item["name"] for item in own["items"]] == ["Kommunen, teknisk drift"]
    voluntary = api.get(Role.PLANNER, "/api/v1/organisations", params={"municipal": "false"})
    assert "Kommunen, teknisk drift" not in voluntary.text
    created = api.post(
        Role.ADMIN,
        "/api/v1/organisations",
        json={"name": "Brann og redning", "category": "other", "municipal": True},
    )
    assert created.status_code == 201 and created.json()["municipal"] is True


def test_only_the_coordinator_makes_a_service_the_municipality_s_own(
    api: ApiHarness, service: Organisation
) -> None:
    refused = api.patch(
        Role.ORG_EDITOR, f"/api/v1/organisations/{api.own.id}", json={"municipal": True}
    )
    assert refused.status_code == 403
    api.session.expire_all()
    assert api.session.get(Organisation, api.own.id).municipal is False  # type: ignore[union-attr]
    # The editor may still change the rest of the record, sending the flag unchanged.
    same = api.patch(
        Role.ORG_EDITOR,
        f"/api/v1/organisations/{api.own.id}",
        json={"municipal": False, "contact_24_7_name": "Ny vakt"},
    )
    assert same.status_code == 200
    made = api.patch(Role.ADMIN, f"/api/v1/organisations/{api.other.id}", json={"municipal": True})
    assert made.status_code == 200 and made.json()["municipal"] is True


def test_the_list_and_the_page_show_it_apart(api: ApiHarness, service: Organisation) -> None:
    client = logged_in(api, ROLE_EMAILS[Role.ADMIN])
    listed = client.get("/organisations").text
    # The municipality's own first, marked.
    assert listed.index("Kommunen, teknisk drift") < listed.index("Eget Hjelpekorps")
    assert "badge--municipal" in listed and "Kommunens egen" in listed
    own = client.get("/organisations", params={"owner": "municipal"}).text
    assert "Kommunen, teknisk drift" in own and "Eget Hjelpekorps" not in own
    voluntary = client.get("/organisations", params={"owner": "voluntary"}).text
    assert "Kommunen, teknisk drift" not in voluntary and "Eget Hjelpekorps" in voluntary
    assert client.get("/organisations", params={"owner": "<x>"}).status_code == 200
    page = client.get(f"/organisations/{service.id}").text
    assert "badge--municipal" in page
    form = client.get(f"/organisations/{service.id}/edit").text
    assert 'id="f-municipal"' in form and "checked" in form[form.index('id="f-municipal"') :][:200]
    editor_form = logged_in(api, ROLE_EMAILS[Role.ORG_EDITOR]).get(
        f"/organisations/{api.own.id}/edit"
    )
    assert 'id="f-municipal"' not in editor_form.text


def test_the_map_layers_say_which_sites_are_the_municipality_s_own(
    api: ApiHarness, service: Organisation
) -> None:
    sites = api.get(Role.COUNCIL, "/api/v1/layers/sites").json()["features"]
    by_name = {feature["properties"]["name"]: feature["properties"] for feature in sites}
    assert by_name["Driftslager"]["municipal"] is True
    assert by_name["Eget lager"]["municipal"] is False
    bases = api.get(Role.COUNCIL, "/api/v1/layers/equipment-aggregates").json()["features"]
    holders = {feature["properties"]["site_name"]: feature["properties"] for feature in bases}
    assert holders["Driftslager"]["municipal"] is True


def test_the_ressursoversikt_counts_the_municipality_s_own_apart(
    api: ApiHarness, service: Organisation
) -> None:
    response = logged_in(api, ROLE_EMAILS[Role.COUNCIL]).get("/reports/ressursoversikt.xlsx")
    book = load_workbook(BytesIO(response.content))
    types = list(book["Typer"].iter_rows(values_only=True))
    assert types[0][-1] == "Klar, kommunens egne"
    generator = next(row for row in types[1:] if row[1] == "Aggregat")
    assert generator[3] == 5 and generator[-1] == 3  # 5 ready, 3 of them the municipality's
    owners = [row[0] for row in book["Per organisasjon"].iter_rows(values_only=True)][1:]
    assert owners[0] == "Kommunen, teknisk drift (kommunens egen)"
    assert "Eget Hjelpekorps" in owners


def test_the_resource_search_says_whose_equipment_it_is(
    api: ApiHarness, service: Organisation
) -> None:
    found = api.get(
        Role.DUTY_OFFICER,
        "/api/v1/search/resources",
        params={"lat": 59.95, "lon": 11.0, "radius_km": 50},
    )
    assert found.status_code == 200, found.text
    holders = {
        feature["properties"]["organisation"]: feature["properties"]["municipal"]
        for feature in found.json()["features"]
    }
    assert holders == {"Kommunen, teknisk drift": True, "Eget Hjelpekorps": False}
