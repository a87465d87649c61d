"""Time to write the offline binder: each file of a snapshot on its own (the documents as the
snapshot makes them, the GeoPackage), then the whole snapshot as `beredskap snapshot` writes
it (one consistent read, every file, the manifest, the audit entry, the rename).

Targets (issue 17): each PDF and XLSX under 3 s for the demo municipality, under 30 s with
1,000 organisations and 100,000 equipment lines (`seed_scale`, 10,000 volunteers).

    .venv/bin/python bench/snapshot.py                                   # SpatiaLite
    .venv/bin/python bench/snapshot.py --url postgresql+psycopg://postgres@127.0.0.1/bench
    .venv/bin/python bench/snapshot.py --out /tmp/binder                 # keep the snapshots

The PostgreSQL database must exist with the postgis extension; its schema is rebuilt.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from beredskap.main.settings import Settings
from beredskap.platform import migrate
from beredskap.platform.db import backend_of, transaction
from beredskap.platform.runtime import Database, open_database
from beredskap.register.export.geopackage import write_geopackage
from beredskap.register.inventory.models import Equipment
from beredskap.register.organisations.models import Organisation
from beredskap.register.seed.demo import seed_demo
from beredskap.register.seed.scale import seed_scale
from beredskap.register.volunteers.models import Volunteer
from reports.extraction import system_extraction
from reports.snapshot.documents import DOCUMENTS, GEOPACKAGE
from reports.snapshot.service import take_snapshot

EXTRACTED_BY = "bench snapshot"


def _median(call: Callable[[], int], repeat: int) -> tuple[float, float, float, int]:
    """Median and worst wall seconds over `repeat` runs, the median CPU seconds of this
    process (on a shared machine the wall time also counts waiting for a core), and the size
    of the last."""
    timings, cpu, size = [], [], 0
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        size = call()
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    timings.sort()
    cpu.sort()
    return timings[len(timings) // 2], timings[-1], cpu[len(cpu) // 2], size


def _measure(label: str, database: Database, settings: Settings, repeat: int, out: Path) -> None:
    with database.sessions() as session:
        organisations = session.scalar(select(func.count()).select_from(Organisation))
        lines = session.scalar(select(func.count()).select_from(Equipment))
        people = session.scalar(select(func.count()).select_from(Volunteer))
    heading = (
        f"{backend_of(database.engine)} {label} ({organisations} organisations, {lines} "
        f"equipment lines, {people} volunteers)"
    )

    def document(index: int) -> int:
        with database.sessions() as session:
            extraction = system_extraction(settings, EXTRACTED_BY)
            return len(DOCUMENTS[index].produce(session, extraction))

    def geopackage() -> int:
        with tempfile.TemporaryDirectory() as scratch, database.sessions() as session:
            path = Path(scratch) / GEOPACKAGE
            write_geopackage(session, path, personal=True)
            return path.stat().st_size

    timed: list[tuple[str, Callable[[], int]]] = [
        (item.filename, lambda i=index: document(i)) for index, item in enumerate(DOCUMENTS)
    ]
    timed.append((GEOPACKAGE, geopackage))
    for name, call in timed:
        median, worst, cpu, size = _median(call, repeat)
        print(
            f"{heading}: {name} median {median:.2f} s (CPU {cpu:.2f} s), worst {worst:.2f} s "
            f"over {repeat} runs, {size / 1024:.0f} KiB"
        )
    started, started_cpu = time.perf_counter(), time.process_time()
    snapshot = take_snapshot(
        database, system_extraction(settings, EXTRACTED_BY), out / label, actor="bench"
    )
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    total = sum(file.size for file in snapshot.files)
    print(
        f"{heading}: the whole snapshot {elapsed:.2f} s (CPU {cpu:.2f} s), "
        f"{len(snapshot.files)} files, "
        f"{total / 1024 / 1024:.1f} MiB, in {snapshot.path}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="database URL (default: a new SpatiaLite file)")
    parser.add_argument("--organisations", type=int, default=1_000)
    parser.add_argument("--equipment", type=int, default=100_000)
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, help="keep the snapshots in this folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        url = args.url or f"sqlite:///{Path(scratch) / 'bench.db'}"
        out = args.out or Path(scratch) / "snapshots"
        settings = Settings(database_url=url)
        database = open_database(settings)
        if migrate.current_revision(database.engine) is not None:
            migrate.downgrade(database.engine, "base")
        migrate.upgrade(database.engine)
        with transaction(database.sessions, actor="bench") as session:
            seed_demo(session)
        _measure("demo", database, settings, args.repeat, out)
        seed_scale(
            database.engine,
            organisations=args.organisations,
            equipment=args.equipment,
            volunteers=args.volunteers,
        )
        _measure("scale", database, settings, args.repeat, out)
        database.engine.dispose()


if __name__ == "__main__":
    main()
