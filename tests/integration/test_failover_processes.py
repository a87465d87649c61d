"""Failover with real `beredskap worker` processes, on both backends: Twilio (the fake Twilio,
answering 500 to every message) as the primary, LINK Mobility (the fake LINK) as the
secondary, delivery reports POSTed by the fake LINK over real HTTP to the real app in
uvicorn. At the end each number got exactly one message across the two providers.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import select

from alerts.models import CalloutRecipient, RecipientState
from beredskap.main.app import create_app
from beredskap.main.settings import Settings
from beredskap.platform.runtime import Database
from tests.support.callout_outbox import queue_callout
from tests.support.fake_linkmobility import (
    GATE_PASSWORD,
    GATE_USERNAME,
    TEST_GATE_ID,
    TEST_PARTNER_ID,
    TEST_PASSWORD,
    TEST_PLATFORM_ID,
    TEST_SOURCE,
    TEST_USERNAME,
    FakeLinkMobility,
)
from tests.support.fake_twilio import (
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    TEST_FROM,
    FakeTwilio,
    FaultPlan,
)

REACHED_WITHIN_S = 30  # the bound for the failover (a deadline, not a benchmark)
FINISHED = (RecipientState.SENT, RecipientState.DELIVERED, RecipientState.FAILED)
LINK_SETTINGS: dict[str, str] = {
    "linkmobility_username": TEST_USERNAME,
    "linkmobility_password": TEST_PASSWORD,
    "linkmobility_platform_id": TEST_PLATFORM_ID,
    "linkmobility_platform_partner_id": TEST_PARTNER_ID,
    "linkmobility_source": TEST_SOURCE,
    "linkmobility_gate_id": TEST_GATE_ID,
    "linkmobility_webhook_username": GATE_USERNAME,
    "linkmobility_webhook_password": GATE_PASSWORD,
}


@pytest.fixture
def receipts_url(fresh_database: Database) -> Iterator[str]:
    """The real app in uvicorn: the URL of its LINK delivery report webhook."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    settings = Settings(**LINK_SETTINGS, public_url=base)  # type: ignore[arg-type]
    app = create_app(settings, database=fresh_database)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield base + "/webhooks/linkmobility/dlr"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio(auto_progress=False, faults=FaultPlan(share_500=1.0)) as fake:
        yield fake


def _environment(
    database: Database, twilio: FakeTwilio, link: FakeLinkMobility, public_url: str
) -> dict[str, str]:
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("BEREDSKAP_")
    }
    environment.update(
        {"BEREDSKAP_" + name.upper(): value for name, value in LINK_SETTINGS.items()}
        | {
            "BEREDSKAP_DATABASE_URL": database.engine.url.render_as_string(hide_password=False),
            "BEREDSKAP_TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID,
            "BEREDSKAP_TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
            "BEREDSKAP_TWILIO_FROM": TEST_FROM,
            "BEREDSKAP_TWILIO_API_BASE": twilio.base_url,
            "BEREDSKAP_LINKMOBILITY_API_BASE": link.base_url,
            "BEREDSKAP_PUBLIC_URL": public_url,
            "BEREDSKAP_SMS_PRIMARY": "twilio",
            "BEREDSKAP_SMS_SECONDARY": "linkmobility",
            "BEREDSKAP_SMS_FAILOVER_AFTER": "3",
            "BEREDSKAP_SMS_FAILOVER_COOL_DOWN_S": "600",
            "BEREDSKAP_SMS_MAX_CONCURRENCY": "8",
            # Short, so that an attempt LINK never took settles within the test.
            "BEREDSKAP_SMS_VALIDITY_PERIOD_S": "5",
            "BEREDSKAP_LINKMOBILITY_REPORT_GRACE_S": "5",
        }
    )
    return environment


def _start(environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "beredskap.main.cli", "worker", "--no-scheduler"],
            env=environment,
            cwd=log.parent,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _queue(database: Database, count: int) -> list[str]:
    with database.sessions() as session:
        session.info["actor"] = "test"
        queued = queue_callout(session, count)
        session.commit()
    return queued.numbers


def _rows(database: Database) -> list[CalloutRecipient]:
    with database.sessions() as session:
        return list(session.scalars(select(CalloutRecipient)))


def _unfinished(database: Database) -> int:
    return sum(1 for row in _rows(database) if row.state not in FINISHED)


def _wait_until_done(
    database: Database, worker: subprocess.Popen[bytes], within_s: float, log: Path
) -> float:
    started = time.monotonic()
    while _unfinished(database):
        assert worker.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() - started < within_s, log.read_text()[-3000:]
        time.sleep(0.1)
    took = time.monotonic() - started
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    return took


def _assert_each_once_through_link(
    database: Database, twilio: FakeTwilio, link: FakeLinkMobility, numbers: list[str]
) -> None:
    assert twilio.accepted() == []
    stats = link.stats()
    assert (stats["accepted"], stats["numbers"], stats["most_to_one_number"]) == (
        len(numbers),
        len(numbers),
        1,
    ), stats
    by_number = {message.to: message for message in link.accepted()}
    rows = _rows(database)
    assert sorted(row.mobile for row in rows) == sorted(numbers)
    for row in rows:
        assert row.state in (RecipientState.SENT, RecipientState.DELIVERED)
        assert row.provider == "linkmobility"
        assert row.provider_id == by_number[row.mobile].message_id


def test_a_worker_process_reaches_everyone_through_the_secondary(
    fresh_database: Database, twilio: FakeTwilio, receipts_url: str, tmp_path: Path
) -> None:
    numbers = _queue(fresh_database, 200)
    with FakeLinkMobility(report_url=receipts_url) as link:
        public = receipts_url.rsplit("/webhooks", 1)[0]
        log = tmp_path / "worker.log"
        worker = _start(_environment(fresh_database, twilio, link, public), log)
        # The bound counts from the first message the primary refused, not the start-up.
        deadline = time.monotonic() + 60
        while not twilio.requests:
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.01)
        _wait_until_done(fresh_database, worker, REACHED_WITHIN_S, log)
        _assert_each_once_through_link(fresh_database, twilio, link, numbers)
        assert any(request.status == 500 for request in twilio.requests)
        text = log.read_text()
        assert "Traceback" not in text and TEST_PASSWORD not in text
        assert "SMS through LINK Mobility" in text and "fail over from twilio" in text
    # The reports came back to the app over HTTP and moved the rows on.
    assert sum(row.state is RecipientState.DELIVERED for row in _rows(fresh_database)) > 0


def test_killed_workers_never_send_one_message_through_both_providers(
    fresh_database: Database, twilio: FakeTwilio, receipts_url: str, tmp_path: Path
) -> None:
    numbers = _queue(fresh_database, 300)
    rng = random.Random(20261207)
    with FakeLinkMobility(report_url=receipts_url, latency_s=0.03) as link:
        public = receipts_url.rsplit("/webhooks", 1)[0]
        environment = _environment(fresh_database, twilio, link, public)
        log = tmp_path / "worker.log"
        kills = 0
        for _ in range(8):
            before = link.stats()["accepted"]
            if before >= len(numbers) - 40:
                break
            worker = _start(environment, log)
            target = before + rng.randint(5, 25)
            deadline = time.monotonic() + 30
            while link.stats()["accepted"] < target and time.monotonic() < deadline:
                assert worker.poll() is None, log.read_text()[-2000:]
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.03))
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
            kills += 1
        assert kills >= 4 and _unfinished(fresh_database) > 0
        worker = _start(environment, log)
        # Killed claims settle when their heartbeat is silent (15 s), and one LINK never took
        # once its validity and the report grace are over (10 s).
        _wait_until_done(fresh_database, worker, 90, log)
        _assert_each_once_through_link(fresh_database, twilio, link, numbers)
        assert "Traceback" not in log.read_text()
