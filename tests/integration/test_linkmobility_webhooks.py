"""LINK Mobility's webhooks through the real app on both backends, posted by the fake LINK's
own client code: delivery reports move outbox rows on, MO messages are replies like Twilio's
(answered through the outbox), and anything without the gates' credentials is 403 and
changes nothing; a body that is not LINK's JSON is a 4xx and changes nothing."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, func, select

from alerts.models import (
    Answer,
    CalloutRecipient,
    InboundOutcome,
    InboundSms,
    MessageChannel,
    OutgoingMessage,
    RecipientState,
)
from alerts.outbox.references import reference_for
from beredskap.main.settings import Settings
from beredskap.platform.columns import today_in_norway
from beredskap.register.volunteers.models import Volunteer
from tests.support.api import ApiHarness, build_harness
from tests.support.fake_linkmobility import (
    GATE_PASSWORD,
    GATE_USERNAME,
    TEST_GATE_ID,
    TEST_PARTNER_ID,
    TEST_PASSWORD,
    TEST_PLATFORM_ID,
    TEST_SOURCE,
    TEST_USERNAME,
    FakeLinkMessage,
    FakeLinkMobility,
    basic,
)
from tests.support.sms import PUBLIC_URL, add_volunteer, sent_callout

DLR_PATH = "/webhooks/linkmobility/dlr"
MO_PATH = "/webhooks/linkmobility/mo"
KARI = "+447700900301"
LINK = Settings(
    linkmobility_username=TEST_USERNAME,
    linkmobility_password=TEST_PASSWORD,
    linkmobility_platform_id=TEST_PLATFORM_ID,
    linkmobility_platform_partner_id=TEST_PARTNER_ID,
    linkmobility_source=TEST_SOURCE,
    linkmobility_gate_id=TEST_GATE_ID,
    linkmobility_webhook_username=GATE_USERNAME,
    linkmobility_webhook_password=GATE_PASSWORD,
    linkmobility_api_base="http://127.0.0.1:9",
    public_url=PUBLIC_URL,
)
harness_with = contextmanager(build_harness)
BAD_CREDENTIALS = {
    "wrong password": basic(GATE_USERNAME, "not-the-gate-password"),
    "wrong user": basic("someone", GATE_PASSWORD),
    "not basic": "Bearer " + GATE_PASSWORD,
    "broken base64": "Basic !!!",
    "no colon": "Basic " + base64.b64encode(GATE_USERNAME.encode()).decode(),
    "empty": "",
}


@pytest.fixture
def hooks(engine: Engine) -> Iterator[ApiHarness]:
    with harness_with(engine, LINK) as api:
        add_volunteer(api.session, KARI, "Kari Nordmann")
        api.session.commit()
        yield api


@pytest.fixture
def fake() -> Iterator[FakeLinkMobility]:
    with FakeLinkMobility() as running:  # its client posts; its API is not called here
        yield running


def _sending_row(hooks: ApiHarness) -> CalloutRecipient:
    callout = sent_callout(hooks.session, "Flom", sent_minutes_ago=2, state=RecipientState.SENDING)
    row = next(row for row in callout.recipients if row.mobile == KARI)
    row.provider = "linkmobility"
    hooks.session.commit()
    return row


def _message(row: CalloutRecipient, message_id: str = "4f1c9a7e00aa") -> FakeLinkMessage:
    from datetime import UTC, datetime

    return FakeLinkMessage(
        message_id=message_id,
        to=row.mobile,
        source=TEST_SOURCE,
        body="x",
        ref_id=reference_for(row),
        gates=(TEST_GATE_ID,),
        validity_ms=None,
        result_code=1005,
        created_at=datetime.now(UTC),
    )


def _state(hooks: ApiHarness, row_id: int) -> tuple[RecipientState, str | None, str | None]:
    hooks.session.expire_all()
    row = hooks.session.get(CalloutRecipient, row_id)
    assert row is not None
    return row.state, row.provider_id, row.error_code


def _count(hooks: ApiHarness, model: type) -> int:
    hooks.session.expire_all()
    return int(hooks.session.scalar(select(func.count()).select_from(model)) or 0)


# Delivery reports ------------------------------------------------------------------------------


def test_reports_move_the_row_on_by_our_reference(
    hooks: ApiHarness, fake: FakeLinkMobility
) -> None:
    row = _sending_row(hooks)
    message = _message(row)
    sent = fake.send_report(DLR_PATH, fake.report_payload(message, 1000), client=hooks.client)
    assert sent.status_code == 200, sent.text
    # The worker died before recording LINK's id: the report found the row by refId.
    assert _state(hooks, row.id)[:2] == (RecipientState.SENT, message.message_id)
    delivered = fake.report_payload(message, 1001)
    assert fake.send_report(DLR_PATH, delivered, client=hooks.client).status_code == 200
    assert _state(hooks, row.id)[:2] == (RecipientState.DELIVERED, message.message_id)
    # A late "sent", and the same report again: nothing moves backwards.
    for late in (fake.report_payload(message, 1000), delivered):
        assert fake.send_report(DLR_PATH, late, client=hooks.client).status_code == 200
    assert _state(hooks, row.id)[0] is RecipientState.DELIVERED


def test_a_failed_report_says_why_in_links_words(hooks: ApiHarness, fake: FakeLinkMobility) -> None:
    row = _sending_row(hooks)
    payload = fake.report_payload(_message(row), 2104)
    assert fake.send_report(DLR_PATH, payload, client=hooks.client).status_code == 200
    state, _provider_id, code = _state(hooks, row.id)
    assert (state, code) == (RecipientState.FAILED, "2104")
    hooks.session.expire_all()
    assert "unknown subscriber" in (hooks.session.get(CalloutRecipient, row.id).error_reason or "")
    # An unknown subscriber is a number that reaches nobody: its volunteer is flagged.
    kari = hooks.session.scalars(select(Volunteer).where(Volunteer.mobile == KARI)).one()
    assert kari.contact_failed_on == today_in_norway()


def test_a_report_of_an_expired_message_flags_nobody(
    hooks: ApiHarness, fake: FakeLinkMobility
) -> None:
    row = _sending_row(hooks)
    payload = fake.report_payload(_message(row), 1002)  # not delivered in time: phone off
    assert fake.send_report(DLR_PATH, payload, client=hooks.client).status_code == 200
    assert _state(hooks, row.id)[0] is RecipientState.FAILED
    hooks.session.expire_all()
    kari = hooks.session.scalars(select(Volunteer).where(Volunteer.mobile == KARI)).one()
    assert kari.contact_failed_on is None


def test_a_report_of_a_long_message_part_finds_its_message(
    hooks: ApiHarness, fake: FakeLinkMobility
) -> None:
    row = _sending_row(hooks)
    payload = fake.report_payload(_message(row), 1001) | {"refId": None, "id": "abc123$1"}
    row.provider_id = "abc123"
    hooks.session.commit()
    assert fake.send_report(DLR_PATH, payload, client=hooks.client).status_code == 200
    assert _state(hooks, row.id)[0] is RecipientState.DELIVERED


@pytest.mark.parametrize("case", [*sorted(BAD_CREDENTIALS), "none"])
def test_a_report_without_the_gates_credentials_is_refused_and_changes_nothing(
    hooks: ApiHarness, fake: FakeLinkMobility, case: str
) -> None:
    row = _sending_row(hooks)
    payload = fake.report_payload(_message(row), 1001)
    if case == "none":
        response = hooks.client.post(DLR_PATH, json=payload)
    else:
        response = fake.send_report(
            DLR_PATH, payload, authorization=BAD_CREDENTIALS[case], client=hooks.client
        )
    assert response.status_code == 403, response.text
    assert GATE_PASSWORD not in response.text
    assert _state(hooks, row.id) == (RecipientState.SENDING, None, None)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b"[1, 2]", 400),
        (b'{"refId": "r1", "resultCode": 1001}', 422),  # no id
        (b'{"id": "", "resultCode": 1001}', 422),
        (b'{"id": "abc", "resultCode": "delivered"}', 422),
        (b'{"id": "abc", "resultCode": true}', 422),
        (b'{"id": 17, "resultCode": 1001}', 422),
        (b"\xff\xfe", 400),
    ],
)
def test_a_malformed_report_is_a_4xx_and_changes_nothing(
    hooks: ApiHarness, body: bytes, status: int
) -> None:
    row = _sending_row(hooks)
    response = hooks.client.post(
        DLR_PATH,
        content=body,
        headers={
            "Authorization": basic(GATE_USERNAME, GATE_PASSWORD),
            "content-type": "application/json",
        },
    )
    assert response.status_code == status, response.text
    assert _state(hooks, row.id) == (RecipientState.SENDING, None, None)


def test_a_report_for_no_row_is_acknowledged(hooks: ApiHarness, fake: FakeLinkMobility) -> None:
    payload = {"id": "nobody", "refId": "r999999", "resultCode": 1001}
    assert fake.send_report(DLR_PATH, payload, client=hooks.client).status_code == 200


# Inbound SMS -----------------------------------------------------------------------------------


def test_a_reply_counts_and_is_answered_through_the_outbox(
    hooks: ApiHarness, fake: FakeLinkMobility
) -> None:
    callout = sent_callout(hooks.session, "Flom Leirsund", sent_minutes_ago=5)
    hooks.session.commit()
    response = fake.send_mo(MO_PATH, from_=KARI, body="ja 20", client=hooks.client, message_id="m1")
    assert response.status_code == 200, response.text
    hooks.session.expire_all()
    row = hooks.session.scalars(
        select(CalloutRecipient).where(CalloutRecipient.mobile == KARI)
    ).one()
    assert (row.answer, row.minutes_to_arrival) == (Answer.YES, 20)
    logged = hooks.session.scalars(select(InboundSms)).one()
    assert logged.outcome is InboundOutcome.ANSWERED and logged.message_sid == "link:m1"
    answer = hooks.session.scalars(select(OutgoingMessage)).one()
    assert (answer.channel, answer.to, answer.state) == (
        MessageChannel.SMS,
        KARI,
        RecipientState.QUEUED,
    )
    assert answer.body == logged.reply and f"{callout.code} Flom Leirsund" in answer.body
    # LINK delivers again when unsure: logged and answered once.
    again = fake.send_mo(MO_PATH, from_=KARI, body="ja 20", client=hooks.client, message_id="m1")
    assert again.status_code == 200
    assert (_count(hooks, InboundSms), _count(hooks, OutgoingMessage)) == (1, 1)


def test_stop_withdraws_consent_as_through_twilio(
    hooks: ApiHarness, fake: FakeLinkMobility
) -> None:
    response = fake.send_mo(MO_PATH, from_=KARI, body="STOPP", client=hooks.client)
    assert response.status_code == 200
    hooks.session.expire_all()
    volunteer = hooks.session.scalars(select(Volunteer).where(Volunteer.mobile == KARI)).one()
    assert volunteer.sms_consent is False
    assert hooks.session.scalars(select(InboundSms)).one().outcome is InboundOutcome.OPTED_OUT
    back = fake.send_mo(MO_PATH, from_=KARI, body="START", client=hooks.client)
    assert back.status_code == 200
    hooks.session.expire_all()
    assert hooks.session.get(Volunteer, volunteer.id).sms_consent is True


def test_the_newer_mo_format_with_content_is_read(
    hooks: ApiHarness, fake: FakeLinkMobility
) -> None:
    response = hooks.client.post(
        MO_PATH,
        json={
            "source": KARI,
            "destination": TEST_SOURCE,
            "messageId": "m-content",
            "content": {"type": "TEXT", "userData": "HJELP", "encoding": "TEXT"},
        },
        headers={"Authorization": basic(GATE_USERNAME, GATE_PASSWORD)},
    )
    assert response.status_code == 200, response.text
    assert hooks.session.scalars(select(InboundSms)).one().outcome is InboundOutcome.HELP


@pytest.mark.parametrize("case", sorted(BAD_CREDENTIALS))
def test_an_sms_without_the_gates_credentials_is_refused_and_changes_nothing(
    hooks: ApiHarness, fake: FakeLinkMobility, case: str
) -> None:
    sent_callout(hooks.session, "Flom", sent_minutes_ago=5)
    hooks.session.commit()
    response = fake.send_mo(
        MO_PATH, from_=KARI, body="STOPP", authorization=BAD_CREDENTIALS[case], client=hooks.client
    )
    assert response.status_code == 403
    hooks.session.expire_all()
    assert (_count(hooks, InboundSms), _count(hooks, OutgoingMessage)) == (0, 0)
    volunteer = hooks.session.scalars(select(Volunteer).where(Volunteer.mobile == KARI)).one()
    assert volunteer.sms_consent is True


@pytest.mark.parametrize(
    "payload",
    [
        {"messageId": "m2", "userData": "JA"},  # no sender
        {"source": KARI, "userData": "JA"},  # no id
        {"source": KARI, "messageId": "m3"},  # no text
        {"source": KARI, "messageId": "m4", "userData": 5},
        {"source": ["x"], "messageId": "m5", "userData": "JA"},
    ],
)
def test_a_malformed_sms_is_422_and_changes_nothing(
    hooks: ApiHarness, payload: dict[str, object]
) -> None:
    response = hooks.client.post(
        MO_PATH, json=payload, headers={"Authorization": basic(GATE_USERNAME, GATE_PASSWORD)}
    )
    assert response.status_code == 422, response.text
    assert _count(hooks, InboundSms) == 0


def test_too_large_a_body_is_413(hooks: ApiHarness) -> None:
    response = hooks.client.post(
        MO_PATH,
        content=b"{" + b" " * 70_000 + b"}",
        headers={
            "Authorization": basic(GATE_USERNAME, GATE_PASSWORD),
            "content-type": "application/json",
        },
    )
    assert response.status_code == 413


def test_without_link_settings_both_webhooks_refuse_everything(api: ApiHarness) -> None:
    auth = {"Authorization": basic(GATE_USERNAME, GATE_PASSWORD)}
    report = api.client.post(DLR_PATH, json={"id": "a", "resultCode": 1001}, headers=auth)
    sms = api.client.post(
        MO_PATH, json={"source": KARI, "messageId": "m", "userData": "JA"}, headers=auth
    )
    assert (report.status_code, sms.status_code) == (403, 403)
    assert _count(api, InboundSms) == 0


def test_the_callout_page_says_which_provider_carried_each_message(
    hooks: ApiHarness, fake: FakeLinkMobility
) -> None:
    from beredskap.platform.auth.models import Role

    add_volunteer(hooks.session, "+447700900302", "Ola Nordmann")
    row = _sending_row(hooks)
    payload = fake.report_payload(_message(row), 1001)
    assert fake.send_report(DLR_PATH, payload, client=hooks.client).status_code == 200
    others = [other for other in row.callout.recipients if other.id != row.id]
    others[0].provider, others[0].state = "twilio", RecipientState.SENT
    hooks.session.commit()
    page = hooks.get(Role.DUTY_OFFICER, f"/callouts/{row.callout_id}")
    assert page.status_code == 200, page.text
    assert page.text.count("via LINK Mobility") == 1
    assert page.text.count("via Twilio") == 1
