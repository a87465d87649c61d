"""A real callout sent while a big exercise callout is going out: how soon is it handed over?

Starts the fake Twilio REST API in a process of its own (each request answered after
`--latency`, default 150 ms), migrates a database (a fresh SpatiaLite file, or
`--database-url`, emptied first), queues an active exercise callout to `--exercise` recipients
(default 5,000) and starts `--workers` real `beredskap worker` processes (default 1). After
`--after` seconds (default 5) it queues a real callout to `--real` recipients (default 50),
then waits until both are sent and reports, from the database, how long after its sending
the real callout's last message was handed over (`sent_at`), and how far the exercise was
by then.

    .venv/bin/python bench/callout_priority.py
    .venv/bin/python bench/callout_priority.py --database-url postgresql+psycopg://postgres@127.0.0.1/db
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from alerts.models import Callout, CalloutRecipient, RecipientState

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support

from bench.fake_gateway import fake_twilio_process  # noqa: E402
from bench.processes import empty_database, environment, start_worker, stop  # noqa: E402
from tests.support.callout_outbox import queue_callout  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercise", type=int, default=5000)
    parser.add_argument("--real", type=int, default=50)
    parser.add_argument("--after", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--latency", type=float, default=0.150)
    parser.add_argument(
        "--database-url", help="default: a new SpatiaLite file; a PostGIS URL is emptied first"
    )
    arguments = parser.parse_args()
    with (
        fake_twilio_process(arguments.latency) as fake_url,
        tempfile.TemporaryDirectory() as scratch,
    ):
        url = arguments.database_url or f"sqlite:///{scratch}/bench.db"
        database = empty_database(url)
        with database.sessions() as session:
            session.info["actor"] = "benchmark"
            drill = queue_callout(session, arguments.exercise, exercise=True, prefix="+4791")
            session.commit()
        env = environment(url, fake_url, "https://beredskap.example.no")
        workers = [
            start_worker(env, Path(scratch) / f"worker{index}.log")
            for index in range(arguments.workers)
        ]
        try:
            time.sleep(arguments.after)
            with database.sessions() as session:
                session.info["actor"] = "benchmark"
                real = queue_callout(session, arguments.real, prefix="+4792")
                session.commit()
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                with database.sessions() as session:
                    waiting = session.scalar(
                        select(func.count()).where(
                            CalloutRecipient.state.in_(
                                (RecipientState.QUEUED, RecipientState.SENDING)
                            )
                        )
                    )
                if not waiting:
                    break
                time.sleep(0.2)
        finally:
            stop(workers)
        with database.sessions() as session:
            real_sent_at = session.scalar(
                select(Callout.sent_at).where(Callout.id == real.callout_id)
            )
            last_real = session.scalar(
                select(func.max(CalloutRecipient.sent_at)).where(
                    CalloutRecipient.callout_id == real.callout_id
                )
            )
            drill_before = session.scalar(
                select(func.count()).where(
                    CalloutRecipient.callout_id == drill.callout_id,
                    CalloutRecipient.sent_at <= last_real,
                )
            )
            drill_started = session.scalar(
                select(func.min(CalloutRecipient.sent_at)).where(
                    CalloutRecipient.callout_id == drill.callout_id
                )
            )
            drill_last = session.scalar(
                select(func.max(CalloutRecipient.sent_at)).where(
                    CalloutRecipient.callout_id == drill.callout_id
                )
            )
        database.engine.dispose()

    assert real_sent_at is not None and last_real is not None
    assert drill_started is not None and drill_last is not None
    backend = "PostGIS" if url.startswith("postgres") else "SpatiaLite"
    print(
        f"{backend}: exercise callout to {arguments.exercise}, real callout to {arguments.real} "
        f"sent {arguments.after:.0f} s later, {arguments.workers} worker(s), fake latency "
        f"{arguments.latency * 1000:.0f} ms"
    )
    print(
        f"real callout: last of its {arguments.real} messages handed over "
        f"{(last_real - real_sent_at).total_seconds():.2f} s after it was sent"
    )
    print(
        f"exercise: {drill_before} of {arguments.exercise} handed over by then; all of them in "
        f"{(drill_last - drill_started).total_seconds():.1f} s"
    )


if __name__ == "__main__":
    main()
