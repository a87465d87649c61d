"""The duty officer's callout in headless Chromium on a phone, on both backends: plan a draft
through the form, send it after the confirmation, and watch the live page update itself."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select, update

from alerts.gateway.health import AlarmState, GatewayAlarm
from alerts.models import Answer, Callout, CalloutRecipient, RecipientState
from alerts.outbox import worker_status
from beredskap.platform.auth.models import Role
from beredskap.platform.columns import utcnow
from beredskap.platform.db import transaction
from beredskap.register.volunteers.models import QualificationType
from tests.e2e.conftest import PASSWORD, LiveApp, Visit


def test_a_duty_officer_plans_sends_and_watches_a_callout(live_app: LiveApp, phone: Visit) -> None:
    page = phone.page
    with live_app.database.sessions() as session:
        first_aid = session.scalars(
            select(QualificationType.id).where(QualificationType.code == "first_aid")
        ).one()
    page.goto(live_app.url("/login"))
    page.get_by_label("E-postadresse").fill(live_app.emails[Role.DUTY_OFFICER])
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(live_app.url("/"))
    page.get_by_role("link", name="Utkallinger").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Utkallinger")

    # As the incident map's link opens it: point, radius and need filled in.
    page.goto(
        live_app.url(
            f"/callouts/new?lat=59.956&lon=11.0494&radius_m=20000&qualification={first_aid}"
        )
    )
    expect(page.get_by_label("Radius (km)", exact=True)).to_have_value("20")
    page.get_by_label("Tittel", exact=True).fill("Savnet person ved Nitelva")
    page.get_by_label("Melding", exact=True).fill("Leteaksjon. Oppmøte Lillestrøm stasjon.")
    page.get_by_label("Øvelse: hver SMS starter med ØVELSE ØVELSE ØVELSE").check()
    live_app.shot(page, "callout-form")
    page.get_by_role("button", name="Lag utkastet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Savnet person ved Nitelva")
    expect(page.locator(".exercise-banner")).to_have_text("ØVELSE ØVELSE ØVELSE")
    expect(
        page.get_by_role("heading", name=re.compile(r"^Vil spørre \d+ frivillig"))
    ).to_be_visible()
    live_app.shot(page, "callout-draft")
    callout_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    # The draft's preview is the confirmation: whom, what, and that it is an exercise.
    expect(page.get_by_text("Hver melding starter med ØVELSE ØVELSE ØVELSE.")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Send SMS til \d+ frivillige? nå$")).click()
    expect(page.get_by_role("status")).to_have_text("Utkallingen står i kø for sending.")
    yes = page.locator('.callout-counts [data-count="yes"]')
    expect(yes).to_have_text("0")

    # A reply arrives (as the SMS webhook would record it): the page shows it by itself.
    with transaction(live_app.database.sessions, "test reply") as session:
        callout = session.get(Callout, callout_id)
        assert callout is not None
        first = session.scalars(
            select(CalloutRecipient.id)
            .where(CalloutRecipient.callout_id == callout_id)
            .order_by(CalloutRecipient.distance_m)
        ).first()
        session.execute(
            update(CalloutRecipient)
            .where(CalloutRecipient.id == first)
            .values(
                state=RecipientState.DELIVERED,
                answer=Answer.YES,
                answered_at=utcnow(),
                minutes_to_arrival=20,
            )
        )
    expect(yes).to_have_text("1", timeout=20_000)
    row = page.locator(f'tr[data-recipient="{first}"]')
    expect(row.locator('[data-field="answer"]')).to_have_text("JA")
    expect(row.locator('[data-field="state"]')).to_have_text("Levert")
    expect(row.locator('[data-field="minutes"]')).to_have_text("20")
    expect(page.locator('[data-field="updated"]')).to_contain_text("Oppdatert")
    live_app.shot(page, "callout-live")

    # How sending goes, in words: no sender runs in this test, so the page says so first.
    panel = page.locator(".sending-status")
    expect(panel.locator('[data-alarm="no_sender"]')).to_contain_text("Ingen sender kjører")
    # A worker beating with the provider's alarm, and a message whose send ended unknown.
    with transaction(live_app.database.sessions, "test worker") as session:
        now = utcnow()
        worker_status.beat(
            session,
            "worker-e2e",
            now=now,
            started_at=now,
            gateway="twilio",
            alarm=AlarmState(GatewayAlarm.RATE_LIMITED, now.timestamp(), 7),
        )
        doubtful = session.scalars(
            select(CalloutRecipient.id)
            .where(CalloutRecipient.callout_id == callout_id, CalloutRecipient.id != first)
            .order_by(CalloutRecipient.distance_m)
        ).first()
        session.execute(
            update(CalloutRecipient)
            .where(CalloutRecipient.id == doubtful)
            .values(state=RecipientState.SENDING, claimed_by=None, attempt_started_at=now)
        )
    page.reload()
    expect(panel.locator('[data-alarm="rate_limited"]')).to_contain_text(
        "SMS-leverandøren begrenser hvor fort vi kan sende"
    )
    expect(panel.locator('[data-alarm="no_sender"]')).to_have_count(0)
    expect(panel.locator(".sending-provider")).to_have_text("Twilio")
    expect(panel.locator('[data-sending="in_doubt"]')).to_have_text("1")
    expect(panel.locator(".in-doubt-note")).to_contain_text("ingen får den to ganger")
    expect(page.locator(f'tr[data-recipient="{doubtful}"] [data-field="reason"]')).to_contain_text(
        "uavklart"
    )
    live_app.shot(page, "callout-live-sending-alarm")
