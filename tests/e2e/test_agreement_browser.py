"""Issue 15 in headless Chromium on both backends: the coordinator registers an agreement with
two commitments (a row added by the button) and a service area drawn by three taps on the map,
on a phone (390 px), after bad input whose summary takes the focus; no CSP violation, nothing
loaded from elsewhere, the pages reflow without sideways scrolling. The edit page is shot at
1366 px too (build/screenshots/<backend>/).

The pages are in English here: the bokmål of their new texts comes with the next catalog
update, and English msgids are what stays stable.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from geoalchemy2.shape import to_shape
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.register.agreements.models import Agreement
from tests.e2e.conftest import EDITOR_ORGANISATION, LiveApp, Visit
from tests.e2e.test_map_browser import LOCAL_TILE
from tests.e2e.test_organisation_browser import _clean, _fits, _map_ready, _tab

REFERENCE = "2026/4711"


@pytest.fixture(autouse=True)
def local_tiles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEREDSKAP_MAP_TILES_URL", LOCAL_TILE)
    monkeypatch.setenv("BEREDSKAP_MAP_ALTERNATIVE_TILES_URL", LOCAL_TILE + "&alternative=1")


@pytest.fixture
def small(chromium: Browser, live_app: LiveApp) -> Iterator[Visit]:
    visit = _tab(chromium, live_app, 390, 844, phone=True)
    yield visit
    visit.page.context.close()


@pytest.fixture
def wide(chromium: Browser, live_app: LiveApp) -> Iterator[Visit]:
    visit = _tab(chromium, live_app, 1366, 900, phone=False)
    yield visit
    visit.page.context.close()


def _tap_map(page: Page, dx: float, dy: float) -> None:
    frame = page.locator(".folium-map")
    frame.scroll_into_view_if_needed()
    box = frame.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy)


def test_the_coordinator_registers_an_agreement_with_a_commitment_on_a_phone(
    live_app: LiveApp, small: Visit, wide: Visit
) -> None:
    page = small.page
    live_app.log_in(page, Role.ADMIN, english=True)
    page.goto(live_app.url("/organisations"))
    page.get_by_role("link", name="Agreements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agreements")
    _fits(page, 390)
    page.get_by_role("link", name="New agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New agreement")
    _map_ready(page)
    _fits(page, 390)
    live_app.shot(page, "agreement-new-390")

    # Bad input first: the summary takes the focus and links to the fields.
    page.get_by_label("Number", exact=True).fill("two")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Title: is required")).to_be_visible()
    expect(page.locator("#f-commitment-1-quantity-error")).to_be_visible()
    live_app.shot(page, "agreement-new-errors-390")
    summary.get_by_role("link", name="Title: is required").click()
    expect(page.get_by_label("Title")).to_be_focused()

    page.get_by_label("Organisation").select_option(label=EDITOR_ORGANISATION)
    page.get_by_label("Reference (case number)").fill(REFERENCE)
    page.get_by_label("Status").select_option("active")
    page.get_by_label("Title").fill("Avtale om søk og førstehjelp")
    page.get_by_label("Valid from").fill("2026-01-01")
    page.get_by_label("Search", exact=True).check()
    page.get_by_label("Mobilisation time (minutes)").fill("45")
    kind = page.locator("#f-commitment-1-kind")
    resource = kind.locator("optgroup").first.locator("option").first.get_attribute("value")
    assert resource is not None and resource.startswith("resource:")
    kind.select_option(resource)
    page.locator("#f-commitment-1-quantity").fill("2")
    page.get_by_role("button", name="Add a commitment").click()
    second = page.locator("#f-commitment-2-kind")
    expect(second).to_be_visible()
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.locator("#f-commitment-1-quantity")).to_have_value("2")
    qualification = second.locator("optgroup").nth(1).locator("option").first
    value = qualification.get_attribute("value")
    assert value is not None and value.startswith("qualification:")
    second.select_option(value)
    page.locator("#f-commitment-2-quantity").fill("4")

    # The area: three taps on the map make a triangle, written into the GeoJSON field.
    _map_ready(page)
    _tap_map(page, -40, -30)
    _tap_map(page, 40, -30)
    _tap_map(page, 0, 40)
    expect(page.locator("#area-points")).to_contain_text("3")
    assert '"Polygon"' in page.locator("#f-service_area").input_value()
    _fits(page, 390)
    live_app.shot(page, "agreement-new-filled-390")
    page.get_by_role("button", name="Save", exact=True).last.click()
    expect(page.locator(".notice--success")).to_contain_text("The agreement was registered.")
    expect(page.locator("#agreements")).to_contain_text(REFERENCE)
    _fits(page, 390)
    _clean(page, small, live_app)

    with live_app.database.sessions() as session:
        agreement = session.scalars(select(Agreement).where(Agreement.reference == REFERENCE)).one()
        assert sorted(c.quantity for c in agreement.commitments) == [2, 4]
        assert agreement.tasks == ["search"] and agreement.committed_mobilisation_minutes == 45
        area = to_shape(agreement.service_area)
        assert 59.5 < area.centroid.y < 60.5 and 10.5 < area.centroid.x < 11.5
        agreement_id = agreement.id

    # The edit page at 1366 px: the stored area in words and on the map.
    page = wide.page
    live_app.log_in(page, Role.ADMIN, english=True)
    page.goto(live_app.url(f"/agreements/{agreement_id}/edit"))
    _map_ready(page)
    expect(page.locator("#area-stored")).to_contain_text("km²")
    _fits(page, 1366)
    live_app.shot(page, "agreement-edit-1366")
    _clean(page, wide, live_app)


def test_a_file_over_the_limit_is_refused_before_it_is_sent(live_app: LiveApp, wide: Visit) -> None:
    page = wide.page
    live_app.log_in(page, Role.ADMIN, english=True)
    page.goto(live_app.url("/agreements/new"))
    _map_ready(page)
    message = page.locator("#area-file-too-big")
    expect(message).to_be_hidden()
    page.get_by_label("GeoJSON file").set_input_files(
        files=[
            {"name": "area.geojson", "mimeType": "application/geo+json", "buffer": b" " * 800_000}
        ]
    )
    expect(message).to_be_visible()
    assert page.get_by_label("GeoJSON file").input_value() == ""
    _clean(page, wide, live_app)
