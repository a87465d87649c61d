"""The administrator's privacy pages in headless Chromium against the real server, on both
backends: from the organisation's member list to the volunteer's page, an erasure refused
without the confirmation (the message takes the focus and names the checkbox), then done.
The real server's transactions are its own, so a write request that waited on a read's audit
entry (SQLite's write lock) would show here as a 503. Screenshots at 390 and 1366 px wide."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.platform.db import transaction
from beredskap.register.volunteers.models import Membership, Volunteer
from tests.e2e.conftest import PASSWORD, LiveApp


@pytest.mark.parametrize("width", [390, 1366])
def test_the_administrator_erases_a_volunteer_from_the_pages(
    live_app: LiveApp, chromium: Browser, width: int
) -> None:
    with transaction(live_app.database.sessions, "e2e privacy") as session:
        person = session.scalars(select(Volunteer).join(Membership).order_by(Volunteer.id)).first()
        assert person is not None
        person_id, name = person.id, person.full_name
        organisation_id = person.memberships[0].organisation_id
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_app.url("/login"))
        page.get_by_label("E-postadresse").fill(live_app.emails[Role.ADMIN])
        page.get_by_label("Passord", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(live_app.url("/"))

        page.goto(live_app.url("/privacy"))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        live_app.shot(page, f"privacy-record-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # reflow

        page.goto(live_app.url(f"/organisations/{organisation_id}"))
        page.get_by_role("link", name=name, exact=True).first.click()
        page.wait_for_url(live_app.url(f"/privacy/volunteers/{person_id}"))
        expect(page.locator("main")).to_contain_text(name)
        live_app.shot(page, f"privacy-volunteer-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        page.locator("#erase").get_by_role("button").click()
        page.wait_for_url(live_app.url(f"/privacy/volunteers/{person_id}/erase"))
        summary = page.locator(".error-summary")
        expect(summary).to_be_focused()
        expect(page.locator("#f-confirm")).to_have_attribute("aria-invalid", "true")
        live_app.shot(page, f"privacy-erase-refused-{width}")

        page.locator("#f-confirm").check()
        page.locator("#erase").get_by_role("button").click()
        page.wait_for_url(live_app.url(f"/privacy?erased={person_id}"))
        expect(page.get_by_role("status")).to_contain_text(str(person_id))
    finally:
        context.close()
    with transaction(live_app.database.sessions, "e2e check") as session:
        assert session.get(Volunteer, person_id) is None
