"""Latency of GET /api/v1/readiness: every agreement with its lines and forecast, with 1,000
agreements over 100,000 equipment lines (and 20,000 volunteers).

Target (issue 16): p95 under 200 ms on PostGIS on the 2-core workplace machine.

    .venv/bin/python bench/readiness.py                                   # SpatiaLite
    .venv/bin/python bench/readiness.py --url postgresql+psycopg://postgres@127.0.0.1/bench

Each of the 1,000 organisations gets one agreement with three commitments (two resource
types and a qualification); a third of them have a service area, half a mobilisation time.
The PostgreSQL database must exist with the postgis extension; its schema is rebuilt. The
server is uvicorn with one worker; requests come one at a time over HTTP keep-alive.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from geoalchemy2.shape import from_shape
from harness import Served, measure, seeded_server, summary
from shapely.geometry import MultiPolygon, box
from sqlalchemy import func, insert, select

from beredskap.platform.columns import utcnow
from beredskap.register.agreements.models import Agreement, AgreementTask, Commitment
from beredskap.register.inventory.models import ResourceType
from beredskap.register.organisations.models import Site
from beredskap.register.volunteers.models import QualificationType

TASKS = [task.value for task in AgreementTask]


def add_agreements(served: Served, rng: random.Random) -> int:
    """One agreement per organisation, three commitments each, in one transaction."""
    engine = served.database.engine
    now, today = utcnow(), date.today()
    stamps = {"created_at": now, "updated_at": now, "version": 1}
    with engine.begin() as connection:
        resource_ids = list(connection.scalars(select(ResourceType.id)))
        qualification_ids = list(connection.scalars(select(QualificationType.id)))
        first_site = dict(
            connection.execute(
                select(Site.organisation_id, func.min(Site.id)).group_by(Site.organisation_id)
            ).all()
        )
        sites = {
            site_id: (x, y)
            for site_id, x, y in connection.execute(
                select(Site.id, func.ST_X(Site.location), func.ST_Y(Site.location)).where(
                    Site.id.in_(list(first_site.values()))
                )
            )
        }
        rows = []
        for n, organisation_id in enumerate(served.organisation_ids):
            area = None
            site_id = first_site.get(organisation_id)
            if n % 3 == 0 and site_id is not None:
                x, y = sites[site_id]
                area = from_shape(MultiPolygon([box(x - 0.3, y - 0.2, x + 0.3, y + 0.2)]), 4326)
            rows.append(
                {
                    "organisation_id": organisation_id,
                    "reference": f"BENCH/{n:05d}",
                    "title": f"Benchmark-avtale {n}",
                    "status": "active" if n % 10 else "draft",
                    "valid_from": today - timedelta(days=rng.randint(30, 900)),
                    "valid_until": today + timedelta(days=rng.randint(10, 900)) if n % 4 else None,
                    "tasks": rng.sample(TASKS, k=2),
                    "committed_mobilisation_minutes": rng.choice((30, 60, 120)) if n % 2 else None,
                    "contacts": [],
                    "police_rescue_precedence": True,
                    "service_area": area,
                    **stamps,
                }
            )
        connection.execute(insert(Agreement), rows)
        agreement_ids = list(
            connection.scalars(select(Agreement.id).where(Agreement.reference.like("BENCH/%")))
        )
        commitments: list[dict[str, Any]] = []
        for agreement_id in agreement_ids:
            for resource_type_id in rng.sample(resource_ids, k=2):
                commitments.append(
                    {
                        "agreement_id": agreement_id,
                        "resource_type_id": resource_type_id,
                        "qualification_type_id": None,
                        "quantity": rng.randint(1, 30),
                        **stamps,
                    }
                )
            commitments.append(
                {
                    "agreement_id": agreement_id,
                    "resource_type_id": None,
                    "qualification_type_id": rng.choice(qualification_ids),
                    "quantity": rng.randint(1, 8),
                    **stamps,
                }
            )
        connection.execute(insert(Commitment), commitments)
    return len(agreement_ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="database URL (default: a new SpatiaLite file)")
    parser.add_argument("--organisations", type=int, default=1_000)
    parser.add_argument("--equipment", type=int, default=100_000)
    parser.add_argument("--volunteers", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(16)
    with seeded_server(
        args.url,
        organisations=args.organisations,
        equipment=args.equipment,
        volunteers=args.volunteers,
    ) as served:
        agreements = add_agreements(served, rng)
        size = f"{agreements} agreements, {args.equipment} equipment lines"
        scenarios: dict[str, Callable[[], dict[str, Any]]] = {
            "every agreement with lines and forecast": dict,
            "agreements not met": lambda: {"met": "false"},
            "one task": lambda: {"task": rng.choice(TASKS)},
            "one organisation": lambda: {"organisation_id": rng.choice(served.organisation_ids)},
        }
        backend = served.database.backend
        for name, params in scenarios.items():

            def call(params: Callable[[], dict[str, Any]] = params) -> None:
                response = served.client.get("/api/v1/readiness", params=params())
                response.raise_for_status()
                # The whole body is received; parsing 2 MB of JSON is the client's time, not
                # the server's (the answer's shape is the tests' business).
                assert response.content.startswith(b'{"on":')

            timings = measure(call, requests=args.requests, warm_up=5)
            print(f"{backend}: {name}: {summary(timings)} ({size})")


if __name__ == "__main__":
    main()
