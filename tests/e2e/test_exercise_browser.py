"""An exercise planner in headless Chromium, on both backends: create an exercise through the
form, find it in the month calendar on its Oslo day, open its page and its evaluation report."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.platform.columns import today_in_norway
from exercises.models import Exercise, ExerciseStatus, ExerciseType
from tests.e2e.conftest import EDITOR_ORGANISATION, PASSWORD, LiveApp, Visit

TITLE = "Diskusjonsøvelse: flom i Leirelva"


def _fifteenth_of_next_month(today: date) -> date:
    first_of_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_of_next.replace(day=15)


def test_a_planner_creates_an_exercise_finds_it_in_the_calendar_and_opens_its_report(
    live_app: LiveApp, desktop: Visit
) -> None:
    page = desktop.page
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(live_app.url("/login"))
    page.get_by_label("E-postadresse").fill(live_app.emails[Role.PLANNER])
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(live_app.url("/"))

    page.get_by_role("link", name="Øvelser").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Øvelseskalender")
    page.get_by_role("link", name="Ny øvelse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny øvelse")

    day = _fifteenth_of_next_month(today_in_norway())
    page.get_by_label("Tittel", exact=True).fill(TITLE)
    page.get_by_label("Øvelsestype").select_option(ExerciseType.TABLETOP.value)
    page.locator("#f-start_date").fill(day.isoformat())
    page.locator("#f-start_time").fill("18:00")
    page.locator("#f-end_date").fill(day.isoformat())
    page.locator("#f-end_time").fill("21:00")
    page.get_by_label("Scenario").fill("Leirelva går over sine bredder ved Leirsund.")
    page.locator("#f-organisation_ids").select_option(label=EDITOR_ORGANISATION)
    live_app.shot(page, "exercise-form")
    page.get_by_role("button", name="Lagre øvelsen").click()

    # Saved: its page, in Oslo time.
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".facts")).to_contain_text(f"{day:%d.%m.%Y} 18:00")
    expect(page.get_by_role("link", name=EDITOR_ORGANISATION)).to_be_visible()
    with live_app.database.sessions() as session:
        saved = session.scalars(select(Exercise).where(Exercise.title == TITLE)).one()
        assert saved.status is ExerciseStatus.PLANNED
        assert [organisation.name for organisation in saved.organisations] == [EDITOR_ORGANISATION]
        exercise_id = saved.id
    live_app.shot(page, "exercise-page")

    # The month calendar shows it on its day.
    page.goto(live_app.url(f"/exercises?month={day:%Y-%m}"))
    cell = page.locator(f'td[data-date="{day.isoformat()}"]')
    expect(cell.locator(f'[data-exercise="{exercise_id}"]')).to_contain_text("18:00")
    expect(cell).to_contain_text(TITLE)
    live_app.shot(page, "exercise-calendar")

    # From the calendar to its page, and on to its evaluation report.
    cell.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.get_by_role("link", name="Evalueringsrapport").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".report-kicker")).to_have_text("Evalueringsrapport")
    expect(page.get_by_role("link", name="Last ned som PDF")).to_be_visible()
    live_app.shot(page, "exercise-report")
    assert errors == []
