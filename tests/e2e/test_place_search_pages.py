"""The address search without a script (issue 18, item 1), over HTTP on both backends: the
callout form and the incident map take an address typed into the plain "address" field and
look it up with the same search as the combobox; none, several or a street without a number is
a 422 with the message on the address field, linked from the error summary and described by
the field, and nothing written. Coordinates, when given, win over the address. Both pages carry
the combobox's markup and script."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from alerts.models import Callout
from beredskap.platform.auth.models import Role
from beredskap.register.addresses import search
from beredskap.register.seed.demo import seed_addresses
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness
from tests.support.callouts import at, qualification, volunteer

OFFICER = ROLE_EMAILS[Role.DUTY_OFFICER]


@pytest.fixture
def town(api: ApiHarness) -> Iterator[ApiHarness]:
    search.forget()
    seed_addresses(api.session)
    volunteer(api.session, 1, at(0, 1_000), ["first_aid"], api.own)
    api.session.commit()
    yield api
    search.forget()


def _post_callout(client: TestClient, api: ApiHarness, **fields: Any) -> Any:
    page = client.get("/callouts/new")
    first_aid = qualification(api.session, "first_aid")
    data = {
        "csrf_token": form_token(page.text),
        "title": "Brann",
        "message": "Oppmøte ved adressen.",
        "address": "",
        "lat": "",
        "lon": "",
        "radius_km": "5",
        "need_qualification": [str(first_aid.id)],
        "need_count": ["1"],
    } | fields
    return client.post("/callouts/new", data=data, follow_redirects=False)


def _callouts(api: ApiHarness) -> int:
    api.session.expire_all()
    return int(api.session.scalar(select(func.count()).select_from(Callout)) or 0)


def _storgata_12(api: ApiHarness) -> tuple[float, float]:
    found = search.search(api.session, "Storgata 12", 1)[0]
    return found.lon, found.lat


def test_the_forms_carry_the_combobox(town: ApiHarness) -> None:
    client = logged_in(town, OFFICER)
    for url in ("/callouts/new", "/maps/incident"):
        page = client.get(url)
        assert page.status_code == 200
        assert "/static/maps/place_search.js" in page.text
        assert 'data-place-search data-url="/api/v1/places"' in page.text
        assert 'id="f-address" name="address"' in page.text
        assert 'role="listbox"' in page.text and 'id="f-address-status" role="status"' in page.text
    assert client.get("/static/maps/place_search.js").status_code == 200
    assert client.get("/static/maps/place_search.css").status_code == 200


def test_a_callout_placed_by_a_typed_address(town: ApiHarness) -> None:
    client = logged_in(town, OFFICER)
    response = _post_callout(client, town, address="Storgta 12")  # a typo, still one address
    assert response.status_code == 303, response.text
    callout_id = int(re.fullmatch(r"/callouts/(\d+)", response.headers["location"])[1])  # type: ignore[index]
    callout = town.session.get(Callout, callout_id)
    assert callout is not None
    centre = to_shape(callout.centre)
    lon, lat = _storgata_12(town)
    assert (round(centre.x, 6), round(centre.y, 6)) == (round(lon, 6), round(lat, 6))


def test_coordinates_win_over_the_address(town: ApiHarness) -> None:
    client = logged_in(town, OFFICER)
    response = _post_callout(client, town, address="Storgata 12", lat="59.97", lon="11.04")
    assert response.status_code == 303, response.text
    callout = town.session.get(Callout, int(response.headers["location"].rsplit("/", 1)[1]))
    assert callout is not None
    assert round(to_shape(callout.centre).y, 2) == 59.97


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("Qwxzyvegen 12", "no such address in the municipality&#39;s address list"),
        ("Storgata 99", "did you mean Storgata"),
        ("Storgata", "add the house number, e.g. Storgata 1, 2000 Lillestrøm"),
        ("Storgata\x0112", "contains characters that are not allowed"),
    ],
)
def test_an_address_that_is_not_one_point_is_422_on_its_field(
    town: ApiHarness, address: str, message: str
) -> None:
    client = logged_in(town, OFFICER, language="en")
    before = _callouts(town)
    response = _post_callout(client, town, address=address)
    assert response.status_code == 422, response.text
    assert _callouts(town) == before
    page = response.text
    assert 'id="f-address-error"' in page and message in page
    assert 'href="#f-address"' in page  # the error summary links to the field
    field = re.search(r"<input[^>]*id=\"f-address\"[^>]*>", page)
    assert field and 'aria-invalid="true"' in field[0] and "f-address-error" in field[0]
    assert 'id="f-lat-error"' not in page and 'id="f-lon-error"' not in page


def test_several_equal_matches_ask_for_the_postal_code(town: ApiHarness) -> None:
    # Two towns with the same street and number: add one more Storgata 12 in another postcode.
    from beredskap.register.addresses.models import Address

    original = town.session.scalars(select(Address).where(Address.search_key == "storgate 12"))
    twin = next(iter(original))
    town.session.add(
        Address(
            address_id=999_999_999, municipality_number="3205", street="Storgata", number=12,
            letter="", postal_code="2010", postal_town="STRØMMEN", search_key="storgate 12",
            street_key="storgate", point=twin.point,
        )
    )  # fmt: skip
    town.session.commit()
    client = logged_in(town, OFFICER, language="en")
    response = _post_callout(client, town, address="Storgata 12")
    assert response.status_code == 422
    assert "2 addresses match; add the postal code" in response.text
    assert _post_callout(client, town, address="Storgata 12, 2010").status_code == 303


def test_nothing_typed_still_asks_for_the_point(town: ApiHarness) -> None:
    client = logged_in(town, OFFICER, language="en")
    response = _post_callout(client, town)
    assert response.status_code == 422
    assert 'id="f-lat-error"' in response.text and 'id="f-address-error"' not in response.text


def test_the_incident_map_by_address(town: ApiHarness) -> None:
    client = logged_in(town, OFFICER, language="en")
    page = client.get("/maps/incident", params={"address": "Storgata 12", "radius_km": "5"})
    assert page.status_code == 200, page.text
    lon, lat = _storgata_12(town)
    assert f'value="{lat:.6f}"' in page.text and f'value="{lon:.6f}"' in page.text
    assert "Storgata 12, 2000 Lillestrøm" in page.text
    wrong = client.get("/maps/incident", params={"address": "Qwxzyvegen 3"})
    assert wrong.status_code == 422
    assert 'id="f-address-error"' in wrong.text and 'href="#f-address"' in wrong.text
    too_long = client.get("/maps/incident", params={"address": "x" * 101})
    assert too_long.status_code == 422 and 'id="f-address-error"' in too_long.text


def test_a_number_with_letters_asks_for_the_letter(town: ApiHarness) -> None:
    client = logged_in(town, OFFICER, language="en")
    response = _post_callout(client, town, address="Storgata 15")  # 15A and 15B
    assert response.status_code == 422
    assert "2 addresses match; add the letter, e.g. Storgata 15A, 2000 Lillestrøm" in response.text
    assert _post_callout(client, town, address="storgata 15 b").status_code == 303
