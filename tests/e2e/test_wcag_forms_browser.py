"""Forms for keyboard and screen-reader users (WCAG 1.3.1, 3.3.1), headless Chromium, both
backends: after a failed submit the error summary has the focus, each of its links moves the
focus to a control that the message describes."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from beredskap.platform.auth.models import Role
from beredskap.platform.columns import today_in_norway
from exercises.models import ExerciseType
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PASSWORD, LiveApp, Visit


def log_in(page: Page, app: LiveApp, role: Role) -> None:
    page.goto(app.url("/login"))
    page.get_by_label("E-postadresse").fill(app.emails[role])
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(app.url("/"))


def _focused(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement.id || document.activeElement.className"))


def test_the_exercise_forms_time_errors_are_focused_linked_and_described(
    live_app: LiveApp, phone: Visit
) -> None:
    page = phone.page
    log_in(page, live_app, Role.PLANNER)
    page.goto(live_app.url("/exercises/new"))
    day = today_in_norway() + timedelta(days=20)
    page.get_by_label("Tittel", exact=True).fill("Tid feil vei")
    page.get_by_label("Øvelsestype").select_option(ExerciseType.TABLETOP.value)
    page.locator("#f-start_date").fill(day.isoformat())
    page.locator("#f-start_time").fill("18:00")
    page.locator("#f-end_date").fill(day.isoformat())
    page.locator("#f-end_time").fill("17:00")  # ends before it starts
    page.get_by_role("button", name="Lagre øvelsen").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    link = summary.get_by_role("link").first
    target = str(link.get_attribute("href")).removeprefix("#")
    assert target in {"f-start_date", "f-end_date"}, target
    link.press("Enter")
    assert _focused(page) == target
    control = page.locator(f"#{target}")
    expect(control).to_have_attribute("aria-invalid", "true")
    message_id = str(control.get_attribute("aria-describedby"))
    expect(page.locator(f"#{message_id}")).to_be_visible()
    assert page.locator(f"#{message_id}").inner_text().strip()
    live_app.shot(page, "exercise-form-time-error")
    assert_accessible(page, "exercise form with a time error")
