"""A site placed by its address on the web (issue 15, item 1), on both backends: with the
municipality's addresses imported (tests/data/addresses_sample.csv), a site given only an
address stands on that address's point; an unknown or ambiguous address is a 422 on the
address field and nothing is written; coordinates typed or clicked still win."""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.register.addresses.models import Address
from beredskap.register.organisations.models import Site
from tests.e2e.web_client import form_token, logged_in
from tests.integration.test_address_import import run
from tests.support.api import ROLE_EMAILS, ApiHarness

EDITOR = ROLE_EMAILS[Role.ORG_EDITOR]


def _token(client: Any, url: str) -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200, page.text
    return {"csrf_token": form_token(page.text)}


def _imported(api: ApiHarness) -> None:
    run(api.session)
    api.session.commit()


def _point(api: ApiHarness, address_id: int) -> tuple[float, float]:
    address = api.session.scalars(select(Address).where(Address.address_id == address_id)).one()
    shape = to_shape(address.point)
    return round(shape.x, 7), round(shape.y, 7)


def _site(api: ApiHarness, name: str) -> Site:
    api.session.expire_all()
    return api.session.scalars(select(Site).where(Site.name == name)).one()


def test_a_site_given_only_an_address_stands_on_its_point(api: ApiHarness) -> None:
    _imported(api)
    editor = logged_in(api, EDITOR)
    url = f"/organisations/{api.own.id}/sites/new"
    page = editor.get(url)
    assert "placed at its address" in page.text or "adresse" in page.text
    response = editor.post(
        url,
        data=_token(editor, url)
        | {"name": "Lageret i sentrum", "kind": "storage", "address": "storgate 1 b",
           "lat": "", "lon": "", "east": "", "north": "", "epsg": "25833"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text
    site = _site(api, "Lageret i sentrum")
    shape = to_shape(site.location)
    assert (round(shape.x, 7), round(shape.y, 7)) == _point(api, 300000002)
    assert site.address == "storgate 1 b"  # as typed

    edit = f"/sites/{site.id}/edit"  # the stored point is in the form: it stays
    moved = editor.post(
        edit,
        data=_token(editor, edit)
        | {"version": "1", "name": "Lageret i sentrum", "kind": "storage",
           "address": "Skolevegen 3, 2013 Skjetten"},
        follow_redirects=False,
    )  # fmt: skip
    assert moved.status_code == 303, moved.text
    shape = to_shape(_site(api, "Lageret i sentrum").location)
    assert (round(shape.x, 7), round(shape.y, 7)) == _point(api, 300000006)


def test_an_unknown_or_ambiguous_address_is_a_422_on_the_field(api: ApiHarness) -> None:
    _imported(api)
    editor = logged_in(api, EDITOR)
    url = f"/organisations/{api.own.id}/sites/new"
    token = _token(editor, url)
    before = api.counts(Site)
    for address in ("Storgata 99", "Skolevegen 3", "Torvet"):
        response = editor.post(
            url, data=token | {"name": "Ukjent", "kind": "storage", "address": address}
        )
        assert response.status_code == 422, address
        assert 'id="f-address-error"' in response.text and 'href="#f-address"' in response.text
        assert f'value="{address}"' in response.text
        assert 'id="f-lat-error"' not in response.text
        if address == "Skolevegen 3":  # two: the message shows one with its postal code
            assert "Skolevegen 3, 2000 LILLESTRØM" in response.text
    nothing = editor.post(url, data=token | {"name": "Ingenting", "kind": "storage"})
    assert nothing.status_code == 422 and 'id="f-lat-error"' in nothing.text
    assert api.counts(Site) == before


def test_coordinates_win_over_the_address(api: ApiHarness) -> None:
    _imported(api)
    editor = logged_in(api, EDITOR)
    url = f"/organisations/{api.own.id}/sites/new"
    token = _token(editor, url)
    typed = editor.post(
        url,
        data=token
        | {"name": "Klikket", "kind": "base", "address": "Storgata 1", "lat": "59.9412",
           "lon": "11.0070"},
        follow_redirects=False,
    )  # fmt: skip
    assert typed.status_code == 303, typed.text
    shape = to_shape(_site(api, "Klikket").location)
    assert (round(shape.y, 4), round(shape.x, 4)) == (59.9412, 11.007)
    utm = editor.post(
        url,
        data=token
        | {"name": "UTM-punkt", "kind": "base", "address": "Ukjentveien 7", "east": "603000",
           "north": "6650000", "epsg": "25832"},
        follow_redirects=False,
    )  # fmt: skip
    assert utm.status_code == 303, utm.text  # an unknown address is no error beside coordinates
    assert 10.7 < to_shape(_site(api, "UTM-punkt").location).x < 10.9
    half = editor.post(
        url, data=token | {"name": "Halvt", "kind": "base", "address": "Storgata 1", "lat": "60"}
    )
    assert half.status_code == 422 and 'id="f-lon-error"' in half.text
