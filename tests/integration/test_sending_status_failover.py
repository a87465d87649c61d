"""The sending panel with a secondary SMS provider, both backends: in words, which provider is
primary and which carries new messages now (failover or not), by the same rule the workers
route by; and on the callout page, which provider carried each message."""

from __future__ import annotations

from datetime import timedelta

import pytest

from alerts.callouts.sending_status import current
from alerts.models import CalloutNotice, NoticeKind, RecipientState, SmsProviderState
from alerts.outbox import worker_status
from beredskap.platform.auth.permissions import Role
from beredskap.platform.columns import utcnow
from tests.e2e.web_client import logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness
from tests.support.sms import add_volunteer, sent_callout


def _sender(api: ApiHarness, gateway: str = "twilio>linkmobility") -> None:
    now = utcnow()
    worker_status.beat(api.session, "worker-1", now=now, started_at=now, gateway=gateway)
    api.session.commit()


def _twilio_failing(api: ApiHarness, *, for_seconds: int, link_too: bool = False) -> None:
    now = utcnow()
    for provider in ("twilio", "linkmobility") if link_too else ("twilio",):
        api.session.add(
            SmsProviderState(
                provider=provider,
                consecutive_failures=3,
                failing_until=now + timedelta(seconds=for_seconds),
                last_failure="transient: 503",
                last_failure_at=now - timedelta(seconds=5),
            )
        )
    api.session.commit()


def _panel(api: ApiHarness) -> str:
    page = logged_in(api, ROLE_EMAILS[Role.DUTY_OFFICER], "en").get("/")
    assert page.status_code == 200, page.text
    start = page.text.index('class="panel sending-status')
    return page.text[start : page.text.index("</section>", start)]


def test_without_failover_the_primary_carries_and_the_panel_says_so(api: ApiHarness) -> None:
    _sender(api)
    failover = current(api.session).failover
    assert failover is not None
    assert (failover.primary, failover.secondary, failover.carrying) == (
        "twilio",
        "linkmobility",
        "twilio",
    )
    assert not failover.active
    panel = _panel(api)
    assert 'data-failover="off"' in panel
    assert (
        "Messages go through Twilio, the primary provider. If it fails, they go through "
        "LINK Mobility, the secondary." in panel
    )
    assert '<dd data-sending="primary">Twilio</dd>' in panel
    assert '<dd data-sending="secondary">LINK Mobility</dd>' in panel
    assert 'data-sending="carrying">Twilio</dd>' in panel


def test_while_the_primary_fails_the_panel_says_the_secondary_carries(api: ApiHarness) -> None:
    _sender(api)
    _twilio_failing(api, for_seconds=60)
    failover = current(api.session).failover
    assert failover is not None and failover.active and failover.carrying == "linkmobility"
    panel = _panel(api)
    assert 'data-failover="active"' in panel
    assert "Failover: messages go through LINK Mobility, the secondary provider." in panel
    assert "Twilio, the primary provider, fails or does not answer." in panel
    assert 'data-sending="carrying">LINK Mobility</dd>' in panel
    assert "tries Twilio again" not in panel


def test_after_the_cool_down_the_panel_says_the_primary_is_tried_again(api: ApiHarness) -> None:
    _sender(api)
    _twilio_failing(api, for_seconds=-1)
    failover = current(api.session).failover
    assert failover is not None and failover.probing == "twilio"
    assert "One message at a time tries Twilio again" in _panel(api)


def test_when_both_fail_the_panel_says_messages_wait(api: ApiHarness) -> None:
    _sender(api)
    _twilio_failing(api, for_seconds=60, link_too=True)
    failover = current(api.session).failover
    assert failover is not None and failover.carrying is None
    panel = _panel(api)
    assert 'data-failover="waiting"' in panel and "notice--error" in panel
    assert "Both SMS providers fail: messages wait in the queue." in panel
    assert 'data-sending="carrying">neither: waiting</dd>' in panel


@pytest.mark.parametrize("gateway", ["twilio", "local"])
def test_one_provider_is_named_as_before(api: ApiHarness, gateway: str) -> None:
    _sender(api, gateway)
    assert current(api.session).failover is None
    panel = _panel(api)
    assert "failover-state" not in panel
    shown = {"twilio": ">Twilio</dd>", "local": ">local (no SMS leaves)</dd>"}[gateway]
    assert shown in panel


def test_the_callout_page_names_the_provider_of_each_message_and_follow_up(
    api: ApiHarness,
) -> None:
    for number, name in (("+447700900301", "Kari Nordmann"), ("+447700900302", "Ola Nordmann")):
        add_volunteer(api.session, number, name)
    callout = sent_callout(api.session, "Flom Leirsund", sent_minutes_ago=1)
    kari, ola = sorted(callout.recipients, key=lambda row: row.mobile)
    kari.provider, kari.state = "linkmobility", RecipientState.DELIVERED
    ola.provider, ola.state = "twilio", RecipientState.SENT
    api.session.add(
        CalloutNotice(
            callout_id=callout.id,
            recipient_id=kari.id,
            kind=NoticeKind.FOLLOW_UP,
            mobile=kari.mobile,
            body="Oppmøte ved brua.",
            state=RecipientState.DELIVERED,
            provider="twilio",
        )
    )
    _sender(api)
    page = logged_in(api, ROLE_EMAILS[Role.DUTY_OFFICER], "en").get(f"/callouts/{callout.id}")
    assert page.status_code == 200, page.text
    row = page.text[page.text.index(f'data-recipient="{kari.id}"') :]
    row = row[: row.index("</tr>")]
    assert " · via LINK Mobility</span>" in row
    assert "Follow-up: Delivered via Twilio" in row
    other = page.text[page.text.index(f'data-recipient="{ola.id}"') :]
    assert " · via Twilio</span>" in other[: other.index("</tr>")]
