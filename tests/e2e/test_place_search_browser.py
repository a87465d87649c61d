"""The address search combobox in headless Chromium, by keyboard only, on both backends (issue
18, item 1): on the callout form, type part of an address (with a typo), ArrowDown, Enter: the
latitude and longitude are filled in and the draft is made at that address; Escape closes the
list and then empties the field; the status region says how many were found. On the incident
map the choice fills the point too. Screenshots with the list open at 390 and 1366 px. (The
new texts are matched in bokmål or English, until the catalogs hold them.)"""

from __future__ import annotations

import re

from geoalchemy2.shape import to_shape
from playwright.sync_api import Browser, expect

from alerts.models import Callout
from beredskap.platform.auth.models import Role
from beredskap.register.addresses.search import search
from tests.e2e.conftest import LiveApp, Visit


def _storgata_12(live_app: LiveApp) -> tuple[str, str]:
    with live_app.database.sessions() as session:
        found = search(session, "Storgata 12", 1)[0]
    return f"{found.lat:.6f}", f"{found.lon:.6f}"


def test_an_address_chosen_by_keyboard_fills_the_callout_form(
    live_app: LiveApp, phone: Visit
) -> None:
    page = phone.page
    live_app.log_in(page, Role.DUTY_OFFICER)
    page.goto(live_app.url("/callouts/new"))
    page.get_by_label("Tittel", exact=True).fill("Brann i bygård")
    page.get_by_label("Melding", exact=True).fill("Oppmøte ved adressen.")
    page.locator("#f-need-1").select_option(label="Førstehjelp")
    page.locator("#f-need-count-1").fill("1")
    box = page.get_by_role("combobox", name="Adresse")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_attribute("aria-controls", "f-address-list")
    box.focus()
    page.keyboard.type("Storgta 12", delay=20)  # a letter left out
    listbox = page.locator("#f-address-list")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#f-address-status")).to_have_text(
        re.compile(r"^\d+ (adresser? funnet|address(es)? found)")
    )
    first = listbox.get_by_role("option").first
    expect(first).to_have_text("Storgata 12, 2000 Lillestrøm")
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "f-address-list-0")
    expect(first).to_have_attribute("aria-selected", "true")
    live_app.shot(page, "place-search-callout-390")
    page.keyboard.press("Enter")

    lat, lon = _storgata_12(live_app)
    expect(box).to_have_value("Storgata 12, 2000 Lillestrøm")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()
    expect(page.get_by_label("Breddegrad", exact=True)).to_have_value(lat)
    expect(page.get_by_label("Lengdegrad", exact=True)).to_have_value(lon)
    expect(page.locator("#f-address-status")).to_have_text(
        re.compile(r"^(Valgt|Chosen): Storgata 12, 2000 Lillestrøm\.")
    )
    assert page.url.endswith("/callouts/new")  # Enter chose; it did not send the form

    page.get_by_role("button", name="Lag utkastet").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Brann i bygård")
    callout_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    with live_app.database.sessions() as session:
        callout = session.get(Callout, callout_id)
        assert callout is not None
        centre = to_shape(callout.centre)
    assert (f"{centre.y:.6f}", f"{centre.x:.6f}") == (lat, lon)


def test_escape_closes_the_list_then_empties_the_field(live_app: LiveApp, phone: Visit) -> None:
    page = phone.page
    live_app.log_in(page, Role.DUTY_OFFICER)
    page.goto(live_app.url("/callouts/new"))
    box = page.get_by_role("combobox", name="Adresse")
    box.focus()
    page.keyboard.type("Sorumsandv", delay=20)  # no ø, and only the beginning
    listbox = page.locator("#f-address-list")
    expect(listbox).to_be_visible()
    first = listbox.get_by_role("option").first
    expect(first).to_have_text(re.compile(r"^Sørumsandvegen 1[A-C]?, 1920 Sørumsand$"))
    page.keyboard.press("ArrowUp")  # from the closed end: the last option
    expect(box).to_have_attribute("aria-activedescendant", re.compile(r"^f-address-list-\d+$"))
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value("Sorumsandv")
    page.keyboard.press("Escape")
    expect(box).to_have_value("")
    page.keyboard.type("Qwxzyvegen 1", delay=10)
    nothing = re.compile(r"^(Fant ingen adresse|No address found)")
    expect(page.locator("#f-address-status")).to_have_text(nothing)
    expect(listbox).to_be_hidden()


def test_the_incident_map_takes_the_chosen_address(live_app: LiveApp, chromium: Browser) -> None:
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        live_app.log_in(page, Role.DUTY_OFFICER)
        page.goto(live_app.url("/callouts/new"))
        box = page.get_by_role("combobox", name="Adresse")
        box.focus()
        page.keyboard.type("storgata 1", delay=20)
        expect(page.locator("#f-address-list")).to_be_visible()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        live_app.shot(page, "place-search-callout-1366")

        page.goto(live_app.url("/maps/incident"))
        box = page.get_by_role("combobox", name="Adresse")
        box.focus()
        page.keyboard.type("Storgata 12", delay=20)
        expect(page.get_by_role("option").first).to_have_text("Storgata 12, 2000 Lillestrøm")
        page.keyboard.press("ArrowDown")
        live_app.shot(page, "place-search-incident-1366")
        page.keyboard.press("Enter")
        lat, lon = _storgata_12(live_app)
        expect(page.get_by_label("Breddegrad", exact=True)).to_have_value(lat)
        expect(page.get_by_label("Lengdegrad", exact=True)).to_have_value(lon)
        page.get_by_role("button", name="Finn ressurser").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Nær hendelsen")).to_be_visible()
        assert f"lat={lat}" in page.url
    finally:
        context.close()
