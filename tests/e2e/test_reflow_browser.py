"""Reflow at 320 CSS px (WCAG 1.4.10): the pages found cut off by hand scroll in one direction.

Each page is opened at 320 px wide (400 % zoom of 1280) and must not be wider than the
window; the element that sticks out is named when one does.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.platform.db import transaction
from beredskap.register.agreements.models import Agreement
from beredskap.register.organisations.models import Organisation
from tests.e2e.conftest import LiveApp
from tests.support.exercises import finished_drill

WIDTHS = (320, 390, 1366)

OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [];
    for (const element of document.querySelectorAll('body *')) {
        const box = element.getBoundingClientRect();
        if (box.width && box.right > width + 1 && getComputedStyle(element).position !== 'fixed') {
            let inside = element.parentElement, clipped = false;
            while (inside && inside !== document.body) {
                const o = getComputedStyle(inside).overflowX;
                if (o === 'auto' || o === 'scroll' || o === 'hidden') { clipped = true; break; }
                inside = inside.parentElement;
            }
            if (!clipped) wide.push(element.tagName.toLowerCase() + ' ' + Math.round(box.right) +
                                    'px: ' + element.textContent.trim().slice(0, 60));
        }
    }
    return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8)};
}"""


def _page_at(chromium: Browser, width: int) -> Page:
    context = chromium.new_context(viewport={"width": width, "height": 800}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def assert_no_horizontal_scroll(page: Page, app: LiveApp, name: str) -> None:
    found = page.evaluate(OVERFLOW)
    app.shot(page, name)
    assert found["scroll"] <= found["width"], found
    assert not found["wide"], found


@pytest.fixture
def pages(live_app: LiveApp) -> Iterator[list[str]]:
    with transaction(live_app.database.sessions, "e2e reflow") as session:
        own, other = session.scalars(select(Organisation).order_by(Organisation.id).limit(2)).all()
        drill = finished_drill(session, own, other)
        session.flush()
        agreement = next(
            found
            for found in session.scalars(select(Agreement).order_by(Agreement.id))
            if found.contacts
        )
        # A long address, as real ones are: it must wrap, not push the page wider.
        agreement.contacts = [
            *agreement.contacts,
            {
                "name": "Beredskapskoordinatorstedfortreder",
                "phone": "+4791234567",
                "email": "beredskapskoordinatorstedfortreder@nitelva-hjelpekorps.example",
            },
        ]
        agreement_id, organisation_id = agreement.id, agreement.organisation_id
        report = f"/exercises/{drill.exercise.id}/report"
    yield [
        "/",
        f"/agreements/{agreement_id}",
        "/agreements",
        f"/organisations/{organisation_id}",
        "/crisis-roles",
        "/reports/varslingsliste",
        "/readiness",
        report,
        "/exercises/new",
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_pages_cut_off_at_320_px_now_reflow(
    live_app: LiveApp, chromium: Browser, pages: list[str], width: int
) -> None:
    page = _page_at(chromium, width)
    try:
        live_app.log_in(page, Role.ADMIN)
        for path in pages:
            page.goto(live_app.url(path))
            name = f"reflow-{width}-" + (path.strip("/").replace("/", "-") or "dashboard")
            assert_no_horizontal_scroll(page, live_app, name)
    finally:
        page.context.close()
