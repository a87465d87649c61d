"""The server under its own callout's load, on both backends: receipts and replies arriving
together share transactions, requests beyond capacity are refused at once with 503 and
Retry-After (never a wait for a pool connection), database faults are 503 in words, a stop
that could not be saved says so, and the health check never queues behind the burst.

Fast regressions of what `bench/receipt_burst.py` measures with real processes: requests
here run concurrently in one event loop through the ASGI interface.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from alerts.inbound.routes import lanes
from alerts.inbound.signature import status_callback_url
from alerts.models import Callout, CalloutRecipient, CalloutStatus, InboundSms, RecipientState
from alerts.outbox.references import reference_for
from beredskap.main.app import create_app
from beredskap.main.settings import Settings
from beredskap.platform import deps, health
from beredskap.platform.auth.models import Role
from beredskap.platform.runtime import Database
from tests.support.api import ApiHarness, build_harness
from tests.support.asyncio_thread import run_in_new_loop
from tests.support.fake_twilio import twilio_signature
from tests.support.sms import PUBLIC_URL, TWILIO, add_volunteer, sent_callout
from tests.support.sms import TWILIO_TOKEN as TOKEN

harness_with = contextmanager(build_harness)
DISK_FULL = OperationalError("COMMIT", None, Exception("database or disk is full"))


@pytest.fixture
def hooks(engine: Engine) -> Iterator[ApiHarness]:
    with harness_with(engine, TWILIO) as api:
        for index in range(40):
            add_volunteer(api.session, f"+4741{index:06d}", f"Frivillig {index}")
        api.session.commit()
        yield api


def _signed(path: str, params: dict[str, str]) -> dict[str, Any]:
    return {
        "content": urlencode(params),
        "headers": {
            "content-type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": twilio_signature(TOKEN, PUBLIC_URL + path, params.items()),
        },
    }


async def _at_once(
    api: ApiHarness | FastAPI, calls: list[tuple[str, str, dict[str, Any]]]
) -> list[Any]:
    app = api if isinstance(api, FastAPI) else api.client.app
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        return await asyncio.gather(
            *(client.request(method, url, **options) for method, url, options in calls)
        )


def test_receipts_and_replies_arriving_together_share_transactions(
    fresh_database: Database,
) -> None:
    # Committed for real, with the engine's own pool: each lane works on its own connection.
    with fresh_database.sessions() as session:
        session.info["actor"] = "test"
        for index in range(40):
            add_volunteer(session, f"+4741{index:06d}", f"Frivillig {index}")
        callout = sent_callout(session, "Flom", sent_minutes_ago=1, count=40)
        rows = list(
            session.scalars(
                select(CalloutRecipient).where(CalloutRecipient.callout_id == callout.id)
            )
        )
        session.commit()
    app = create_app(TWILIO, database=fresh_database)
    calls = []
    for index, row in enumerate(rows):
        url = status_callback_url("", "/webhooks/twilio/status", reference_for(row))
        sid = f"SM{index:032x}"
        params = {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": "AC" + "1" * 32}
        calls.append(("POST", url, _signed(url, params)))
        reply = {"MessageSid": f"SMr{index:031x}", "From": row.mobile, "Body": "JA 10"}
        calls.append(("POST", "/webhooks/twilio/sms", _signed("/webhooks/twilio/sms", reply)))

    answers = run_in_new_loop(_at_once(app, calls))

    assert [answer.status_code for answer in answers] == [204, 200] * len(rows)
    with fresh_database.sessions() as session:
        states = {row.state for row in session.scalars(select(CalloutRecipient))}
        answered = session.scalars(select(CalloutRecipient.answer)).all()
        logged = len(session.scalars(select(InboundSms)).all())
    assert states == {RecipientState.DELIVERED}
    assert logged == len(rows) and all(answer is not None for answer in answered)
    both = lanes(_request_for(app))
    # Fewer transactions than requests: those that came together were committed together.
    assert both.receipts.items == len(rows) and both.receipts.batches < len(rows)
    assert both.replies.items == len(rows) and both.replies.batches < len(rows)


def test_requests_beyond_capacity_are_refused_at_once_with_retry_after(engine: Engine) -> None:
    settings = Settings(database_pool_size=1, database_max_overflow=4, request_queue_timeout_s=0.2)
    with harness_with(engine, settings) as api:
        admission = api.client.app.state.database_admission
        assert admission.slots == 1

        async def while_full() -> tuple[Any, float, Any]:
            token = await admission.enter()  # the one place is taken
            started = time.monotonic()
            (refused,) = await _at_once(api, [("GET", "/api/v1/organisations", _as(api))])
            waited = time.monotonic() - started
            admission.leave(token)
            (served,) = await _at_once(api, [("GET", "/api/v1/organisations", _as(api))])
            return refused, waited, served

        refused, waited, served = run_in_new_loop(while_full())
    assert refused.status_code == 503 and refused.headers["retry-after"] == "2"
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "nothing was changed" in refused.json()["detail"]
    assert waited < 2  # refused within the queue's time-out, never a 30-second pool wait
    assert served.status_code == 200


def _as(api: ApiHarness) -> dict[str, Any]:
    return {"headers": api.headers(Role.ADMIN)}


def test_a_pool_time_out_is_a_503_in_words(
    api: ApiHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhausted(_session: object) -> None:
        raise PoolTimeoutError("QueuePool limit of size 5 overflow 10 reached")

    monkeypatch.setattr(deps, "_commit_and_close", exhausted)
    answer = api.get(Role.ADMIN, "/api/v1/organisations")
    assert answer.status_code == 503 and answer.headers["retry-after"] == "2"
    assert answer.json()["detail"].startswith("Too many requests at once")


def test_a_full_disk_is_a_503_that_says_so_and_changes_nothing(
    api: ApiHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(session: Any) -> None:
        session.rollback()
        session.close()
        raise DISK_FULL

    monkeypatch.setattr(deps, "_commit_and_close", full)
    answer = api.post(
        Role.ADMIN, "/api/v1/organisations", json={"name": "Nytt lag", "category": "other"}
    )
    assert answer.status_code == 503 and "disk is full" in answer.json()["detail"]
    assert "Nothing was saved" in answer.json()["detail"]
    assert "COMMIT" not in answer.text  # never the driver's words


def test_a_read_is_answered_when_the_note_of_the_tokens_use_cannot_be_saved(
    api: ApiHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Found with bench/disk_full.py: with the disk full, the duty officer's first GET of the
    # callout page was a 503 because the token's "last used" could not be written.
    @contextmanager
    def full(*_args: object, **_kwargs: object) -> Iterator[None]:
        raise DISK_FULL
        yield

    monkeypatch.setattr(deps, "transaction", full)
    with caplog.at_level("WARNING", logger="beredskap.platform.deps"):
        answer = api.get(Role.DUTY_OFFICER, "/api/v1/organisations")
    assert answer.status_code == 200
    assert "disk is full" in caplog.text


def test_a_stop_that_cannot_be_saved_says_plainly_it_was_not_done(
    hooks: ApiHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alerts.callouts import pages
    from tests.e2e.web_client import form_token, logged_in
    from tests.support.api import ROLE_EMAILS

    callout = sent_callout(hooks.session, "Flom", sent_minutes_ago=1, count=3)
    hooks.session.commit()
    officer = logged_in(hooks, ROLE_EMAILS[Role.DUTY_OFFICER])
    form = officer.get(f"/callouts/{callout.id}/stop")
    assert form.status_code == 200

    def full(*_args: object) -> None:
        raise DISK_FULL  # as SQLite says it when the statement cannot be written

    monkeypatch.setattr(pages.service, "stop", full)
    answer = officer.post(
        f"/callouts/{callout.id}/stop", data={"csrf_token": form_token(form.text)}
    )
    assert answer.status_code == 503
    assert "Utkallingen ble IKKE stoppet" in answer.text and "disken er full" in answer.text
    hooks.session.expire_all()
    stopped = hooks.session.get(Callout, callout.id)
    assert stopped is not None and stopped.status is CalloutStatus.ACTIVE


def test_the_health_check_answers_at_once_and_runs_one_check_for_many(
    api: ApiHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = []
    real = health._check

    def counted(database: Any) -> Any:
        checks.append(1)
        time.sleep(0.05)
        return real(database)

    monkeypatch.setattr(health, "_check", counted)
    answers = run_in_new_loop(_at_once(api, [("GET", "/healthz", {})] * 30))
    assert {answer.status_code for answer in answers} == {200}
    assert len(checks) == 1


def _request_for(app: FastAPI) -> Any:
    class _Request:
        pass

    request = _Request()
    request.app = app  # type: ignore[attr-defined]
    return request
