"""The import page in headless Chromium on both backends: a file with bad rows shows every
problem in a captioned table (nothing written), the fixed file's preview is confirmed, on a
phone (390 px) and a laptop (1366 px); the page reflows, no CSP violation, nothing loaded
from elsewhere. Screenshots under build/screenshots/<backend>/. In English: the bokmål of
the new texts comes with the next catalog update."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from beredskap.platform.auth.models import Role
from beredskap.platform.db import transaction
from beredskap.register.inventory.models import Equipment
from beredskap.register.organisations.models import Organisation, Site
from tests.e2e.conftest import EDITOR_ORGANISATION, LiveApp, Visit
from tests.e2e.test_organisation_browser import _clean, _fits, _tab


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


def _upload(page: Page, app: LiveApp, text: str) -> None:
    page.goto(app.url("/imports"))
    page.get_by_label("What to import").select_option("equipment")
    page.get_by_label("File (CSV or Excel)").set_input_files(
        {"name": "utstyr.csv", "mimeType": "text/csv", "buffer": text.encode()}
    )
    page.get_by_role("button", name="Show the preview").click()


def test_preview_with_errors_then_confirm_on_a_phone(
    live_app: LiveApp, small: Visit, wide: Visit
) -> None:
    with transaction(live_app.database.sessions, "e2e import") as session:
        organisation = session.scalars(
            select(Organisation).where(Organisation.name == EDITOR_ORGANISATION)
        ).one()
        site = session.scalars(select(Site).where(Site.organisation_id == organisation.id)).first()
        assert site is not None
        site_name = site.name
        before = session.scalar(select(func.count()).select_from(Equipment))
    headings = "Organisasjon;Lagringssted;Ressurstype;Antall;Identifikator;Status\n"
    bad = (
        headings
        + f"{EDITOR_ORGANISATION};{site_name};generator;to;;Klar\n"
        + f"{EDITOR_ORGANISATION};Finnes ikke;ATV;1;IMP 1;kanskje\n"
        + f"Ukjent lag;{site_name};romskip;1;;\n"
    )
    for visit, width, name in (
        (wide, 1366, "import-errors-1366"),
        (small, 390, "import-errors-390"),
    ):
        page = visit.page
        live_app.log_in(page, Role.ADMIN, english=True)
        _upload(page, live_app, bad)
        expect(page.get_by_role("heading", name="The file was not imported")).to_be_visible()
        table = page.get_by_role("table", name="Problems in utstyr.csv (Equipment)")
        expect(table).to_be_visible()
        expect(table.locator("tbody tr")).to_have_count(5)
        _fits(page, width)
        live_app.shot(page, name)
        _clean(page, visit, live_app)
    page = small.page
    good = headings + f"{EDITOR_ORGANISATION};{site_name};generator;1;IMP 2;Klar\n"
    _upload(page, live_app, good)
    expect(page.get_by_text("1 new, 0 changed, 0 unchanged")).to_be_visible()
    live_app.shot(page, "import-preview-390")
    page.get_by_role("button", name="Import the file").click()
    expect(page.get_by_role("heading", name="The file was imported")).to_be_visible()
    _fits(page, 390)
    live_app.shot(page, "import-done-390")
    _clean(page, small, live_app)
    with transaction(live_app.database.sessions, "e2e check") as session:
        assert session.scalar(select(func.count()).select_from(Equipment)) == (before or 0) + 1
