"""Times `beredskap import equipment` of 10,000 rows: the import must take under 30 s on
SpatiaLite (issue 15).

    .venv/bin/python bench/import_equipment.py                 # SpatiaLite in a temp file
    .venv/bin/python bench/import_equipment.py --rows 10000 --format xlsx
    .venv/bin/python bench/import_equipment.py --url postgresql+psycopg://postgres@127.0.0.1/bench

Each run migrates an empty database, adds 200 organisations with their sites (`seed scale`,
no equipment), writes a file of equipment rows naming them by organisation name, site name
and resource type code (seven in ten identified items, the rest stock lines), and runs the
import as the command does (read, check every row, write in one transaction, the audit
trail included) three times: into the empty register (all created), the same file again
(all unchanged), and the file with a tenth of the quantities and notes changed (updates).
The PostgreSQL database must exist with the postgis extension; its schema is rebuilt.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from beredskap.main.settings import Settings
from beredskap.platform import migrate
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.db import backend_of, transaction
from beredskap.platform.runtime import open_database
from beredskap.register.imports.reading import read_table
from beredskap.register.imports.service import run_import
from beredskap.register.inventory.models import ResourceType
from beredskap.register.organisations.models import Organisation, Site
from beredskap.register.seed.scale import seed_scale

HEADINGS = ["Organisasjon", "Lagringssted", "Ressurstype", "Antall", "Identifikator", "Merknader"]


def _rows(database, count: int, seed: int) -> list[list[str]]:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    with transaction(database.sessions, actor="bench") as session:
        names = dict(session.execute(select(Organisation.id, Organisation.name)).all())
        sites = [
            (names[organisation_id], name)
            for organisation_id, name in session.execute(
                select(Site.organisation_id, Site.name).where(Site.organisation_id.is_not(None))
            )
        ]
        codes = list(session.scalars(select(ResourceType.code)))
    stock = [(site, code) for site in sites for code in codes]
    rng.shuffle(stock)
    rows = []
    for n in range(count):
        if n % 10 < 7:
            (organisation, site), code = rng.choice(sites), rng.choice(codes)
            rows.append([organisation, site, code, "1", f"BENCH-{n:06d}", ""])
        else:
            (organisation, site), code = stock.pop()
            rows.append([organisation, site, code, str(rng.randint(2, 50)), "", "lager"])
    return rows


def _file(rows: list[list[str]], kind: str) -> bytes:
    if kind == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Data")
        sheet.append(HEADINGS)
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADINGS)
    writer.writerows(rows)
    return text.getvalue().encode("cp1252")


def _timed_import(database, data: bytes, name: str) -> tuple[float, float, str]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    table = read_table(data, name)
    read = time.perf_counter() - started
    with transaction(database.sessions, actor="bench import") as session:
        report = run_import(session, "equipment", table, source=name)
    assert report.ok, report.errors[:5]
    total = time.perf_counter() - started
    counts = f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged"
    return read, total, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="database URL (default: a new SpatiaLite file)")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        url = args.url or f"sqlite:///{Path(scratch) / 'import.db'}"
        database = open_database(Settings(database_url=url))
        if migrate.current_revision(database.engine) is not None:
            migrate.downgrade(database.engine, "base")
        migrate.upgrade(database.engine)
        seed_scale(database.engine, organisations=200, equipment=0, volunteers=0)
        rows = _rows(database, args.rows, seed=15)
        name = f"equipment.{args.format}"
        data = _file(rows, args.format)
        rng = random.Random(16)
        changed = [list(row) for row in rows]
        for row in rng.sample(changed, len(changed) // 10):
            if row[4]:
                row[5] = "kontrollert"
            else:
                row[3] = str(int(row[3]) + 1)
        runs = (("new", data), ("again", data), ("a tenth changed", _file(changed, args.format)))
        backend = backend_of(database.engine)
        print(f"{backend}: {args.rows} rows, {args.format}, {len(data) / 1e6:.1f} MB")
        for label, payload in runs:
            read, total, counts = _timed_import(database, payload, name)
            print(f"  {label:<16} read {read:6.2f} s  total {total:6.2f} s  ({counts})")
        with transaction(database.sessions, actor="bench") as session:
            entries = session.scalar(select(func.count()).select_from(AuditEntry))
        print(f"  audit entries afterwards: {entries}")
        database.engine.dispose()


if __name__ == "__main__":
    main()
