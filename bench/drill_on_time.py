"""Alert drills on time: how late `beredskap worker` starts, sends and ends scheduled drills.

Starts the fake Twilio REST API in a process of its own (answering every request after
`--latency`, default 150 ms), migrates a database (a fresh SpatiaLite file, or
`--database-url`, emptied first), registers one organisation with `--volunteers` consenting
first-aiders (default 500) and `--drills` alert drills (default 5) of 10 s each, the first
starting 40 s after the worker is up (after its next sync) and then one every 20 s. Then runs a real
`python -m beredskap.main.cli worker` (scheduler and SMS sender in one process, sync every 30 s
as in production: the drills are in the job store long before they start) until the last
drill has ended, and reads from the database, per drill:

- start: when its exercise callout was sent (`callouts.sent_at`) after the drill's start;
- all sent: when the last of its messages was accepted by the fake, after the start;
- end: when the callout was stopped (`callouts.stopped_at`) after the drill's end.

    .venv/bin/python bench/drill_on_time.py
    .venv/bin/python bench/drill_on_time.py --database-url postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from alerts.models import Callout, CalloutRecipient, RecipientState
from beredskap.platform.columns import utcnow
from exercises.models import Exercise, ExerciseStatus, ExerciseType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support

from bench.fake_gateway import fake_twilio_process, stats  # noqa: E402
from bench.processes import empty_database  # noqa: E402
from tests.support import scheduling as make  # noqa: E402
from tests.support.fake_twilio import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_FROM  # noqa: E402

DRILL_S = 10
BETWEEN_S = 20
FIRST_AFTER_S = 40


def _seconds(later: datetime | None, earlier: datetime) -> float:
    if later is None:
        raise SystemExit("a drill did not get that far")
    return (later - earlier).total_seconds()


def _summary(name: str, values: list[float]) -> str:
    return (
        f"{name:<10} median {statistics.median(values):6.2f} s, "
        f"worst {max(values):6.2f} s, best {min(values):6.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=500)
    parser.add_argument("--drills", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.150)
    parser.add_argument(
        "--database-url", help="default: a new SpatiaLite file; a PostGIS URL is emptied first"
    )
    arguments = parser.parse_args()
    with (
        fake_twilio_process(arguments.latency) as base_url,
        tempfile.TemporaryDirectory() as scratch,
    ):
        url = arguments.database_url or f"sqlite:///{scratch}/bench.db"
        database = empty_database(url)

        environment = {k: v for k, v in os.environ.items() if not k.startswith("BEREDSKAP_")}
        environment |= {
            "BEREDSKAP_DATABASE_URL": url,
            "BEREDSKAP_TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID,
            "BEREDSKAP_TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
            "BEREDSKAP_TWILIO_FROM": TEST_FROM,
            "BEREDSKAP_TWILIO_API_BASE": base_url,
            "BEREDSKAP_PUBLIC_URL": "https://beredskap.example.no",
        }
        log = Path(scratch) / "worker.log"
        with log.open("wb") as output:
            worker = subprocess.Popen(
                [sys.executable, "-m", "beredskap.main.cli", "worker"],
                env=environment,
                cwd=scratch,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 60
            while "exercise scheduler started" not in log.read_text():
                if time.monotonic() > deadline or worker.poll() is not None:
                    raise SystemExit(f"the worker did not start:\n{log.read_text()}")
                time.sleep(0.2)
            with database.sessions() as session:
                session.info["actor"] = "benchmark"
                group = make.organisation(session)
                make.members(session, group, arguments.volunteers)
                # After the next sync (every 30 s) has put them in the job store, as a drill
                # planned in advance is; one planned less than a sync ahead starts late by
                # up to that much.
                first = utcnow().replace(microsecond=0) + timedelta(seconds=FIRST_AFTER_S)
                drill_ids = []
                for index in range(arguments.drills):
                    drill = make.exercise(
                        session,
                        type=ExerciseType.ALERT_DRILL,
                        starts_at=first + timedelta(seconds=index * BETWEEN_S),
                        minutes=DRILL_S / 60,
                    )
                    drill.organisations.append(group)
                    session.flush()
                    drill_ids.append(drill.id)
                session.commit()
            last_end = first + timedelta(seconds=(arguments.drills - 1) * BETWEEN_S + DRILL_S)
            while utcnow() < last_end + timedelta(seconds=5):
                time.sleep(1)
            with database.sessions() as session:
                statuses = session.scalars(
                    select(Exercise.status).where(Exercise.id.in_(drill_ids))
                ).all()
                if set(statuses) != {ExerciseStatus.COMPLETED}:
                    raise SystemExit(f"not every drill completed: {statuses}\n{log.read_text()}")
                starts, all_sent, ends = [], [], []
                for drill_id in drill_ids:
                    drill = session.get(Exercise, drill_id)
                    assert drill is not None and drill.callout_id is not None
                    callout = session.get(Callout, drill.callout_id)
                    assert callout is not None and callout.exercise
                    last_sent = session.scalar(
                        select(func.max(CalloutRecipient.sent_at)).where(
                            CalloutRecipient.callout_id == callout.id
                        )
                    )
                    states = session.execute(
                        select(CalloutRecipient.state, func.count())
                        .where(CalloutRecipient.callout_id == callout.id)
                        .group_by(CalloutRecipient.state)
                    ).all()
                    if set(dict(states)) != {RecipientState.SENT}:
                        raise SystemExit(f"drill {drill_id}: not all sent: {dict(states)}")
                    starts.append(_seconds(callout.sent_at, drill.starts_at))
                    all_sent.append(_seconds(last_sent, drill.starts_at))
                    ends.append(_seconds(callout.stopped_at, drill.ends_at))
        except SystemExit:
            print(log.read_text()[-6000:], file=sys.stderr)
            raise
        finally:
            worker.terminate()
            worker.wait(timeout=60)
            database.engine.dispose()
        counts = stats(base_url)
        if os.environ.get("SHOW_LOG"):
            print(log.read_text(), file=sys.stderr)
    expected = arguments.drills * arguments.volunteers
    if counts["accepted"] != expected:
        raise SystemExit(f"the fake accepted {counts['accepted']} messages, not {expected}")
    backend = "PostGIS" if url.startswith("postgres") else "SpatiaLite"
    print(
        f"{backend}: {arguments.drills} alert drills of {DRILL_S} s, {arguments.volunteers} "
        f"asked each, fake Twilio answering after {arguments.latency * 1000:.0f} ms"
    )
    print(_summary("start", starts) + "  (exercise callout sent after the drill's start)")
    print(_summary("all sent", all_sent) + "  (last message accepted, after the start)")
    print(_summary("end", ends) + "  (callout stopped after the drill's end)")
    print(f"{expected} messages accepted by the fake, as many as asked")


if __name__ == "__main__":
    main()
