"""The reach panel of the council map in headless Chromium, on both backends (issue 18, item
2): a council member types an address (the place search's combobox: ArrowDown, Enter) and the
minutes with the keyboard only, sends with Enter, and reads the answer from the table; the
status region says it in one sentence, the reach circle is on the map, the page does not
scroll sideways at 320 and 390 px, axe finds no WCAG 2.1 A/AA violation. A wrong time moves
focus to the error summary.
Screenshots at 390 and 1366 px."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from beredskap.platform.auth.models import Role
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import LiveApp, Visit


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def _ask_by_keyboard(page: Page, address: str, minutes: str) -> None:
    box = page.get_by_role("combobox", name=re.compile("^(Adresse|Address)$"))
    box.focus()
    page.keyboard.type(address, delay=20)
    expect(page.locator("#f-address-list")).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(box).to_have_value(re.compile(r"^Storgata 12, 2000 Lillestrøm$"))
    # On to the minutes with Tab alone: latitude, longitude, then the minutes.
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(page.locator("#f-minutes")).to_be_focused()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(minutes)
    page.keyboard.press("Enter")


def test_the_council_reads_what_can_be_there_by_keyboard(live_app: LiveApp, phone: Visit) -> None:
    page = phone.page
    live_app.log_in(page, Role.COUNCIL)
    page.goto(live_app.url("/maps/council"))
    _ask_by_keyboard(page, "Storgata 12", "60")

    status = page.locator("#reach-status")
    expect(status).to_have_text(re.compile(r"60 min"))
    heading = page.locator("#h-reach")
    expect(heading).to_contain_text("Storgata 12, 2000 Lillestrøm")
    assert page.url.split("?", 1)[0].endswith("/maps/council")  # swapped in, not reloaded
    rows = page.locator("#reach-result table").first.locator("tbody tr")
    assert rows.count() > 0
    first = rows.first
    name = first.locator("th").inner_text()
    amount = first.locator("td").nth(1).inner_text()
    assert name and re.search(r"\d", amount)
    # Counts only for the council; the circle is drawn (a Leaflet path in the overlay pane).
    expect(page.locator("#h-reach-people")).to_have_count(0)
    assert page.locator(".leaflet-overlay-pane path").count() > 0
    _no_sideways_scroll(page)
    assert_accessible(page, "/maps/council with a reach result")
    live_app.shot(page, "reach-council-390")
    page.set_viewport_size({"width": 320, "height": 800})
    _no_sideways_scroll(page)

    # A wrong time: the summary gets focus and links to the field.
    minutes = page.locator("#f-minutes")
    minutes.focus()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("0")
    page.keyboard.press("Enter")
    expect(page.locator("#reach-errors")).to_be_focused()
    expect(minutes).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#reach-errors a")).to_have_attribute("href", "#f-minutes")
    assert_accessible(page, "/maps/council with a reach error")


def test_the_reach_panel_at_1366_px(live_app: LiveApp, desktop: Visit) -> None:
    page = desktop.page
    page.set_viewport_size({"width": 1366, "height": 900})
    live_app.log_in(page, Role.COUNCIL)
    page.goto(live_app.url("/maps/council?address=Storgata+12&minutes=90#reach"))
    expect(page.locator("#h-reach")).to_contain_text("Storgata 12")
    assert page.locator(".leaflet-overlay-pane path").count() > 0
    _no_sideways_scroll(page)
    assert_accessible(page, "/maps/council?address=…&minutes=90")
    live_app.shot(page, "reach-council-1366")


def test_the_incident_map_with_reach_is_accessible(live_app: LiveApp, phone: Visit) -> None:
    page = phone.page
    live_app.log_in(page, Role.DUTY_OFFICER)
    page.goto(live_app.url("/maps/incident?address=Storgata+12&radius_km=5&minutes=60"))
    expect(page.locator("#h-reach")).to_contain_text("Storgata 12")
    expect(page.locator("#h-reach-people")).to_have_count(1)  # the duty officer sees who
    assert page.locator(".leaflet-overlay-pane path").count() > 0
    _no_sideways_scroll(page)
    assert_accessible(page, "/maps/incident with a reach result")
