"""axe-core over every page of every role, forms with errors and the maps, both backends.

Each role's pages are found by following the links a user of that role sees, from the
dashboard down, one page per route shape (ids replaced), so a new page is checked as soon as
it is linked. Downloads (PDF, spreadsheets, calendars, the API) are not pages.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from beredskap.platform.auth.models import Role
from tests.e2e.axe import assert_accessible, violations
from tests.e2e.conftest import PASSWORD, LiveApp, open_tab

NOT_PAGES = re.compile(
    r"^/(api|static|ogc|logout)\b|\.(pdf|xlsx|csv|ics|zip|json|geojson|xml)$|/(export|download|feed)\b"
)
MAX_PAGES_PER_ROLE = 120


def _shape(path: str, query: str) -> str:
    """One page per route: /organisations/12/equipment/3 is /organisations/#/equipment/#."""
    keys = sorted(part.split("=", 1)[0] for part in query.split("&") if part)
    return re.sub(r"/\d+", "/#", path) + ("?" + "&".join(keys) if keys else "")


def _log_in(page: Page, app: LiveApp, role: Role) -> None:
    page.goto(app.url("/login"))
    assert_accessible(page, "/login")
    page.get_by_label("E-postadresse").fill(app.emails[role])
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(app.url("/"))


def _links(page: Page, app: LiveApp) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    ours = urlsplit(app.base_url).netloc
    found = []
    for href in hrefs:
        url = urldefrag(href).url
        parts = urlsplit(url)
        if parts.netloc == ours and not NOT_PAGES.search(parts.path):
            found.append(url)
    return found


def crawl(page: Page, app: LiveApp) -> dict[str, list[dict[str, object]]]:
    """Every page reachable by links from the dashboard, with its axe violations."""
    queue = deque([app.url("/")])
    seen: set[str] = set()
    failures: dict[str, list[dict[str, object]]] = {}
    while queue and len(seen) < MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        parts = urlsplit(url)
        shape = _shape(parts.path, parts.query)
        if shape in seen:
            continue
        seen.add(shape)
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # a file to save, not a page
            raise
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        page.wait_for_load_state("load")
        found = violations(page)
        if found:
            failures[url] = found
        queue.extend(_links(page, app))
    assert len(seen) > 5, seen
    return failures


@pytest.mark.parametrize("role", list(Role))
def test_axe_finds_no_violation_on_any_page_a_role_reaches(
    live_app: LiveApp, chromium: Browser, role: Role
) -> None:
    visit = open_tab(chromium, phone=False)
    try:
        _log_in(visit.page, live_app, role)
        failures = crawl(visit.page, live_app)
    finally:
        visit.page.context.close()
    assert not failures, (
        "\n".join(f"{url}: {[v['id'] for v in found]}" for url, found in failures.items())
        + f"\n{failures}"
    )


def test_axe_finds_no_violation_on_forms_with_errors(live_app: LiveApp, chromium: Browser) -> None:
    visit = open_tab(chromium, phone=True)
    page = visit.page
    try:
        for width in (320, 390, 1366):  # the statement, public, at every width
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(live_app.url("/tilgjengelighet"))
            assert_accessible(page, f"/tilgjengelighet at {width} px")
            live_app.shot(page, f"accessibility-statement-{width}")
        page.goto(live_app.url("/login"))
        page.get_by_label("E-postadresse").fill("nobody@e2e.example")
        page.get_by_label("Passord", exact=True).fill("wrong")
        page.get_by_role("button", name="Logg inn").click()
        assert_accessible(page, "login with a wrong password")
        _log_in(page, live_app, Role.ADMIN)
        for path in ("/exercises/new", "/callouts/new", "/admin/users"):
            page.goto(live_app.url(path))
            form = page.locator("main form[method=post]").last
            form.locator("[type=submit]").last.click()
            page.wait_for_load_state("load")
            assert_accessible(page, f"{path} submitted empty")
    finally:
        page.context.close()
