"""Latency of filtered, paginated list requests through the API, with 100k equipment rows
(or, with `--target volunteers`, 100k volunteers).

Target (issue 3): p95 under 50 ms on PostGIS on the 2-core workplace machine. Issue 14: the
volunteers list, as an admin who reads contact details (each page then writes a `read` audit
entry), rises at most 20% at p95.

    .venv/bin/python bench/api_list.py                                  # SpatiaLite
    .venv/bin/python bench/api_list.py --url postgresql+psycopg://postgres@127.0.0.1/bench
    .venv/bin/python bench/api_list.py --target volunteers [--url ...]
    .venv/bin/python bench/api_list.py --target volunteers --against /tmp/before [--url ...]

`--against CHECKOUT` serves a second app from another checkout (a `git worktree` of an earlier
commit, with the ignored `beredskap/register/web/static/vendor` copied in) on the same
database, and sends each request to both, alternating which goes first: a load that changes
on the machine meanwhile weighs on both alike.

The PostgreSQL database must exist with the postgis extension; its schema is rebuilt. The
server is uvicorn with one worker in this process; requests come one at a time over HTTP
keep-alive from a client thread, after a warm-up.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from harness import (
    Served,
    _free_port,
    _wait_until_serving,
    measure,
    percentile,
    seeded_server,
    summary,
)

CAPABILITIES = ("transport", "shelter", "power", "medical", "comms", "water", "food", "rescue")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="database URL (default: a new SpatiaLite file)")
    parser.add_argument(
        "--target",
        choices=("equipment", "volunteers"),
        default="equipment",
        help="which list to request (volunteers: 100,000 volunteers and 1,000 equipment lines)",
    )
    parser.add_argument("--equipment", type=int)
    parser.add_argument("--volunteers", type=int)
    parser.add_argument("--organisations", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database already seeded with this size"
    )
    parser.add_argument(
        "--against", type=Path, help="also serve this checkout and compare, request by request"
    )
    args = parser.parse_args()
    volunteers_target = args.target == "volunteers"
    if args.equipment is None:
        args.equipment = 1_000 if volunteers_target else 100_000
    if args.volunteers is None:
        args.volunteers = 100_000 if volunteers_target else 1_000

    with seeded_server(
        args.url,
        organisations=args.organisations,
        equipment=args.equipment,
        volunteers=args.volunteers,
        reuse=args.reuse,
    ) as served:
        rng = random.Random(1)
        if volunteers_target:
            scenarios = volunteer_scenarios(served, rng)
            size = f"{args.volunteers} volunteers"
            against = served_from(args.against, served) if args.against else nullcontext()
            with against as other:
                if other is None:
                    run(served, "/api/v1/volunteers", scenarios, args.requests, size)
                else:
                    compare(served, other, "/api/v1/volunteers", scenarios, args.requests, size)
            return
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
        run(
            served,
            "/api/v1/equipment",
            scenarios,
            args.requests,
            f"{args.equipment} equipment rows",
        )


def volunteer_scenarios(
    served: Served, rng: random.Random
) -> dict[str, Callable[[], dict[str, Any]]]:
    """Filtered pages of volunteers as the administrator reads them (with mobile and e-mail)."""
    catalogue = served.client.get("/api/v1/qualification-types", params={"limit": 200})
    codes = [item["code"] for item in catalogue.json()["items"]]
    return {
        "holders of a qualification valid today, page of 50 at a random offset": lambda: {
            "qualification": rng.choice(codes),
            "valid_on": date.today().isoformat(),
            "limit": 50,
            "offset": rng.randrange(0, 2_000, 50),
        },
        "one organisation's members, first 50": lambda: {
            "organisation_id": rng.choice(served.organisation_ids),
            "limit": 50,
        },
        "available and consenting to SMS, by name, page of 50 at a random offset": lambda: {
            "availability": "available",
            "sms_consent": "true",
            "limit": 50,
            "offset": rng.randrange(0, 5_000, 50),
        },
    }


def run(
    served: Served,
    path: str,
    scenarios: dict[str, Callable[[], dict[str, Any]]],
    requests: int,
    size: str,
) -> None:
    backend = served.database.backend
    for name, params in scenarios.items():

        def call(params: Callable[[], dict[str, Any]] = params) -> None:
            response = served.client.get(path, params=params())
            response.raise_for_status()
            assert len(response.json()["items"]) <= 50

        timings = measure(call, requests=requests)
        print(f"{backend}: {name}: {summary(timings)} ({size})")


# Runs before anything else in the second server: its imports come from PYTHONPATH's
# checkout, not from the editable install of this one.
_SHIM = """import sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
sys.path_importer_cache.clear()
"""


@contextmanager
def served_from(checkout: Path, served: Served) -> Iterator[httpx.Client]:
    """`beredskap serve` from another checkout on the same database, with the same token."""
    url = served.database.engine.url.render_as_string(hide_password=False)
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "sitecustomize.py").write_text(_SHIM)
        environment = os.environ | {
            "PYTHONPATH": os.pathsep.join([scratch, str(checkout.resolve())]),
            "BEREDSKAP_DATABASE_URL": url,
            "BEREDSKAP_COOKIE_SECURE": "false",
        }
        log = (Path(scratch) / "server.log").open("wb")
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "beredskap.main.cli", "serve", "--port", str(port)],
            env=environment,
            cwd=checkout,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}",
                headers={"Authorization": served.client.headers["Authorization"]},
                timeout=30,
            ) as client:
                _wait_until_serving(client, server)
                yield client
        finally:
            server.terminate()
            server.wait(timeout=20)
            log.close()


def compare(
    served: Served,
    other: httpx.Client,
    path: str,
    scenarios: dict[str, Callable[[], dict[str, Any]]],
    requests: int,
    size: str,
) -> None:
    """The same requests to this checkout's server and the other's, alternating which first."""
    backend = served.database.backend
    for name, params in scenarios.items():
        timings: dict[str, list[float]] = {"this": [], "against": []}
        clients = {"this": served.client, "against": other}
        for index in range(20 + requests):
            query = params()
            order = ("this", "against") if index % 2 == 0 else ("against", "this")
            for which in order:
                started = time.perf_counter()
                response = clients[which].get(path, params=query)
                elapsed = (time.perf_counter() - started) * 1000
                response.raise_for_status()
                if index >= 20:  # after the warm-up
                    timings[which].append(elapsed)
        ratio = percentile(timings["this"], 0.95) / percentile(timings["against"], 0.95)
        print(f"{backend}: {name} ({size}):")
        print(f"  this checkout: {summary(timings['this'])}")
        print(f"  --against:     {summary(timings['against'])}")
        print(f"  p95 this/against: {ratio:.2f}")


if __name__ == "__main__":
    main()
