"""GET /api/v1/places (issue 18, item 1) on both backends, over the demo's addresses (the
file `beredskap demo` imports): exact, typo, missing diacritics and their ASCII stand-ins,
gata/gate and vegen/veien, the number typed so far, postal code and town; ranking, limit;
bad input 422 and never 500; the roles; the demo holds the addresses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from beredskap.platform.auth.models import Role
from beredskap.register.addresses import search
from beredskap.register.addresses.models import Address
from beredskap.register.seed.demo import seed_addresses, seed_place_names
from tests.support.api import ApiHarness

URL = "/api/v1/places"


@pytest.fixture
def places(api: ApiHarness) -> Iterator[ApiHarness]:
    search.forget()
    assert seed_addresses(api.session) >= 300
    api.session.commit()
    yield api
    search.forget()


def _ask(api: ApiHarness, q: str, role: Role = Role.DUTY_OFFICER, **params: Any) -> Any:
    response = api.get(role, URL, params={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json()


def _labels(api: ApiHarness, q: str, **params: Any) -> list[str]:
    return [place["label"] for place in _ask(api, q, **params)["results"]]


def test_an_exact_address_comes_first_with_its_point(places: ApiHarness) -> None:
    body = _ask(places, "Storgata 12")
    first = body["results"][0]
    assert first["label"] == "Storgata 12, 2000 Lillestrøm"
    assert first["kind"] == "address"
    assert 59.9 < first["lat"] < 60.0 and 11.0 < first["lon"] < 11.1
    assert first["epsg"] == 25833 and 270_000 < first["east"] < 290_000
    assert 6_640_000 < first["north"] < 6_660_000
    assert body["count"] == len(body["results"]) and body["q"] == "Storgata 12"


@pytest.mark.parametrize(
    "typed",
    [
        "Storgta 12",  # a letter left out
        "Sotrgata 12",  # two swapped
        "storgata 12",
        "STORGATE 12",  # the other spelling
        "Storgt. 12",  # the abbreviation
        "Storgata 12, 2000",
        "Storgata 12, Lillestrom",
    ],
)
def test_typos_and_spellings_find_the_same_address(places: ApiHarness, typed: str) -> None:
    assert _labels(places, typed)[0] == "Storgata 12, 2000 Lillestrøm"


@pytest.mark.parametrize(
    ("typed", "street"),
    [
        ("Sorumsandvegen 3", "Sørumsandvegen 3"),
        ("Soerumsandveien 3", "Sørumsandvegen 3"),
        ("Lokenasvegen 2", "Løkenåsvegen 2"),
        ("Lokenaasveien 2", "Løkenåsvegen 2"),
        ("Aerfuglvegen 1", "Ærfuglvegen 1"),
        ("bjornsons gate 4", "Bjørnsons gate 4"),
    ],
)
def test_missing_diacritics(places: ApiHarness, typed: str, street: str) -> None:
    assert _labels(places, typed)[0].startswith(street + ",")


def test_the_town_without_diacritics_ranks_its_addresses_first(places: ApiHarness) -> None:
    labels = _labels(places, "Solheimvegen 3, Lillestrom")
    assert labels[0] == "Solheimvegen 3, 2000 Lillestrøm"


def test_the_number_typed_so_far_and_the_letter(places: ApiHarness) -> None:
    # "Storgata 1": 1 itself first, then 10-18 (numbers beginning with 1), in order.
    labels = _labels(places, "Storgata 1", limit=20)
    numbers = [label.split(",")[0].removeprefix("Storgata ") for label in labels]
    assert numbers[0] == "1"
    assert numbers[1:] == ["10", "11", "12", "13", "14", "15A", "15B", "16", "17", "18"]
    # A letter typed puts that letter first; without one the plain number comes before its
    # lettered neighbours.
    assert _labels(places, "Storgata 15 b")[0].startswith("Storgata 15B,")
    assert _labels(places, "Storgata 15B")[0].startswith("Storgata 15B,")
    assert _labels(places, "Storgata 15")[0].startswith("Storgata 15A,")


def test_a_street_alone_lists_its_addresses_in_order(places: ApiHarness) -> None:
    labels = _labels(places, "Torvet", limit=50)
    assert labels[:4] == [
        "Torvet 1, 2000 Lillestrøm",
        "Torvet 2A, 2000 Lillestrøm",
        "Torvet 2B, 2000 Lillestrøm",
        "Torvet 3, 2000 Lillestrøm",
    ]
    assert all(label.startswith("Torvet ") for label in labels)
    # Typing the beginning of a name is enough.
    assert _labels(places, "Ærfug")[0].startswith("Ærfuglvegen 1,")


def test_the_best_street_first_then_the_close_ones(places: ApiHarness) -> None:
    # "Kjellervegen" exactly, before "Gamle Kjellerveg" which merely contains it.
    labels = _labels(places, "Kjellervegen 2", limit=10)
    assert labels[0].startswith("Kjellervegen 2,")
    assert not any(label.startswith("Gamle") for label in labels[:1])


def test_limit(places: ApiHarness) -> None:
    assert len(_labels(places, "Storgata")) == 10  # the default
    assert len(_labels(places, "Storgata", limit=3)) == 3
    assert len(_labels(places, "Storgata", limit=50)) == 19  # all of the street


def test_nothing_found_is_an_empty_list(places: ApiHarness) -> None:
    assert _ask(places, "Qwxzyvegen 12") == {"q": "Qwxzyvegen 12", "count": 0, "results": []}
    assert _ask(places, "12")["results"] == []  # no street named


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "x" * 101},
        {"q": "Storgata\x00 12"},
        {"q": "Storgata", "limit": 0},
        {"q": "Storgata", "limit": 51},
        {"q": "Storgata", "limit": "ten"},
    ],
)
def test_bad_input_is_422_with_a_clear_message(places: ApiHarness, params: dict[str, Any]) -> None:
    response = places.get(Role.DUTY_OFFICER, URL, params=params)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["status"] == 422 and problem["errors"]
    fields = {error.get("field", "") for error in problem["errors"]}
    assert fields & {"q", "limit", "query.q", "query.limit"} or any(
        "q" in field or "limit" in field for field in fields
    )


def test_every_role_may_search_but_only_when_logged_in(places: ApiHarness) -> None:
    for role in Role:
        assert places.get(role, URL, params={"q": "Torvet 5"}).status_code == 200
    assert places.get(None, URL, params={"q": "Torvet 5"}).status_code == 401


def test_the_demo_holds_the_addresses(places: ApiHarness) -> None:
    count = places.session.scalar(select(func.count()).select_from(Address))
    assert 300 <= (count or 0) <= 600
    keys = set(places.session.scalars(select(Address.street_key)))
    assert {"storgate", "sorumsandvei", "lokenasvei"} <= keys


@pytest.mark.parametrize(
    "q", ["Storgata 0", "0 0", "!!!", "\u0663\u0664 \u0665", "Ωμέγα 3", "a", "x" * 100]
)
def test_odd_input_is_answered(places: ApiHarness, q: str) -> None:
    body = _ask(places, q)
    assert body["count"] == len(body["results"]) <= 10


def test_a_number_the_street_lacks_offers_the_nearest(places: ApiHarness) -> None:
    assert _labels(places, "Storgata 99", limit=2) == [
        "Storgata 18, 2000 Lillestrøm",
        "Storgata 17, 2000 Lillestrøm",
    ]


def test_the_demo_place_names_without_diacritics(places: ApiHarness) -> None:
    assert seed_place_names(places.session) >= 15
    places.session.commit()
    body = _ask(places, "Lillestrom")
    first = body["results"][0]
    assert (first["label"], first["kind"]) == ("Lillestrøm (by)", "place")
    assert _labels(places, "oyeren")[0] == "Øyeren (innsjø)"
    assert _labels(places, "Sorumsand")[0] == "Sørumsand (tettsted)"
    # With a number it is an address again.
    assert _labels(places, "Sorumsandvegen 3")[0].startswith("Sørumsandvegen 3,")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.text(max_size=120), limit=st.integers(min_value=-5, max_value=60))
def test_any_input_is_answered_or_refused_never_500(places: ApiHarness, q: str, limit: int) -> None:
    response = places.get(Role.DUTY_OFFICER, URL, params={"q": q, "limit": limit})
    assert response.status_code in (200, 422), response.text
