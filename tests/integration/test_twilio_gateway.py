"""The Twilio gateway with the real twilio library, over real HTTP, against our fake Twilio.

No database: these run once. The fake (tests/support/fake_twilio.py) answers as Twilio does,
fails on demand and sends signed delivery receipts to a live app that checks them.
"""

from __future__ import annotations

import logging
import random
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import trustme
import uvicorn
from fastapi import Depends, FastAPI
from pydantic import SecretStr
from starlette.datastructures import FormData
from twilio.base.exceptions import TwilioException, TwilioServiceException
from urllib3.exceptions import (
    ConnectTimeoutError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from alerts.gateway.port import (
    FailureKind,
    GatewayUnavailableError,
    MessageStatus,
    SendAccepted,
    SendFailed,
    SmsGateway,
)
from alerts.gateway.twilio_gateway import (
    RetryPolicy,
    TwilioConfig,
    TwilioGateway,
    _classify_exception,
)
from alerts.gateway.twilio_http import RelayingHttpClient
from alerts.inbound.signature import (
    REFERENCE_PARAMETER,
    TwilioSignatureVerifier,
    TwilioWebhookGuard,
    status_callback_url,
)
from tests.support.fake_twilio import (
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    TEST_FROM,
    FakeTwilio,
    Fault,
    FaultPlan,
)

TO = "+4791234567"
SERVICE_SID = "MG" + "0" * 32
FAST_RETRIES = RetryPolicy(max_attempts=5, base_delay_s=0.01, max_delay_s=0.05, max_total_s=30)
SM_SID = re.compile(r"SM[0-9a-f]{32}")
STATUS_PATH = "/webhooks/twilio/status"


@pytest.fixture
def start_fake() -> Iterator[Callable[..., FakeTwilio]]:
    """Starts fakes with the given settings; stops them after the test."""
    started: list[FakeTwilio] = []

    def start(**settings: object) -> FakeTwilio:
        server = FakeTwilio(
            **{
                "invalid_numbers": frozenset({"+4790000001"}),
                "unsubscribed_numbers": frozenset({"+4790000002"}),
                "landline_numbers": frozenset({"+4722000003"}),
                "stall_s": 2.0,
                **settings,
            }
        ).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def fake(start_fake: Callable[..., FakeTwilio]) -> FakeTwilio:
    return start_fake()


def _config(fake: FakeTwilio, **changes: object) -> TwilioConfig:
    config = TwilioConfig(
        account_sid=TEST_ACCOUNT_SID,
        auth_token=SecretStr(TEST_AUTH_TOKEN),
        from_number=TEST_FROM,
        api_base=fake.base_url,
        request_timeout_s=0.5,
        retry=FAST_RETRIES,
    )
    return replace(config, **changes)


@pytest.fixture
def gateway(fake: FakeTwilio) -> Iterator[TwilioGateway]:
    twilio = TwilioGateway(_config(fake), rng=random.Random(7))
    yield twilio
    twilio.close()


def _numbers(count: int) -> list[str]:
    return [f"+4791{index:06d}" for index in range(count)]


# --- the wire format ---------------------------------------------------------------------------


def test_a_message_goes_out_as_twilio_expects_it(fake: FakeTwilio, gateway: TwilioGateway) -> None:
    assert isinstance(gateway, SmsGateway)
    callback = "https://beredskap.example.no/webhooks/twilio/status?ref=r1"
    result = gateway.send(
        TO, "Oppmøte ved brannstasjonen", reference="r1", status_callback_url=callback
    )
    assert isinstance(result, SendAccepted)
    assert SM_SID.fullmatch(result.provider_id)
    assert (result.status, result.attempts, result.reconciled) == (MessageStatus.QUEUED, 1, False)
    [message] = fake.accepted()
    assert message.sid == result.provider_id
    assert (message.to, message.from_, message.body) == (
        TO,
        TEST_FROM,
        "Oppmøte ved brannstasjonen",
    )
    assert message.status_callback == callback
    assert message.validity_period == 3600  # the default: a callout is never delivered stale
    gateway.send(TO, "kort gyldighet", reference="r2", validity_period_s=600)
    assert fake.accepted()[1].validity_period == 600


def test_a_messaging_service_can_be_the_sender(fake: FakeTwilio) -> None:
    gateway = TwilioGateway(_config(fake, from_number=None, messaging_service_sid=SERVICE_SID))
    result = gateway.send(TO, "hei", reference="r1")
    assert isinstance(result, SendAccepted) and result.status is MessageStatus.ACCEPTED
    [message] = fake.accepted()
    assert (message.from_, message.messaging_service_sid) == (None, SERVICE_SID)


def test_wrong_credentials_are_a_configuration_error_and_not_retried(fake: FakeTwilio) -> None:
    gateway = TwilioGateway(_config(fake, auth_token=SecretStr("wrong")))
    result = gateway.send(TO, "hei", reference="r1")
    assert isinstance(result, SendFailed)
    assert (result.kind, result.code, result.http_status) == (FailureKind.CONFIGURATION, 20003, 401)
    assert result.attempts == 1 and len(fake.requests) == 1 and not fake.accepted()


@pytest.mark.parametrize(
    "number, code",
    [("+4790000001", 21211), ("+4790000002", 21610), ("+4722000003", 21614)],
)
def test_permanent_errors_are_returned_at_once_with_the_reason(
    fake: FakeTwilio, gateway: TwilioGateway, number: str, code: int
) -> None:
    result = gateway.send(number, "hei", reference="r1")
    assert isinstance(result, SendFailed)
    assert (result.kind, result.code, result.http_status, result.attempts) == (
        FailureKind.PERMANENT,
        code,
        400,
        1,
    )
    assert str(code) in result.reason and number not in result.reason
    assert len(fake.requests) == 1 and not fake.accepted()


def test_requests_that_cannot_succeed_are_refused_without_asking(
    fake: FakeTwilio, gateway: TwilioGateway
) -> None:
    for to, body, validity in [
        ("91234567", "hei", None),
        (TO, "  ", None),
        (TO, "x" * 1601, None),
        (TO, "hei", 0),
        (TO, "hei", 36001),
    ]:
        result = gateway.send(to, body, reference="r", validity_period_s=validity)
        assert isinstance(result, SendFailed) and result.kind is FailureKind.PERMANENT
    assert not fake.requests


def test_fictional_numbers_reach_a_test_gateway_but_never_the_real_twilio(
    fake: FakeTwilio, gateway: TwilioGateway
) -> None:
    assert isinstance(gateway.send("+4700123456", "hei", reference="r"), SendAccepted)
    real = TwilioGateway(replace(_config(fake), api_base="https://api.twilio.com"))
    for fictional in ("+4700123456", "+447700900123"):
        result = real.send(fictional, "hei", reference="r")
        assert isinstance(result, SendFailed) and result.kind is FailureKind.PERMANENT


# --- retries, and never twice ------------------------------------------------------------------


@pytest.mark.parametrize(
    "faults",
    [
        [Fault.RATE_LIMIT],
        [Fault.SERVER_ERROR, Fault.SERVICE_UNAVAILABLE],
        [Fault.RATE_LIMIT, Fault.RATE_LIMIT, Fault.RATE_LIMIT, Fault.RATE_LIMIT],
        [Fault.TIMEOUT],  # stalled before acting: the list shows nothing, so send again
    ],
)
def test_transient_failures_are_retried_until_the_message_is_taken_once(
    fake: FakeTwilio, gateway: TwilioGateway, faults: list[Fault]
) -> None:
    fake.script(*faults)
    result = gateway.send(TO, "hei", reference="r1")
    assert isinstance(result, SendAccepted)
    assert (result.attempts, result.reconciled) == (len(faults) + 1, False)
    assert len(fake.messages_to(TO)) == 1


@pytest.mark.parametrize("fault", [Fault.TIMEOUT_AFTER_ACCEPT, Fault.DISCONNECT_AFTER_ACCEPT])
def test_a_message_taken_before_the_answer_was_lost_is_found_not_sent_again(
    fake: FakeTwilio, gateway: TwilioGateway, fault: Fault
) -> None:
    fake.script(fault)
    result = gateway.send(TO, "hei", reference="r1")
    assert isinstance(result, SendAccepted)
    assert result.reconciled and result.attempts == 1
    [message] = fake.messages_to(TO)
    assert message.sid == result.provider_id
    assert [r.fault for r in fake.requests if r.method == "POST"] == [fault]


def test_429s_to_the_end_leave_a_transient_failure_and_nothing_sent(
    fake: FakeTwilio, gateway: TwilioGateway
) -> None:
    fake.script(*[Fault.RATE_LIMIT] * 10)
    result = gateway.send(TO, "hei", reference="r1")
    assert isinstance(result, SendFailed)
    assert (result.kind, result.code, result.attempts) == (FailureKind.TRANSIENT, 20429, 5)
    assert result.may_retry_later and not fake.accepted()


def test_when_twilio_cannot_say_whether_it_took_the_message_the_answer_is_unknown(
    start_fake: Callable[..., FakeTwilio],
) -> None:
    fake = start_fake(faults=FaultPlan(methods=frozenset({"POST", "GET"})), stall_s=0.7)
    gateway = TwilioGateway(_config(fake))
    # The POST is taken but its answer lost; every list request after it fails.
    fake.script(Fault.TIMEOUT_AFTER_ACCEPT, *[Fault.SERVER_ERROR] * 40)
    result = gateway.send(TO, "hei", reference="r1")
    assert isinstance(result, SendFailed) and result.kind is FailureKind.UNKNOWN
    assert not result.may_retry_later and len(fake.messages_to(TO)) == 1
    # Once Twilio answers again, reconciliation finds it.
    fake.set_faults(None)
    [found] = gateway.find_sent(TO, datetime.now(UTC) - timedelta(minutes=1))
    assert [found.provider_id] == [m.sid for m in fake.messages_to(TO)]


def test_backoff_has_full_jitter_and_bounded_attempts_and_time(fake: FakeTwilio) -> None:
    pauses: list[float] = []
    policy = RetryPolicy(max_attempts=8, base_delay_s=0.5, max_delay_s=2.0, max_total_s=4.0)
    gateway = TwilioGateway(
        _config(fake, retry=policy),
        rng=random.Random(1),
        sleep=pauses.append,  # time passes only as the gateway pauses
        monotonic=lambda: sum(pauses),
    )
    fake.script(*[Fault.RATE_LIMIT] * 20)
    result = gateway.send(TO, "hei", reference="r1")
    assert isinstance(result, SendFailed) and result.kind is FailureKind.TRANSIENT
    assert result.attempts == len(pauses) + 1 <= policy.max_attempts
    for retry, pause in enumerate(pauses):
        assert 0 <= pause <= min(policy.max_delay_s, policy.base_delay_s * 2**retry)
    assert len(set(pauses)) == len(pauses)  # jittered, not a fixed schedule
    assert sum(pauses) <= policy.max_total_s
    assert result.attempts < policy.max_attempts  # the time ran out first


def test_random_faults_under_concurrency_still_give_everyone_exactly_one_message(
    start_fake: Callable[..., FakeTwilio],
) -> None:
    fake = start_fake(
        stall_s=0.6,
        faults=FaultPlan(
            share_429=0.1,
            share_500=0.1,
            share_timeout=0.04,
            share_timeout_after_accept=0.04,
            seed=42,
        ),
    )
    policy = RetryPolicy(max_attempts=12, base_delay_s=0.01, max_delay_s=0.1, max_total_s=60)
    gateway = TwilioGateway(_config(fake, request_timeout_s=0.3, retry=policy))
    # At least one answer lost after Twilio took the message, whatever the draws.
    fake.script(Fault.TIMEOUT_AFTER_ACCEPT)
    numbers = _numbers(150)
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda n: gateway.send(n, f"hei {n[-4:]}", reference=n), numbers))
    assert all(isinstance(result, SendAccepted) for result in results)
    per_number = {number: len(fake.messages_to(number)) for number in numbers}
    assert set(per_number.values()) == {1}
    faults = {record.fault for record in fake.requests}
    assert {Fault.RATE_LIMIT, Fault.SERVER_ERROR} <= faults
    assert any(isinstance(r, SendAccepted) and r.reconciled for r in results)


def test_the_gateway_keeps_to_its_concurrency_cap(start_fake: Callable[..., FakeTwilio]) -> None:
    fake = start_fake(latency_s=0.05)
    gateway = TwilioGateway(_config(fake, max_concurrency=4, request_timeout_s=5.0))
    numbers = _numbers(40)
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda n: gateway.send(n, "hei", reference=n), numbers))
    assert all(isinstance(result, SendAccepted) for result in results)
    assert 2 <= fake.peak_concurrency <= 4


# --- reconciliation through the message list ------------------------------------------------


def test_find_sent_lists_what_twilio_took_for_a_number_since_a_time(
    start_fake: Callable[..., FakeTwilio],
) -> None:
    fake = start_fake(auto_progress=False)
    gateway = TwilioGateway(_config(fake))
    before = datetime.now(UTC) - timedelta(seconds=1)
    first = gateway.send(TO, "en", reference="r1")
    second = gateway.send(TO, "to", reference="r2")
    gateway.send("+4791111111", "annen mottaker", reference="r3")
    assert isinstance(first, SendAccepted) and isinstance(second, SendAccepted)
    # Still queued: no date sent, so only the list without a date filter shows them.
    found = gateway.find_sent(TO, before)
    assert {m.provider_id for m in found} == {first.provider_id, second.provider_id}
    assert all(m.status is MessageStatus.QUEUED and m.sent_at is None for m in found)
    fake.progress_all()
    found = gateway.find_sent(TO, before)
    assert [m.body for m in found] == ["to", "en"]  # newest first
    assert all(m.status is MessageStatus.DELIVERED and m.sent_at for m in found)
    assert gateway.find_sent(TO, datetime.now(UTC) + timedelta(minutes=5)) == []
    with pytest.raises(ValueError):
        gateway.find_sent(TO, datetime.now())


def test_find_sent_follows_twilios_pages(fake: FakeTwilio, gateway: TwilioGateway) -> None:
    for index in range(130):
        assert isinstance(gateway.send(TO, f"melding {index}", reference=str(index)), SendAccepted)
    deadline = time.monotonic() + 10
    while any(m.sent_at is None for m in fake.accepted()) and time.monotonic() < deadline:
        time.sleep(0.02)
    found = gateway.find_sent(TO, datetime.now(UTC) - timedelta(minutes=1))
    assert len(found) == 130
    pages = [r for r in fake.requests if r.method == "GET"]
    assert len(pages) == 3  # 100 + 30 with the date filter, 50 without


def test_find_sent_says_so_when_twilio_cannot_be_asked(
    start_fake: Callable[..., FakeTwilio],
) -> None:
    fake = start_fake(faults=FaultPlan(methods=frozenset({"GET"})))
    fake.script(*[Fault.SERVER_ERROR] * 50)
    gateway = TwilioGateway(_config(fake))
    with pytest.raises(GatewayUnavailableError):
        gateway.find_sent(TO, datetime.now(UTC))


# --- delivery receipts, signed, to a live webhook -------------------------------------------


@contextmanager
def _live_app(build: Callable[[str], FastAPI]) -> Iterator[str]:
    """Serve the app `build(public_url)` returns with uvicorn on a free loopback port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    public_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(build(public_url), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield public_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_delivery_receipts_arrive_signed_and_carry_our_reference() -> None:
    receipts: list[dict[str, str]] = []

    def build(public_url: str) -> FastAPI:
        app = FastAPI()
        verifier = TwilioSignatureVerifier(SecretStr(TEST_AUTH_TOKEN), public_url)

        @app.post(STATUS_PATH)
        async def receipt(form: FormData = Depends(TwilioWebhookGuard(verifier))) -> dict:
            receipts.append({key: str(value) for key, value in form.items()})
            return {}

        return app

    with (
        _live_app(build) as public_url,
        FakeTwilio(
            failed_numbers={"+4790000011": 30008},
            undelivered_numbers={"+4790000012": 30003},
        ) as fake,
    ):
        gateway = TwilioGateway(_config(fake))
        outcomes = {TO: "delivered", "+4790000011": "failed", "+4790000012": "undelivered"}
        for number in outcomes:
            callback = status_callback_url(public_url, STATUS_PATH, reference=f"outbox-{number}")
            assert isinstance(
                gateway.send(number, "hei", reference=number, status_callback_url=callback),
                SendAccepted,
            )
        records = fake.wait_for_callbacks(3 + 2 + 3)
        assert {record.status_code for record in records} == {200}
        # A forged receipt for the same URL is refused.
        forged = requests.post(
            status_callback_url(public_url, STATUS_PATH, "outbox-x"),
            data={"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered"},
            headers={"X-Twilio-Signature": "Zm9yZ2Vk"},
            timeout=5,
        )
        assert forged.status_code == 403
    by_number: dict[str, list[str]] = {}
    for receipt in receipts:
        by_number.setdefault(receipt["To"], []).append(receipt["MessageStatus"])
        assert receipt["AccountSid"] == TEST_ACCOUNT_SID and SM_SID.fullmatch(receipt["MessageSid"])
    assert by_number == {
        TO: ["queued", "sent", "delivered"],
        "+4790000011": ["queued", "failed"],
        "+4790000012": ["queued", "sent", "undelivered"],
    }
    errors = {r["To"]: r.get("ErrorCode") for r in receipts if r["MessageStatus"] != "queued"}
    assert errors["+4790000011"] == "30008" and errors["+4790000012"] == "30003"
    assert not any(r.get("ErrorCode") for r in receipts if r["To"] == TO)
    # Each receipt's URL named the outbox row (checked by the signature over the URL).
    assert len(receipts) == 8 and REFERENCE_PARAMETER == "ref"


# --- the HTTP client and what gets logged ------------------------------------------------------


@pytest.mark.parametrize(
    "base, url, expected",
    [
        (
            "http://127.0.0.1:9999",
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?Page=1",
            "http://127.0.0.1:9999/2010-04-01/Accounts/AC1/Messages.json?Page=1",
        ),
        (
            "https://relay.example.no/twilio/",
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json",
            "https://relay.example.no/twilio/2010-04-01/Accounts/AC1/Messages.json",
        ),
        (
            "https://relay.example.no",
            "https://api.dublin.ie1.twilio.com/2010-04-01/x.json",
            "https://relay.example.no/2010-04-01/x.json",
        ),
        (  # only Twilio's API is redirected
            "https://relay.example.no",
            "https://media.example.com/a.png",
            "https://media.example.com/a.png",
        ),
        (
            "https://api.twilio.com",
            "https://api.twilio.com/2010-04-01/x.json",
            "https://api.twilio.com/2010-04-01/x.json",
        ),
    ],
)
def test_the_http_client_sends_twilios_requests_to_the_configured_base(
    base: str, url: str, expected: str
) -> None:
    assert RelayingHttpClient(base).rewrite(url) == expected


def test_an_api_base_must_be_an_absolute_url() -> None:
    with pytest.raises(ValueError):
        RelayingHttpClient("api.twilio.com")


def test_logs_never_hold_the_token_a_full_number_or_a_message(
    fake: FakeTwilio, gateway: TwilioGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.script(Fault.RATE_LIMIT, Fault.TIMEOUT_AFTER_ACCEPT)
    gateway.send(TO, "Hemmelig oppmøtested", reference="outbox-1")
    gateway.send("+4790000001", "Hemmelig oppmøtested", reference="outbox-2")
    gateway.find_sent(TO, datetime.now(UTC) - timedelta(minutes=1))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "outbox-1" in logged and "+47******67" in logged
    for secret in (TEST_AUTH_TOKEN, TO, TO[1:], "+4790000001", "4790000001", "Hemmelig"):
        assert secret not in logged
    assert TEST_AUTH_TOKEN not in repr(gateway) and TEST_AUTH_TOKEN not in repr(gateway.config)


def test_every_kind_of_library_failure_is_classified() -> None:
    service_error = TwilioServiceException(
        type_uri="https://www.twilio.com/docs/errors/20429",
        title="Too many requests",
        status=429,
        code=20429,
    )
    assert _classify_exception(service_error).failure.kind is FailureKind.TRANSIENT
    assert not _classify_exception(service_error).maybe_accepted
    for error in (
        TwilioException("no status"),
        ValueError("not JSON"),
        ReadTimeoutError(None, "/2010-04-01/...", "read timed out"),  # type: ignore[arg-type]
        ProtocolError("Connection aborted.", ConnectionResetError()),
    ):
        outcome = _classify_exception(error)
        assert outcome.failure.kind is FailureKind.TRANSIENT and outcome.maybe_accepted
    for never_sent in (
        ConnectTimeoutError("connect timed out"),
        NewConnectionError(None, "connection refused"),  # type: ignore[arg-type]
    ):
        assert not _classify_exception(never_sent).maybe_accepted
    outcome = _classify_exception(RuntimeError("surprise"))
    assert outcome.failure.kind is FailureKind.UNKNOWN and outcome.maybe_accepted


def test_connection_refused_is_safe_to_retry() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    closed_port = sock.getsockname()[1]
    sock.close()
    config = TwilioConfig(
        account_sid=TEST_ACCOUNT_SID,
        auth_token=SecretStr(TEST_AUTH_TOKEN),
        from_number=TEST_FROM,
        api_base=f"http://127.0.0.1:{closed_port}",
        retry=RetryPolicy(max_attempts=3, base_delay_s=0.001, max_delay_s=0.002),
    )
    result = TwilioGateway(config).send(TO, "hei", reference="r1")
    assert isinstance(result, SendFailed)
    assert (result.kind, result.attempts) == (FailureKind.TRANSIENT, 3)


def test_https_to_the_provider_trusts_only_a_known_certificate(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(server_context)
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    fake = FakeTwilio(auto_progress=False).start(tls=server_context)
    try:
        config = TwilioConfig(
            account_sid=TEST_ACCOUNT_SID,
            auth_token=SecretStr(TEST_AUTH_TOKEN),
            from_number=TEST_FROM,
            api_base=fake.base_url,
            retry=RetryPolicy(max_attempts=2, base_delay_s=0.001, max_delay_s=0.002),
        )
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
        untrusted = TwilioGateway(config).send(TO, "hei", reference="r1")
        # Not the recipient's fault and nothing was sent: our settings, and the alarm.
        assert isinstance(untrusted, SendFailed) and untrusted.kind is FailureKind.CONFIGURATION
        assert fake.accepted() == []
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
        trusted = TwilioGateway(config).send(TO, "hei", reference="r2")
        assert isinstance(trusted, SendAccepted)
        assert [message.to for message in fake.accepted()] == [TO]
    finally:
        fake.stop()
