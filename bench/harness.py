"""What the API benchmarks share: a freshly migrated, seeded database served by uvicorn in
this process, and latency figures."""

from __future__ import annotations

import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import select

from beredskap import migrate
from beredskap.app import create_app
from beredskap.auth import service as auth_service
from beredskap.db import transaction
from beredskap.organisations.models import Organisation
from beredskap.runtime import Database, open_database
from beredskap.seed.scale import seed_scale
from beredskap.settings import Settings


@dataclass
class Served:
    client: httpx.Client
    database: Database
    organisation_ids: list[int]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def seeded_server(
    url: str | None, *, organisations: int, equipment: int, volunteers: int
) -> Iterator[Served]:
    """Rebuild the schema, seed scale data, add an admin token, serve on a free port."""
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(
            database_url=url or f"sqlite:///{Path(scratch) / 'bench.db'}", cookie_secure=False
        )
        database = open_database(settings)
        if migrate.current_revision(database.engine) is not None:
            migrate.downgrade(database.engine, "base")
        migrate.upgrade(database.engine)
        started = time.perf_counter()
        seed_scale(
            database.engine,
            organisations=organisations,
            equipment=equipment,
            volunteers=volunteers,
        )
        print(f"seeded in {time.perf_counter() - started:.0f} s")
        with transaction(database.sessions, actor="bench") as session:
            user, _ = auth_service.add_user(session, email="bench@example.org", role="admin")
            _row, token = auth_service.create_token(session, user, days=1)
            organisation_ids = list(session.scalars(select(Organisation.id)))
        port = _free_port()
        app = create_app(settings, database=database)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            ) as client:
                yield Served(client, database, organisation_ids)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            database.engine.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(call: Callable[[], object], *, requests: int, warm_up: int = 20) -> list[float]:
    """Milliseconds per call, after a warm-up."""
    for _ in range(warm_up):
        call()
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def summary(timings: list[float]) -> str:
    return (
        f"p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
        f"max {max(timings):.1f} ms over {len(timings)}"
    )
