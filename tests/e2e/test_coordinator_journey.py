"""Issue 15's whole journey in headless Chromium on both backends: the coordinator builds the
register entirely on the web (an organisation, its site, a volunteer with a qualification who
is also a member of the org editor's organisation, an agreement with a commitment), then that
org editor corrects the volunteer on a phone-sized page. Each step has its own detailed test
(test_organisation_browser, test_volunteer_browser, test_agreement_browser); this one checks
that they join up: what one page makes, the next finds.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.register.agreements.models import Agreement
from beredskap.register.organisations.models import Organisation, Site
from beredskap.register.volunteers.models import Availability, Volunteer
from tests.e2e.conftest import EDITOR_ORGANISATION, PASSWORD, LiveApp, Visit
from tests.e2e.test_map_browser import LOCAL_TILE
from tests.e2e.test_organisation_browser import _clean, _fits, _tab

ORGANISATION = "Fet Røde Kors Hjelpekorps"
VOLUNTEER = "Ingrid Reisjå"
MOBILE = "+447700900321"
REFERENCE = "2026/0815"


@pytest.fixture(autouse=True)
def local_tiles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEREDSKAP_MAP_TILES_URL", LOCAL_TILE)
    monkeypatch.setenv("BEREDSKAP_MAP_ALTERNATIVE_TILES_URL", LOCAL_TILE + "&alternative=1")


@pytest.fixture
def desk(chromium: Browser, live_app: LiveApp) -> Iterator[Visit]:
    visit = _tab(chromium, live_app, 1366, 900, phone=False)
    yield visit
    visit.page.context.close()


@pytest.fixture
def phone(chromium: Browser, live_app: LiveApp) -> Iterator[Visit]:
    visit = _tab(chromium, live_app, 390, 844, phone=True)
    yield visit
    visit.page.context.close()


def _save(page: Page) -> None:
    page.locator("form.form button.button--primary").last.click()


def _the_coordinator_builds_the_register(page: Page, app: LiveApp) -> int:
    """Organisation, site, volunteer and agreement, each from the page before it; the new
    organisation's id."""
    app.log_in(page, Role.ADMIN, english=True)
    page.goto(app.url("/organisations"))
    page.get_by_role("link", name="New organisation").click()
    page.get_by_label("Name", exact=True).fill(ORGANISATION)
    page.get_by_label("Category").select_option("first_aid_corps")
    page.get_by_label("24/7 contact: name").fill("Vakt Fet")
    page.get_by_label("24/7 contact: phone").fill("+447700900322")
    _save(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(ORGANISATION)
    organisation_url = page.url.split("?")[0]
    organisation_id = int(organisation_url.rstrip("/").rsplit("/", 1)[1])

    page.get_by_role("link", name="Add site").click()
    page.get_by_label("Name", exact=True).fill("Hjelpekorpshytta")
    page.get_by_label("Latitude").fill("59.9231")
    page.get_by_label("Longitude").fill("11.1642")
    _save(page)
    expect(page.locator(".notice--success")).to_contain_text("The site was saved.")

    page.locator(f'a[href="/organisations/{organisation_id}/volunteers"]').first.click()
    page.get_by_role("link", name="New volunteer").click()
    page.locator("#f-full_name").fill(VOLUNTEER)
    page.locator("#f-mobile").fill(MOBILE)
    page.locator("#f-qualification-1-type").select_option(index=1)
    page.locator("#f-qualification-1-obtained_on").fill("2025-03-01")
    page.locator("#f-qualification-1-expires_on").fill("2028-03-01")
    page.locator('button[name="add_row"][value="membership"]').click()
    page.locator("#f-membership-2-organisation_id").select_option(label=EDITOR_ORGANISATION)
    _save(page)
    page.wait_for_url(f"**/organisations/{organisation_id}/volunteers?saved=*")
    expect(page.locator("main")).to_contain_text(VOLUNTEER)

    page.goto(organisation_url)
    page.get_by_role("link", name="New agreement").click()
    page.get_by_label("Reference (case number)").fill(REFERENCE)
    page.get_by_label("Status").select_option("active")
    page.get_by_label("Title").fill("Førstehjelp ved flom")
    page.get_by_label("Valid from").fill("2026-01-01")
    kind = page.locator("#f-commitment-1-kind")
    qualification = kind.locator("optgroup").nth(1).locator("option").first.get_attribute("value")
    assert qualification is not None
    kind.select_option(qualification)
    page.locator("#f-commitment-1-quantity").fill("3")
    page.get_by_role("button", name="Save", exact=True).last.click()
    expect(page.locator(".notice--success")).to_contain_text("The agreement was registered.")
    _fits(page, 1366)
    app.shot(page, "journey-coordinator-1366")
    return organisation_id


def _the_org_editor_corrects_the_volunteer(page: Page, app: LiveApp) -> None:
    page.goto(app.url("/login"))
    page.get_by_label("E-mail address").fill(app.emails[Role.ORG_EDITOR])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(app.url("/"))
    page.goto(app.url("/organisations"))
    page.get_by_role("link", name=EDITOR_ORGANISATION).first.click()
    page.locator('a[href$="/volunteers"]').first.click()
    page.get_by_role("link", name=VOLUNTEER, exact=True).click()
    page.wait_for_url("**/volunteers/*/edit*")
    _fits(page, 390)
    page.locator('input[name="availability"][value="limited"]').check()
    _save(page)
    page.wait_for_url("**/volunteers?saved=*")
    _fits(page, 390)
    app.shot(page, "journey-org-editor-390")


def test_the_coordinator_builds_the_register_and_an_org_editor_corrects_it(
    live_app: LiveApp, desk: Visit, phone: Visit
) -> None:
    organisation_id = _the_coordinator_builds_the_register(desk.page, live_app)
    _clean(desk.page, desk, live_app)
    _the_org_editor_corrects_the_volunteer(phone.page, live_app)
    _clean(phone.page, phone, live_app)

    with live_app.database.sessions() as session:
        organisation = session.get(Organisation, organisation_id)
        assert organisation is not None and organisation.name == ORGANISATION
        sites = session.scalars(select(Site).where(Site.organisation_id == organisation_id)).all()
        assert [site.name for site in sites] == ["Hjelpekorpshytta"]
        person = session.scalars(select(Volunteer).where(Volunteer.mobile == MOBILE)).one()
        assert person.full_name == VOLUNTEER and person.availability is Availability.LIMITED
        assert len(person.qualifications) == 1
        members_of = {membership.organisation.name for membership in person.memberships}
        assert members_of == {ORGANISATION, EDITOR_ORGANISATION}
        agreement = session.scalars(select(Agreement).where(Agreement.reference == REFERENCE)).one()
        assert agreement.organisation_id == organisation_id
        assert [commitment.quantity for commitment in agreement.commitments] == [3]
