"""The map pages in headless Chromium on both backends: no console errors (a CSP violation is
one), markers and clusters in the DOM, the incident map's click-to-pick, and screenshots under
build/screenshots/<backend>/.

The tiles come from the app itself (one blank PNG for every tile), so nothing leaves the
machine and a missing tile server cannot colour the result.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from beredskap.platform.auth.models import Role
from tests.e2e.conftest import LiveApp, Visit

LOCAL_TILE = "/static/maps/blank-tile.png?z={z}&x={x}&y={y}"
# Recorded before any script of the page runs: CSP violations also reach the console, but
# this names the directive that was broken.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture(autouse=True)
def local_tiles(monkeypatch: pytest.MonkeyPatch) -> None:
    """The live app reads its settings from the environment when the fixture builds it."""
    monkeypatch.setenv("BEREDSKAP_MAP_TILES_URL", LOCAL_TILE)
    monkeypatch.setenv("BEREDSKAP_MAP_ALTERNATIVE_TILES_URL", LOCAL_TILE + "&alternative=1")


@dataclass
class Console:
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def console(desktop: Visit) -> Iterator[Console]:
    seen = Console()
    page = desktop.page
    page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    # Leaflet cancels the tiles a zoom no longer needs (net::ERR_ABORTED): not a failure.
    page.on(
        "requestfailed",
        lambda request: (
            None
            if request.failure == "net::ERR_ABORTED"
            else seen.errors.append(f"failed: {request.url} {request.failure}")
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)
    yield seen


def _assert_clean(page: Page, visit: Visit, app: LiveApp, console: Console) -> None:
    assert page.evaluate("window.__violations") == []
    assert console.errors == []
    outside = [url for url in visit.requested if not url.startswith(app.base_url)]
    assert outside == []


def _map_ready(page: Page) -> None:
    expect(page.locator(".folium-map.leaflet-container")).to_be_visible()
    expect(page.locator(".leaflet-tile-loaded").first).to_be_visible()
    expect(page.locator(".leaflet-zoom-anim")).to_have_count(0)  # fitting the view is done


def _open_popup(page: Page, target: Locator) -> Locator:
    """Click a map feature until its popup opens: Leaflet drops a click that lands while the
    map is still settling (a pan or zoom started by the page), which a loaded machine makes
    likely."""
    popup = page.locator(".leaflet-popup-content")
    for _ in range(3):
        expect(page.locator(".leaflet-zoom-anim")).to_have_count(0)
        target.click()
        try:
            expect(popup).to_be_visible(timeout=2_000)
            return popup
        except AssertionError:
            continue
    expect(popup).to_be_visible()
    return popup


def test_the_overview_map_draws_the_register_without_errors(
    live_app: LiveApp, desktop: Visit, console: Console
) -> None:
    page = desktop.page
    live_app.log_in(page, Role.ADMIN)
    # "Kart" opens the incident map for those who call out; the overview is one click on.
    page.get_by_role("link", name="Kart", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hendelseskart")
    page.get_by_role("navigation", name="Kart").get_by_role("link", name="Oversiktskart").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oversiktskart")
    _map_ready(page)
    markers = page.locator(".leaflet-marker-icon")
    expect(markers.first).to_be_visible()
    clusters = page.locator(".leaflet-marker-icon.marker-cluster").count()
    pins = page.locator(".leaflet-marker-icon.map-pin--equipment").count()
    assert markers.count() == clusters + pins and clusters + pins >= 5
    # The demo's 42 sites and 28 home bases are circle markers; agreement areas polygons.
    assert page.locator("path.leaflet-interactive").count() >= 42 + 28
    expect(page.locator(".map-legend")).to_contain_text("Tegnforklaring")
    expect(page.locator(".leaflet-control-scale-line")).to_be_visible()
    live_app.shot(page, "map-overview")

    # Zoom in through the clusters until a site's equipment marker can be opened.
    pins = page.locator(".leaflet-marker-pane .map-pin--equipment")
    for _ in range(10):
        if pins.count():
            break
        page.locator(".marker-cluster").first.click()
        expect(page.locator(".leaflet-cluster-anim")).to_have_count(0)  # zoom animation over
        page.wait_for_timeout(300)
    expect(page.locator(".leaflet-cluster-anim")).to_have_count(0)
    _open_popup(page, pins.first)
    expect(page.locator(".leaflet-popup-content")).to_contain_text("utstyrslinje")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Etter kapasitet")
    live_app.shot(page, "map-overview-popup")

    # The layer control (a button: it opens on click, not on hover) hides the equipment layer.
    page.locator("button.leaflet-control-layers-toggle").click()
    page.get_by_role("checkbox", name="Utstyr per sted").uncheck()
    expect(page.locator(".map-pin--equipment, .marker-cluster")).to_have_count(0)
    _assert_clean(page, desktop, live_app, console)


def test_the_overview_filter_and_the_council_map(
    live_app: LiveApp, desktop: Visit, console: Console
) -> None:
    page = desktop.page
    live_app.log_in(page, Role.COUNCIL)
    page.goto(live_app.url("/maps/overview"))
    _map_ready(page)
    before = page.locator(".map-summary").inner_text()
    page.get_by_label("Utstyr: kapasitet").select_option("power")
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page.get_by_label("Utstyr: kapasitet")).to_have_value("power")
    _map_ready(page)
    assert page.locator(".map-summary").inner_text() != before
    expect(page.locator(".leaflet-marker-icon").first).to_be_visible()

    page.get_by_role("link", name="Kart for beredskapsrådet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kart for beredskapsrådet")
    _map_ready(page)
    squares = page.locator("path.leaflet-interactive")
    expect(squares.first).to_be_attached()
    popup = _open_popup(page, squares.first)
    expect(popup).to_contain_text("En rute på 1 \N{MULTIPLICATION SIGN} 1 km")
    expect(popup).to_contain_text("Frivillige med gyldig kvalifikasjon")
    live_app.shot(page, "map-council")
    page.get_by_label("Farge etter").select_option("volunteers")
    page.get_by_label("Rutestørrelse").select_option("5")
    page.get_by_role("button", name="Vis", exact=True).click()
    _map_ready(page)
    expect(page.locator(".map-legend")).to_contain_text("Frivillige med gyldig kvalifikasjon")
    live_app.shot(page, "map-council-volunteers")
    _assert_clean(page, desktop, live_app, console)


def test_the_duty_officer_clicks_the_map_and_finds_resources(
    live_app: LiveApp, desktop: Visit, console: Console
) -> None:
    page = desktop.page
    live_app.log_in(page, Role.DUTY_OFFICER)
    page.goto(live_app.url("/maps/incident"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hendelseskart")
    _map_ready(page)
    expect(page.get_by_label("Breddegrad")).to_have_value("")
    # The map opens on Lillestrøm; a click near its middle picks a point there.
    box = page.locator(".folium-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2 + 15, box["y"] + box["height"] / 2 - 10)
    latitude = page.get_by_label("Breddegrad").input_value()
    longitude = page.get_by_label("Lengdegrad").input_value()
    assert 59.8 < float(latitude) < 60.1 and 10.8 < float(longitude) < 11.3
    expect(page.locator("#picked")).to_contain_text(f"{latitude}, {longitude}")
    page.get_by_label("Radius (km)").fill("8")
    page.get_by_label("Kapasitet").select_option("medical")
    page.get_by_role("button", name="Finn ressurser").click()

    page.wait_for_url("**/maps/incident?*")
    query = parse_qs(urlsplit(page.url).query)
    assert query["lat"] == [latitude] and query["capability"] == ["medical"]
    _map_ready(page)
    sites = page.locator("ol.results > li.result")
    expect(sites.first).to_be_visible()
    count = sites.count()
    expect(page.locator(".leaflet-marker-icon.map-pin--result")).to_have_count(count)
    expect(sites.first.locator(".result__number")).to_have_text("1")
    expect(page.locator("tr.result--person").first).to_be_visible()
    callout = page.get_by_role("link", name="Start utkalling")
    expect(callout).to_have_attribute("href", re.compile(r"^/callouts/new\?lat="))
    live_app.shot(page, "map-incident-results")

    _open_popup(page, page.locator(".map-pin--result").first)
    expect(page.locator(".leaflet-popup-content")).to_contain_text("km unna")
    _assert_clean(page, desktop, live_app, console)
