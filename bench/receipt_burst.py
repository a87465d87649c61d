"""A callout's own delivery receipts against one `beredskap serve`: does it keep answering?

Starts the fake Twilio REST API in a process of its own (answering each request after
`--latency`, default 150 ms) that POSTs signed delivery receipts (queued, sent, delivered)
for every message to our status webhook, `--receipt-concurrency` at a time (default 100:
as fast as the provider can send them), migrates a database (a fresh SpatiaLite file, or
`--database-url`, emptied first) with `--count` consenting volunteers (default 2,000) and an
active callout asking all of them, then runs the real processes: `beredskap serve` (one
process, or `--server-processes`) and `--workers` `beredskap worker` processes (default 1),
all with default settings but for Twilio's.

While the messages go out and their receipts come back, a prober sends a signed reply
("JA 10") from a random recipient every `--reply-every` seconds (default 0.05) and asks
`GET /healthz` every 0.05 s, each request with a 15 s timeout (Twilio's webhook timeout).
It reports the latency of both during the burst and after it, the receipts the fake got
answered (by status code), and whether every reply and receipt is in the database.

    .venv/bin/python bench/receipt_burst.py
    .venv/bin/python bench/receipt_burst.py --database-url postgresql+psycopg://postgres@127.0.0.1/db
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx
from shapely.geometry import Point
from sqlalchemy import func, insert, select

from alerts.models import Callout, CalloutRecipient, InboundSms, RecipientState
from beredskap.platform.columns import utcnow
from beredskap.platform.db import transaction
from beredskap.platform.runtime import Database
from beredskap.register.volunteers.models import Volunteer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support

from bench.fake_gateway import fake_twilio_process, stats  # noqa: E402
from bench.harness import _free_port, percentile  # noqa: E402
from bench.processes import empty_database, environment, start_server, start_worker, stop  # noqa: E402
from tests.support.fake_twilio import (  # noqa: E402
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    TEST_FROM,
    twilio_signature,
)

SMS_PATH = "/webhooks/twilio/sms"
TIMEOUT_S = 15.0


def _mobile(index: int) -> str:
    return f"+4791{index:06d}"


def prepare(database: Database, count: int) -> None:
    """In an empty schema: `count` consenting volunteers, one active callout queued to all."""
    now = utcnow()
    with transaction(database.sessions, actor="bench") as session:
        session.execute(
            insert(Volunteer),
            [
                {"full_name": f"Frivillig {index}", "mobile": _mobile(index), "sms_consent": True}
                for index in range(count)
            ],
        )
        ids = list(session.scalars(select(Volunteer.id).order_by(Volunteer.id)))
        callout = Callout(
            code="B1",
            title="Flom Leirsund",
            message="Oppmøte Lillestrøm stasjon.",
            centre=Point(11.0494, 59.9560),
            radius_m=20_000,
            created_by="bench",
            status="active",
            sent_at=now,
            organisation_ids=[],
            wanted=count * 2,  # more than can say yes: no "covered" notices in the burst
        )
        session.add(callout)
        session.flush()
        session.execute(
            insert(CalloutRecipient),
            [
                {
                    "callout_id": callout.id,
                    "volunteer_id": volunteer_id,
                    "mobile": _mobile(index),
                    "distance_m": 1000.0 + index,
                    "state": RecipientState.QUEUED,
                    "attempts": 0,
                    "ask_round": 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for index, volunteer_id in enumerate(ids)
            ],
        )


@dataclass
class Probe:
    """Latencies (ms) and outcomes of one kind of request, split at the end of the burst."""

    during: list[float] = field(default_factory=list)
    after: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)

    def add(self, milliseconds: float, outcome: str, *, in_burst: bool) -> None:
        (self.during if in_burst else self.after).append(milliseconds)
        self.outcomes[outcome] += 1

    @staticmethod
    def line(values: list[float]) -> str:
        if not values:
            return "none"
        return (
            f"p50 {statistics.median(values):.1f} ms, p99 {percentile(values, 0.99):.1f} ms, "
            f"max {max(values):.1f} ms over {len(values)}"
        )


async def probe(
    base_url: str,
    public_url: str,
    count: int,
    *,
    reply_every_s: float,
    burst_over: asyncio.Event,
    stop: asyncio.Event,
) -> tuple[Probe, Probe]:
    replies, health = Probe(), Probe()
    rng = random.Random(11)
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=50)
    async with httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT_S, limits=limits) as client:

        async def one_reply() -> None:
            sid = "SM" + secrets.token_hex(16)
            form = {
                "MessageSid": sid,
                "SmsSid": sid,
                "AccountSid": TEST_ACCOUNT_SID,
                "From": _mobile(rng.randrange(count)),
                "To": TEST_FROM,
                "Body": "JA 10",
                "NumMedia": "0",
            }
            signature = twilio_signature(TEST_AUTH_TOKEN, public_url + SMS_PATH, form.items())
            in_burst = not burst_over.is_set()
            started = time.perf_counter()
            try:
                response = await client.post(
                    SMS_PATH,
                    content=urlencode(form),
                    headers={
                        "content-type": "application/x-www-form-urlencoded",
                        "X-Twilio-Signature": signature,
                    },
                )
                outcome = str(response.status_code)
            except httpx.HTTPError as error:
                outcome = type(error).__name__
            replies.add((time.perf_counter() - started) * 1000, outcome, in_burst=in_burst)

        async def one_health() -> None:
            in_burst = not burst_over.is_set()
            started = time.perf_counter()
            try:
                outcome = str((await client.get("/healthz")).status_code)
            except httpx.HTTPError as error:
                outcome = type(error).__name__
            health.add((time.perf_counter() - started) * 1000, outcome, in_burst=in_burst)

        async def every(interval: float, call: object) -> None:
            tasks = set()
            while not stop.is_set():
                task = asyncio.create_task(call())  # type: ignore[operator]
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                await asyncio.sleep(interval)
            if tasks:
                await asyncio.wait(tasks)

        await asyncio.gather(every(reply_every_s, one_reply), every(0.05, one_health))
    return replies, health


async def watch(
    fake_url: str,
    expected_receipts: int,
    burst_over: asyncio.Event,
    stop: asyncio.Event,
    *,
    max_s: float,
    after_s: float,
) -> float:
    """Set `burst_over` when the fake has POSTed every receipt (or `max_s` passed), `stop`
    `after_s` later; the burst's length."""
    started = time.monotonic()
    while time.monotonic() - started < max_s:
        done = await asyncio.to_thread(stats, fake_url)
        if done["callbacks"] >= expected_receipts:
            break
        await asyncio.sleep(0.5)
    burst = time.monotonic() - started
    burst_over.set()
    await asyncio.sleep(after_s)
    stop.set()
    return burst


async def run_probe(
    base_url: str, public_url: str, fake_url: str, arguments: argparse.Namespace
) -> tuple[Probe, Probe, float]:
    burst_over, stop = asyncio.Event(), asyncio.Event()
    (replies, health), burst = await asyncio.gather(
        probe(
            base_url,
            public_url,
            arguments.count,
            reply_every_s=arguments.reply_every,
            burst_over=burst_over,
            stop=stop,
        ),
        watch(
            fake_url,
            arguments.count * 3,
            burst_over,
            stop,
            max_s=arguments.max_seconds,
            after_s=arguments.after_seconds,
        ),
    )
    return replies, health, burst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.150)
    parser.add_argument("--receipt-concurrency", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1, help="beredskap worker processes")
    parser.add_argument("--server-processes", type=int, default=1)
    parser.add_argument("--reply-every", type=float, default=0.05, help="seconds")
    parser.add_argument("--max-seconds", type=float, default=120.0)
    parser.add_argument("--after-seconds", type=float, default=10.0)
    parser.add_argument(
        "--database-url", help="default: a new SpatiaLite file; a PostGIS URL is emptied first"
    )
    arguments = parser.parse_args()
    options = ("--receipts", "--receipt-concurrency", str(arguments.receipt_concurrency))
    with (
        fake_twilio_process(arguments.latency, *options) as fake_url,
        tempfile.TemporaryDirectory() as scratch,
    ):
        url = arguments.database_url or f"sqlite:///{scratch}/bench.db"
        database = empty_database(url)
        prepare(database, arguments.count)
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = environment(url, fake_url, base_url)
        server_log = Path(scratch) / "server.log"
        server = start_server(env, port, server_log, arguments.server_processes)
        workers = [
            start_worker(env, Path(scratch) / f"worker{index}.log")
            for index in range(arguments.workers)
        ]
        try:
            replies, health, burst = asyncio.run(run_probe(base_url, base_url, fake_url, arguments))
            fake = stats(fake_url)
        finally:
            stop([*workers, server])
        log_text = server_log.read_text(errors="replace")
        with database.sessions() as session:
            inbound = int(session.scalar(select(func.count()).select_from(InboundSms)) or 0)
            states = dict(
                session.execute(
                    select(CalloutRecipient.state, func.count()).group_by(CalloutRecipient.state)
                ).all()
            )
        database.engine.dispose()

    backend = "PostGIS" if url.startswith("postgres") else "SpatiaLite"
    print(
        f"{backend}: {arguments.count} recipients, {arguments.workers} worker(s), "
        f"{arguments.server_processes} server process(es), receipts "
        f"{arguments.receipt_concurrency} at a time, fake latency {arguments.latency * 1000:.0f} ms"
    )
    print(f"burst: {burst:.1f} s until the fake had POSTed {fake['callbacks']} receipts")
    print(f"receipts answered: {fake['callbacks_by_status']}")
    print(f"messages accepted by the fake: {fake['accepted']} ({fake['numbers']} numbers)")
    print(f"signed replies during the burst: {Probe.line(replies.during)}")
    print(f"signed replies after the burst:  {Probe.line(replies.after)}")
    print(f"reply outcomes: {dict(replies.outcomes)}")
    print(f"/healthz during the burst: {Probe.line(health.during)}")
    print(f"/healthz after the burst:  {Probe.line(health.after)}")
    print(f"/healthz outcomes: {dict(health.outcomes)}")
    answered = replies.outcomes["200"]
    print(f"InboundSms rows: {inbound} (replies answered 200: {answered})")
    print(f"recipient states: { {str(k): v for k, v in states.items()} }")
    print(
        "server log: "
        f"{log_text.count('QueuePool limit')} pool time-outs, "
        f"{log_text.count(' 500 ')} answers 500, {log_text.count(' 503 ')} answers 503"
    )


if __name__ == "__main__":
    main()
