"""Issue 18 (WCAG 2.1 AA 2.1.1, 2.4.3, 2.4.7, 3.3.1): two of the main tasks done with the
keyboard alone, in headless Chromium on both backends. After the page is opened nothing is
clicked or filled: only Tab, Shift+Tab, Enter, Space, arrow keys and typing. Every control the
focus stops on must show where the focus is (an outline or a ring), and after each save the
focus must land somewhere that says what happened.

The tests find controls by their attributes (ids, addresses, values), not by their words, so
they pass before and after the catalogs are filled in.
"""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.platform.columns import today_in_norway
from beredskap.register.inventory.models import Equipment, EquipmentStatus
from beredskap.register.organisations.models import Organisation
from exercises.models import Exercise
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import EDITOR_ORGANISATION, PASSWORD, LiveApp, Visit

# Most Tab presses to reach a control: a long page (the exercise form) has about 60 stops.
MOST_TABS = 150

# What has the focus, and whether a sighted keyboard user can see it has: an outline or a
# ring on it (or, for a radio button, on its .choice box), and a box on the screen.
FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return {tag: 'body', shown: false, key: 'body'};
    const ring = (s) => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                        || (s.boxShadow && s.boxShadow !== 'none');
    const holder = e.closest('.choice') || e;
    const box = e.getBoundingClientRect();
    return {
        tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name') || '',
        value: e.getAttribute('value') || '', href: e.getAttribute('href') || '',
        shown: (ring(getComputedStyle(e)) || ring(getComputedStyle(holder)))
               && box.width > 0 && box.height > 0,
        key: e.tagName.toLowerCase() + '#' + e.id + ' ' + (e.getAttribute('href') || '')
             + ' ' + (e.getAttribute('name') || '') + '=' + (e.getAttribute('value') || ''),
    };
}"""


class Keyboard:
    """Tab to a control, with a record of every stop whose focus could not be seen."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.unseen: set[str] = set()

    def focused(self) -> dict[str, str]:
        found: dict[str, str] = self.page.evaluate(FOCUSED)
        if not found["shown"] and found["tag"] != "body":
            self.unseen.add(found["key"])
        return found

    def tab_to(self, selector: str, *, backwards: bool = False) -> None:
        """Press Tab (or Shift+Tab) until the element `selector` matches has the focus."""
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(MOST_TABS):
            self.page.keyboard.press(key)
            self.focused()
            if self.page.evaluate("s => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"{selector} is not reached with {key}")

    def activate(self, selector: str, *, backwards: bool = False, key: str = "Enter") -> None:
        self.tab_to(selector, backwards=backwards)
        self.page.keyboard.press(key)

    def log_in(self, app: LiveApp, role: Role) -> None:
        page = self.page
        page.goto(app.url("/login"))
        self.tab_to("#f-email")
        page.keyboard.type(app.emails[role])
        self.tab_to("#f-password")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(app.url("/"))

    def assert_focus_always_seen(self) -> None:
        assert not self.unseen, f"focus not visible on: {sorted(self.unseen)}"


def _active_id(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement.id"))


def test_an_organisation_editor_sets_a_line_out_of_service_by_keyboard_on_a_phone(
    live_app: LiveApp, phone: Visit
) -> None:
    page = phone.page
    with live_app.database.sessions() as session:
        organisation = session.scalars(
            select(Organisation).where(Organisation.name == EDITOR_ORGANISATION)
        ).one()
        line = session.scalars(
            select(Equipment)
            .where(
                Equipment.organisation_id == organisation.id,
                Equipment.status == EquipmentStatus.READY,
            )
            .order_by(Equipment.id)
        ).first()
        assert line is not None
        organisation_id, line_id, line_quantity = organisation.id, line.id, line.quantity
    keys = Keyboard(page)
    keys.log_in(live_app, Role.ORG_EDITOR)

    # The dashboard, then the organisation's page, then the line's form.
    keys.activate(f'a[href="/organisations/{organisation_id}"]')
    page.wait_for_url(live_app.url(f"/organisations/{organisation_id}"))
    keys.activate(f'a[href="/equipment/{line_id}/edit"]')
    page.wait_for_url(live_app.url(f"/equipment/{line_id}/edit"))
    # The current status is pressed and cannot be sent again; the others can.
    expect(page.locator(".status-button[aria-pressed=true]")).to_have_attribute(
        "value", EquipmentStatus.READY.value
    )

    # A quantity of 0 is refused: the summary has the focus and its link leads to the field.
    keys.tab_to("#f-quantity")
    page.keyboard.press("Control+A")
    page.keyboard.type("0")
    keys.activate("form.form button[type=submit]")
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    assert_accessible(page, "the equipment form with an error")
    keys.activate('.error-summary a[href="#f-quantity"]')
    assert _active_id(page) == "f-quantity"
    expect(page.locator("#f-quantity")).to_have_attribute("aria-invalid", "true")

    # Back up to the one-press status buttons above the form.
    keys.activate(
        f'.status-buttons button[value="{EquipmentStatus.OUT_OF_SERVICE.value}"]', backwards=True
    )

    # Back on the organisation's page, the focus is on the changed line, which shows the
    # new status and is described by the saved message.
    page.wait_for_url(f"**/organisations/{organisation_id}?saved={line_id}#equipment-{line_id}")
    changed = page.locator(f"#equipment-{line_id}")
    expect(changed).to_be_focused()
    expect(changed.locator(f".badge--{EquipmentStatus.OUT_OF_SERVICE.value}")).to_be_visible()
    described = str(changed.get_attribute("aria-describedby"))
    expect(page.locator(f"#{described}")).to_be_visible()
    assert keys.focused()["shown"], "the changed line's focus is not visible"
    with live_app.database.sessions() as session:
        stored = session.get(Equipment, line_id)
        assert stored is not None and stored.status == EquipmentStatus.OUT_OF_SERVICE
        assert stored.quantity == line_quantity  # the refused 0 was not saved
    live_app.shot(page, "keyboard-equipment-saved")

    # The next Tab goes on from the line: to its own Edit button.
    page.keyboard.press("Tab")
    assert keys.focused()["href"] == f"/equipment/{line_id}/edit"
    keys.assert_focus_always_seen()


# Chromium lays date and time fields out in the browser's own locale (dd.mm.åååå or mm/dd/yyyy,
# a 24- or 12-hour clock), whatever the page's. A day whose day and month are the same number
# types the same in both orders, and "0930A" is 09:30 on both clocks (the A, for AM, is
# ignored by a 24-hour field).
MORNING_START = "0930A"
MORNING_END = "1130A"


def _same_day_and_month(after: date) -> date:
    day = after
    while day.day != day.month:
        day += timedelta(days=1)
    return day


def test_a_planner_creates_an_exercise_by_keyboard_after_one_failed_submit(
    live_app: LiveApp, phone: Visit
) -> None:
    page = phone.page
    day = _same_day_and_month(today_in_norway() + timedelta(days=200))  # no demo exercise then
    typed_day = day.strftime("%d%m%Y")
    with live_app.database.sessions() as session:
        organisation_count = len(session.scalars(select(Organisation.id)).all())
    assert organisation_count
    keys = Keyboard(page)
    keys.log_in(live_app, Role.PLANNER)

    keys.activate('.site-nav a[href="/exercises"]')
    page.wait_for_url(live_app.url("/exercises"))
    keys.activate('main a[href="/exercises/new"]')
    page.wait_for_url(live_app.url("/exercises/new"))

    # No title, and a latitude north of the Pole.
    keys.tab_to("#f-type")
    page.keyboard.press("ArrowDown")  # the next type
    chosen_type = page.evaluate("() => document.activeElement.value")
    keys.tab_to("#f-start_date")
    page.keyboard.type(typed_day)
    keys.tab_to("#f-start_time")
    page.keyboard.type(MORNING_START)
    keys.tab_to("#f-end_date")
    page.keyboard.type(typed_day)
    keys.tab_to("#f-end_time")
    page.keyboard.type(MORNING_END)
    keys.tab_to("#f-organisation_ids")
    page.keyboard.press("ArrowDown")  # a listbox: the arrow chooses the next organisation
    chosen = page.evaluate(
        "() => Array.from(document.activeElement.selectedOptions).map(o => o.value)"
    )
    assert len(chosen) == 1, chosen
    keys.tab_to("#f-lat")
    page.keyboard.type("95.9556")
    keys.tab_to("#f-lon")
    page.keyboard.type("11.0497")
    keys.activate("form.exercise-form button[type=submit]")

    # The error summary has the focus; each of its links takes the focus to the control.
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    links = summary.locator("a")
    hrefs = links.evaluate_all("found => found.map(a => a.getAttribute('href'))")
    targets = [str(href).removeprefix("#") for href in hrefs]
    assert sorted(targets) == ["f-lat", "f-title"], targets
    assert_accessible(page, "the exercise form with errors")
    live_app.shot(page, "keyboard-exercise-errors")
    for index, target in enumerate(targets):
        # From the summary (forwards), then back to it from the control fixed (backwards).
        keys.activate(f'.error-summary a[href="#{target}"]', backwards=index > 0)
        assert _active_id(page) == target, (target, keys.focused())
        control = page.locator(f"#{target}")
        expect(control).to_have_attribute("aria-invalid", "true")
        assert keys.focused()["shown"], f"{target}'s focus is not visible"
        page.keyboard.press("Control+A")  # what was typed is replaced
        page.keyboard.type("Øvelse med tastaturet" if target == "f-title" else "59.9556")
    # What was typed the first time is still there.
    expect(page.locator("#f-type")).to_have_value(chosen_type)
    expect(page.locator("#f-lon")).to_have_value("11.0497")
    expect(page.locator("#f-start_time")).to_have_value("09:30")

    keys.activate("form.exercise-form button[type=submit]")
    page.wait_for_url("**/exercises/*?done=created")
    done = page.locator(".notice--success")
    expect(done).to_be_focused()
    assert keys.focused()["shown"], "the saved message's focus is not visible"
    live_app.shot(page, "keyboard-exercise-saved")
    with live_app.database.sessions() as session:
        exercise = session.scalars(select(Exercise)).one()
        assert exercise.title == "Øvelse med tastaturet"
        assert exercise.type.value == chosen_type
        assert [str(o.id) for o in exercise.organisations] == chosen
        assert exercise.ends_at - exercise.starts_at == timedelta(hours=2)
    keys.assert_focus_always_seen()
