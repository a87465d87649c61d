"""Issue 18, the duty officer's flow, in headless Chromium on a phone (390 px) on both
backends: from the login page to SMS queued in at most 8 actions when the address is known.

Every click, fill, key press and choice is counted through `Actions` (navigations the app
makes itself are not actions); the test fails above 8. An action count is a behaviour, not a
timing. Screenshots of the dashboard, the new-callout form and the live callout page at 390
and 1366 px go to build/screenshots/<backend>/ to be looked at.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import func, select

from alerts.inbound.sms import handle_inbound
from alerts.models import Answer, Callout, CalloutRecipient, RecipientState
from beredskap.platform.auth.models import Role
from beredskap.platform.columns import utcnow
from beredskap.platform.db import transaction
from beredskap.register.volunteers.models import QualificationType
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PASSWORD, LiveApp, Visit

MOST_ACTIONS = 8
KNOWN_ADDRESS = "Storgata 12"


@dataclass
class Actions:
    """The officer's actions, counted as they are made."""

    done: list[str] = field(default_factory=list)

    def fill(self, target: Locator, text: str) -> None:
        target.fill(text)
        self.done.append(f"fill {text[:20]!r}")

    def click(self, target: Locator) -> None:
        target.click()
        self.done.append("click")

    def press(self, target: Locator, key: str) -> None:
        target.press(key)
        self.done.append(f"press {key}")

    def choose(self, target: Locator, value: str) -> None:
        target.select_option(value)
        self.done.append("choose")


def test_login_to_sms_queued_in_at_most_eight_actions_on_a_phone(
    live_app: LiveApp, phone: Visit, chromium: Browser
) -> None:
    page = phone.page
    with live_app.database.sessions() as session:
        first_aid = session.scalars(
            select(QualificationType.id).where(QualificationType.code == "first_aid")
        ).one()
    actions = Actions()
    page.goto(live_app.url("/login"))
    actions.fill(page.get_by_label("E-postadresse"), live_app.emails[Role.DUTY_OFFICER])
    actions.fill(page.get_by_label("Passord", exact=True), PASSWORD)
    actions.press(page.get_by_label("Passord", exact=True), "Enter")
    page.wait_for_url(live_app.url("/"))
    quick = page.locator("form.quick-callout")
    expect(quick).to_be_visible()
    live_app.shot(page, "duty-dashboard-390")

    actions.fill(quick.locator("#f-message"), "Savnet person ved Nitelva. Oppmøte ved brua.")
    actions.fill(quick.locator("#f-address"), KNOWN_ADDRESS)
    actions.choose(quick.locator("#f-need-1"), str(first_aid))
    actions.click(quick.locator("button[type=submit]"))
    expect(page.locator(".badge--callout-draft")).to_be_visible()
    callout_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert_accessible(page, "the draft's preview")

    actions.click(page.locator(f'form[action="/callouts/{callout_id}/send"] button'))
    expect(page.get_by_role("status").first).to_contain_text("kø for sending")
    assert len(actions.done) <= MOST_ACTIONS, actions.done

    with live_app.database.sessions() as session:
        callout = session.get(Callout, callout_id)
        assert callout is not None and callout.sent_at is not None
        queued = session.scalar(
            select(func.count()).where(
                CalloutRecipient.callout_id == callout_id,
                CalloutRecipient.state == RecipientState.QUEUED,
            )
        )
        assert queued and queued > 0
        assert callout.title == "Savnet person ved Nitelva. Oppmøte ved brua."

    # What it looks like: the live page with an answer, the dashboard with the open callout.
    with transaction(live_app.database.sessions, "test reply") as session:
        first = session.scalars(
            select(CalloutRecipient)
            .where(CalloutRecipient.callout_id == callout_id)
            .order_by(CalloutRecipient.distance_m)
        ).first()
        assert first is not None
        first.state = RecipientState.DELIVERED
        first.answer = Answer.YES
        first.answered_at = utcnow()
        first.minutes_to_arrival = 20
        mobile = first.mobile
    with transaction(live_app.database.sessions, "test inbox") as session:
        handle_inbound(session, from_number=mobile, body="JA 20", received_at=utcnow())
        handle_inbound(
            session, from_number="+447700900999", body="hvem er dette?", received_at=utcnow()
        )
    page.reload()
    expect(page.locator(f'tr[data-recipient="{first.id}"] [data-field="arrival"]')).to_contain_text(
        "ca."
    )
    expect(page.locator(f'tr[data-recipient="{first.id}"] a[href^="tel:"]')).to_be_visible()
    live_app.shot(page, "duty-live-callout-390")
    assert_accessible(page, "the live callout")
    page.goto(live_app.url("/callouts/new"))
    live_app.shot(page, "duty-new-callout-390")
    page.goto(live_app.url("/"))
    expect(page.locator(f'.active-callouts a[href="/callouts/{callout_id}"]')).to_be_visible()
    live_app.shot(page, "duty-dashboard-open-390")
    assert_accessible(page, "the dashboard with an open callout")
    page.goto(live_app.url("/sms/inbox"))
    expect(page.locator("tr[data-inbound]")).to_have_count(2)
    assert_accessible(page, "the SMS inbox")
    page.goto(live_app.url("/sms/inbox?callout=x"))
    assert_accessible(page, "the SMS inbox with a bad filter")
    # Nothing sticks out at 320 px (WCAG 1.4.10) on the dashboard, the inbox and the live page.
    page.set_viewport_size({"width": 320, "height": 800})
    for path in ("/", "/sms/inbox", f"/callouts/{callout_id}"):
        page.goto(live_app.url(path))
        wider = page.evaluate("document.documentElement.scrollWidth")
        assert wider <= 320, f"{path} is {wider} px wide at 320 px"

    wide = _wide_tab(chromium)
    try:
        wide.goto(live_app.url("/login"))
        wide.get_by_label("E-postadresse").fill(live_app.emails[Role.DUTY_OFFICER])
        wide.get_by_label("Passord", exact=True).fill(PASSWORD)
        wide.get_by_label("Passord", exact=True).press("Enter")
        wide.wait_for_url(live_app.url("/"))
        live_app.shot(wide, "duty-dashboard-1366")
        wide.goto(live_app.url("/callouts/new"))
        live_app.shot(wide, "duty-new-callout-1366")
        wide.goto(live_app.url(f"/callouts/{callout_id}"))
        live_app.shot(wide, "duty-live-callout-1366")
        wide.goto(live_app.url("/sms/inbox"))
        live_app.shot(wide, "duty-sms-inbox-1366")
    finally:
        wide.context.close()


def test_a_draft_is_discarded_from_its_preview(live_app: LiveApp, phone: Visit) -> None:
    page = phone.page
    page.goto(live_app.url("/login"))
    page.get_by_label("E-postadresse").fill(live_app.emails[Role.DUTY_OFFICER])
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_label("Passord", exact=True).press("Enter")
    page.wait_for_url(live_app.url("/"))
    with live_app.database.sessions() as session:
        first_aid = session.scalars(
            select(QualificationType.id).where(QualificationType.code == "first_aid")
        ).one()
    quick = page.locator("form.quick-callout")
    quick.locator("#f-message").fill("Øvelse i å forkaste et utkast.")
    quick.locator("#f-address").fill(KNOWN_ADDRESS)
    quick.locator("#f-need-1").select_option(str(first_aid))
    quick.locator("button[type=submit]").click()
    expect(page.locator(".badge--callout-draft")).to_be_visible()
    callout_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    page.get_by_role("link", name="Forkast utkastet …").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forkaste utkastet?")
    assert_accessible(page, "the discard confirmation")
    page.get_by_role("button", name="Ja, forkast utkastet").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Utkastet er forkastet; ingenting ble sendt."
    )
    with live_app.database.sessions() as session:
        assert session.get(Callout, callout_id) is None


def _wide_tab(chromium: Browser) -> Page:
    context = chromium.new_context(
        viewport={"width": 1366, "height": 900}, device_scale_factor=1, locale="nb-NO"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_the_kart_link_opens_the_incident_map_in_one_click(live_app: LiveApp, phone: Visit) -> None:
    page = phone.page
    page.goto(live_app.url("/login"))
    page.get_by_label("E-postadresse").fill(live_app.emails[Role.DUTY_OFFICER])
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_label("Passord", exact=True).press("Enter")
    page.wait_for_url(live_app.url("/"))
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Kart").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hendelseskart")
