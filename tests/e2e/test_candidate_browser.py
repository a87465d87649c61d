"""Enhetsregisteret's candidates in headless Chromium on both backends: the sample imported
into the demo municipality, the coordinator registers a candidate on a phone (390 px) with a
click, the page reflows at 390 and 1366 px, no CSP violation, nothing loaded from elsewhere.
Screenshots under build/screenshots/<backend>/. In English: the bokmål of the new texts comes
with the next catalog update."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.platform.db import transaction
from beredskap.register.organisations.models import Organisation
from tests.e2e.conftest import LiveApp, Visit
from tests.e2e.test_organisation_browser import _clean, _fits, _tab
from tests.support.brreg import run


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


def test_the_coordinator_registers_a_candidate_on_a_phone(
    live_app: LiveApp, small: Visit, wide: Visit
) -> None:
    with transaction(live_app.database.sessions, "e2e brreg") as session:
        report = run(session)
    assert report.candidates >= 3
    for visit, width, name in ((wide, 1366, "candidates-1366"), (small, 390, "candidates-390")):
        page = visit.page
        live_app.log_in(page, Role.ADMIN, english=True)
        page.goto(live_app.url("/organisations/candidates"))
        expect(page.get_by_role("heading", name="Candidates from Enhetsregisteret")).to_be_visible()
        _fits(page, width)
        live_app.shot(page, name)
        _clean(page, visit, live_app)
    page = small.page
    card = page.locator("li.card", has_text="LILLESTRØM FRIVILLIGSENTRAL")
    card.get_by_label("Category").select_option("volunteer_centre")
    card.get_by_role("button", name="Add to the register").click()
    page.wait_for_url("**/organisations/*?done=created")
    expect(page.get_by_role("heading", name="LILLESTRØM FRIVILLIGSENTRAL")).to_be_visible()
    _fits(page, 390)
    live_app.shot(page, "candidate-registered-390")
    _clean(page, small, live_app)
    with transaction(live_app.database.sessions, "e2e check") as session:
        registered = session.scalars(
            select(Organisation).where(Organisation.organisation_number == "990418918")
        ).one()
        assert registered.category == "volunteer_centre"
