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
from collections.abc import Callable
from typing import Any

from harness import measure, seeded_server, summary

CAPABILITIES = ("transport", "shelter", "power", "medical", "comms", "water", "food", "rescue")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="database URL (default: a new SpatiaLite file)")
    parser.add_argument("--equipment", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database already seeded with this size"
    )
    args = parser.parse_args()

    with seeded_server(
        args.url,
        organisations=args.organisations,
        equipment=args.equipment,
        volunteers=1_000,
        reuse=args.reuse,
    ) as served:
        rng = random.Random(1)
        scenarios: dict[str, Callable[[], dict[str, Any]]] = {
            "ready equipment of a capability group, page of 50 at a random offset": lambda: {
                "status": "ready",
                "capability": rng.choice(CAPABILITIES),
                "limit": 50,
                "offset": rng.randrange(0, 5_000, 50),
            },
            "one organisation's ready equipment, first 50": lambda: {
                "organisation_id": rng.choice(served.organisation_ids),
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
        backend = served.database.backend
        for name, params in scenarios.items():

            def call(params: Callable[[], dict[str, Any]] = params) -> None:
                response = served.client.get("/api/v1/equipment", params=params())
                response.raise_for_status()
                assert len(response.json()["items"]) <= 50

            timings = measure(call, requests=args.requests)
            print(f"{backend}: {name}: {summary(timings)} ({args.equipment} equipment rows)")


if __name__ == "__main__":
    main()
