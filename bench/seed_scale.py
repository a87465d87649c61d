"""Times `seed scale` into an empty database: the generator must write 100k equipment rows
in under 60 s on SpatiaLite.

    .venv/bin/python bench/seed_scale.py                       # SpatiaLite in a temp file
    .venv/bin/python bench/seed_scale.py --url postgresql+psycopg://postgres@127.0.0.1/bench

The PostgreSQL database must exist with the postgis extension; its schema is rebuilt.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from beredskap.main.settings import Settings
from beredskap.platform import migrate
from beredskap.platform.db import backend_of
from beredskap.platform.runtime import open_database
from beredskap.register.seed.scale import seed_scale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="database URL (default: a new SpatiaLite file)")
    parser.add_argument("--organisations", type=int, default=1_000)
    parser.add_argument("--equipment", type=int, default=100_000)
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    timings: list[float] = []
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(args.repeat):
            url = args.url or f"sqlite:///{Path(scratch) / f'bench{run}.db'}"
            database = open_database(Settings(database_url=url))
            if migrate.current_revision(database.engine) is not None:
                migrate.downgrade(database.engine, "base")
            migrate.upgrade(database.engine)
            started = time.perf_counter()
            summary = seed_scale(
                database.engine,
                organisations=args.organisations,
                equipment=args.equipment,
                volunteers=args.volunteers,
            )
            timings.append(time.perf_counter() - started)
            backend = backend_of(database.engine)
            database.engine.dispose()
            print(f"run {run + 1}: {timings[-1]:.2f} s ({summary})")
    timings.sort()
    print(
        f"{backend}: seed scale of {args.equipment} equipment, {args.volunteers} volunteers, "
        f"{args.organisations} organisations: median {timings[len(timings) // 2]:.2f} s, "
        f"best {timings[0]:.2f} s, worst {timings[-1]:.2f} s over {len(timings)} runs"
    )


if __name__ == "__main__":
    main()
