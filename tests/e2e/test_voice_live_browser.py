"""The live callout page in headless Chromium, both backends: a recipient's phone call (voice
fallback) and the SMS provider that carried their message change on screen without a reload,
as the recipients' JSON carries them and live.js sets them as text."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select, update

from alerts.models import CalloutRecipient, VoiceCall, VoiceCallState
from beredskap.platform.auth.models import Role
from beredskap.platform.columns import utcnow
from beredskap.platform.db import transaction
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PASSWORD, LiveApp, Visit
from tests.support.sms import add_volunteer, sent_callout

LIVE = 20_000  # ms: a few refreshes of the page (every 5 s)


def test_the_call_and_the_provider_update_live(live_app: LiveApp, desktop: Visit) -> None:
    page = desktop.page
    with transaction(live_app.database.sessions, "e2e callout") as session:
        for number, name in (("+4791000001", "Kari Live"), ("+4791000002", "Ola Live")):
            add_volunteer(session, number, name)
        callout = sent_callout(session, "Flom Leirsund", sent_minutes_ago=5)
        callout_id = callout.id
        first, second = session.scalars(
            select(CalloutRecipient.id)
            .where(CalloutRecipient.callout_id == callout_id)
            .order_by(CalloutRecipient.distance_m, CalloutRecipient.id)
            .limit(2)
        ).all()
    page.goto(live_app.url("/login"))
    page.get_by_label("E-postadresse").fill(live_app.emails[Role.DUTY_OFFICER])
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(live_app.url("/"))
    # English: the texts do not wait for the catalogs' new entries.
    page.context.add_cookies([{"name": "lang", "value": "en", "url": live_app.base_url}])
    page.goto(live_app.url(f"/callouts/{callout_id}"))
    row = page.locator(f'tr[data-recipient="{first}"]')
    call = row.locator('[data-field="call"]')
    expect(call).to_have_text("")

    # The worker places the call and LINK Mobility carried the SMS: shown without a reload.
    with transaction(live_app.database.sessions, "e2e call") as session:
        now = utcnow()
        session.execute(
            update(CalloutRecipient)
            .where(CalloutRecipient.id == first)
            .values(provider="linkmobility")
        )
        for recipient, state in ((first, VoiceCallState.PLACED), (second, VoiceCallState.BUSY)):
            session.add(
                VoiceCall(
                    callout_id=callout_id,
                    recipient_id=recipient,
                    mobile="+4791000009",
                    state=state,
                    attempts=1,
                    created_at=now,
                    updated_at=now,
                )
            )
    expect(call).to_have_text(" · phone call: ringing", timeout=LIVE)
    expect(row.locator('[data-field="provider"]')).to_have_text(" · via LINK Mobility")
    expect(page.locator(f'tr[data-recipient="{second}"] [data-field="call"]')).to_have_text(
        " · phone call: busy"
    )

    # Answered with a key: the key is said beside the state.
    with transaction(live_app.database.sessions, "e2e answer") as session:
        session.execute(
            update(VoiceCall)
            .where(VoiceCall.recipient_id == first)
            .values(state=VoiceCallState.COMPLETED, digits="1 15#")
        )
    expect(call).to_have_text(" · phone call: answered, key 1", timeout=LIVE)
    # What live.js wrote is what the server renders after a reload.
    page.reload()
    expect(call).to_have_text(" · phone call: answered, key 1")
    expect(row.locator('[data-field="provider"]')).to_have_text(" · via LINK Mobility")
    assert_accessible(page, "live callout page with calls")
