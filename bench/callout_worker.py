"""A callout to 2,000 people: the outbox worker against the naive loop, through a Twilio-like API.

Starts the fake Twilio REST API (tests/support/fake_twilio.py) in a process of its own,
answering every request after `--latency` (default 150 ms, about what the real API takes),
migrates a database (a fresh SpatiaLite file, or `--database-url`), and queues one active
callout with `--count` recipients (default 2,000). Then:

- worker: `SmsWorker.run(once=True)` (what `beredskap worker --once` runs) with the Twilio
  gateway and `--concurrency` sends in flight (default 50, the `sms_max_concurrency`
  default): claims committed before each send, every answer recorded in the database. Timed
  from start until every recipient is handed over and recorded `sent`.
- naive: one twilio `Client`, `for number in numbers: client.messages.create(...)`, on a
  sample of `--naive-count` numbers (default 100) and extrapolated linearly to `--count`
  (it is one request after another, so its time is linear in the count).

The fake's counts must show exactly one message per number.

    .venv/bin/python bench/callout_worker.py --count 2000 --naive-count 100
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import func, select

from alerts.gateway.twilio_gateway import TwilioConfig, TwilioGateway
from alerts.models import CalloutRecipient, RecipientState
from alerts.outbox.recording import Outcome
from alerts.outbox.worker import SmsWorker, WorkerConfig
from beredskap.main.settings import Settings
from beredskap.platform import migrate
from beredskap.platform.runtime import open_database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support

from bench.fake_gateway import fake_twilio_process, naive_loop, stats  # noqa: E402
from tests.support.callout_outbox import queue_callout  # noqa: E402
from tests.support.fake_twilio import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_FROM  # noqa: E402

NAIVE_BODY = "Leteaksjon ved Nitelva. Møt ved brannstasjonen.\nSvar B7 JA eller B7 NEI."


def worker_run(database_url: str, base_url: str, count: int, concurrency: int) -> float:
    database = open_database(Settings(database_url=SecretStr(database_url)))
    if migrate.current_revision(database.engine) is not None:
        migrate.downgrade(database.engine, "base")
    migrate.upgrade(database.engine)
    with database.sessions() as session:
        session.info["actor"] = "benchmark"
        queue_callout(session, count, prefix="+4791")
        session.commit()
    gateway = TwilioGateway(
        TwilioConfig(
            account_sid=TEST_ACCOUNT_SID,
            auth_token=SecretStr(TEST_AUTH_TOKEN),
            from_number=TEST_FROM,
            api_base=base_url,
            max_concurrency=concurrency,
        )
    )
    sender = SmsWorker(
        database.sessions,
        gateway,
        WorkerConfig(
            concurrency=concurrency,
            public_url="https://beredskap.example.no",
            validity_period_s=3600,
            idle_poll_s=0.05,
        ),
    )
    started = time.perf_counter()
    cpu_started = time.process_time()
    outcomes = sender.run(once=True)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(f"worker CPU: {cpu:.2f} s ({cpu / count * 1000:.2f} ms per message, all threads)")
    gateway.close()
    with database.sessions() as session:
        sent = session.scalar(
            select(func.count()).where(CalloutRecipient.state == RecipientState.SENT)
        )
    database.engine.dispose()
    if sent != count or outcomes[Outcome.SENT] != count:
        raise SystemExit(f"only {sent} of {count} sent: {dict(outcomes)}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--naive-count", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.150)
    parser.add_argument(
        "--database-url", help="default: a new SpatiaLite file; a PostGIS URL is emptied first"
    )
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with (
        fake_twilio_process(arguments.latency) as base_url,
        tempfile.TemporaryDirectory() as scratch,
    ):
        database_url = arguments.database_url or f"sqlite:///{scratch}/bench.db"
        worker_s = worker_run(database_url, base_url, arguments.count, arguments.concurrency)
        after_worker = stats(base_url)
        sample = [f"+4792{index:06d}" for index in range(arguments.naive_count)]
        naive_s = naive_loop(base_url, sample, NAIVE_BODY)
        after_naive = stats(base_url)
    expected = arguments.count + arguments.naive_count
    assert after_naive["accepted"] == after_naive["numbers"] == expected, after_naive
    assert after_naive["most_to_one_number"] == 1, after_naive
    naive_extrapolated = naive_s / arguments.naive_count * arguments.count
    backend = "PostGIS" if database_url.startswith("postgres") else "SpatiaLite"
    print(f"latency per request at the fake: {arguments.latency * 1000:.0f} ms; {backend}")
    print(
        f"worker, concurrency {arguments.concurrency}: {arguments.count} recipients handed over "
        f"and recorded in {worker_s:.2f} s ({arguments.count / worker_s:.0f}/s); peak "
        f"concurrency at the fake {after_worker['peak_concurrency']}"
    )
    print(
        f"naive loop: {arguments.naive_count} messages in {naive_s:.2f} s "
        f"({arguments.naive_count / naive_s:.1f}/s); {arguments.count} extrapolated: "
        f"{naive_extrapolated:.0f} s"
    )
    print(f"ratio: {naive_extrapolated / worker_s:.1f}x")
    print(f"every number got exactly one message ({expected} in all)")


if __name__ == "__main__":
    main()
