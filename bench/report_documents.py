"""Time to build each report as a PDF and as a spreadsheet: the register's queries,
the coverage of every agreement and the document, as the routes build them (in process, no
HTTP; the audit entry, one insert, is left out).

Targets (issue 17): under 3 s each for the demo municipality; under 30 s each with 1,000
organisations and 100,000 equipment lines (`seed_scale`, 10,000 volunteers).

    .venv/bin/python bench/report_documents.py                                   # SpatiaLite
    .venv/bin/python bench/report_documents.py --url postgresql+psycopg://postgres@127.0.0.1/bench
    .venv/bin/python bench/report_documents.py --out /tmp/reports                # keep the files

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
from beredskap.register.inventory.models import Equipment
from beredskap.register.organisations.models import Organisation
from beredskap.register.seed.demo import seed_demo
from beredskap.register.seed.scale import seed_scale
from exercises.demo import seed_exercises
from reports.extraction import system_extraction
from reports.ressursoversikt.documents import ressursoversikt_pdf, ressursoversikt_xlsx
from reports.tilsyn.documents import PACK, Gathered, tilsyn_zip
from reports.tilsyn.documents import REPORT as TILSYN
from reports.varslingsliste.documents import varslingsliste_pdf, varslingsliste_xlsx

# Each document as its download route builds it, for the coordinator's reading.
DOCUMENTS: dict[str, Callable[..., bytes]] = {
    "ressursoversikt.pdf": ressursoversikt_pdf,
    "ressursoversikt.xlsx": ressursoversikt_xlsx,
    "varslingsliste.pdf": varslingsliste_pdf,
    "varslingsliste.xlsx": varslingsliste_xlsx,
    # The evidence pack's own documents one by one, then the whole zip (which holds the
    # ressursoversikt and the varslingsliste besides).
    **{
        f"tilsyn-{entry.filename}": lambda session, extraction, entry=entry: entry.produce(
            Gathered(session, extraction)
        )
        for entry in PACK
        if entry.report == TILSYN
    },
    "tilsyn.zip": tilsyn_zip,
}


def _build(database: Database, settings: Settings, name: str) -> bytes:
    with database.sessions() as session:
        return DOCUMENTS[name](session, system_extraction(settings, "bench@example.no"))


def _time(call: Callable[[], bytes], repeat: int) -> tuple[list[float], list[float], int]:
    """Wall times and the process's CPU times, each sorted: on shared cores the wall time
    includes waiting for one, the CPU time does not (PostgreSQL's own work is outside it)."""
    timings, cpu, size = [], [], 0
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        size = len(call())
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return sorted(timings), sorted(cpu), size


def _measure(
    label: str, database: Database, settings: Settings, repeat: int, out: Path | None
) -> None:
    with database.sessions() as session:
        organisations = session.scalar(select(func.count()).select_from(Organisation))
        lines = session.scalar(select(func.count()).select_from(Equipment))
    for name in DOCUMENTS:
        timings, cpu, size = _time(lambda n=name: _build(database, settings, n), repeat)
        print(
            f"{backend_of(database.engine)} {label} ({organisations} organisations, "
            f"{lines} equipment lines): {name} median {timings[len(timings) // 2]:.2f} s, "
            f"best {timings[0]:.2f} s, worst {timings[-1]:.2f} s over {repeat} runs "
            f"(CPU median {cpu[len(cpu) // 2]:.2f} s), {size / 1024:.0f} KiB"
        )
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{label}-{name}").write_bytes(_build(database, settings, name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="database URL (default: a new SpatiaLite file)")
    parser.add_argument("--organisations", type=int, default=1_000)
    parser.add_argument("--equipment", type=int, default=100_000)
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, help="write the documents to this folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        url = args.url or f"sqlite:///{Path(scratch) / 'bench.db'}"
        settings = Settings(database_url=url)
        database = open_database(settings)
        if migrate.current_revision(database.engine) is not None:
            migrate.downgrade(database.engine, "base")
        migrate.upgrade(database.engine)
        with transaction(database.sessions, actor="bench") as session:
            seed_demo(session)
            seed_exercises(session)  # as `beredskap seed demo`: the evidence pack's record
        _measure("demo", database, settings, args.repeat, args.out)
        seed_scale(
            database.engine,
            organisations=args.organisations,
            equipment=args.equipment,
            volunteers=args.volunteers,
        )
        _measure("scale", database, settings, args.repeat, args.out)
        database.engine.dispose()


if __name__ == "__main__":
    main()
