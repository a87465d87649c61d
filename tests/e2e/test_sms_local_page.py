"""/sms/local over HTTP on both backends: the local gateway's messages, the replies, and a
simulated reply that goes through the same code as Twilio's webhook."""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from alerts.models import Answer, CalloutRecipient, InboundSms, LocalSms
from beredskap.main.settings import Settings
from beredskap.platform.auth.models import Role
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness, build_harness
from tests.support.sms import NOW, add_volunteer, sent_callout

KARI = "+447700900301"
OLA = "+447700900302"
harness_with = contextmanager(build_harness)


@pytest.fixture
def local(api: ApiHarness) -> ApiHarness:
    add_volunteer(api.session, KARI, "Kari Nordmann")
    add_volunteer(api.session, OLA, "Ola Nordmann")
    callout = sent_callout(api.session, "Flom Leirsund", sent_minutes_ago=5)
    for number, recipient in enumerate(callout.recipients):
        api.session.add(
            LocalSms(
                provider_id=f"LM{number:032x}",
                reference=f"r{recipient.id}",
                to=recipient.mobile,
                body=f"Flom. Oppmøte stasjonen.\nSvar {callout.code} JA",
                status="delivered",
                created_at=NOW + timedelta(seconds=number),
            )
        )
    api.session.commit()
    return api


def _count(api: ApiHarness, model: type) -> int:
    api.session.expire_all()
    return int(api.session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_duty_officer_sees_the_messages_newest_first_with_a_reply_form(
    local: ApiHarness,
) -> None:
    client = logged_in(local, ROLE_EMAILS[Role.DUTY_OFFICER])
    page = client.get("/sms/local")
    assert page.status_code == 200, page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert "Lokale SMS" in page.text and "Simuler svar" in page.text
    assert page.text.index(OLA) < page.text.index(KARI)  # Ola's message is newer
    assert page.text.count('value="JA 15"') == 2
    assert "Ingen svar ennå." in page.text


@pytest.mark.parametrize("role", [Role.ORG_EDITOR, Role.PLANNER, Role.COUNCIL])
def test_only_the_callout_roles_see_the_page(local: ApiHarness, role: Role) -> None:
    client = logged_in(local, ROLE_EMAILS[role])
    assert client.get("/sms/local").status_code == 403
    token = form_token(client.get("/").text)
    refused = client.post(
        "/sms/local/reply",
        data={"csrf_token": token, "to": KARI, "text": "JA"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert _count(local, InboundSms) == 0


def test_a_simulated_reply_is_applied_and_our_answer_shown(local: ApiHarness) -> None:
    client = logged_in(local, ROLE_EMAILS[Role.DUTY_OFFICER])
    token = form_token(client.get("/sms/local").text)
    response = client.post(
        "/sms/local/reply",
        data={"csrf_token": token, "to": KARI, "text": "JA 15"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/sms/local?answered=")
    page = client.get(response.headers["location"])
    assert "Vårt svar til +447700900301" in page.text
    stored = local.session.scalars(select(InboundSms.reply)).one()
    assert stored and "Flom Leirsund" in stored and html.escape(stored) in page.text
    assert "Svar registrert" in page.text  # the log's outcome
    local.session.expire_all()
    row = local.session.scalars(
        select(CalloutRecipient).where(CalloutRecipient.mobile == KARI)
    ).one()
    assert (row.answer, row.minutes_to_arrival) == (Answer.YES, 15)
    english = logged_in(local, ROLE_EMAILS[Role.DUTY_OFFICER], language="en")
    assert "Answer recorded" in english.get("/sms/local").text


@pytest.mark.parametrize(
    ("to", "text"),
    [
        ("+4799999999", "JA"),  # no local message went there
        ("", "JA"),
        (KARI, "   "),
        (KARI, "x" * 1601),
        (KARI, "JA\x01"),
        ("\x00", "JA"),
    ],
)
def test_bad_input_is_shown_again_and_changes_nothing(
    local: ApiHarness, to: str, text: str
) -> None:
    client = logged_in(local, ROLE_EMAILS[Role.ADMIN])
    token = form_token(client.get("/sms/local").text)
    response = client.post(
        "/sms/local/reply",
        data={"csrf_token": token, "to": to, "text": text},
        follow_redirects=False,
    )
    assert response.status_code == 422, response.text
    assert "Svaret ble ikke simulert" in response.text
    assert _count(local, InboundSms) == 0


def test_a_simulated_reply_needs_the_forms_token(local: ApiHarness) -> None:
    client = logged_in(local, ROLE_EMAILS[Role.DUTY_OFFICER])
    response = client.post(
        "/sms/local/reply", data={"to": KARI, "text": "JA"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert _count(local, InboundSms) == 0


@pytest.fixture
def with_twilio(engine: Engine) -> Iterator[ApiHarness]:
    settings = Settings(
        twilio_account_sid="AC" + "1" * 32,
        twilio_auth_token="0123456789abcdef0123456789abcdef",
        twilio_from="+4790000000",
        public_url="https://beredskap.example.no",
    )
    with harness_with(engine, settings) as api:
        yield api


def test_with_twilio_the_page_says_so_and_nothing_can_be_simulated(
    with_twilio: ApiHarness,
) -> None:
    with_twilio.session.add(
        LocalSms(
            provider_id="LM" + "0" * 32,
            reference="r1",
            to=KARI,
            body="old",
            status="delivered",
            created_at=NOW,
        )
    )
    with_twilio.session.commit()
    client = logged_in(with_twilio, ROLE_EMAILS[Role.DUTY_OFFICER])
    page = client.get("/sms/local")
    assert page.status_code == 200 and "SMS går gjennom Twilio" in page.text
    assert KARI not in page.text
    token = form_token(page.text)
    refused = client.post(
        "/sms/local/reply",
        data={"csrf_token": token, "to": KARI, "text": "JA"},
        follow_redirects=False,
    )
    assert refused.status_code == 404
    assert _count(with_twilio, InboundSms) == 0
