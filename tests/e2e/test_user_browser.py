"""The users pages in headless Chromium against the real server, on both backends: an
administrator's bad new user is refused (the summary takes the focus, the field says why),
a good one is added, given another role and disabled, on a phone and a desktop; the pages
reflow at 390 px. Screenshots at 390 and 1366 px wide."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from beredskap.platform.auth.models import Role, User
from beredskap.platform.db import transaction
from tests.e2e.conftest import PASSWORD, LiveApp

NEW_PASSWORD = "violet tractor hums under quiet bridges"


@pytest.mark.parametrize("width", [390, 1366])
def test_the_administrator_manages_a_user_on_the_pages(
    live_app: LiveApp, chromium: Browser, width: int
) -> None:
    email = f"ny.{width}@kommune.example"
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_app.url("/login"))
        page.get_by_label("E-postadresse").fill(live_app.emails[Role.ADMIN])
        page.get_by_label("Passord", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(live_app.url("/"))

        page.locator('a[href="/admin/users"]').first.click()
        page.wait_for_url(live_app.url("/admin/users"))
        expect(page.locator("table")).to_contain_text(live_app.emails[Role.PLANNER])
        live_app.shot(page, f"users-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # reflow

        page.locator("#f-email").fill("not an address")
        page.locator("#add button[type=submit]").click()
        expect(page.locator(".error-summary")).to_be_focused()
        expect(page.locator("#f-email")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#f-role")).to_have_attribute("aria-invalid", "true")
        live_app.shot(page, f"users-refused-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        page.locator("#f-email").fill(email)
        page.locator("#f-display_name").fill("Ny Bruker")
        page.locator("#f-role").select_option("planner")
        page.locator("#f-password").fill(NEW_PASSWORD)
        page.locator("#f-password_again").fill(NEW_PASSWORD)
        page.locator("#add button[type=submit]").click()
        expect(page.get_by_role("status")).to_contain_text(email)

        page.get_by_role("link", name=email).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(email)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.locator("#f-role").select_option("council")
        page.get_by_role("button", name="Endre rollen").click()  # the page is in bokmål
        expect(page.get_by_role("status")).to_be_visible()
        live_app.shot(page, f"user-{width}")

        page.locator("#f-confirm").check()
        page.locator("#h-disable ~ form button").click()
        expect(page.get_by_role("status")).to_be_visible()
    finally:
        context.close()
    with transaction(live_app.database.sessions, "e2e check") as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        assert user.role == Role.COUNCIL and not user.active
