"""The whole export: every owned table as CSV (`platform.export.tables`), the map layers as a
GeoPackage (`geopackage.py`) and a README of the columns, into a directory (`beredskap export
--out DIR`) or a zip file (`GET /api/v1/export.zip`). One audit entry per export (a read: who,
whether personal data was in it, how many rows of tables with personal data)."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlalchemy import MetaData
from sqlalchemy.orm import Session

from beredskap.platform.audit.reads import record_read
from beredskap.platform.export.tables import owned_tables, readme, write_csv
from beredskap.platform.privacy.declaration import personal_tables
from beredskap.register.export.geopackage import describe, write_geopackage

GEOPACKAGE = "layers.gpkg"
README = "README.md"
AUDIT_ENTITY = "export"


class DirectoryTarget:
    """Files in a directory (made when missing)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def text(self, name: str) -> Iterator[IO[str]]:
        with (self.directory / name).open("w", encoding="utf-8", newline="") as out:
            yield out

    def add(self, name: str, path: Path) -> None:
        shutil.move(path, self.directory / name)  # across file systems too


class ZipTarget:
    """Members of an open zip file, each written as a stream."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive

    @contextmanager
    def text(self, name: str) -> Iterator[IO[str]]:
        with (
            self.archive.open(name, "w", force_zip64=True) as raw,
            io.TextIOWrapper(raw, encoding="utf-8", newline="") as out,
        ):
            yield out

    def add(self, name: str, path: Path) -> None:
        self.archive.write(path, name)


@dataclass
class Exported:
    rows: dict[str, int] = field(default_factory=dict)  # per CSV file
    features: dict[str, int] = field(default_factory=dict)  # per GeoPackage layer


def export_all(
    session: Session, metadata: MetaData, target: DirectoryTarget | ZipTarget, *, personal: bool
) -> Exported:
    """Write every file of the export to `target`."""
    exported = Exported()
    tables = owned_tables(metadata, personal=personal)
    for table in tables:
        with target.text(table.file_name) as out:
            exported.rows[table.file_name] = write_csv(session, table, out)
    with tempfile.TemporaryDirectory(prefix="beredskap-export-") as work:
        path = Path(work) / GEOPACKAGE
        exported.features = write_geopackage(session, path, personal=personal)
        target.add(GEOPACKAGE, path)
    with target.text(README) as out:
        out.write(readme(tables, personal=personal, extra="\n" + describe(personal)))
    return exported


def audit_export(
    session: Session, metadata: MetaData, exported: Exported, *, what: str, personal: bool
) -> None:
    """The export's one audit entry: a read, counting the rows of tables with personal data
    that left with their personal data (none without it)."""
    holding = {f"{table.table.name}.csv" for table in personal_tables(metadata) if table.personal}
    count = sum(rows for name, rows in exported.rows.items() if name in holding) if personal else 0
    suffix = "" if personal else " without personal data"
    record_read(session, AUDIT_ENTITY, what=what + suffix, count=count)


def build_zip(session: Session, metadata: MetaData, *, personal: bool) -> tuple[Path, Exported]:
    """The export as a zip in a temporary file, written member by member (never whole in
    memory); the caller removes it."""
    descriptor, name = tempfile.mkstemp(prefix="beredskap-export-", suffix=".zip")
    path = Path(name)
    try:
        with (
            os.fdopen(descriptor, "wb") as handle,
            zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            exported = export_all(session, metadata, ZipTarget(archive), personal=personal)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, exported
