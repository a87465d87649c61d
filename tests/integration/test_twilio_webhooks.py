"""Twilio's webhooks through the real app on both backends: signatures checked against
BEREDSKAP_PUBLIC_URL (403 otherwise), TwiML answers, and delivery receipts applied in any
order."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import Engine, func, select
from twilio.request_validator import RequestValidator

from alerts.inbound.signature import status_callback_url
from alerts.models import (
    Answer,
    CalloutRecipient,
    InboundOutcome,
    InboundSms,
    RecipientState,
)
from alerts.outbox.references import reference_for
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.columns import today_in_norway
from beredskap.register.volunteers.models import Volunteer
from tests.support.api import ApiHarness, build_harness
from tests.support.fake_twilio import twilio_signature
from tests.support.sms import PUBLIC_URL, TWILIO, add_volunteer, sent_callout
from tests.support.sms import TWILIO_TOKEN as TOKEN

SMS_PATH = "/webhooks/twilio/sms"
STATUS_PATH = "/webhooks/twilio/status"
KARI = "+447700900301"
OLA = "+447700900302"
harness_with = contextmanager(build_harness)


@pytest.fixture
def hooks(engine: Engine) -> Iterator[ApiHarness]:
    with harness_with(engine, TWILIO) as api:
        add_volunteer(api.session, KARI, "Kari Nordmann")
        add_volunteer(api.session, OLA, "Ola Nordmann")
        api.session.commit()
        yield api


def _inbound(sid: str, body: str, sender: str = KARI) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": "AC" + "1" * 32,
        "From": sender,
        "To": "+4790000000",
        "Body": body,
        "NumMedia": "0",
    }


def _post(
    api: ApiHarness,
    path: str,
    params: dict[str, str],
    *,
    query: str = "",
    signed_url: str | None = None,
    token: str = TOKEN,
    headers: dict[str, str] | None = None,
) -> Any:
    url = path + (f"?{query}" if query else "")
    signed = signed_url or PUBLIC_URL + url
    signature = RequestValidator(token).compute_signature(signed, params)
    return api.client.post(
        url,
        content=urlencode(params),
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        }
        | (headers or {}),
    )


def _count(api: ApiHarness, model: type) -> int:
    api.session.expire_all()
    return int(api.session.scalar(select(func.count()).select_from(model)) or 0)


# The SMS webhook -------------------------------------------------------------------------------


def test_a_signed_reply_is_recorded_and_answered_with_twiml(hooks: ApiHarness) -> None:
    callout = sent_callout(hooks.session, "Flom Leirsund", sent_minutes_ago=5)
    hooks.session.commit()
    response = _post(hooks, SMS_PATH, _inbound("SM" + "1" * 32, "ja 20"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    assert f"{callout.code} Flom Leirsund" in response.text and "20 min" in response.text
    hooks.session.expire_all()
    row = hooks.session.scalars(
        select(CalloutRecipient).where(CalloutRecipient.mobile == KARI)
    ).one()
    assert (row.answer, row.minutes_to_arrival) == (Answer.YES, 20)


def test_a_redelivered_webhook_is_answered_the_same_and_applied_once(hooks: ApiHarness) -> None:
    sent_callout(hooks.session, "Flom", sent_minutes_ago=5)
    hooks.session.commit()
    params = _inbound("SM" + "2" * 32, "JA")
    first = _post(hooks, SMS_PATH, params)
    again = _post(hooks, SMS_PATH, params)
    assert first.status_code == again.status_code == 200
    assert first.text == again.text
    assert _count(hooks, InboundSms) == 1


def test_the_library_and_the_fake_twilio_sign_alike(hooks: ApiHarness) -> None:
    params = _inbound("SM" + "3" * 32, "HJELP")
    signature = twilio_signature(TOKEN, PUBLIC_URL + SMS_PATH, params.items())
    response = hooks.client.post(SMS_PATH, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200 and "<Message>" in response.text
    logged = hooks.session.scalars(select(InboundSms)).one()
    assert logged.outcome is InboundOutcome.HELP


def test_unknown_numbers_and_gibberish_get_the_help_line_not_an_error(hooks: ApiHarness) -> None:
    for number, (sender, body) in enumerate(
        [("+4799999999", "JA"), (KARI, "blah"), ("", "JA"), ("x" * 500, "\x00" * 5)]
    ):
        response = _post(hooks, SMS_PATH, _inbound(f"SM{number:032d}", body, sender))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/xml")


@pytest.mark.parametrize(
    "case",
    ["unsigned", "other token", "signed for the request host", "altered body", "empty signature"],
)
def test_what_twilio_did_not_sign_for_our_public_url_is_refused(
    hooks: ApiHarness, case: str
) -> None:
    sent_callout(hooks.session, "Flom", sent_minutes_ago=5)
    hooks.session.commit()
    params = _inbound("SM" + "4" * 32, "JA")
    if case == "unsigned":
        response = hooks.client.post(SMS_PATH, data=params)
    elif case == "other token":
        response = _post(hooks, SMS_PATH, params, token="f" * 32)
    elif case == "signed for the request host":
        response = _post(hooks, SMS_PATH, params, signed_url="https://testserver" + SMS_PATH)
    elif case == "empty signature":
        response = hooks.client.post(SMS_PATH, data=params, headers={"X-Twilio-Signature": ""})
    else:
        signature = RequestValidator(TOKEN).compute_signature(PUBLIC_URL + SMS_PATH, params)
        response = hooks.client.post(
            SMS_PATH,
            data=params | {"Body": "NEI"},
            headers={"X-Twilio-Signature": signature},
        )
    assert response.status_code == 403, response.text
    assert _count(hooks, InboundSms) == 0


def test_host_and_forwarded_headers_cannot_move_the_signed_url(hooks: ApiHarness) -> None:
    params = _inbound("SM" + "5" * 32, "JA")
    attacker = "https://evil.example"
    refused = _post(
        hooks,
        SMS_PATH,
        params,
        signed_url=attacker + SMS_PATH,
        headers={
            "host": "evil.example",
            "x-forwarded-host": "evil.example",
            "x-forwarded-proto": "https",
        },
    )
    assert refused.status_code == 403
    # Twilio's own signature holds whatever Host a proxy hands us.
    accepted = _post(hooks, SMS_PATH, params, headers={"host": "internal:8000"})
    assert accepted.status_code == 200


def test_what_cannot_be_a_twilio_request_is_refused_without_an_error(hooks: ApiHarness) -> None:
    signature = {"X-Twilio-Signature": "abc"}
    as_json = hooks.client.post(SMS_PATH, json={"From": KARI}, headers=signature)
    assert as_json.status_code == 403
    huge = hooks.client.post(
        SMS_PATH, data={"Body": "x" * 100_000}, headers=signature | {"content-length": "100020"}
    )
    assert huge.status_code == 413
    broken = hooks.client.post(
        SMS_PATH,
        content=b"\xff\xfe=%%%",
        headers=signature | {"content-type": "application/x-www-form-urlencoded"},
    )
    assert broken.status_code == 403
    assert hooks.client.get(SMS_PATH).status_code == 405


def test_without_twilio_settings_both_webhooks_refuse_everything(api: ApiHarness) -> None:
    params = _inbound("SM" + "6" * 32, "JA")
    for path in (SMS_PATH, STATUS_PATH):
        response = _post(api, path, params)
        assert response.status_code == 403, response.text
    assert _count(api, InboundSms) == 0


# Delivery receipts ---------------------------------------------------------------------------


def _receipt(
    api: ApiHarness, row: CalloutRecipient | None, status: str, sid: str, **extra: str
) -> Any:
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "1" * 32} | extra
    url = status_callback_url(PUBLIC_URL, STATUS_PATH, reference_for(row) if row else None)
    query = url.partition("?")[2]
    return _post(api, STATUS_PATH, params, query=query)


def _row(api: ApiHarness, mobile: str = KARI) -> CalloutRecipient:
    api.session.expire_all()
    return api.session.scalars(
        select(CalloutRecipient).where(CalloutRecipient.mobile == mobile)
    ).one()


def test_receipts_move_a_message_forward_never_back(hooks: ApiHarness) -> None:
    sent_callout(hooks.session, "Flom", sent_minutes_ago=5, state=RecipientState.SENT)
    row = _row(hooks)
    row.provider_id = sid = "SM" + "7" * 32
    hooks.session.commit()
    assert _receipt(hooks, row, "delivered", sid).status_code == 204
    delivered = _row(hooks)
    assert delivered.state is RecipientState.DELIVERED and delivered.delivered_at is not None
    # Late and out of order: "sent" and "queued" after "delivered", then a failure.
    for status in ("sent", "queued", "undelivered", "failed"):
        assert _receipt(hooks, row, status, sid, ErrorCode="30003").status_code == 204
    after = _row(hooks)
    assert after.state is RecipientState.DELIVERED and after.error_code is None


def test_a_failure_receipt_records_the_reason(hooks: ApiHarness) -> None:
    sent_callout(hooks.session, "Flom", sent_minutes_ago=5, state=RecipientState.SENT)
    row = _row(hooks)
    row.provider_id = sid = "SM" + "8" * 32
    hooks.session.commit()
    _receipt(hooks, row, "undelivered", sid, ErrorCode="30003")
    failed = _row(hooks)
    assert failed.state is RecipientState.FAILED and failed.error_code == "30003"
    assert failed.error_reason == "unreachable handset (off or out of coverage)"
    _receipt(hooks, row, "delivered", sid)  # a failure is final too
    assert _row(hooks).state is RecipientState.FAILED
    # Unreachable (switched off) says nothing about the number: nobody is flagged.
    assert _volunteer(hooks, KARI).contact_failed_on is None


@pytest.mark.parametrize("code", ["30005", "30006"])
def test_a_receipt_saying_the_number_reaches_no_mobile_flags_its_volunteer(
    hooks: ApiHarness, code: str
) -> None:
    sent_callout(hooks.session, "Flom", sent_minutes_ago=5, state=RecipientState.SENT)
    row = _row(hooks)
    row.provider_id = sid = "SM" + "d" * 32
    hooks.session.commit()
    assert _receipt(hooks, row, "undelivered", sid, ErrorCode=code).status_code == 204
    assert _row(hooks).state is RecipientState.FAILED
    assert _volunteer(hooks, KARI).contact_failed_on == today_in_norway()
    assert _volunteer(hooks, OLA).contact_failed_on is None
    # Recorded in the audit trail, as the worker's flags are.
    hooks.session.expire_all()
    entry = hooks.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "volunteers",
            AuditEntry.entity_id == str(_volunteer(hooks, KARI).id),
            AuditEntry.action == "update",
        )
    ).all()
    assert entry and "contact_failed_on" in (entry[-1].after or {})


def _volunteer(api: ApiHarness, mobile: str) -> Volunteer:
    api.session.expire_all()
    return api.session.scalars(select(Volunteer).where(Volunteer.mobile == mobile)).one()


def test_a_receipt_for_a_message_still_sending_records_it_as_sent(hooks: ApiHarness) -> None:
    # The worker died between Twilio's answer and its commit: the receipt finds the row by
    # the reference in the callback URL and gives it Twilio's SID, so it is never resent.
    sent_callout(hooks.session, "Flom", sent_minutes_ago=5, state=RecipientState.SENDING)
    row = _row(hooks)
    hooks.session.commit()
    sid = "SM" + "9" * 32
    assert _receipt(hooks, row, "queued", sid).status_code == 204
    recorded = _row(hooks)
    assert recorded.state is RecipientState.SENT and recorded.provider_id == sid
    assert recorded.sent_at is not None


def test_a_receipt_without_a_reference_is_found_by_its_sid(hooks: ApiHarness) -> None:
    sent_callout(hooks.session, "Flom", sent_minutes_ago=5, state=RecipientState.SENT)
    row = _row(hooks, OLA)
    row.provider_id = sid = "SM" + "a" * 32
    hooks.session.commit()
    assert _receipt(hooks, None, "delivered", sid).status_code == 204
    assert _row(hooks, OLA).state is RecipientState.DELIVERED


@pytest.mark.parametrize(
    ("query", "sid", "status"),
    [
        ("ref=r987654", "SM" + "b" * 32, "delivered"),
        ("ref=x1", "SM" + "b" * 32, "delivered"),
        ("", "SMunknown", "delivered"),
        ("", "", ""),
        ("ref=r1", "SM" + "c" * 32, "no-such-status"),
    ],
)
def test_receipts_for_nothing_we_know_are_accepted_and_change_nothing(
    hooks: ApiHarness, query: str, sid: str, status: str
) -> None:
    response = _post(hooks, STATUS_PATH, {"MessageSid": sid, "MessageStatus": status}, query=query)
    assert response.status_code == 204 and response.content == b""


def test_a_receipt_naming_another_messages_sid_is_ignored(hooks: ApiHarness) -> None:
    sent_callout(hooks.session, "Flom", sent_minutes_ago=5, state=RecipientState.SENT)
    row = _row(hooks)
    row.provider_id = "SM" + "d" * 32
    hooks.session.commit()
    assert _receipt(hooks, row, "failed", "SM" + "e" * 32).status_code == 204
    assert _row(hooks).state is RecipientState.SENT


def test_a_receipt_signed_without_its_reference_cannot_be_redirected(hooks: ApiHarness) -> None:
    sent_callout(hooks.session, "Flom", sent_minutes_ago=5, state=RecipientState.SENT)
    row = _row(hooks)
    hooks.session.commit()
    params = {"MessageSid": "SM" + "f" * 32, "MessageStatus": "failed"}
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC_URL + STATUS_PATH, params)
    response = hooks.client.post(
        f"{STATUS_PATH}?ref={reference_for(row)}",
        data=params,
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 403
    assert _row(hooks).state is RecipientState.SENT
