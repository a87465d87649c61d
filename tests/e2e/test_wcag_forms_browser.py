"""Forms for keyboard and screen-reader users, headless Chromium, both backends: after a failed
submit the error summary has the focus, each of its links moves the focus to a control that
the message describes (WCAG 1.3.1, 3.3.1); the login's end is warned five minutes ahead and can
be put off, and a form sent after it is filled in again after logging in (2.2.1)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from beredskap.platform.auth.models import Role, WebSession
from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.platform.db import transaction
from exercises.models import Exercise, ExerciseType
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PASSWORD, LiveApp, Visit


def _focused(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement.id || document.activeElement.className"))


def test_the_exercise_forms_time_errors_are_focused_linked_and_described(
    live_app: LiveApp, phone: Visit
) -> None:
    page = phone.page
    live_app.log_in(page, Role.PLANNER)
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
    # Time and date fields look and size like the other inputs (not 13 px text, 24 px high).
    for field in ("#f-start_time", "#f-start_date", "#f-title"):
        size = page.eval_on_selector(
            field,
            "e => [parseFloat(getComputedStyle(e).fontSize), e.getBoundingClientRect().height]",
        )
        assert size[0] >= 16 and size[1] >= 44, (field, size)
    live_app.shot(page, "exercise-form-time-error")
    assert_accessible(page, "exercise form with a time error")


def _set_session_end(app: LiveApp, ends: datetime) -> None:
    with transaction(app.database.sessions, "e2e session end") as session:
        session.execute(update(WebSession).values(expires_at=ends))


def test_the_login_warns_five_minutes_before_it_ends_and_can_be_extended(
    live_app: LiveApp, desktop: Visit
) -> None:
    page = desktop.page
    live_app.log_in(page, Role.DUTY_OFFICER)
    warning = page.locator("#session-warning")
    expect(warning).to_be_hidden()
    _set_session_end(live_app, utcnow() + timedelta(minutes=4))
    page.reload()
    expect(warning).to_be_visible()
    expect(warning).to_have_attribute("role", "alert")
    expect(warning.locator(".session-warning__text")).to_have_text(
        str(warning.get_attribute("data-soon"))
    )
    live_app.shot(page, "session-warning")
    assert_accessible(page, "the session warning")
    warning.get_by_role("button").press("Enter")
    expect(warning.locator(".session-warning__text")).to_have_text(
        str(warning.get_attribute("data-extended"))
    )
    with live_app.database.sessions() as session:
        ends = session.scalars(select(WebSession.expires_at)).one()
    assert ends > utcnow() + timedelta(hours=11)
    page.reload()
    expect(warning).to_be_hidden()


def test_a_form_sent_after_the_login_ended_is_filled_in_again_after_logging_in(
    live_app: LiveApp, phone: Visit
) -> None:
    page = phone.page
    live_app.log_in(page, Role.PLANNER)
    page.goto(live_app.url("/exercises/new"))
    page.get_by_label("Tittel", exact=True).fill("Skrevet mens innloggingen gikk ut")
    page.get_by_label("Scenario").fill("Lang tekst som ikke skal gå tapt.")
    page.get_by_label("Øvelsestype").select_option(ExerciseType.TABLETOP.value)
    _set_session_end(live_app, utcnow() - timedelta(minutes=1))
    page.get_by_role("button", name="Lagre øvelsen").click()

    page.wait_for_url(re.compile(r"/login"))
    page.get_by_label("E-postadresse").fill(live_app.emails[Role.PLANNER])
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()

    page.wait_for_url(live_app.url("/exercises/new"))
    expect(page.get_by_label("Tittel", exact=True)).to_have_value(
        "Skrevet mens innloggingen gikk ut"
    )
    expect(page.get_by_label("Scenario")).to_have_value("Lang tekst som ikke skal gå tapt.")
    expect(page.get_by_label("Øvelsestype")).to_have_value(ExerciseType.TABLETOP.value)
    expect(page.locator(".kept-form")).to_be_focused()
    live_app.shot(page, "session-kept-form")
    with live_app.database.sessions() as session:
        assert session.scalars(select(Exercise)).first() is None  # nothing sent behind the back
    # Only once: the next page does not fill it in again.
    page.reload()
    expect(page.get_by_label("Tittel", exact=True)).to_have_value("")
