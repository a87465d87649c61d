"""What the API benchmarks share: a migrated, seeded database served by `beredskap serve` in a
process of its own (as in production, so the client's work does not share the server's
interpreter), and latency figures."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, select

from beredskap.main.settings import Settings
from beredskap.platform import migrate
from beredskap.platform.auth import service as auth_service
from beredskap.platform.db import transaction
from beredskap.platform.runtime import Database, open_database
from beredskap.register.inventory.models import Equipment
from beredskap.register.organisations.models import Organisation
from beredskap.register.seed.scale import seed_scale


@dataclass
class Served:
    client: httpx.Client
    database: Database
    organisation_ids: list[int]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _already_seeded(database: Database, equipment: int) -> bool:
    if migrate.current_revision(database.engine) != migrate.head_revision():
        return False
    with database.sessions() as session:
        return session.scalar(select(func.count()).select_from(Equipment)) == equipment


def _wait_until_serving(client: httpx.Client, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not start within 60 s")


@contextmanager
def seeded_server(
    url: str | None,
    *,
    organisations: int,
    equipment: int,
    volunteers: int,
    reuse: bool = False,
) -> Iterator[Served]:
    """Rebuild the schema and seed scale data (or, with `reuse`, keep a database seeded with
    the same number of equipment lines), add an admin token, serve on a free port."""
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(
            database_url=url or f"sqlite:///{Path(scratch) / 'bench.db'}", cookie_secure=False
        )
        database = open_database(settings)
        if reuse and _already_seeded(database, equipment):
            print("reusing the seeded database")
        else:
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
            user, _ = auth_service.add_user(
                session, email=f"bench-{time.time_ns()}@example.org", role="admin"
            )
            _row, token = auth_service.create_token(session, user, days=1)
            organisation_ids = list(session.scalars(select(Organisation.id)))
        port = _free_port()
        environment = os.environ | {
            "BEREDSKAP_DATABASE_URL": settings.database_url.get_secret_value(),
            "BEREDSKAP_COOKIE_SECURE": "false",
        }
        log = (Path(scratch) / "server.log").open("wb")
        server = subprocess.Popen(
            [sys.executable, "-m", "beredskap.main.cli", "serve", "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            ) as client:
                _wait_until_serving(client, server)
                yield Served(client, database, organisation_ids)
        finally:
            server.terminate()
            server.wait(timeout=20)
            log.close()
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
