"""Issue 15 in headless Chromium against the real server, on both backends: an organisation
editor opens its own volunteers' list, edits one (a qualification row added with its dates,
the availability changed), is stopped by a bad date (the summary takes the focus and links the
cell), corrects it and saves. The page reflows without sideways scrolling; screenshots at 390
and 1366 px wide."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.platform.db import transaction
from beredskap.register.organisations.models import Organisation
from beredskap.register.volunteers.models import Availability, Membership, Volunteer
from tests.e2e.conftest import EDITOR_ORGANISATION, PASSWORD, LiveApp


@pytest.mark.parametrize("width", [390, 1366])
def test_an_org_editor_edits_its_own_volunteer(
    live_app: LiveApp, chromium: Browser, width: int
) -> None:
    with transaction(live_app.database.sessions, "e2e volunteers") as session:
        organisation = session.scalars(
            select(Organisation).where(Organisation.name == EDITOR_ORGANISATION)
        ).one()
        person = session.scalars(
            select(Volunteer)
            .join(Membership)
            .where(Membership.organisation_id == organisation.id)
            .order_by(Volunteer.full_name, Volunteer.id)
        ).first()
        assert person is not None
        person_id, name, organisation_id = person.id, person.full_name, organisation.id
        held_before = len(person.qualifications)
    phone = width < 500
    context = chromium.new_context(
        viewport={"width": width, "height": 900},
        locale="nb-NO",
        is_mobile=phone,
        has_touch=phone,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_app.url("/login"))
        page.get_by_label("E-postadresse").fill(live_app.emails[Role.ORG_EDITOR])
        page.get_by_label("Passord", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(live_app.url("/"))

        page.goto(live_app.url(f"/organisations/{organisation_id}"))
        page.locator(f'a[href="/organisations/{organisation_id}/volunteers"]').click()
        page.wait_for_url(live_app.url(f"/organisations/{organisation_id}/volunteers"))
        live_app.shot(page, f"volunteers-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # reflow

        page.get_by_role("link", name=name, exact=True).click()
        page.wait_for_url(f"**/volunteers/{person_id}/edit*")
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        # One more qualification row, by the button (nothing is saved yet).
        page.locator('button[name="add_row"][value="qualification"]').click()
        rows = page.locator('select[name="qualification_type_id"]')
        expect(rows).to_have_count(held_before + 2)
        new = held_before + 1  # the first empty row (rows are numbered from 1)
        page.locator(f"#f-qualification-{new}-type").select_option(label="Båtførerbevis")
        page.locator(f"#f-qualification-{new}-obtained_on").fill("2024-05-06")
        page.locator('input[name="availability"][value="limited"]').check()
        # A bad expiry date: before the day obtained.
        page.locator(f"#f-qualification-{new}-expires_on").fill("2020-01-01")
        page.locator("form.form button.button--primary").click()
        summary = page.locator(".error-summary")
        expect(summary).to_be_focused()
        link = summary.locator(f'a[href="#f-qualification-{new}-expires_on"]')
        expect(link).to_be_visible()
        live_app.shot(page, f"volunteer-refused-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        link.click()
        expect(page.locator(f"#f-qualification-{new}-expires_on")).to_be_focused()
        page.keyboard.press("Control+a")
        page.locator(f"#f-qualification-{new}-expires_on").fill("2034-05-06")
        page.locator("form.form button.button--primary").click()
        page.wait_for_url(f"**/organisations/{organisation_id}/volunteers?saved={person_id}*")
        expect(page.locator(f"#volunteer-{person_id}")).to_contain_text("Båtførerbevis")
        live_app.shot(page, f"volunteer-saved-{width}")
    finally:
        context.close()
    with transaction(live_app.database.sessions, "e2e check") as session:
        stored = session.get(Volunteer, person_id)
        assert stored is not None and stored.availability is Availability.LIMITED
        dates = {
            q.qualification_type.code: (q.obtained_on, q.expires_on) for q in stored.qualifications
        }
        assert dates["boat_licence"] == (date(2024, 5, 6), date(2034, 5, 6))
