"""Issue 16, currency, in headless Chromium on both backends, at 320 px (WCAG 1.4.10 reflow)
and 1366 px: the coordinator records the plan's revision after a date in the future (the
summary takes the focus and links to the field), reads every overdue inspection, and confirms
an organisation's record with the keyboard. No CSP violation, nothing from elsewhere.
Screenshots under build/screenshots/<backend>/. In English: the bokmål of the new texts
comes with the next catalog update."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.platform.columns import today_in_norway
from beredskap.platform.db import transaction
from beredskap.register.organisations.models import Organisation
from beredskap.register.readiness.models import PlanRevision
from tests.e2e.conftest import EDITOR_ORGANISATION, LiveApp, Visit
from tests.e2e.test_organisation_browser import _clean, _fits, _tab


@pytest.fixture
def narrow(chromium: Browser, live_app: LiveApp) -> Iterator[Visit]:
    visit = _tab(chromium, live_app, 320, 720, phone=True)
    yield visit
    visit.page.context.close()


@pytest.fixture
def wide(chromium: Browser, live_app: LiveApp) -> Iterator[Visit]:
    visit = _tab(chromium, live_app, 1366, 900, phone=False)
    yield visit
    visit.page.context.close()


def test_the_coordinator_keeps_the_register_current_on_a_small_phone(
    live_app: LiveApp, narrow: Visit, wide: Visit
) -> None:
    with transaction(live_app.database.sessions, "e2e lookup") as session:
        organisation_id = session.scalars(
            select(Organisation.id).where(Organisation.name == EDITOR_ORGANISATION)
        ).one()
    for visit, width in ((wide, 1366), (narrow, 320)):
        page = visit.page
        live_app.log_in(page, Role.ADMIN, english=True)
        for path, heading, name in (
            ("/", "Overview for the preparedness coordinator", "dashboard-currency"),
            ("/inspections", "Equipment inspections overdue or due within 30 days", "inspections"),
            ("/readiness/revisions", "Revisions of the preparedness plan", "revisions"),
            (f"/organisations/{organisation_id}/confirm", None, "confirm"),
        ):
            page.goto(live_app.url(path))
            if heading:
                expect(page.get_by_role("heading", level=1)).to_have_text(heading)
            _fits(page, width)
            live_app.shot(page, f"{name}-{width}")
            _clean(page, visit, live_app)

    page = narrow.page
    page.goto(live_app.url("/readiness/revisions"))
    future = today_in_norway() + timedelta(days=5)
    page.get_by_label("Date of the revision").fill(future.isoformat())
    page.get_by_label("Revised by (a body or role)").fill("Beredskapsrådet")
    page.get_by_label("What was reviewed").fill("Ressursoversikten")
    page.get_by_role("button", name="Record the revision").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="Date of the revision: a revision date cannot be")
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_label("Date of the revision")).to_be_focused()
    _fits(page, 320)
    live_app.shot(page, "revisions-error-320")
    page.get_by_label("Date of the revision").fill(today_in_norway().isoformat())
    page.get_by_role("button", name="Record the revision").click()
    expect(page.get_by_role("status")).to_contain_text("The revision was recorded.")
    _clean(page, narrow, live_app)

    page.goto(live_app.url(f"/organisations/{organisation_id}/confirm"))
    button = page.get_by_role("button", name="Confirm that the information is correct")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Thank you. The record is confirmed")
    _fits(page, 320)
    live_app.shot(page, "confirmed-320")
    _clean(page, narrow, live_app)

    with transaction(live_app.database.sessions, "e2e check") as session:
        stored = session.get(Organisation, organisation_id)
        assert stored is not None and stored.confirmed_on == today_in_norway()
        revision = session.scalars(select(PlanRevision)).one()
        assert revision.revised_by == "Beredskapsrådet"
