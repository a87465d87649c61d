"""The map pages on both backends: who may open them, what they show to whom, that they load
nothing from another host under their Content-Security-Policy, and that bad input gets a
message and never a 500."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from contextlib import contextmanager
from datetime import date, timedelta
from html import escape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point
from sqlalchemy import Engine, select

from beredskap.main.settings import Settings
from beredskap.platform.auth.models import Role
from beredskap.platform.auth.permissions import INCIDENT_MAP_ROLES
from beredskap.register.inventory.models import Equipment, ResourceType
from beredskap.register.organisations.models import Site
from beredskap.register.seed.demo import seed_demo
from beredskap.register.volunteers.models import (
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)
from geo.crs import transform
from tests.e2e.web_client import HTML, browser, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness, build_harness

OVERVIEW, INCIDENT, COUNCIL = "/maps/overview", "/maps/incident", "/maps/council"
MAPS = (OVERVIEW, INCIDENT, COUNCIL)
# Personal data of the demo and the harness: phone numbers in the drama range, e-mail.
PERSONAL = re.compile(r"\+447700900\d{3}|[\w.+-]+@[\w-]+\.(?:example|org)\b")
SCRIPT = re.compile(r"<script([^>]*)>(.*?)</script>", re.S)
NEAR_OWN_SITE = {"lat": "59.9600", "lon": "11.0600"}
harness_with = contextmanager(build_harness)


def _get(api: ApiHarness, role: Role | None, url: str, **params: Any) -> Any:
    return api.client.get(url, params=params, headers=api.headers(role) | HTML)


def _mentions(page: str, text: str) -> bool:
    """Whether a page shows a text: as HTML, or inside the map's script (JSON escapes)."""
    return any(form in page for form in (text, escape(text), json.dumps(text)[1:-1]))


def _inline_scripts(page: str) -> list[str]:
    return [body for attrs, body in SCRIPT.findall(page) if "src=" not in attrs]


def _layer_rows(script: str, kind: str) -> list[list[Any]]:
    """The rows of each overview layer of a kind, as the map's script hands them to layers.js."""
    found = []
    for match in re.finditer(rf'beredskapMaps\.layer\(\s*"{kind}",\s*', script):
        rows, _end = json.JSONDecoder().raw_decode(script, match.end())
        found.extend(rows)
    return found


def _policy(response: Any) -> dict[str, list[str]]:
    policy = response.headers["content-security-policy"]
    directives = (part.strip().split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in directives}


def _seed_demo(api: ApiHarness) -> None:
    api.session.info["actor"] = "seed demo"
    seed_demo(api.session)
    api.session.commit()


def _line(api: ApiHarness, site: Site, code: str, **fields: Any) -> Equipment:
    resource_type = api.session.scalars(select(ResourceType).where(ResourceType.code == code)).one()
    line = Equipment(
        organisation=site.organisation,
        site=site,
        resource_type=resource_type,
        **({"quantity": 3} | fields),
    )
    api.session.add(line)
    return line


def _volunteer(
    api: ApiHarness, name: str, mobile: str, *, member_of: Any, home: Point, code: str
) -> Volunteer:
    qualification = api.session.scalars(
        select(QualificationType).where(QualificationType.code == code)
    ).one()
    volunteer = Volunteer(full_name=name, mobile=mobile, home_area=home, sms_consent=True)
    api.session.add_all(
        [
            volunteer,
            Membership(volunteer=volunteer, organisation=member_of),
            VolunteerQualification(
                volunteer=volunteer,
                qualification_type=qualification,
                obtained_on=date.today() - timedelta(days=30),
                expires_on=date.today() + timedelta(days=300),
            ),
        ]
    )
    return volunteer


@pytest.fixture
def stocked(api: ApiHarness) -> ApiHarness:
    """Ready equipment at both organisations' sites, and one volunteer in each."""
    _line(api, api.own_site, "generator")
    _line(api, api.own_site, "atv", quantity=1, identifier="ATV-1")
    _line(api, api.other_site, "tent", status="maintenance")
    _line(api, api.other_site, "stretcher")
    _volunteer(
        api,
        "Kari Eigen",
        "+447700900401",
        member_of=api.own,
        home=Point(11.06, 59.965),
        code="first_aid",
    )
    _volunteer(
        api,
        "Ola Annen",
        "+447700900402",
        member_of=api.other,
        home=Point(11.07, 59.955),
        code="first_aid",
    )
    api.session.commit()
    return api


# Who may open the maps -------------------------------------------------------------------------


def test_who_may_open_each_map(api: ApiHarness) -> None:
    for role in Role:
        for url in MAPS:
            expected = 403 if url == INCIDENT and role not in INCIDENT_MAP_ROLES else 200
            response = _get(api, role, url)
            assert response.status_code == expected, (role, url)
            assert response.headers["content-type"].startswith("text/html")
    assert _get(api, Role.COUNCIL, INCIDENT).status_code == 403
    for url in MAPS:
        anonymous = browser(api).get(url, params={"cell_km": "5"}, follow_redirects=False)
        assert anonymous.status_code == 303
        assert anonymous.headers["location"].startswith(f"/login?next={url}")


def test_a_logged_in_browser_sees_the_maps_in_its_language(api: ApiHarness) -> None:
    client = logged_in(api, ROLE_EMAILS[Role.DUTY_OFFICER], language="en")
    page = client.get(OVERVIEW)
    assert page.status_code == 200
    assert "<h1>Overview map</h1>" in page.text and "Equipment per site" in page.text
    maps_nav = page.text.split('<nav class="in-page"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'<a href="(/maps/[a-z]+)"', maps_nav) == list(MAPS)
    assert 'href="/maps/overview" aria-current="page">Overview map' in maps_nav
    norwegian = logged_in(api, ROLE_EMAILS[Role.COUNCIL]).get(COUNCIL)
    assert "<h1>Kart for beredskapsrådet</h1>" in norwegian.text
    assert "Tegnforklaring" in norwegian.text  # the legend, in the map's script
    # The council is not offered the incident map.
    assert "/maps/incident" not in norwegian.text


# Nothing from elsewhere, under a strict policy --------------------------------------------------


def _assert_served_by_the_app(api: ApiHarness, page: Any) -> None:
    html = page.text
    sources = re.findall(r"<script[^>]*\ssrc=\"([^\"]*)\"", html)
    stylesheets = re.findall(r"<link[^>]*rel=\"stylesheet\"[^>]*href=\"([^\"]*)\"", html)
    assert "/static/vendor/leaflet/leaflet.js" in sources, sources
    assert "/static/vendor/leaflet/leaflet.css" in stylesheets
    for reference in sources + stylesheets:
        assert reference.startswith("/") and not reference.startswith("//"), reference
        assert api.client.get(reference).status_code == 200, reference
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"style=\\*\"", html), "inline style attributes in the map's content"
    for stylesheet in stylesheets:
        css = api.client.get(stylesheet).text
        assert "@import" not in css
        for target in re.findall(r"url\(\s*['\"]?([^'\")]*)", css):
            parts = urlsplit(target)
            assert not parts.scheme and not parts.netloc, (stylesheet, target)
            if not target.startswith("#"):  # leaflet.css names IE's VML behaviour by fragment
                image = stylesheet.rsplit("/", 1)[0] + "/" + target
                assert api.client.get(image).status_code == 200, image


def _assert_strict_policy(page: Any, tile_hosts: list[str]) -> None:
    policy = _policy(page)
    scripts = _inline_scripts(page.text)
    assert len(scripts) == 1, "one inline script: the map's"
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert policy["script-src"] == ["'self'", f"'sha256-{digest}'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", *tile_hosts]
    assert policy["default-src"] == ["'self'"] and policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    text = page.headers["content-security-policy"]
    assert "unsafe-inline" not in text and "unsafe-eval" not in text


def test_each_map_page_loads_only_the_apps_own_files_under_a_strict_policy(
    stocked: ApiHarness,
) -> None:
    api = stocked
    pages = [
        _get(api, Role.ADMIN, OVERVIEW),
        _get(api, Role.ADMIN, INCIDENT),
        _get(api, Role.DUTY_OFFICER, INCIDENT, radius_km="20", **NEAR_OWN_SITE),
        _get(api, Role.COUNCIL, COUNCIL),
        _get(api, Role.COUNCIL, COUNCIL, measure="volunteers", cell_km="10"),
    ]
    defaults = ["https://cache.kartverket.no", "https://tile.openstreetmap.org"]
    for page in pages:
        assert page.status_code == 200, page.url
        _assert_served_by_the_app(api, page)
        _assert_strict_policy(page, defaults)
        assert page.headers["cache-control"] == "no-store"
    # Each response carries the hash of its own script (element names differ per render).
    hashes = {tuple(_policy(page)["script-src"]) for page in pages}
    assert len(hashes) == len(pages)


def test_the_tiles_come_from_the_configured_servers(engine: Engine) -> None:
    closed = Settings(
        map_tiles_url="https://kart.kommune.example/topo/{z}/{y}/{x}.png",
        map_tiles_attribution="© Kartverket <via kommunen>",
        map_alternative_tiles_url="https://{s}.fliser.kommune.example/{z}/{x}/{y}.png",
    )
    with harness_with(engine, closed) as api:
        page = _get(api, Role.ADMIN, OVERVIEW)
        script = _inline_scripts(page.text)[0]
        assert '"https://kart.kommune.example/topo/{z}/{y}/{x}.png"' in script
        assert '"https://{s}.fliser.kommune.example/{z}/{x}/{y}.png"' in script
        assert "cache.kartverket.no" not in script and "openstreetmap.org" not in script
        # The attribution is text: Leaflet writes it as HTML, so it arrives escaped.
        assert "\\u0026lt;via kommunen\\u0026gt;" in script
        _assert_strict_policy(
            page, ["https://kart.kommune.example", "https://*.fliser.kommune.example"]
        )
    local = Settings(
        map_tiles_url="/static/maps/blank-tile.png?{z}/{x}/{y}", map_alternative_tiles_url=""
    )
    with harness_with(engine, local) as api:
        page = _get(api, Role.ADMIN, COUNCIL)
        _assert_strict_policy(page, [])
        assert _inline_scripts(page.text)[0].count("L.tileLayer(") == 1
        assert api.client.get("/static/maps/blank-tile.png").headers["content-type"] == "image/png"


def test_tile_urls_that_would_break_the_policy_are_refused() -> None:
    for url in (
        "https://tiles.example/{z}/{x}/{y}.png; script-src *",
        "https://tiles.example/{z}/{x}/{y}.png 'unsafe-inline'",
        "//tiles.example/{z}/{x}/{y}.png",
        "javascript:alert(1)//{z}/{x}/{y}",
        "https://tiles.example/no-placeholders.png",
    ):
        with pytest.raises(ValueError, match="tile URL"):
            Settings(map_tiles_url=url)


# The overview ---------------------------------------------------------------------------------


def test_the_overview_draws_sites_bases_and_equipment_per_site(stocked: ApiHarness) -> None:
    api = stocked
    page = _get(api, Role.PLANNER, OVERVIEW)
    script = _inline_scripts(page.text)[0]
    sites = {row[3]: row for row in _layer_rows(script, "site")}
    assert set(sites) == {"Eget lager", "Annet lager"}
    assert sites["Eget lager"][6] == api.own.id
    bases = {row[4]: row for row in _layer_rows(script, "organisation")}
    assert set(bases) == {"Eget Hjelpekorps"}  # the other organisation has no home base
    assert len(bases["Eget Hjelpekorps"]) == 11  # with its 24/7 contact: the planner may see it
    assert bases["Eget Hjelpekorps"][7] == 0  # a voluntary organisation, not the municipality
    # One marker per site holding equipment, never one per line; counts by capability and
    # status in the enums' order, lines and items for each.
    equipment = {row[3]: row for row in _layer_rows(script, "equipment")}
    assert set(equipment) == {"Eget lager", "Annet lager"}
    own = equipment["Eget lager"]
    assert own[2] == 2 and own[6][:2] == [1, 1] and own[6][4:6] == [1, 3]  # transport, power
    assert own[7][:2] == [2, 4]  # both ready
    assert "L.markerClusterGroup(" in script
    assert "4 utstyrslinjer på 2 steder" in page.text
    ready_power = _get(api, Role.PLANNER, OVERVIEW, capability="power", status="ready")
    assert ready_power.status_code == 200
    filtered = _layer_rows(_inline_scripts(ready_power.text)[0], "equipment")
    assert [row[3] for row in filtered] == ["Eget lager"]
    assert "1 utstyrslinje på 1 steder" in ready_power.text
    assert 'value="power" selected' in ready_power.text


def test_the_council_sees_no_contact_details_on_the_overview(api: ApiHarness) -> None:
    _seed_demo(api)
    council = _get(api, Role.COUNCIL, OVERVIEW)
    assert council.status_code == 200
    assert not PERSONAL.findall(council.text), PERSONAL.findall(council.text)[:3]
    bases = _layer_rows(_inline_scripts(council.text)[0], "organisation")
    assert len(bases) > 20 and all(len(row) == 8 for row in bases)  # no contact fields
    assert "Nøkkel hos Kari" not in council.text  # a site's access notes are in no layer
    admin = _get(api, Role.ADMIN, OVERVIEW)
    assert "+447700900990" in admin.text  # the harness organisation's 24/7 phone
    assert "Nøkkel hos Kari" not in admin.text
    # The demo's agreements have service areas: drawn, with their reference.
    assert "2023/01412" in admin.text


@pytest.mark.parametrize(
    "params",
    [{"capability": "nonsense"}, {"status": "lost"}, {"capability": "x" * 500}, {"status": "\x00"}],
)
def test_the_overview_explains_a_bad_filter(api: ApiHarness, params: dict[str, str]) -> None:
    page = _get(api, Role.ADMIN, OVERVIEW, **params)
    assert page.status_code == 422
    assert 'role="alert"' in page.text and "Kartet kunne ikke vises for dette valget" in page.text
    assert "folium-map" in page.text  # the map is still shown, unfiltered


# The incident map ----------------------------------------------------------------------------


def test_the_incident_map_lists_what_is_near_nearest_first(stocked: ApiHarness) -> None:
    api = stocked
    page = _get(api, Role.DUTY_OFFICER, INCIDENT, radius_km="20", **NEAR_OWN_SITE)
    assert page.status_code == 200
    listed = re.findall(r'<li class="result" id="site-(\d+)">', page.text)
    # Only ready equipment: the other site keeps a ready stretcher (its tent is in maintenance).
    assert listed == [str(api.own_site.id), str(api.other_site.id)]
    results = page.text.split('id="h-results"', 1)[1]
    assert "Aggregat: 3 stk" in results and "ATV: 1 stk" in results
    assert "Båre: 3 stk" in results and "Telt" not in results
    script = _inline_scripts(page.text)[0]
    assert script.count('"map-pin--result"') == 2
    assert "L.circle(" in script and '"radius": 20000.0' in script
    transport = _get(
        api, Role.DUTY_OFFICER, INCIDENT, radius_km="20", capability="transport", **NEAR_OWN_SITE
    )
    assert re.findall(r'id="site-(\d+)"', transport.text) == [str(api.own_site.id)]
    far = _get(api, Role.DUTY_OFFICER, INCIDENT, lat="69.65", lon="18.96", radius_km="5")
    assert "Ikke noe klart utstyr av den typen innenfor radiusen." in far.text


def test_utm_coordinates_give_the_same_answer(stocked: ApiHarness) -> None:
    api = stocked
    east, north = transform(11.06, 59.96, 4326, 25832)
    by_utm = _get(
        api,
        Role.ADMIN,
        INCIDENT,
        east=f"{east:.1f}",
        north=f"{north:.1f}",
        epsg="25832",
        radius_km="20",
    )
    by_degrees = _get(api, Role.ADMIN, INCIDENT, radius_km="20", **NEAR_OWN_SITE)
    assert by_utm.status_code == 200
    sites = re.compile(r'id="site-(\d+)"')
    assert sites.findall(by_utm.text) == sites.findall(by_degrees.text) != []


def test_volunteers_on_the_incident_map_only_for_roles_that_may_see_them(
    stocked: ApiHarness,
) -> None:
    api = stocked
    expected = {
        Role.ADMIN: {"Kari Eigen", "Ola Annen"},
        Role.DUTY_OFFICER: {"Kari Eigen", "Ola Annen"},
        Role.ORG_EDITOR: {"Kari Eigen"},  # its own members only
        Role.PLANNER: set(),
    }
    for role, names in expected.items():
        page = _get(api, role, INCIDENT, radius_km="20", **NEAR_OWN_SITE)
        assert page.status_code == 200, role
        for name, mobile in (("Kari Eigen", "+447700900401"), ("Ola Annen", "+447700900402")):
            assert _mentions(page.text, name) is (name in names), (role, name)
            assert (mobile in page.text) is (name in names), (role, mobile)
        script = _inline_scripts(page.text)[0]
        assert ("Frivillige (omtrentlig bosted)" in script) is bool(names), role
    planner = _get(api, Role.PLANNER, INCIDENT, radius_km="20", **NEAR_OWN_SITE)
    assert "Rollen din viser ikke frivillige." in planner.text
    assert 'name="qualification"' not in planner.text
    qualified = _get(
        api,
        Role.DUTY_OFFICER,
        INCIDENT,
        radius_km="20",
        qualification=_type_id(api, "boat_licence"),
        **NEAR_OWN_SITE,
    )
    assert (
        "Kari Eigen" not in qualified.text
        and "Ingen frivillige som kan kalles ut" in qualified.text
    )


def _type_id(api: ApiHarness, code: str) -> str:
    found = api.session.scalars(select(QualificationType.id).where(QualificationType.code == code))
    return str(found.one())


def test_the_callout_button_leads_to_the_callout_form(stocked: ApiHarness) -> None:
    api = stocked
    params = {"radius_km": "7,5", "capability": "power", **NEAR_OWN_SITE}
    page = _get(api, Role.DUTY_OFFICER, INCIDENT, **params)
    assert "Utkalling på SMS kommer i neste versjon" not in page.text
    link = re.search(r'<a class="button button--primary" href="(/callouts/new\?[^"]+)"', page.text)
    assert link, "the button leads to the callout page (alerts.callouts.pages)"
    query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
    assert query == {
        "lat": ["59.960000"],
        "lon": ["11.060000"],
        "radius_m": ["7500"],
        "capability": ["power"],
    }


def test_only_roles_that_may_call_out_get_the_callout_button(stocked: ApiHarness) -> None:
    params = {"radius_km": "7,5", **NEAR_OWN_SITE}
    page = _get(stocked, Role.PLANNER, INCIDENT, **params)
    assert page.status_code == 200
    assert "/callouts/new" not in page.text
    assert "Bare vakthavende og administrator starter utkallinger" in page.text


BAD_INCIDENT_INPUT = [
    ({"lat": "abc", "lon": "11"}, "lat", "skriv et tall"),
    ({"lat": "59.9"}, "lon", "oppgi både breddegrad og lengdegrad"),
    ({"lat": "48.85", "lon": "2.35"}, "lat", "punktet ligger ikke i Norge"),
    ({"lat": "1e308", "lon": "11"}, "lat", "skriv et tall"),
    ({"east": "600000"}, "north", "oppgi både øst og nord"),
    ({"east": "600000", "north": "6650000", "epsg": "4326"}, "epsg", "Velg et av alternativene"),
    ({"east": "99999999", "north": "6650000", "epsg": "25833"}, "east", "punktet ligger ikke"),
    ({"radius_km": "0", **NEAR_OWN_SITE}, "radius_km", "oppgi en radius fra 0,1 til 500 km"),
    ({"radius_km": "9999", **NEAR_OWN_SITE}, "radius_km", "oppgi en radius"),
    ({"radius_km": "ti", **NEAR_OWN_SITE}, "radius_km", "oppgi en radius"),
    ({"capability": "boats", **NEAR_OWN_SITE}, "capability", "Velg et av alternativene"),
    ({"resource_type": "999999", **NEAR_OWN_SITE}, "resource_type", "Velg et av alternativene"),
    ({"qualification": "-1", **NEAR_OWN_SITE}, "qualification", "Velg et av alternativene"),
    ({"lat": "5" * 300, "lon": "11"}, "lat", "Høyst 40 tegn"),
    ({"lat": "59\x009", "lon": "11"}, "lat", "tegn som ikke er tillatt"),
    ({"capability": "power"}, "lat", "klikk i kartet"),
]


@pytest.mark.parametrize(("params", "field", "message"), BAD_INCIDENT_INPUT)
def test_bad_incident_input_gets_a_message_not_a_500(
    api: ApiHarness, params: dict[str, str], field: str, message: str
) -> None:
    page = _get(api, Role.DUTY_OFFICER, INCIDENT, **params)
    assert page.status_code == 422, page.text[:500]
    assert f'href="#f-{field}"' in page.text, field
    assert message.lower() in page.text.lower(), message
    assert 'aria-invalid="true"' in page.text
    assert '<li class="result"' not in page.text


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "lat",
                "lon",
                "east",
                "north",
                "epsg",
                "radius_km",
                "capability",
                "qualification",
                "resource_type",
                "cell_km",
                "measure",
                "status",
            ]
        ),
        st.one_of(st.text(max_size=60), st.from_regex(r"-?\d{1,4}([.,]\d{1,6})?", fullmatch=True)),
        max_size=6,
    )
)
def test_no_input_breaks_a_map_page(api: ApiHarness, params: dict[str, str]) -> None:
    for url in MAPS:
        response = _get(api, Role.ADMIN, url, **params)
        assert response.status_code in (200, 422), (url, params, response.status_code)
        assert "folium-map" in response.text


# The council's map -----------------------------------------------------------------------------


def test_the_council_map_holds_counts_and_no_person(api: ApiHarness) -> None:
    _seed_demo(api)
    names = list(api.session.scalars(select(Volunteer.full_name)))
    assert len(names) > 100
    choices = [
        {},
        {"measure": "volunteers"},
        {"measure": "volunteers", "cell_km": "5", "qualification": _type_id(api, "first_aid")},
        {"cell_km": "10", "capability": "medical"},
    ]
    for params in choices:
        page = _get(api, Role.COUNCIL, COUNCIL, **params)
        assert page.status_code == 200, params
        assert not PERSONAL.findall(page.text), (params, PERSONAL.findall(page.text)[:3])
        shown = [name for name in names if _mentions(page.text, name)]
        assert not shown, (params, shown[:3])
        script = _inline_scripts(page.text)[0]
        assert _mentions(script, "Frivillige med gyldig kvalifikasjon")  # the popups' label
        squares = _layer_rows(script, "cell")
        assert squares, params
        for corners, value, _colour, equipment, volunteers, total in squares:
            assert len(corners) == 4 and value != 0
            assert len(equipment) == 16  # lines and items of each capability
            # Counts only; a count under the threshold travels as null, never as itself.
            assert all(count is None or count >= 3 for count in [*volunteers, total] if count)
    volunteers = _get(api, Role.COUNCIL, COUNCIL, measure="volunteers").text
    assert _mentions(volunteers, "færre enn 3 (vises ikke, av personvernhensyn)")


def test_the_council_map_explains_a_bad_choice(api: ApiHarness) -> None:
    for params in ({"cell_km": "2"}, {"measure": "people"}, {"qualification": "abc"}):
        page = _get(api, Role.COUNCIL, COUNCIL, **params)
        assert page.status_code == 422, params
        assert "velg et av alternativene" in page.text


def test_the_app_serves_the_vendored_leaflet_files(api: ApiHarness) -> None:
    for path in (
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/leaflet/leaflet.css",
        "/static/vendor/leaflet/images/layers.png",
        "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
        "/static/vendor/leaflet.markercluster/MarkerCluster.Default.css",
        "/static/maps/incident.js",
        "/static/maps/maps.css",
    ):
        assert api.client.get(path).status_code == 200, path
