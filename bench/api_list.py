"""Latency of filtered, paginated list requests through the API, with 100k equipment rows.

Target (issue 3): p95 under 50 ms on PostGIS on the 2-core workplace machine.

    .venv/bin/python bench/api_list.py                                  # SpatiaLite
    .venv/bin/python bench/api_list.py --url postgresql+psycopg://postgres@127.0.0.1/bench

The PostgreSQL database must exist with the postgis extension; its schema is rebuilt. The
server is uvicorn with one worker in this process; requests come one at a time over HTTP
keep-alive from a client thread, after a warm-up.
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import select

from beredskap import migrate
from beredskap.app import create_app
from beredskap.auth import service as auth_service
from beredskap.db import transaction
from beredskap.organisations.models import Organisation
from beredskap.runtime import open_database
from beredskap.seed.scale import seed_scale
from beredskap.settings import Settings

CAPABILITIES = ("transport", "shelter", "power", "medical", "comms", "water", "food", "rescue")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="database URL (default: a new SpatiaLite file)")
    parser.add_argument("--equipment", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        url = args.url or f"sqlite:///{Path(scratch) / 'bench.db'}"
        settings = Settings(database_url=url, cookie_secure=False)
        database = open_database(settings)
        if migrate.current_revision(database.engine) is not None:
            migrate.downgrade(database.engine, "base")
        migrate.upgrade(database.engine)
        seed_scale(
            database.engine,
            organisations=args.organisations,
            equipment=args.equipment,
            volunteers=1_000,
        )
        with transaction(database.sessions, actor="bench") as session:
            user, _ = auth_service.add_user(session, email="bench@example.org", role="admin")
            _row, token = auth_service.create_token(session, user, days=1)
            organisation_ids = list(session.scalars(select(Organisation.id)))

        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings, database=database),
                host="127.0.0.1",
                port=port,
                log_level="warning",
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)

        rng = random.Random(1)
        scenarios = {
            "ready equipment of a capability group, page of 50 at a random offset": lambda: {
                "status": "ready",
                "capability": rng.choice(CAPABILITIES),
                "limit": 50,
                "offset": rng.randrange(0, 5_000, 50),
            },
            "one organisation's ready equipment, first 50": lambda: {
                "organisation_id": rng.choice(organisation_ids),
                "status": "ready",
                "limit": 50,
            },
            "equipment overdue for inspection, sorted by id descending": lambda: {
                "inspection_due_before": "2026-01-01",
                "sort": "-id",
                "limit": 50,
                "offset": rng.randrange(0, 1_000, 50),
            },
        }
        backend = database.backend
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ) as client:
            for name, params in scenarios.items():
                for _ in range(20):  # warm-up: connection, caches, plans
                    client.get("/api/v1/equipment", params=params()).raise_for_status()
                timings = []
                for _ in range(args.requests):
                    started = time.perf_counter()
                    response = client.get("/api/v1/equipment", params=params())
                    timings.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
                    assert len(response.json()["items"]) <= 50
                print(
                    f"{backend}: {name}: p50 {statistics.median(timings):.1f} ms, "
                    f"p95 {_percentile(timings, 0.95):.1f} ms, "
                    f"max {max(timings):.1f} ms over {args.requests} requests "
                    f"({args.equipment} equipment rows)"
                )
        server.should_exit = True
        thread.join(timeout=10)
        database.engine.dispose()


if __name__ == "__main__":
    main()
