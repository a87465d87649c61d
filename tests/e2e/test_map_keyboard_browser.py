"""The overview map by keyboard and screen reader, headless Chromium, both backends (WCAG
2.1.1, 1.4.1, 1.4.13, 3.1.2, 1.1.1): Leaflet's controls in the page's language, the layer
control a button that opens on Enter (not on hover) and closes on Esc, clusters and points
named by what they are, a point's popup opened with Enter, and the map's lists with the same
filters."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from beredskap.platform.auth.models import Role
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import LiveApp, Visit


def _ready(page: Page) -> None:
    expect(page.locator(".folium-map.leaflet-container")).to_be_visible()
    expect(page.locator(".leaflet-zoom-anim")).to_have_count(0)
    expect(page.locator(".leaflet-marker-icon").first).to_be_visible()


def test_the_overview_map_by_keyboard(live_app: LiveApp, desktop: Visit) -> None:
    page = desktop.page
    live_app.log_in(page, Role.ADMIN)
    page.goto(live_app.url("/maps/overview"))
    _ready(page)
    texts = page.locator("script[src='/static/maps/map_a11y.js']")
    zoom_in = str(texts.get_attribute("data-zoom-in"))
    layers = str(texts.get_attribute("data-layers"))
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("aria-label", zoom_in)
    expect(page.locator(".leaflet-control-zoom-out")).to_have_attribute(
        "aria-label", str(texts.get_attribute("data-zoom-out"))
    )

    # The layer control: a button; hovering does not open it, Enter does, Esc closes it.
    toggle = page.get_by_role("button", name=layers)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.locator(".leaflet-control-layers").hover()
    expect(page.locator(".leaflet-control-layers-expanded")).to_have_count(0)
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".leaflet-control-layers-list")).to_be_visible()
    page.keyboard.press("Tab")  # into the list of layers
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    live_app.shot(page, "map-overview-keyboard")

    # Clusters say "5 places", not "5".
    cluster = page.locator(".marker-cluster").first
    expect(cluster.locator(".visually-hidden")).to_contain_text(
        str(texts.get_attribute("data-places")).replace("%(count)s", "").strip()
    )
    # A home base (a circle) is named with its category in words, and Enter opens it.
    base = page.locator("path.leaflet-interactive[role=button][tabindex='0']").first
    name = str(base.get_attribute("aria-label"))
    assert ", " in name, name
    base.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup-content")).to_contain_text(name.split(", ")[0])
    # axe measures contrast as drawn: wait until the popup has faded fully in.
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")

    # The map's lists, with the same filters as the map.
    lists = page.locator("#map-as-lists")
    all_rows = lists.locator("table tbody tr").count()
    assert all_rows >= 5
    expect(lists.locator("li").first).to_be_visible()
    assert_accessible(page, "the overview map")
    page.goto(live_app.url("/maps/overview?status=maintenance"))
    _ready(page)
    filtered = lists.locator("table tbody tr").count()
    assert filtered < all_rows
    for row in lists.locator("table tbody tr").all():
        expect(row).to_contain_text("Vedlikehold")


def _name_of_focus(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement.getAttribute('aria-label') || ''"))


def test_agreement_areas_are_buttons_and_listed(live_app: LiveApp, desktop: Visit) -> None:
    """An agreement's area (an SVG path with a popup) is a named button that Enter opens, and
    the lists below the map name every area the map draws."""
    page = desktop.page
    live_app.log_in(page, Role.ADMIN)
    page.goto(live_app.url("/maps/overview"))
    _ready(page)
    listed = page.locator("#h-list-areas + ul > li")
    expect(listed.first).to_be_visible()
    names = [
        str(path.get_attribute("aria-label"))
        for path in page.locator("path.leaflet-interactive[role=button][tabindex='0']").all()
    ]
    titles = [item.locator("span").first.inner_text() for item in listed.all()]
    areas = [
        name for name in names if any(name.startswith(t.split(" (")[0] + ", ") for t in titles)
    ]
    assert len(areas) == len(titles), (areas, titles)
    area = page.locator(f"path[aria-label={areas[0]!r}]")
    area.focus()
    page.keyboard.press(" ")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_focused()
    expect(popup.locator("h2")).to_have_text(areas[0].split(", ")[0])
    page.keyboard.press("Escape")
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    assert _name_of_focus(page) == areas[0]


def test_the_incident_maps_circles_by_keyboard(live_app: LiveApp, desktop: Visit) -> None:
    """Volunteers' home areas: named buttons (the name the table beside the map lists) that
    open their popup on Enter; the incident's own point is not in the tab order."""
    page = desktop.page
    live_app.log_in(page, Role.DUTY_OFFICER)
    page.goto(live_app.url("/maps/incident?lat=59.9560&lon=11.0500&radius_km=8"))
    expect(page.locator(".folium-map.leaflet-container")).to_be_visible()
    people = page.locator("tr.result--person")
    expect(people.first).to_be_visible()
    circles = page.locator("path.leaflet-interactive[role=button][tabindex='0']")
    expect(circles).to_have_count(people.count())
    # Only the home areas: the incident's point and radius are drawn but not interactive.
    expect(page.locator("path:not(.leaflet-interactive)")).to_have_count(2)
    first_person = people.first.locator("td").first.inner_text().split(" (")[0].strip()
    circle = page.locator(f"path[aria-label^={(first_person + ':')!r}]").first
    circle.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_focused()
    expect(popup.locator("h2")).to_have_text(first_person)
    # The numbered sites are markers named by their site, as in the list.
    first_site = page.locator("ol.results > li.result strong").first.inner_text()
    expect(page.locator(".map-pin--result").first).to_have_attribute("title", first_site)
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")
    assert_accessible(page, "the incident map with a home area's popup open")
