"""The web interface in headless Chromium against the real server, on both backends.

Screenshots of every page visited are saved under build/screenshots/<backend>/.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.register.inventory.models import Equipment, EquipmentStatus
from beredskap.register.organisations.models import Organisation
from tests.e2e.conftest import EDITOR_ORGANISATION, LiveApp, Visit

LOCAL_SCHEMES = ("tel", "mailto")


def _heading(page: Page) -> object:
    return page.get_by_role("heading", level=1)


def _assert_nothing_external(page: Page, visit: Visit, app: LiveApp) -> None:
    """The DOM names no other host, and the tab has asked no other host for anything."""
    ours = urlsplit(app.base_url).netloc
    references = page.evaluate(
        """() => Array.from(document.querySelectorAll('[src],[href],[action],[srcset]'))
            .map(e => e.src || e.href || e.action || e.getAttribute('srcset'))"""
    )
    assert references
    for reference in references:
        parts = urlsplit(reference)
        if parts.scheme in LOCAL_SCHEMES:
            continue
        assert parts.scheme == "http" and parts.netloc == ours, reference
    assert visit.requested and all(url.startswith(app.base_url) for url in visit.requested), [
        url for url in visit.requested if not url.startswith(app.base_url)
    ]


def _equipment_of_another_organisation(app: LiveApp) -> tuple[int, int]:
    with app.database.sessions() as session:
        row = session.execute(
            select(Equipment.id, Equipment.organisation_id)
            .join(Organisation, Equipment.organisation_id == Organisation.id)
            .where(Organisation.name != EDITOR_ORGANISATION)
            .order_by(Equipment.id)
        ).first()
    assert row is not None
    return row[0], row[1]


def test_an_org_editor_changes_a_status_on_a_phone_and_sees_it_in_the_list(
    live_app: LiveApp, phone: Visit
) -> None:
    page = phone.page
    live_app.log_in(page, Role.ORG_EDITOR)
    expect(_heading(page)).to_have_text("Dine organisasjoner")
    live_app.shot(page, "org-editor-dashboard")
    page.get_by_role("link", name="Alt utstyr, steder og medlemmer").click()
    expect(_heading(page)).to_have_text(EDITOR_ORGANISATION)
    live_app.shot(page, "org-editor-organisation")

    line = page.locator("li.line", has=page.locator(".badge--ready")).first
    line_id = line.get_attribute("id")
    assert line_id and line_id.startswith("equipment-")
    line.get_by_role("link", name=re.compile(r"^Endre")).click()
    expect(_heading(page)).to_have_text("Endre utstyrslinje")
    live_app.shot(page, "org-editor-edit-form")
    page.get_by_role("button", name="Vedlikehold", exact=True).click()

    expect(_heading(page)).to_have_text(EDITOR_ORGANISATION)
    expect(page.locator(".notice--success")).to_contain_text("Utstyrslinjen er lagret.")
    expect(page.locator(f"#{line_id} .badge")).to_have_text("Vedlikehold")
    live_app.shot(page, "org-editor-status-changed")
    with live_app.database.sessions() as session:
        stored = session.get(Equipment, int(line_id.removeprefix("equipment-")))
        assert stored is not None and stored.status == EquipmentStatus.MAINTENANCE

    page.get_by_role("link", name="Legg til utstyr").first.click()
    expect(_heading(page)).to_have_text("Legg til utstyr")
    page.get_by_label("Antall").fill("0")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_role("alert")).to_contain_text("Linjen ble ikke lagret")
    expect(page.locator("#f-resource_type_id-error")).to_contain_text("må fylles ut")
    expect(page.get_by_label("Antall")).to_have_value("0")
    live_app.shot(page, "org-editor-new-form-errors")
    _assert_nothing_external(page, phone, live_app)


def test_an_org_editor_is_refused_another_organisations_edit_page(
    live_app: LiveApp, phone: Visit
) -> None:
    page = phone.page
    equipment_id, organisation_id = _equipment_of_another_organisation(live_app)
    live_app.log_in(page, Role.ORG_EDITOR)
    response = page.goto(live_app.url(f"/equipment/{equipment_id}/edit"))
    assert response is not None and response.status == 403
    expect(_heading(page)).to_have_text("Du har ikke tilgang til denne siden")
    expect(page.locator("form input[name=quantity]")).to_have_count(0)
    live_app.shot(page, "org-editor-refused-edit")
    response = page.goto(live_app.url(f"/organisations/{organisation_id}/equipment/new"))
    assert response is not None and response.status == 403
    expect(page.locator("form select[name=resource_type_id]")).to_have_count(0)
    page.get_by_role("link", name="Gå til oversikten").click()
    expect(_heading(page)).to_have_text("Dine organisasjoner")


def test_the_language_switch_shows_english(live_app: LiveApp, desktop: Visit) -> None:
    page = desktop.page
    page.goto(live_app.url("/login"))
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(_heading(page)).to_have_text("Logg inn")
    live_app.shot(page, "login")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(_heading(page)).to_have_text("Log in")
    live_app.shot(page, "login-english")
    live_app.log_in(page, Role.ORG_EDITOR, english=True)
    expect(_heading(page)).to_have_text("Your organisations")
    expect(page.get_by_text("Logged in as Organisation contact")).to_be_visible()
    live_app.shot(page, "org-editor-dashboard-english")
    page.get_by_role("link", name="Norsk").click()
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(_heading(page)).to_have_text("Dine organisasjoner")
    _assert_nothing_external(page, desktop, live_app)


def test_the_login_refuses_a_wrong_password_and_then_slows_down(
    live_app: LiveApp, phone: Visit
) -> None:
    page = phone.page
    page.goto(live_app.url("/login"))
    page.keyboard.press("Tab")  # the first stop is the skip link, for keyboard users
    expect(page.get_by_role("link", name="Gå til innholdet")).to_be_focused()
    email = live_app.emails[Role.ORG_EDITOR]
    statuses = []
    for _ in range(12):
        page.get_by_label("E-postadresse").fill(email)
        page.get_by_label("Passord", exact=True).fill("not the password")
        with page.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/login")
        ) as answer:
            page.get_by_role("button", name="Logg inn").click()
        statuses.append(answer.value.status)
        if statuses[-1] == 429:
            break
        expect(page.get_by_role("alert")).to_have_text("Feil e-postadresse eller passord.")
        if len(statuses) == 1:
            live_app.shot(page, "login-wrong-password")
    assert statuses[0] == 400 and statuses[-1] == 429, statuses
    assert int(answer.value.headers["retry-after"]) >= 1
    expect(page.get_by_role("alert")).to_contain_text("For mange mislykkede forsøk. Vent")
    expect(page.get_by_label("E-postadresse")).to_have_value(email)
    live_app.shot(page, "login-slowed-down")
    expect(page).to_have_url(live_app.url("/login"))


def test_every_role_sees_its_pages_and_nothing_is_loaded_from_elsewhere(
    live_app: LiveApp, desktop: Visit
) -> None:
    page = desktop.page
    headings = {
        Role.ADMIN: "Oversikt for beredskapskoordinatoren",
        Role.DUTY_OFFICER: "Oversikt for vakthavende",
        Role.COUNCIL: "Oversikt for beredskapsrådet",
        Role.ORG_EDITOR: "Dine organisasjoner",
        Role.PLANNER: "Oversikt for øvingsplanleggeren",
    }
    for role, heading in headings.items():
        live_app.log_in(page, role)
        expect(_heading(page)).to_have_text(heading)
        live_app.shot(page, f"{role.value}-dashboard")
        _assert_nothing_external(page, desktop, live_app)
        page.get_by_role("link", name="Organisasjoner", exact=True).click()
        expect(_heading(page)).to_have_text("Organisasjoner")
        if role == Role.ADMIN:
            live_app.shot(page, "organisations")
            page.get_by_label("Kategori").select_option("first_aid_corps")
            page.get_by_role("button", name="Vis").click()
            expect(page.locator(".card")).to_have_count(3)
            live_app.shot(page, "organisations-filtered")
        page.get_by_role("link", name=EDITOR_ORGANISATION).click()
        expect(_heading(page)).to_have_text(EDITOR_ORGANISATION)
        volunteers = page.locator("#volunteers")
        expect(volunteers).to_have_count(0 if role == Role.COUNCIL else 1)
        live_app.shot(page, f"{role.value}-organisation")
        _assert_nothing_external(page, desktop, live_app)
        page.get_by_role("button", name="Logg ut").click()
        expect(_heading(page)).to_have_text("Logg inn")
