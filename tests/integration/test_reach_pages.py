"""The reach panel on the council map and the incident map (issue 18, item 2), on both
backends: the table of what can be there, the assumption in words, the circle's data, counts
only for the council, names for the duty officer, errors at their fields with nothing
written, and the map's other choices kept."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from beredskap.platform.auth.models import Role
from beredskap.register.addresses import search
from beredskap.register.inventory.models import Equipment
from beredskap.register.seed.demo import seed_addresses
from tests.e2e.web_client import HTML
from tests.integration.test_reach_api import POINT, _agreement, _equipment, _volunteer
from tests.support.api import ApiHarness

OWN_SITE = (11.06, 59.96)


def _get(api: ApiHarness, role: Role, url: str, **params: Any) -> Any:
    return api.client.get(url, params=params, headers=api.headers(role) | HTML)


def _result(page: str) -> str:
    found = re.search(r'<div id="reach-result".*?</div>\s*</section>', page, re.S)
    assert found, "no reach result"
    return found.group(0)


@pytest.fixture
def fleet(api: ApiHarness) -> Iterator[ApiHarness]:
    search.forget()
    seed_addresses(api.session)
    _agreement(api, api.own.id, 15)
    _equipment(api, "rescue_boat", 2)
    _equipment(api, "atv", 3)
    for number in range(1, 5):
        _volunteer(api, number, OWN_SITE)
    api.session.commit()
    yield api
    search.forget()


def test_the_council_map_answers_an_address_and_minutes(fleet: ApiHarness) -> None:
    response = _get(
        fleet, Role.COUNCIL, "/maps/council", address="Storgata 12", minutes="60", cell_km="5"
    )
    assert response.status_code == 200, response.text
    result = _result(response.text)
    assert "Storgata 12, 2000 Lillestrøm" in result
    assert re.search(r"Redningsbåt \(RIB\)</th>\s*<td[^>]*>Transport</td>\s*<td[^>]*>2 stk", result)
    assert re.search(r"ATV</th>\s*<td[^>]*>Transport</td>\s*<td[^>]*>3 stk", result)
    assert "Førstehjelp" in result and ">4<" in result
    assert "50 km/t" in result or "50 km/h" in result
    assert 'data-radius="' in result and 'data-lat="' in result
    assert "Frivillig 1" not in response.text  # counts only
    # The grid's choice is kept in the reach form, the reach in the grid's form.
    assert '<input type="hidden" name="cell_km" value="5">' in response.text
    assert '<input type="hidden" name="minutes" value="60">' in response.text


def test_the_council_map_by_a_clicked_point(fleet: ApiHarness) -> None:
    response = _get(
        fleet,
        Role.COUNCIL,
        "/maps/council",
        lat=f"{POINT[1]:.5f}",
        lon=f"{POINT[0]:.5f}",
        minutes="30",
        address="ignored when coordinates are given",
    )
    assert response.status_code == 200, response.text
    assert "Redningsbåt (RIB)" in _result(response.text)


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"address": "Storgata 12", "minutes": "0"}, "minutes", "more than 0"),
        ({"address": "Storgata 12", "minutes": "tretti"}, "minutes", "e.g. 30"),
        ({"address": "Ingensteds allé 999", "minutes": "30"}, "address", "no such address"),
        ({"minutes": "30"}, "address", "give an address"),
        ({"lat": "48.85", "lon": "2.35", "minutes": "30"}, "lat", "outside Norway"),
    ],
)
def test_errors_at_their_fields_and_nothing_written(
    fleet: ApiHarness, params: dict[str, str], field: str, words: str
) -> None:
    before = fleet.counts(Equipment)
    response = fleet.client.get(
        "/maps/council",
        params=params,
        headers=fleet.headers(Role.COUNCIL) | HTML,
        cookies={"lang": "en"},
    )
    assert response.status_code == 422
    assert f'href="#f-{field}"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert words in response.text
    assert fleet.counts(Equipment) == before


def test_the_incident_map_adds_the_minutes_to_its_point(fleet: ApiHarness) -> None:
    response = _get(
        fleet,
        Role.DUTY_OFFICER,
        "/maps/incident",
        lat=f"{POINT[1]:.5f}",
        lon=f"{POINT[0]:.5f}",
        radius_km="10",
        minutes="30",
    )
    assert response.status_code == 200, response.text
    result = _result(response.text)
    assert "Redningsbåt (RIB)" in result
    assert "Frivillig 1" in result  # the duty officer sees who
    assert 'id="f-minutes"' in response.text


def test_the_incident_map_without_a_point_shows_the_field_only(fleet: ApiHarness) -> None:
    response = _get(fleet, Role.DUTY_OFFICER, "/maps/incident")
    assert response.status_code == 200
    assert 'id="f-minutes"' in response.text and 'value="30"' in response.text
    assert "data-radius" not in response.text
