"""Voice fallback hand-over: from a callout's SMS sent to the phone call placed for those who
have not answered, through the real processes.

Runs the fake Twilio in this process (messages and calls, answering after `--latency`,
default 150 ms); migrates a database (a fresh SpatiaLite file, or `--database-url`, emptied
first); starts the real `beredskap serve` (the SMS replies come to its webhook over HTTP) and
one real `beredskap worker` with BEREDSKAP_TWILIO_VOICE_FROM set; queues one callout with
`voice_after_min` = `--after-min` (default 1) to `--count` volunteers; once every SMS is sent,
`--answered` of them reply JA by SMS through the webhook. Reports:

- the hand-over beyond the minutes: for each call, from its recipient's SMS sent plus
  `voice_after_min` to Twilio taking the call (median, 95th percentile, worst);
- SMS sent to call placed, in all (the same, with the minutes);
- that every one who had not answered got exactly one call, and nobody who had got one.

    .venv/bin/python bench/voice_handover.py
    .venv/bin/python bench/voice_handover.py --database-url postgresql+psycopg://postgres@127.0.0.1/db
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import func, select, update

from alerts.models import Callout, CalloutRecipient, RecipientState

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support

from bench.processes import empty_database, environment, start_server, start_worker, stop  # noqa: E402
from beredskap.register.volunteers.models import Volunteer  # noqa: E402
from tests.support.callout_outbox import queue_callout  # noqa: E402
from tests.support.fake_twilio import FakeTwilio  # noqa: E402

VOICE_FROM = "+4759440001"
SENT = (RecipientState.SENT, RecipientState.DELIVERED)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--answered", type=float, default=0.5, help="share who answer by SMS")
    parser.add_argument("--after-min", type=int, default=1)
    parser.add_argument("--latency", type=float, default=0.150)
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--logs", type=Path, help="keep the server's and worker's logs here")
    parser.add_argument(
        "--database-url", help="default: a new SpatiaLite file; a PostGIS URL is emptied first"
    )
    arguments = parser.parse_args()
    port = _free_port()
    public = f"http://127.0.0.1:{port}"
    with (
        FakeTwilio(latency_s=arguments.latency, auto_progress=False) as twilio,
        tempfile.TemporaryDirectory() as scratch,
    ):
        url = arguments.database_url or f"sqlite:///{scratch}/bench.db"
        database = empty_database(url)
        env = environment(url, twilio.base_url, public, twilio_voice_from=VOICE_FROM)
        logs = arguments.logs or Path(scratch)
        logs.mkdir(parents=True, exist_ok=True)
        server = start_server(env, port, logs / "serve.log")
        worker = start_worker(env, logs / "worker.log")
        time.sleep(3)  # the worker imports and beats before the callout is queued
        with database.sessions() as session:
            session.info["actor"] = "bench"
            queued = queue_callout(session, arguments.count)
            session.get_one(Callout, queued.callout_id).voice_after_min = arguments.after_min
            for index, mobile in enumerate(queued.numbers):
                volunteer = Volunteer(
                    full_name=f"Frivillig {index}",
                    mobile=mobile,
                    home_area=from_shape(Point(11.05, 59.957), srid=4326),
                    sms_consent=True,
                )
                session.add(volunteer)
                session.flush()
                session.execute(
                    update(CalloutRecipient)
                    .where(CalloutRecipient.mobile == mobile)
                    .values(volunteer_id=volunteer.id)
                )
            session.commit()
        deadline = time.monotonic() + arguments.max_seconds
        while time.monotonic() < deadline:
            with database.sessions() as session:
                sent = session.scalar(
                    select(func.count())
                    .select_from(CalloutRecipient)
                    .where(CalloutRecipient.state.in_(SENT))
                )
            if sent == arguments.count:
                break
            time.sleep(0.05)
        answering = queued.numbers[: int(arguments.count * arguments.answered)]
        for mobile in answering:
            response = twilio.send_inbound_sms(
                public + "/webhooks/twilio/sms", from_=mobile, body=f"{queued.code} JA 15"
            )
            response.raise_for_status()
        silent = set(queued.numbers) - set(answering)
        while time.monotonic() < deadline and len(twilio.calls) < len(silent):
            time.sleep(0.05)
        time.sleep(2)  # any call too many would come now
        stop([worker, server])
        with database.sessions() as session:
            sent_at = dict(
                session.execute(select(CalloutRecipient.mobile, CalloutRecipient.sent_at)).all()
            )
        beyond: list[float] = []
        total: list[float] = []
        for call in twilio.calls:
            sms = sent_at[call.to].astimezone(UTC)
            due = sms + timedelta(minutes=arguments.after_min)
            beyond.append((call.created_at - due).total_seconds())
            total.append((call.created_at - sms).total_seconds())
        called = sorted(call.to for call in twilio.calls)
        once = called == sorted(silent)
        print(
            f"recipients {arguments.count}, {len(answering)} answered by SMS, voice after "
            f"{arguments.after_min} min, latency {arguments.latency * 1000:.0f} ms, "
            f"{database.engine.dialect.name}, {datetime.now(UTC):%Y-%m-%d}"
        )
        if beyond:
            print(
                "hand-over beyond the minutes (SMS sent + voice_after_min -> call placed): "
                f"median {statistics.median(beyond):.2f} s, p95 {_percentile(beyond, 0.95):.2f} s, "
                f"worst {max(beyond):.2f} s"
            )
            print(
                f"SMS sent -> call placed: median {statistics.median(total):.1f} s, "
                f"worst {max(total):.1f} s"
            )
        print(f"calls {len(called)}; each silent one called once, nobody else: {once}")
        if not once:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
