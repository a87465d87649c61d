"""Latency of GET /api/v1/reach (issue 18, item 2): what can be at a point within a time, as
the council map and the incident map ask it, with the demo and at scale.

    .venv/bin/python bench/reach.py                                   # SpatiaLite
    .venv/bin/python bench/reach.py --url postgresql+psycopg://postgres@127.0.0.1/bench

First the demo municipality (`seed_demo`: 29 organisations, 610 equipment lines), points
around Lillestrøm; then the scale data added to it (`seed_scale`: 1,000 organisations,
100,000 equipment lines, 10,000 volunteers over 25 towns, and bench/readiness.py's agreement
per organisation, half of them with a mobilisation time), points around the towns. Each
scenario is a role and a time: the council (counts) and the admin (counts and names, each
answer audited as a read) at 60 and 120 minutes (the agreements' fastest mobilisation is 30
minutes, so at 30 nothing arrives and the answer is empty), and the council at 1440 minutes,
the largest time allowed, whose circle holds most of the country. The PostgreSQL database must
exist with the postgis extension; its schema is rebuilt. One uvicorn worker; one request at a
time.
"""

from __future__ import annotations

import argparse
import random
import time
from typing import Any

from harness import Served, measure, seeded_server, summary
from readiness import add_agreements
from sqlalchemy import func, select

from beredskap.platform.auth import service as auth_service
from beredskap.platform.db import transaction
from beredskap.register.inventory.models import Equipment
from beredskap.register.organisations.models import Organisation
from beredskap.register.seed.demo import seed_demo
from beredskap.register.seed.scale import TOWNS, seed_scale
from beredskap.register.volunteers.models import Volunteer

LILLESTROM = (11.05, 59.96, 0.05)


def _council_token(served: Served) -> str:
    with transaction(served.database.sessions, actor="bench") as session:
        user, _ = auth_service.add_user(
            session, email=f"bench-council-{time.time_ns()}@example.org", role="council"
        )
        _row, token = auth_service.create_token(session, user, days=1)
    return token


def _size(served: Served) -> str:
    with served.database.sessions() as session:
        counts = [
            session.scalar(select(func.count()).select_from(model))
            for model in (Organisation, Equipment, Volunteer)
        ]
    return f"{counts[0]} organisations, {counts[1]} equipment lines, {counts[2]} volunteers"


def _run(
    served: Served,
    label: str,
    towns: tuple[tuple[float, float, float], ...],
    council: str,
    requests: int,
    rng: random.Random,
) -> None:
    size = _size(served)
    scenarios = (
        ("council", 60, requests),
        ("council", 120, requests),
        ("admin", 60, requests),
        ("admin", 120, requests),
        ("council", 1440, max(10, requests // 5)),
    )
    for role, minutes, count in scenarios:
        headers = {"Authorization": f"Bearer {council}"} if role == "council" else {}

        def call(minutes: int = minutes, headers: dict[str, str] = headers) -> None:
            lon, lat, spread = rng.choice(towns)
            params: dict[str, Any] = {
                "lon": f"{lon + rng.gauss(0, spread * 2):.5f}",
                "lat": f"{lat + rng.gauss(0, spread):.5f}",
                "minutes": minutes,
            }
            response = served.client.get("/api/v1/reach", params=params, headers=headers)
            response.raise_for_status()
            assert response.content.startswith(b'{"on":')

        timings = measure(call, requests=count, warm_up=5)
        print(
            f"{served.database.backend}: {label}: {role} {minutes} min: {summary(timings)} ({size})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="database URL (default: a new SpatiaLite file)")
    parser.add_argument("--organisations", type=int, default=1_000)
    parser.add_argument("--equipment", type=int, default=100_000)
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(18)
    with seeded_server(args.url, organisations=0, equipment=0, volunteers=0) as served:
        with transaction(served.database.sessions, actor="bench") as session:
            seed_demo(session)
        council = _council_token(served)
        _run(served, "demo", (LILLESTROM,), council, args.requests, rng)
        started = time.perf_counter()
        seed_scale(
            served.database.engine,
            organisations=args.organisations,
            equipment=args.equipment,
            volunteers=args.volunteers,
        )
        with served.database.sessions() as session:
            scale_ids = list(
                session.scalars(select(Organisation.id).where(Organisation.name.like("Skalatest%")))
            )
        add_agreements(Served(served.client, served.database, scale_ids), rng)
        print(f"scale data added in {time.perf_counter() - started:.0f} s")
        _run(served, "scale", TOWNS, council, args.requests, rng)


if __name__ == "__main__":
    main()
