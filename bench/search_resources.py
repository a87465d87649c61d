"""Latency of "ready equipment of one capability group within 20 km of a point, nearest
first, first 50" through the API, and of the same query as plain SQL beside it.

Target (issue 4), with 1,000,000 equipment rows and 100,000 volunteers: through the API on
PostGIS p50 under 10 ms and p95 under 25 ms, at most twice the SQL's time.

    .venv/bin/python bench/search_resources.py --url postgresql+psycopg://postgres@127.0.0.1/bench
    .venv/bin/python bench/search_resources.py                          # SpatiaLite
"""

from __future__ import annotations

import argparse
import random
import statistics
from typing import Any

from harness import measure, percentile, seeded_server, summary
from sqlalchemy import event

from beredskap.register.inventory.models import Capability
from beredskap.register.search import service
from beredskap.register.seed.scale import TOWNS

CAPABILITIES = ("transport", "shelter", "power", "medical", "comms", "water", "food", "rescue")
RADIUS_M = 20_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="database URL (default: a new SpatiaLite file)")
    parser.add_argument("--equipment", type=int, default=1_000_000)
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database already seeded with this size"
    )
    args = parser.parse_args()

    with seeded_server(
        args.url,
        organisations=args.organisations,
        equipment=args.equipment,
        volunteers=args.volunteers,
        reuse=args.reuse,
    ) as served:
        backend = served.database.backend
        rng = random.Random(7)

        def place() -> tuple[float, float, str]:
            lon, lat, spread = rng.choice(TOWNS)
            return (
                lon + rng.gauss(0, spread),
                lat + rng.gauss(0, spread / 2),
                rng.choice(CAPABILITIES),
            )

        found: list[int] = []

        def api_call() -> None:
            lon, lat, capability = place()
            response = served.client.get(
                "/api/v1/search/resources",
                params={
                    "lat": lat,
                    "lon": lon,
                    "radius_m": RADIUS_M,
                    "capability": capability,
                    "limit": 50,
                },
            )
            response.raise_for_status()
            found.append(len(response.json()["features"]))

        api = measure(api_call, requests=args.requests)
        print(
            f"{backend}: API  {summary(api)} (features per answer: median "
            f"{sorted(found)[len(found) // 2]}, {args.equipment} equipment rows)"
        )

        def nearest_call() -> None:
            lon, lat, capability = place()
            response = served.client.get(
                "/api/v1/search/resources",
                params={"lat": lat, "lon": lon, "capability": capability, "limit": 50},
            )
            response.raise_for_status()

        nearest = measure(nearest_call, requests=args.requests)
        print(f"{backend}: API, nearest 50 without a radius: {summary(nearest)}")

        # The same statements the API's search runs (ranking, then loading the winners),
        # captured once per place and replayed on a bare DB-API cursor.
        engine = served.database.engine
        captured: list[list[tuple[str, Any]]] = []

        def capture(_c: Any, _cur: Any, statement: str, params: Any, *_rest: Any) -> None:
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                captured[-1].append((statement, params))  # not our BEGIN on SQLite

        event.listen(engine, "before_cursor_execute", capture)
        for _ in range(args.requests + 20):
            lon, lat, capability = place()
            captured.append([])
            with served.database.sessions() as session:
                service.ready_equipment_near(
                    session,
                    service.Place(lon, lat),
                    radius_m=RADIUS_M,
                    limit=50,
                    capability=Capability(capability),
                )
        event.remove(engine, "before_cursor_execute", capture)
        statements = iter(captured)
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()

            def sql_call() -> None:
                for statement, params in next(statements):
                    cursor.execute(statement, params)
                    cursor.fetchall()

            sql = measure(sql_call, requests=args.requests)
        finally:
            raw.close()
        print(f"{backend}: SQL  {summary(sql)} (the API's own statements, no ORM, no HTTP)")
        print(
            f"{backend}: API/SQL at p50 {statistics.median(api) / statistics.median(sql):.2f}x, "
            f"at p95 {percentile(api, 0.95) / percentile(sql, 0.95):.2f}x"
        )


if __name__ == "__main__":
    main()
