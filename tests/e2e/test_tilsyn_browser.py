"""The evidence pack's page and the exercise list's period in headless Chromium against the
real server, on both backends, with the demo municipality: at 320 CSS px both reflow (no
sideways scrolling of the page), the marking is read first on the pack's page, and a wrong
period puts the focus on the summary whose link leads to the field. Screenshots at 320 and
1280 px wide."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from beredskap.platform.auth.models import Role
from reports.marking import DEFAULT_BASIS
from tests.e2e.conftest import LiveApp


@pytest.mark.parametrize("width", [320, 1280])
def test_the_pack_page_and_the_period_reflow_at_320_px(
    live_app: LiveApp, chromium: Browser, width: int
) -> None:
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        live_app.log_in(page, Role.ADMIN)
        page.get_by_role("link", name="Dokumentasjon til Statsforvalterens tilsyn").or_(
            page.get_by_role("link", name="Evidence for the County Governor's inspection")
        ).click()
        page.wait_for_url(live_app.url("/reports/tilsyn"))
        expect(page.locator("main p").first).to_have_text(f"Unntatt offentlighet {DEFAULT_BASIS}")
        assert page.locator("tr[data-requirement]").count() == 5
        assert page.locator('a[href="/reports/tilsyn.zip"]').count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        live_app.shot(page, f"tilsyn-{width}")

        page.goto(live_app.url("/exercises?view=list&from=2025-06-01&to=2025-05-31"))
        summary = page.locator(".error-summary")
        expect(summary).to_be_focused()
        summary.get_by_role("link").click()
        expect(page.locator("#f-to")).to_be_focused()
        expect(page.locator("#f-to")).to_have_attribute("aria-invalid", "true")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        live_app.shot(page, f"exercise-period-error-{width}")
    finally:
        context.close()
