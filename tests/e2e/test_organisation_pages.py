"""Issue 15 on the pages, on both backends: organisations (new, edit, deactivate, the list's
filters) and sites (an organisation's and the municipality's own: new and edit, placed by
latitude/longitude or UTM), with the API's role rules, its service's refusals as messages
beside their fields (422, nothing written), the version check (409, nothing overwritten)
and the CSRF token.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.register.agreements.models import Agreement, AgreementStatus
from beredskap.register.organisations.models import Organisation, Site, SiteKind
from beredskap.register.organisations.numbers import check_digit
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness

ADMIN = ROLE_EMAILS[Role.ADMIN]
EDITOR = ROLE_EMAILS[Role.ORG_EDITOR]
OTHERS = (Role.DUTY_OFFICER, Role.COUNCIL, Role.PLANNER)


def _number(first_eight: str) -> str:
    digit = check_digit(first_eight)
    assert digit is not None
    return first_eight + str(digit)


def _organisation(api: ApiHarness, organisation: Organisation) -> Organisation:
    api.session.expire_all()
    stored = api.session.get(Organisation, organisation.id)
    assert stored is not None
    return stored


def _site(api: ApiHarness, site_id: int) -> Site:
    api.session.expire_all()
    stored = api.session.get(Site, site_id)
    assert stored is not None
    return stored


def _form(client: Any, url: str) -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200, page.text
    return {"csrf_token": form_token(page.text)}


# Who may open what ----------------------------------------------------------------------------


def test_each_role_gets_the_pages_the_api_would_let_it_use(api: ApiHarness) -> None:
    own, other = api.own.id, api.other.id
    admin = logged_in(api, ADMIN)
    for url in (
        "/organisations/new",
        f"/organisations/{other}/edit",
        f"/organisations/{other}/deactivate",
        f"/organisations/{other}/sites/new",
        "/sites/new",
        f"/sites/{api.other_site.id}/edit",
    ):
        assert admin.get(url).status_code == 200, url
    assert 'href="/organisations/new"' in admin.get("/organisations").text

    editor = logged_in(api, EDITOR)
    for url in (
        f"/organisations/{own}/edit",
        f"/organisations/{own}/deactivate",
        f"/organisations/{own}/sites/new",
        f"/sites/{api.own_site.id}/edit",
    ):
        assert editor.get(url).status_code == 200, url
    for url in (
        "/organisations/new",  # only an admin registers organisations
        f"/organisations/{other}/edit",
        f"/organisations/{other}/deactivate",
        f"/organisations/{other}/sites/new",
        "/sites/new",  # the municipality's own sites are the admin's
        f"/sites/{api.other_site.id}/edit",
    ):
        page = editor.get(url)
        assert page.status_code == 403, url
        assert "Du har ikke tilgang til denne siden" in page.text
    listing = editor.get("/organisations").text
    assert 'href="/organisations/new"' not in listing
    own_page = editor.get(f"/organisations/{own}").text
    assert f"/organisations/{own}/edit" in own_page and f"/sites/{api.own_site.id}/edit" in own_page
    other_page = editor.get(f"/organisations/{other}").text
    assert f"/organisations/{other}/edit" not in other_page
    assert f"/sites/{api.other_site.id}/edit" not in other_page

    for role in OTHERS:
        client = logged_in(api, ROLE_EMAILS[role])
        for url in (
            "/organisations/new",
            f"/organisations/{own}/edit",
            f"/organisations/{own}/sites/new",
            f"/sites/{api.own_site.id}/edit",
            "/sites/new",
        ):
            assert client.get(url).status_code == 403, (role, url)
        assert client.get("/sites").status_code == 200
        page = client.get(f"/organisations/{own}").text
        assert f"/organisations/{own}/edit" not in page and "/sites/new" not in page


def test_posts_of_a_role_without_the_right_write_nothing(api: ApiHarness) -> None:
    editor = logged_in(api, EDITOR)
    token = form_token(editor.get("/").text)
    before = api.counts(Organisation, Site)
    created = editor.post(
        "/organisations/new",
        data={"csrf_token": token, "name": "Snik", "category": "other"},
    )
    edited = editor.post(
        f"/organisations/{api.other.id}/edit",
        data={"csrf_token": token, "version": "1", "name": "Overtatt", "category": "other"},
    )
    site = editor.post(
        f"/organisations/{api.other.id}/sites/new",
        data={"csrf_token": token, "name": "Snik", "kind": "storage", "lat": "60", "lon": "11"},
    )
    municipal = editor.post(
        "/sites/new",
        data={"csrf_token": token, "name": "Snik", "kind": "storage", "lat": "60", "lon": "11"},
    )
    deactivated = editor.post(
        f"/organisations/{api.other.id}/deactivate",
        data={"csrf_token": token, "version": "1", "confirm": "1"},
    )
    for response in (created, edited, site, municipal, deactivated):
        assert response.status_code == 403
    assert api.counts(Organisation, Site) == before
    assert _organisation(api, api.other).name == "Annet Sanitetslag"


def test_a_post_without_the_form_token_is_refused(api: ApiHarness) -> None:
    admin = logged_in(api, ADMIN)
    before = api.counts(Organisation, Site)
    for url, data in (
        ("/organisations/new", {"name": "Uten token", "category": "other"}),
        (
            f"/organisations/{api.own.id}/edit",
            {"version": "1", "name": "Uten token", "category": "other"},
        ),
        (
            f"/sites/{api.own_site.id}/edit",
            {"version": "1", "name": "Uten", "kind": "base", "lat": "60", "lon": "11"},
        ),
        (f"/organisations/{api.own.id}/deactivate", {"version": "1", "confirm": "1"}),
    ):
        for token in (None, "forged"):
            sent = data | ({"csrf_token": token} if token else {})
            response = admin.post(url, data=sent)
            assert response.status_code == 403, (url, token)
    assert api.counts(Organisation, Site) == before
    assert _organisation(api, api.own).name == "Eget Hjelpekorps"


# Organisations ---------------------------------------------------------------------------------


def test_the_coordinator_registers_an_organisation(api: ApiHarness) -> None:
    admin = logged_in(api, ADMIN)
    form = admin.get("/organisations/new")
    assert form.status_code == 200
    assert "/static/maps/place_pick.js" in form.text and "/static/vendor/leaflet" in form.text
    assert "'sha256-" in form.headers["content-security-policy"]
    number = _number("91234568")
    response = admin.post(
        "/organisations/new",
        data={
            "csrf_token": form_token(form.text),
            "name": "Leirsund Speidergruppe",
            "organisation_number": number[:3] + " " + number[3:6] + " " + number[6:],
            "category": "scouts",
            "umbrella_organisation_id": str(api.other.id),
            "contact_24_7_name": "Lise Leder",
            "contact_24_7_phone": "+447700900555",
            "contact_24_7_email": "vakt@leirsund.example",
            "municipality_numbers": "3205, 3222",
            # The home base in UTM zone 32 (EUREF89), as read off a paper map.
            "east": "619000",
            "north": "6651000",
            "epsg": "25832",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    api.session.expire_all()
    created = api.session.scalars(
        select(Organisation).where(Organisation.name == "Leirsund Speidergruppe")
    ).one()
    assert response.headers["location"] == f"/organisations/{created.id}?done=created"
    assert created.organisation_number == number
    assert created.umbrella_organisation_id == api.other.id
    assert created.municipality_numbers == ["3205", "3222"]
    home = to_shape(created.home_base)
    assert 10.9 < home.x < 11.3 and 59.9 < home.y < 60.1
    page = admin.get(response.headers["location"])
    assert "notice--success" in page.text and "Leirsund Speidergruppe" in page.text


def test_an_org_editor_edits_its_own_organisation(api: ApiHarness) -> None:
    editor = logged_in(api, EDITOR)
    data = _form(editor, f"/organisations/{api.own.id}/edit") | {
        "version": "1",
        "name": "Eget Hjelpekorps avd. Sør",
        "organisation_number": "",
        "category": "first_aid_corps",
        "contact_24_7_name": "Ny Vakt",
        "contact_24_7_phone": "+447700900991",
        "contact_24_7_email": "",
        "municipality_numbers": "3205",
        "lat": "59,95",  # a decimal comma, as typed in Norway
        "lon": "11.05",
    }
    response = editor.post(f"/organisations/{api.own.id}/edit", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    stored = _organisation(api, api.own)
    assert stored.name == "Eget Hjelpekorps avd. Sør" and stored.version == 2
    assert stored.contact_24_7_name == "Ny Vakt" and stored.contact_24_7_email is None
    assert to_shape(stored.home_base).y == 59.95


def test_bad_organisation_input_keeps_what_was_typed_and_writes_nothing(api: ApiHarness) -> None:
    admin = logged_in(api, ADMIN)
    token = _form(admin, "/organisations/new")
    before = api.counts(Organisation, Site)
    typed = admin.post(
        "/organisations/new",
        data=token
        | {
            "name": "",
            "organisation_number": "123456789",
            "category": "",
            "contact_24_7_email": "ikke-en-adresse",
            "municipality_numbers": "32",
            "lat": "59.9",
        },
    )
    assert typed.status_code == 422
    html = typed.text
    assert 'class="notice notice--error error-summary"' in html and "autofocus" in html
    assert 'id="f-name-error"' in html and "må fylles ut" in html
    assert 'id="f-category-error"' in html
    assert 'id="f-lon-error"' in html and "oppgi både breddegrad og lengdegrad" in html
    assert 'href="#f-name"' in html and 'aria-invalid="true"' in html
    assert 'value="123456789"' in html and 'value="ikke-en-adresse"' in html
    # With the form's own fields right, the model's and the service's rules answer by field.
    ruled = admin.post(
        "/organisations/new",
        data=token | {"name": "Ny", "organisation_number": "123456789", "category": "other"},
    )
    assert ruled.status_code == 422 and 'id="f-organisation_number-error"' in ruled.text
    assert "er ikke et gyldig organisasjonsnummer" in ruled.text
    municipality = admin.post(
        "/organisations/new",
        data=token | {"name": "Ny", "category": "other", "municipality_numbers": "32"},
    )
    assert municipality.status_code == 422
    assert "er ikke et firesifret kommunenummer" in municipality.text
    outside = admin.post(
        "/organisations/new",
        data=token | {"name": "Ny", "category": "other", "lat": "48.85", "lon": "2.35"},
    )
    assert outside.status_code == 422 and "punktet ligger ikke i Norge" in outside.text
    api.own.organisation_number = _number("98765432")
    api.session.commit()
    before = api.counts(Organisation, Site)
    taken = admin.post(
        "/organisations/new",
        data=token
        | {"name": "Ny", "category": "other", "organisation_number": _number("98765432")},
    )
    assert taken.status_code == 422 and "er allerede registrert" in taken.text
    assert api.counts(Organisation, Site) == before


def test_a_stale_organisation_form_shows_the_change_instead_of_overwriting(
    api: ApiHarness,
) -> None:
    editor = logged_in(api, EDITOR, "en")
    token = _form(editor, f"/organisations/{api.own.id}/edit")
    api.own.name = "Endret av en annen"  # someone else saves first
    api.session.commit()
    response = editor.post(
        f"/organisations/{api.own.id}/edit",
        data=token | {"version": "1", "name": "Min endring", "category": "first_aid_corps"},
    )
    assert response.status_code == 409
    assert "Someone else changed this organisation while you had it open" in response.text
    assert 'name="version" value="2"' in response.text
    assert 'value="Endret av en annen"' in response.text
    assert _organisation(api, api.own).name == "Endret av en annen"
    garbled = editor.post(
        f"/organisations/{api.own.id}/edit",
        data=token | {"name": "Min endring", "category": "first_aid_corps"},
    )
    assert garbled.status_code == 409
    assert _organisation(api, api.own).name == "Endret av en annen"


def test_deactivating_asks_first_and_can_be_undone(api: ApiHarness) -> None:
    editor = logged_in(api, EDITOR, "en")
    page = editor.get(f"/organisations/{api.own.id}/deactivate")
    assert page.status_code == 200 and 'name="confirm"' in page.text
    token = {"csrf_token": form_token(page.text)}
    unconfirmed = editor.post(
        f"/organisations/{api.own.id}/deactivate", data=token | {"version": "1"}
    )
    assert unconfirmed.status_code == 422 and 'id="f-confirm-error"' in unconfirmed.text
    assert _organisation(api, api.own).active
    done = editor.post(
        f"/organisations/{api.own.id}/deactivate",
        data=token | {"version": "1", "confirm": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/organisations/{api.own.id}?done=deactivated"
    stored = _organisation(api, api.own)
    assert not stored.active and stored.version == 2
    # The confirmation made before the change is stale now: nothing happens again.
    stale = editor.post(
        f"/organisations/{api.own.id}/reactivate", data=token | {"version": "1", "confirm": "1"}
    )
    assert stale.status_code == 409 and not _organisation(api, api.own).active
    again = editor.post(
        f"/organisations/{api.own.id}/reactivate",
        data=token | {"version": "2", "confirm": "1"},
        follow_redirects=False,
    )
    assert again.status_code == 303 and _organisation(api, api.own).active


def test_the_list_filters_by_agreement_and_by_active(api: ApiHarness) -> None:
    api.session.add(
        Agreement(
            organisation=api.other,
            reference="AV-1",
            title="Beredskapsavtale",
            status=AgreementStatus.ACTIVE,
            valid_from=date.today() - timedelta(days=10),
        )
    )
    api.own.active = False
    api.session.commit()
    client = logged_in(api, ROLE_EMAILS[Role.COUNCIL])
    with_agreement = client.get("/organisations", params={"agreement": "yes"}).text
    assert "Annet Sanitetslag" in with_agreement and "Eget Hjelpekorps" not in with_agreement
    without = client.get("/organisations", params={"agreement": "no"}).text
    assert "Eget Hjelpekorps" in without and "Annet Sanitetslag" not in without
    active = client.get("/organisations", params={"active": "yes"}).text
    assert "Annet Sanitetslag" in active and "Eget Hjelpekorps" not in active
    inactive = client.get("/organisations", params={"active": "no", "q": "eget"}).text
    assert "Eget Hjelpekorps" in inactive and "Annet Sanitetslag" not in inactive
    odd = client.get("/organisations", params={"active": "maybe", "agreement": "\x00"})
    assert odd.status_code == 200 and "Eget Hjelpekorps" in odd.text


# Sites ------------------------------------------------------------------------------------------


def test_an_org_editor_adds_and_edits_its_own_sites(api: ApiHarness) -> None:
    editor = logged_in(api, EDITOR)
    url = f"/organisations/{api.own.id}/sites/new"
    response = editor.post(
        url,
        data=_form(editor, url)
        | {
            "name": "Båthuset",
            "kind": "base",
            "address": "Strandveien 1, 2010 Strømmen",
            "lat": "59.9412",
            "lon": "11.0070",
            "access_24_7": "1",
            "access_notes": "Nøkkel hos Ola, 99 99 99 99",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    api.session.expire_all()
    site = api.session.scalars(select(Site).where(Site.name == "Båthuset")).one()
    assert response.headers["location"] == (
        f"/organisations/{api.own.id}?done=site_saved#site-{site.id}"
    )
    assert site.organisation_id == api.own.id and site.kind == SiteKind.BASE
    assert site.access_24_7 and site.access_notes == "Nøkkel hos Ola, 99 99 99 99"
    assert (round(to_shape(site.location).y, 4), round(to_shape(site.location).x, 4)) == (
        59.9412,
        11.007,
    )
    edit = f"/sites/{site.id}/edit"
    form = editor.get(edit)
    assert 'value="59.941200"' in form.text and "checked" in form.text
    changed = editor.post(
        edit,
        data={"csrf_token": form_token(form.text), "version": "1", "name": "Båthuset",
              "kind": "storage", "east": "603000", "north": "6650000", "epsg": "25832",
              "access_notes": ""},
        follow_redirects=False,
    )  # fmt: skip
    assert changed.status_code == 303, changed.text
    stored = _site(api, site.id)
    assert stored.kind == SiteKind.STORAGE and not stored.access_24_7  # unticked
    assert stored.access_notes is None and stored.address is None and stored.version == 2
    assert 10.7 < to_shape(stored.location).x < 10.9


def test_the_coordinator_adds_a_municipal_site(api: ApiHarness) -> None:
    admin = logged_in(api, ADMIN)
    response = admin.post(
        "/sites/new",
        data=_form(admin, "/sites/new")
        | {"name": "Kommunelageret", "kind": "shelter", "lat": "59.95", "lon": "11.04"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    api.session.expire_all()
    site = api.session.scalars(select(Site).where(Site.name == "Kommunelageret")).one()
    assert site.organisation_id is None
    assert response.headers["location"] == f"/sites?done=saved#site-{site.id}"
    listing = admin.get("/sites").text
    assert "Kommunelageret" in listing and f"/sites/{site.id}/edit" in listing
    council = logged_in(api, ROLE_EMAILS[Role.COUNCIL]).get("/sites").text
    assert "Kommunelageret" in council and f"/sites/{site.id}/edit" not in council


def test_bad_site_input_shows_messages_and_writes_nothing(api: ApiHarness) -> None:
    editor = logged_in(api, EDITOR)
    url = f"/organisations/{api.own.id}/sites/new"
    token = _form(editor, url)
    before = api.counts(Site)
    nowhere = editor.post(url, data=token | {"name": "Uten sted", "kind": "storage"})
    assert nowhere.status_code == 422
    assert "klikk i kartet, eller skriv inn breddegrad og lengdegrad" in nowhere.text
    assert 'href="#f-lat"' in nowhere.text and 'value="Uten sted"' in nowhere.text
    unreadable = editor.post(
        url,
        data=token | {"name": "", "kind": "hangar", "lat": "sytti", "lon": "11", "address": "x"},
    )
    assert unreadable.status_code == 422
    for field in ("name", "kind", "lat"):
        assert f'id="f-{field}-error"' in unreadable.text, field
    assert 'value="sytti"' in unreadable.text
    abroad = editor.post(
        url, data=token | {"name": "Paris", "kind": "storage", "lat": "48.85", "lon": "2.35"}
    )
    assert abroad.status_code == 422 and "punktet ligger ikke i Norge" in abroad.text
    utm = editor.post(
        url, data=token | {"name": "UTM", "kind": "storage", "east": "603000", "epsg": "25832"}
    )
    assert utm.status_code == 422 and 'id="f-north-error"' in utm.text
    long = editor.post(
        url, data=token | {"name": "x" * 201, "kind": "storage", "lat": "60", "lon": "11"}
    )
    assert long.status_code == 422 and "høyst 200 tegn" in long.text
    edited = editor.post(
        f"/sites/{api.own_site.id}/edit",
        data=token | {"version": "1", "name": "Eget lager", "kind": "storage", "lat": "91"},
    )
    assert edited.status_code == 422
    assert api.counts(Site) == before
    assert _site(api, api.own_site.id).version == 1


def test_a_stale_site_form_shows_the_change_instead_of_overwriting(api: ApiHarness) -> None:
    editor = logged_in(api, EDITOR, "en")
    token = _form(editor, f"/sites/{api.own_site.id}/edit")
    api.own_site.location = Point(11.2, 60.1)  # someone else moves it first
    api.session.commit()
    response = editor.post(
        f"/sites/{api.own_site.id}/edit",
        data=token
        | {"version": "1", "name": "Flyttet", "kind": "storage", "lat": "59.9", "lon": "11"},
    )
    assert response.status_code == 409
    assert "Someone else changed this site while you had it open" in response.text
    assert 'value="60.100000"' in response.text and 'name="version" value="2"' in response.text
    stored = _site(api, api.own_site.id)
    assert stored.name == "Eget lager" and to_shape(stored.location).y == 60.1
