"""Latency of map layer pages through /ogc and /api/v1/layers, with 100k equipment rows.

No target is set for the layers yet; these figures are the baseline. The expensive layer is
equipment per site: its page and its total are GROUP BY queries over the matching equipment.

    .venv/bin/python bench/layers.py                                    # SpatiaLite
    .venv/bin/python bench/layers.py --url postgresql+psycopg://postgres@127.0.0.1/bench

The PostgreSQL database must exist with the postgis extension; its schema is rebuilt.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from typing import Any

from harness import measure, seeded_server, summary

from beredskap.register.seed.scale import TOWNS

CAPABILITIES = ("transport", "shelter", "power", "medical", "comms", "water", "food", "rescue")
BOX_HALF_DEGREES = 0.1  # 0.4 x 0.2 degrees, about 22 x 22 km: a municipality's map view


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="database URL (default: a new SpatiaLite file)")
    parser.add_argument("--equipment", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    with seeded_server(
        args.url, organisations=args.organisations, equipment=args.equipment, volunteers=1_000
    ) as served:
        rng = random.Random(4)

        def town_box() -> str:
            lon, lat, spread = rng.choice(TOWNS)
            lon, lat = lon + rng.gauss(0, spread * 2), lat + rng.gauss(0, spread)
            half = BOX_HALF_DEGREES
            return f"{lon - 2 * half:.5f},{lat - half:.5f},{lon + 2 * half:.5f},{lat + half:.5f}"

        scenarios: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
            "ogc equipment per site, whole country, page of 100 at a random offset": (
                "/ogc/collections/equipment-aggregates/items",
                lambda: {"limit": 100, "offset": rng.randrange(0, 1_900, 100)},
            ),
            "ogc equipment per site of one capability in a town box": (
                "/ogc/collections/equipment-aggregates/items",
                lambda: {"bbox": town_box(), "capability": rng.choice(CAPABILITIES)},
            ),
            "ogc sites in a town box, in UTM 33": (
                "/ogc/collections/sites/items",
                lambda: {
                    "bbox": town_box(),
                    "crs": "http://www.opengis.net/def/crs/EPSG/0/25833",
                },
            ),
            "api equipment per site, whole country, 1000 features": (
                "/api/v1/layers/equipment-aggregates",
                lambda: {"limit": 1_000},
            ),
            "api organisations, whole country, 1000 features": (
                "/api/v1/layers/organisations",
                lambda: {"limit": 1_000},
            ),
        }
        backend = served.database.backend
        for name, (path, params) in scenarios.items():
            returned: list[int] = []

            def call(
                path: str = path,
                params: Callable[[], dict[str, Any]] = params,
                returned: list[int] = returned,
            ) -> None:
                response = served.client.get(path, params=params())
                response.raise_for_status()
                returned.append(len(response.json()["features"]))

            timings = measure(call, requests=args.requests)
            average = sum(returned) / len(returned)
            print(f"{backend}: {name}: {summary(timings)}, {average:.0f} features per answer")


if __name__ == "__main__":
    main()
