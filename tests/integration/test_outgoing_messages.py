"""Messages outside a callout (exercise reminders) through the outbox, on both backends:
queued once per dedupe key, SMS through the worker to the fake Twilio (receipts find them by
reference), e-mail to a real SMTP server (aiosmtpd) with 5xx refused for good and 4xx tried
again later."""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.gateway.email_gateway import (
    LocalEmailGateway,
    SmtpConfig,
    SmtpEmailGateway,
    SmtpSecurity,
)
from alerts.gateway.twilio_gateway import RetryPolicy as TwilioRetry
from alerts.gateway.twilio_gateway import TwilioConfig, TwilioGateway
from alerts.inbound.receipts import ReceiptOutcome, apply_receipt
from alerts.models import MessageChannel, OutgoingMessage, RecipientState
from alerts.outbox import claims as outbox_claims
from alerts.outbox.messages import queue_message
from alerts.outbox.recording import RetryPolicy
from alerts.outbox.worker import SmsWorker, WorkerConfig
from beredskap.platform.columns import utcnow
from beredskap.platform.errors import DomainValidationError
from beredskap.register.volunteers.models import Volunteer
from tests.support.fake_twilio import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_FROM, FakeTwilio

REFUSED_FOR_GOOD = "ingen@example.no"
REFUSED_FOR_NOW = "fullt@example.no"


@pytest.fixture
def sessions(session: Session) -> sessionmaker[Session]:
    """Sessions on the test's connection: each commit is a savepoint, all rolled back after."""
    return sessionmaker(
        bind=session.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@dataclass
class Mailbox:
    """An aiosmtpd handler: keeps what it accepts; refuses two addresses as a server would."""

    received: list[Any] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address == REFUSED_FOR_GOOD:
            return "550 5.1.1 No such mailbox"
        if address == REFUSED_FOR_NOW:
            return "451 4.2.2 Mailbox full, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 Message accepted"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, SmtpEmailGateway]]:
    handler = Mailbox()
    with socket.socket() as probe:  # a free port: the controller checks it by connecting
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        gateway = SmtpEmailGateway(
            SmtpConfig(
                host="127.0.0.1",
                port=port,
                from_address="beredskap@lillestrom.kommune.no",
                security=SmtpSecurity.NONE,
                timeout_s=5,
            )
        )
        yield handler, gateway
    finally:
        controller.stop()


def _worker(sessions: sessionmaker[Session], sms: object, email: object = None) -> SmsWorker:
    config = WorkerConfig(
        concurrency=4,
        lease=timedelta(seconds=60),
        idle_poll_s=0.01,
        housekeeping_every_s=0.0,
        policy=RetryPolicy(max_attempts=3, base_delay_s=10, max_delay_s=10),
    )
    return SmsWorker(
        sessions,
        sms,  # type: ignore[arg-type]
        config,
        rng=random.Random(1),
        email_gateway=email,  # type: ignore[arg-type]
    )


def _rows(session: Session) -> dict[str, OutgoingMessage]:
    session.expire_all()
    return {row.to: row for row in session.scalars(select(OutgoingMessage))}


def test_a_dedupe_key_is_queued_once_and_bad_input_is_refused(session: Session) -> None:
    first = queue_message(
        session, channel="sms", to="+4791234567", body="Påminnelse", dedupe_key="k:1"
    )
    again = queue_message(
        session, channel="sms", to="+4791234567", body="Påminnelse", dedupe_key="k:1"
    )
    assert isinstance(first, int)
    assert again is None
    assert len(session.scalars(select(OutgoingMessage)).all()) == 1
    with pytest.raises(DomainValidationError) as refused:
        queue_message(session, channel="sms", to="91234567", body="x", dedupe_key="k:2")
    assert refused.value.field == "to"
    with pytest.raises(DomainValidationError) as no_subject:
        queue_message(session, channel="email", to="a@example.no", body="x", dedupe_key="k:3")
    assert no_subject.value.field == "subject"
    with pytest.raises(DomainValidationError):
        queue_message(
            session, channel="email", to="not an address", subject="s", body="x", dedupe_key="k:4"
        )


def test_sms_messages_go_through_the_worker_to_twilio_and_receipts_find_them(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    numbers = ["+4791000001", "+4791000002"]
    for index, number in enumerate(numbers):
        queue_message(
            session,
            channel=MessageChannel.SMS,
            to=number,
            body=f"Påminnelse: øvelse {index}",
            dedupe_key=f"sms:{index}",
        )
    with FakeTwilio(auto_progress=False) as fake:
        gateway = TwilioGateway(
            TwilioConfig(
                account_sid=TEST_ACCOUNT_SID,
                auth_token=SecretStr(TEST_AUTH_TOKEN),
                from_number=TEST_FROM,
                api_base=fake.base_url,
                request_timeout_s=2,
                retry=TwilioRetry(max_attempts=2, base_delay_s=0.01, max_delay_s=0.05),
            )
        )
        _worker(sessions, gateway).run(once=True)
        accepted = {message.to: message for message in fake.accepted()}
    rows = _rows(session)
    assert sorted(accepted) == numbers
    for number in numbers:
        assert rows[number].state is RecipientState.SENT
        assert rows[number].provider_id == accepted[number].sid
        assert accepted[number].body == rows[number].body  # no marker, no callout code
    one = rows[numbers[0]]
    result = apply_receipt(
        session, message_sid=one.provider_id, message_status="delivered", reference=f"m{one.id}"
    )
    assert result.outcome is ReceiptOutcome.APPLIED
    assert result.reference == f"m{one.id}"
    by_sid = apply_receipt(
        session, message_sid=rows[numbers[1]].provider_id, message_status="delivered"
    )
    assert by_sid.outcome is ReceiptOutcome.APPLIED
    assert {row.state for row in _rows(session).values()} == {RecipientState.DELIVERED}


class NoSms:
    name = "none"
    longest_send_s = 1.0

    def send(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("an e-mail went to the SMS gateway")

    def find_sent(self, *args: object) -> list[object]:
        raise AssertionError("an e-mail was looked up at the SMS gateway")


def test_email_goes_to_the_smtp_server_5xx_fails_and_4xx_is_retried(
    session: Session,
    sessions: sessionmaker[Session],
    mailbox: tuple[Mailbox, SmtpEmailGateway],
) -> None:
    handler, gateway = mailbox
    for index, address in enumerate(["ola@example.no", REFUSED_FOR_GOOD, REFUSED_FOR_NOW]):
        queue_message(
            session,
            channel=MessageChannel.EMAIL,
            to=address,
            subject="Påminnelse: øvelse flom",
            body="Påminnelse: øvelse flom tirsdag 2. mars kl. 18.00.",
            dedupe_key=f"mail:{index}",
        )
    _worker(sessions, NoSms(), gateway).run(once=True)
    rows = _rows(session)

    delivered = rows["ola@example.no"]
    assert delivered.state is RecipientState.SENT
    assert len(handler.received) == 1
    recipients, message = handler.received[0]
    assert recipients == ["ola@example.no"]
    assert message["Subject"] == "Påminnelse: øvelse flom"
    assert message["Message-ID"] == delivered.provider_id  # the provider's id
    assert "tirsdag 2. mars" in message.get_content()

    refused = rows[REFUSED_FOR_GOOD]
    assert refused.state is RecipientState.FAILED
    assert refused.error_code == "550"
    assert REFUSED_FOR_GOOD not in (refused.error_reason or "")  # the address is masked

    later = rows[REFUSED_FOR_NOW]
    assert later.state is RecipientState.QUEUED  # tried again after the backoff
    assert later.next_attempt_at is not None
    assert later.attempts == 1
    assert later.error_code == "451"


def test_email_without_smtp_is_recorded_locally(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queue_message(
        session,
        channel="email",
        to="kari@example.no",
        subject="Påminnelse",
        body="Påminnelse: øvelse",
        dedupe_key="local:1",
    )
    _worker(sessions, NoSms(), LocalEmailGateway()).run(once=True)
    row = _rows(session)["kari@example.no"]
    assert row.state is RecipientState.DELIVERED
    assert (row.provider_id or "").startswith("<local.")


def test_an_unreachable_smtp_server_is_tried_again(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    queue_message(
        session, channel="email", to="per@example.no", subject="S", body="B", dedupe_key="down:1"
    )
    closed = SmtpEmailGateway(
        SmtpConfig(host="127.0.0.1", port=9, from_address="b@example.no", timeout_s=1)
    )
    _worker(sessions, NoSms(), closed).run(once=True)
    row = _rows(session)["per@example.no"]
    assert row.state is RecipientState.QUEUED
    assert "unreachable" in (row.error_reason or "")


def test_reminders_to_someone_who_withdrew_consent_are_cancelled_not_sent(
    session: Session,
) -> None:
    """By SMS and by e-mail: consent is checked when the message is sent."""
    withdrawn = Volunteer(
        full_name="Trakk seg", mobile="+4791234501", email="trakk@example.org", sms_consent=True
    )
    willing = Volunteer(
        full_name="Vil gjerne", mobile="+4791234502", email="vil@example.org", sms_consent=True
    )
    session.add_all([withdrawn, willing])
    session.flush()
    withdrawn.sms_consent = False
    session.flush()
    for person in (withdrawn, willing):
        queue_message(
            session,
            channel="sms",
            to=person.mobile,
            body="Øvelse i morgen",
            dedupe_key=f"s{person.id}",
        )
        queue_message(
            session,
            channel="email",
            to=str(person.email),
            subject="Øvelse",
            body="Øvelse i morgen",
            dedupe_key=f"e{person.id}",
        )
    claims = outbox_claims.claim_due(session, now=utcnow(), limit=10, worker="test")
    assert sorted(claim.to for claim in claims) == ["+4791234502", "vil@example.org"]
    session.expire_all()
    cancelled = session.scalars(
        select(OutgoingMessage).where(OutgoingMessage.state == RecipientState.CANCELLED)
    ).all()
    assert sorted(message.to for message in cancelled) == ["+4791234501", "trakk@example.org"]
    assert {message.error_code for message in cancelled} == {outbox_claims.CONSENT_WITHDRAWN}
