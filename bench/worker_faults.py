"""Workers killed at random during a callout: is every recipient reached exactly once, and how
soon after the last restart?

Starts the fake Twilio REST API in a process of its own (each request answered after
`--latency`, default 150 ms), migrates a database (a fresh SpatiaLite file, or
`--database-url`, emptied first) and queues one active callout to `--count` recipients
(default 2,000). Then runs `--workers` real `beredskap worker` processes (default 3) with
default settings (the 300 s lease included), and `--kills` times (default 20), after a random
pause of `--pause-min` to `--pause-max` seconds, SIGKILLs one of them at random and starts a
new one in its place. When every recipient is sent it reports the fake's counts (one message
per number, or the run fails), and how long after the last restart the last message was
accepted and the last row settled.

With `--database-outage SECONDS` (PostGIS on the local cluster, as root) it stops
PostgreSQL with `pg_ctlcluster ... stop -m immediate` (a crash: connections cut, nothing
flushed politely) after `--pause-max` seconds instead of killing workers, starts it again
SECONDS later, and reports how long after PostgreSQL answered again the last message was
accepted and the last row settled.

    .venv/bin/python bench/worker_faults.py
    .venv/bin/python bench/worker_faults.py --database-url postgresql+psycopg://postgres@127.0.0.1/db
    .venv/bin/python bench/worker_faults.py --kills 0 --database-outage 30 --database-url ...
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from alerts.models import CalloutRecipient, RecipientState

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support

from bench.fake_gateway import fake_twilio_process, stats  # noqa: E402
from bench.processes import empty_database, environment, start_worker, stop  # noqa: E402
from tests.support.callout_outbox import queue_callout  # noqa: E402

FINISHED = (RecipientState.SENT, RecipientState.DELIVERED, RecipientState.FAILED)


def _postgresql(*action: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action[0], *action[1:]],
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--pause-min", type=float, default=0.2)
    parser.add_argument("--pause-max", type=float, default=1.0)
    parser.add_argument("--latency", type=float, default=0.150)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument(
        "--database-url", help="default: a new SpatiaLite file; a PostGIS URL is emptied first"
    )
    parser.add_argument("--database-outage", type=float, default=0.0, help="seconds (PostGIS)")
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    with (
        fake_twilio_process(arguments.latency) as fake_url,
        tempfile.TemporaryDirectory() as scratch,
    ):
        url = arguments.database_url or f"sqlite:///{scratch}/bench.db"
        database = empty_database(url)
        with database.sessions() as session:
            session.info["actor"] = "benchmark"
            queued = queue_callout(session, arguments.count, prefix="+4791")
            session.commit()
        env = environment(url, fake_url, "https://beredskap.example.no")
        logs = Path(scratch)
        started = time.monotonic()
        workers = [
            start_worker(env, logs / f"worker{index}.log") for index in range(arguments.workers)
        ]
        kills: list[float] = []
        last_restart = started
        last_restart_wall = time.time()
        try:
            for number in range(arguments.kills):
                time.sleep(rng.uniform(arguments.pause_min, arguments.pause_max))
                victim = rng.randrange(len(workers))
                workers[victim].send_signal(signal.SIGKILL)
                workers[victim].wait(timeout=10)
                kills.append(time.monotonic() - started)
                workers[victim] = start_worker(env, logs / f"worker{victim}-{number}.log")
                last_restart = time.monotonic()
                last_restart_wall = time.time()
            if arguments.database_outage:
                time.sleep(arguments.pause_max)
                _postgresql("stop", "-m", "immediate")
                kills.append(time.monotonic() - started)
                time.sleep(arguments.database_outage)
                _postgresql("start")
                last_restart = time.monotonic()  # "restart" here: the database's
                last_restart_wall = time.time()
            while time.monotonic() - started < arguments.max_seconds:
                with database.sessions() as session:
                    unfinished = session.scalar(
                        select(func.count()).where(CalloutRecipient.state.not_in(FINISHED))
                    )
                if not unfinished:
                    break
                time.sleep(0.1)
            settled = time.monotonic()
            fake = stats(fake_url)
        finally:
            stop(workers)
        tracebacks = sum(
            log.read_text(errors="replace").count("Traceback") for log in logs.glob("*.log")
        )
        with database.sessions() as session:
            states = dict(
                session.execute(
                    select(CalloutRecipient.state, func.count()).group_by(CalloutRecipient.state)
                ).all()
            )
        database.engine.dispose()

    backend = "PostGIS" if url.startswith("postgres") else "SpatiaLite"
    accepted_after_restart = fake["last_accepted_at"] - last_restart_wall
    print(
        f"{backend}: {arguments.count} recipients, {arguments.workers} workers, "
        f"{len(kills)} SIGKILLs at {', '.join(f'{moment:.1f}' for moment in kills)} s"
    )
    print(f"recipient states: { {str(k): v for k, v in states.items()} }")
    print(
        f"fake: {fake['accepted']} accepted for {fake['numbers']} numbers, at most "
        f"{fake['most_to_one_number']} to one number"
    )
    print(
        f"after the last restart: last message accepted {accepted_after_restart:.1f} s, "
        f"every row settled {settled - last_restart:.1f} s; all done "
        f"{settled - started:.1f} s after the first start"
    )
    span = fake["last_accepted_at"] - fake["first_accepted_at"]
    print(
        f"handed over from the first to the last message in {span:.1f} s "
        f"({fake['accepted'] / span:.0f} messages/s)"
    )
    print(f"tracebacks in the worker logs: {tracebacks}")
    exact = fake["accepted"] == fake["numbers"] == len(queued.numbers)
    if not exact or fake["most_to_one_number"] != 1:
        raise SystemExit("NOT exactly once")


if __name__ == "__main__":
    main()
