"""Failover hand-over: a callout while the primary SMS provider answers 500 to every message.

Runs the fake Twilio (the primary; every POST answered 500 unless `--healthy`) and the fake
LINK Mobility (the secondary) in this process, each answering after `--latency` (default
150 ms); migrates a database (a fresh SpatiaLite file, or `--database-url`, emptied first);
starts the real `beredskap serve` (LINK's delivery reports go to its webhook over HTTP) and
one real `beredskap worker` with BEREDSKAP_SMS_PRIMARY=twilio, _SECONDARY=linkmobility,
_FAILOVER_AFTER=`--failover-after`; queues one callout to `--count` recipients and reports:

- hand-over: from the worker's first request to Twilio to LINK's first accepted message;
- all sent: from the worker's first request until every row is sent;
- how many attempts Twilio refused, and that every number got exactly one message.

With `--healthy` Twilio takes everything: the same callout without failover, to compare.

    .venv/bin/python bench/failover.py
    .venv/bin/python bench/failover.py --healthy
    .venv/bin/python bench/failover.py --database-url postgresql+psycopg://postgres@127.0.0.1/db
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from alerts.models import CalloutRecipient, RecipientState

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support

from bench.processes import empty_database, environment, start_server, start_worker, stop  # noqa: E402
from tests.support.callout_outbox import queue_callout  # noqa: E402
from tests.support.fake_linkmobility import (  # noqa: E402
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
from tests.support.fake_twilio import FakeTwilio, FaultPlan  # noqa: E402

FINISHED = (RecipientState.SENT, RecipientState.DELIVERED, RecipientState.FAILED)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.150)
    parser.add_argument("--failover-after", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--healthy", action="store_true", help="Twilio takes everything")
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--logs", type=Path, help="keep the server's and worker's logs here")
    parser.add_argument(
        "--database-url", help="default: a new SpatiaLite file; a PostGIS URL is emptied first"
    )
    arguments = parser.parse_args()
    port = _free_port()
    public = f"http://127.0.0.1:{port}"
    faults = FaultPlan() if arguments.healthy else FaultPlan(share_500=1.0)
    with (
        FakeTwilio(latency_s=arguments.latency, auto_progress=False, faults=faults) as twilio,
        FakeLinkMobility(
            latency_s=arguments.latency, report_url=public + "/webhooks/linkmobility/dlr"
        ) as link,
        tempfile.TemporaryDirectory() as scratch,
    ):
        url = arguments.database_url or f"sqlite:///{scratch}/bench.db"
        database = empty_database(url)
        env = environment(
            url,
            twilio.base_url,
            public,
            linkmobility_username=TEST_USERNAME,
            linkmobility_password=TEST_PASSWORD,
            linkmobility_platform_id=TEST_PLATFORM_ID,
            linkmobility_platform_partner_id=TEST_PARTNER_ID,
            linkmobility_source=TEST_SOURCE,
            linkmobility_gate_id=TEST_GATE_ID,
            linkmobility_webhook_username=GATE_USERNAME,
            linkmobility_webhook_password=GATE_PASSWORD,
            linkmobility_api_base=link.base_url,
            sms_primary="twilio",
            sms_secondary="linkmobility",
            sms_failover_after=str(arguments.failover_after),
            sms_max_concurrency=str(arguments.concurrency),
        )
        logs = arguments.logs or Path(scratch)
        logs.mkdir(parents=True, exist_ok=True)
        server = start_server(env, port, logs / "serve.log")
        worker = start_worker(env, logs / "worker.log")
        time.sleep(3)  # the worker imports and beats before the callout is queued
        with database.sessions() as session:
            session.info["actor"] = "bench"
            numbers = queue_callout(session, arguments.count).numbers
            session.commit()
        queued = time.monotonic()
        first_twilio = first_link = done = None
        deadline = queued + arguments.max_seconds
        while time.monotonic() < deadline:
            now = time.monotonic()
            if first_twilio is None and twilio.requests:
                first_twilio = now
            if first_link is None and link.stats()["accepted"]:
                first_link = now
            with database.sessions() as session:
                unfinished = session.scalar(
                    select(func.count())
                    .select_from(CalloutRecipient)
                    .where(CalloutRecipient.state.not_in(FINISHED))
                )
            if not unfinished:
                done = time.monotonic()
                break
            time.sleep(0.005 if first_link is None else 0.05)
        stop([worker, server])
        if done is None:
            raise SystemExit(
                f"not done in {arguments.max_seconds} s:\n"
                + ((logs / "worker.log").read_text()[-3000:])
            )
        refused = sum(1 for request in twilio.requests if request.status == 500)
        by_provider: dict[str, int] = {}
        with database.sessions() as session:
            for provider in session.scalars(select(CalloutRecipient.provider)):
                by_provider[str(provider)] = by_provider.get(str(provider), 0) + 1
        reached = [m.to for m in link.accepted()] + [m.to for m in twilio.accepted()]
        once = sorted(reached) == sorted(numbers)
        start = first_twilio or queued
        print(
            f"recipients {arguments.count}, latency {arguments.latency * 1000:.0f} ms, "
            f"failover after {arguments.failover_after}, concurrency {arguments.concurrency}, "
            f"{'healthy primary' if arguments.healthy else 'primary answers 500'}, "
            f"{database.engine.dialect.name}"
        )
        if first_link is not None:
            print(
                f"hand-over (first Twilio request -> first LINK accept): {first_link - start:.2f} s"
            )
        print(f"all sent (from the first Twilio request): {done - start:.2f} s")
        print(f"Twilio answered 500 to {refused} requests; rows by provider {by_provider}")
        print(
            f"every number exactly once: {once} ({len(reached)} messages, {len(numbers)} numbers)"
        )
        if not once:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
