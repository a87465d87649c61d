"""A callout to 20,000 people: planned, sent and followed through the real processes.

Starts the fake Twilio REST API in a process of its own (each request answered after
`--latency`, default 150 ms), migrates a database (a fresh SpatiaLite file, or
`--database-url`, emptied first) with `--count` consenting first-aiders (default 20,000)
living within 20 km of Lillestrøm, serves it with `beredskap serve`, and starts `--workers`
`beredskap worker` processes (default 3). Through the API, as a duty officer's client would
(an admin bearer token): plan the callout (`POST /api/v1/callouts`, timed), send it
(`POST /api/v1/callouts/{id}/send`, timed), then until every message is handed over time the
live page (`GET /callouts/{id}`) and the callout's counts every second. Reports the rate at
which the workers handed the messages over, and the fake's counts (one message per number).

    .venv/bin/python bench/large_callout.py
    .venv/bin/python bench/large_callout.py --database-url postgresql+psycopg://postgres@127.0.0.1/db
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, insert, select

from alerts.models import CalloutRecipient, RecipientState
from beredskap.platform.auth import service as auth_service
from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.platform.db import transaction
from beredskap.platform.runtime import Database
from beredskap.register.volunteers.models import (
    QualificationType,
    Volunteer,
    VolunteerQualification,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support

from bench.fake_gateway import fake_twilio_process, stats  # noqa: E402
from bench.harness import _free_port, percentile  # noqa: E402
from bench.processes import empty_database, environment, start_server, start_worker, stop  # noqa: E402

LILLESTROM = (11.0494, 59.9560)
CHUNK = 2_000


def prepare(database: Database, count: int, seed: int) -> str:
    """In an empty schema: `count` consenting first-aiders near Lillestrøm; an admin token."""
    rng = random.Random(seed)
    now, today = utcnow(), today_in_norway()
    with transaction(database.sessions, actor="bench") as session:
        for start in range(0, count, CHUNK):
            session.execute(
                insert(Volunteer),
                [
                    {
                        "full_name": f"Frivillig {index}",
                        "mobile": f"+4791{index:06d}",
                        "home_area": "SRID=4326;POINT("
                        f"{LILLESTROM[0] + rng.uniform(-0.25, 0.25):.3f} "
                        f"{LILLESTROM[1] + rng.uniform(-0.12, 0.12):.3f})",
                        "sms_consent": True,
                        "sms_consent_changed_at": now,
                        "active": True,
                    }
                    for index in range(start, min(start + CHUNK, count))
                ],
            )
        first_aid = session.scalars(
            select(QualificationType.id).where(QualificationType.code == "first_aid")
        ).one()
        ids = list(session.scalars(select(Volunteer.id)))
        for start in range(0, len(ids), CHUNK):
            session.execute(
                insert(VolunteerQualification),
                [
                    {
                        "volunteer_id": volunteer_id,
                        "qualification_type_id": first_aid,
                        "obtained_on": today - timedelta(days=100),
                        "expires_on": today + timedelta(days=600),
                    }
                    for volunteer_id in ids[start : start + CHUNK]
                ],
            )
        user, _ = auth_service.add_user(session, email="vakt@bench.example", role="duty_officer")
        _row, token = auth_service.create_token(session, user, days=1)
    return token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.150)
    parser.add_argument("--seed", type=int, default=7)
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
        token = prepare(database, arguments.count, arguments.seed)
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = environment(url, fake_url, "https://beredskap.example.no")
        server = start_server(env, port, Path(scratch) / "server.log")
        workers = [
            start_worker(env, Path(scratch) / f"worker{index}.log")
            for index in range(arguments.workers)
        ]
        pages: list[float] = []
        counts: list[float] = []
        page_bytes = 0
        try:
            with httpx.Client(
                base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=120
            ) as client:
                started = time.perf_counter()
                planned = client.post(
                    "/api/v1/callouts",
                    json={
                        "title": "Storflom Nedre Romerike",
                        "message": "Evakuering: møt ved nærmeste skole.",
                        "lat": LILLESTROM[1],
                        "lon": LILLESTROM[0],
                        "radius_m": 40_000,
                        "needs": [{"qualification": "first_aid", "count": 500}],
                    },
                )
                plan_s = time.perf_counter() - started
                if planned.status_code != 201:
                    raise SystemExit(f"planning failed: {planned.status_code} {planned.text}")
                callout_id = planned.json()["id"]
                started = time.perf_counter()
                sent = client.post(f"/api/v1/callouts/{callout_id}/send")
                send_s = time.perf_counter() - started
                if sent.status_code != 202:
                    raise SystemExit(f"sending failed: {sent.status_code} {sent.text}")
                handover_started = time.perf_counter()
                while True:
                    began = time.perf_counter()
                    page = client.get(f"/callouts/{callout_id}", headers={"accept": "text/html"})
                    pages.append((time.perf_counter() - began) * 1000)
                    page_bytes = len(page.content)
                    began = time.perf_counter()
                    figures = client.get(f"/api/v1/callouts/{callout_id}").json()["counts"]
                    counts.append((time.perf_counter() - began) * 1000)
                    if figures["queued"] == 0 and figures["in_doubt"] == 0:
                        break
                    if time.perf_counter() - handover_started > 600:
                        raise SystemExit(f"not handed over within 10 minutes: {figures}")
                    time.sleep(1)
            fake = stats(fake_url)
        finally:
            stop([*workers, server])
        with database.sessions() as session:
            first, last = session.execute(
                select(func.min(CalloutRecipient.sent_at), func.max(CalloutRecipient.sent_at))
            ).one()
            sent_rows = session.scalar(
                select(func.count()).where(CalloutRecipient.state == RecipientState.SENT)
            )
        database.engine.dispose()

    backend = "PostGIS" if url.startswith("postgres") else "SpatiaLite"
    handover = (last - first).total_seconds()
    print(
        f"{backend}: {arguments.count} volunteers, {arguments.workers} workers, fake latency "
        f"{arguments.latency * 1000:.0f} ms"
    )
    print(f"plan (POST /callouts): {plan_s:.2f} s; send (POST .../send): {send_s:.2f} s")
    print(
        f"handed over: {sent_rows} in {handover:.1f} s from the first to the last "
        f"({sent_rows / handover:.0f} messages/s)"
    )
    print(
        f"live page while sending: p50 {statistics.median(pages):.0f} ms, p95 "
        f"{percentile(pages, 0.95):.0f} ms, {page_bytes / 1024:.0f} kB; counts (API): p50 "
        f"{statistics.median(counts):.0f} ms over {len(counts)}"
    )
    print(
        f"fake: {fake['accepted']} accepted for {fake['numbers']} numbers, at most "
        f"{fake['most_to_one_number']} to one number"
    )
    if fake["most_to_one_number"] != 1 or fake["accepted"] != arguments.count:
        raise SystemExit("NOT exactly once")


if __name__ == "__main__":
    main()
