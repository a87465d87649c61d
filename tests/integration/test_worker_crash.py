"""Exactly once, whatever happens to the workers: `beredskap worker` processes against the
fake Twilio over real HTTP, killed with SIGKILL at random moments, or run side by side.

Each test commits a callout of queued recipients, starts worker processes with settings
from the environment (the test database, Twilio pointing at the fake, a short lease), and
at the end asks the fake: every number got exactly one message, and every row is `sent`
with the SID the fake gave that number.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts.models import CalloutRecipient, LocalSms, RecipientState, WorkerHeartbeat
from beredskap.platform.runtime import Database
from tests.support.callout_outbox import queue_callout
from tests.support.fake_twilio import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_FROM, FakeTwilio

RECIPIENTS = 500
KILLS = 20
# With the default lease (300 s) the killed workers' claims must settle through their silent
# heartbeats: within this long after the last restart (issue 12 asks 30 s for 2,000 at a time).
SETTLED_WITHIN_S = 30
FINISHED = (RecipientState.SENT, RecipientState.DELIVERED, RecipientState.FAILED)


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    # Some latency, so that a kill finds requests in flight; no receipts (nobody listens).
    with FakeTwilio(latency_s=0.03, auto_progress=False) as running:
        yield running


def _environment(database: Database, fake: FakeTwilio, concurrency: int) -> dict[str, str]:
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("BEREDSKAP_")
    }
    environment.update(
        {
            "BEREDSKAP_DATABASE_URL": database.engine.url.render_as_string(hide_password=False),
            "BEREDSKAP_TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID,
            "BEREDSKAP_TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
            "BEREDSKAP_TWILIO_FROM": TEST_FROM,
            "BEREDSKAP_TWILIO_API_BASE": fake.base_url,
            "BEREDSKAP_PUBLIC_URL": "http://127.0.0.1:9",
            "BEREDSKAP_SMS_MAX_CONCURRENCY": str(concurrency),
        }
    )
    return environment


def _start(environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            # The sender alone: the exercise scheduler beside it has tests of its own.
            [sys.executable, "-m", "beredskap.main.cli", "worker", "--no-scheduler"],
            env=environment,
            cwd=log.parent,  # no .env of the working copy
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _queue(database: Database, count: int) -> list[str]:
    with database.sessions() as session:
        session.info["actor"] = "test"
        queued = queue_callout(session, count)
        session.commit()
    return queued.numbers


def _unfinished(database: Database) -> int:
    with database.sessions() as session:
        states = session.scalars(select(CalloutRecipient.state)).all()
    return sum(1 for state in states if state not in FINISHED)


def _wait_until_done(database: Database, workers: list[subprocess.Popen[bytes]]) -> float:
    """Seconds until every row is finished; then the workers are stopped gracefully."""
    started = time.monotonic()
    deadline = started + 90
    while _unfinished(database) and time.monotonic() < deadline:
        assert all(worker.poll() is None for worker in workers), "a worker exited"
        time.sleep(0.2)
    took = time.monotonic() - started
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        assert worker.wait(timeout=30) == 0  # a graceful stop
    assert _unfinished(database) == 0
    return took


def _assert_exactly_once(database: Database, fake: FakeTwilio, numbers: list[str]) -> None:
    stats = fake.stats()
    assert stats["numbers"] == len(numbers), stats
    assert stats["most_to_one_number"] == 1, stats
    assert stats["accepted"] == len(numbers), stats
    sid_by_number = {message.to: message.sid for message in fake.accepted()}
    with database.sessions() as session:
        rows = session.execute(
            select(CalloutRecipient.mobile, CalloutRecipient.state, CalloutRecipient.provider_id)
        ).all()
    assert sorted(row.mobile for row in rows) == sorted(numbers)
    assert {row.state for row in rows} == {RecipientState.SENT}
    assert all(row.provider_id == sid_by_number[row.mobile] for row in rows)


def test_killed_workers_send_each_message_exactly_once(
    fresh_database: Database, fake: FakeTwilio, tmp_path: Path
) -> None:
    numbers = _queue(fresh_database, RECIPIENTS)
    environment = _environment(fresh_database, fake, concurrency=8)
    log = tmp_path / "worker.log"
    rng = random.Random(20261125)
    kills = 0
    for _ in range(KILLS):
        before = fake.stats()["accepted"]
        if before >= RECIPIENTS - 40:
            break  # leave the last ones for the run to completion
        worker = _start(environment, log)
        # Kill after a random number of accepted messages (so requests are in flight and
        # answers are being recorded), plus a random instant.
        target = before + rng.randint(1, 15)
        deadline = time.monotonic() + 20
        while fake.stats()["accepted"] < target and time.monotonic() < deadline:
            assert worker.poll() is None, log.read_text()[-2000:]
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.05))
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        kills += 1
    assert kills == KILLS
    assert _unfinished(fresh_database) > 0

    worker = _start(environment, log)
    assert _wait_until_done(fresh_database, [worker]) < SETTLED_WITHIN_S

    _assert_exactly_once(fresh_database, fake, numbers)
    # Rows left in flight by a kill were settled through Twilio's message list.
    assert any(request.method == "GET" for request in fake.requests)
    assert "Traceback" not in log.read_text()


def test_workers_side_by_side_send_each_message_once(
    fresh_database: Database, fake: FakeTwilio, tmp_path: Path, backend: str
) -> None:
    numbers = _queue(fresh_database, 400)
    environment = _environment(fresh_database, fake, concurrency=4)
    # Three on PostGIS (SKIP LOCKED); two on SQLite, whose single writer must hold as well.
    logs = [tmp_path / f"worker-{index}.log" for index in range(3 if backend == "postgis" else 2)]
    workers = [_start(environment, log) for log in logs]
    _wait_until_done(fresh_database, workers)
    _assert_exactly_once(fresh_database, fake, numbers)
    sent_by = [re.search(r"SMS worker stopped: .*?sent (\d+)", log.read_text()) for log in logs]
    assert sum(int(found.group(1)) for found in sent_by if found) == len(numbers)
    assert sum(1 for found in sent_by if found) >= 2  # they did work side by side
    assert not any("Traceback" in log.read_text() for log in logs)


def test_worker_once_without_twilio_records_locally_and_exits(
    fresh_database: Database, tmp_path: Path
) -> None:
    numbers = _queue(fresh_database, 5)
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("BEREDSKAP_")
    }
    environment["BEREDSKAP_DATABASE_URL"] = fresh_database.engine.url.render_as_string(
        hide_password=False
    )
    done = subprocess.run(
        [sys.executable, "-m", "beredskap.main.cli", "worker", "--once"],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "SMS worker stopped: sent 5" in done.stdout
    assert "local gateway" in done.stderr  # said loudly: nothing leaves the system
    with fresh_database.sessions() as session:
        recorded = session.execute(select(LocalSms.to, LocalSms.reference)).all()
        rows = session.execute(select(CalloutRecipient.id, CalloutRecipient.state)).all()
        heartbeats = session.scalars(select(WorkerHeartbeat)).all()
    assert sorted(to for to, _ in recorded) == sorted(numbers)
    assert {reference for _, reference in recorded} == {f"r{row.id}" for row in rows}
    assert {row.state for row in rows} == {RecipientState.DELIVERED}  # delivered at once
    assert heartbeats == []  # a clean stop removes its heartbeat
