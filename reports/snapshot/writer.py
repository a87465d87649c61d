"""A snapshot as a folder, written whole or not at all, and the pruning of old ones.

Every file is written into a hidden folder beside the snapshot's (`.beredskap-partial-…`),
flushed to disk, and the folder is then renamed to its name (`beredskap-2026-12-07T0200`,
the Oslo time of extraction): a rename is atomic, so a crash, a full disk or a failing
report leaves no folder that looks like a snapshot. A complete snapshot has its MANIFEST.txt;
pruning only ever touches folders of this naming that hold one (and partial folders of its own
left by a crash), never anything else put in the same folder.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from beredskap.platform.audit.reads import record_read
from beredskap.platform.columns import NORWAY
from beredskap.register.export.geopackage import write_geopackage
from reports.extraction import Extraction
from reports.marking import REPORT_ENTITY
from reports.snapshot.documents import DOCUMENTS, GEOPACKAGE, MANIFEST, Document
from reports.snapshot.manifest import WrittenFile, describe, manifest_text
from reports.snapshot.volunteers import listed_count

PREFIX = "beredskap-"
NAME = re.compile(r"beredskap-(\d{4}-\d{2}-\d{2}T\d{4})(?:-(\d{1,4}))?")
PARTIAL_PREFIX = ".beredskap-partial-"
# A partial folder this old is a crash's leftover, not a snapshot being written.
STALE_PARTIAL = timedelta(hours=6)
AUDIT_ID = "snapshot"


class SnapshotFolderError(Exception):
    """The folder to write into cannot be used (a file, not writable...)."""


@dataclass(frozen=True)
class Snapshot:
    path: Path
    files: list[WrittenFile]  # the manifest last
    people: int  # volunteers listed with their numbers


def snapshot_name(extracted_at: datetime) -> str:
    return f"{PREFIX}{extracted_at.astimezone(NORWAY):%Y-%m-%dT%H%M}"


def taken_at(path: Path) -> datetime | None:
    """The Oslo wall time (naive) a snapshot's name says; None for any other name."""
    match = NAME.fullmatch(path.name)
    return datetime.strptime(match.group(1), "%Y-%m-%dT%H%M") if match else None


def prepare_folder(parent: Path) -> None:
    """Make the folder snapshots go into, or say clearly why it cannot be one."""
    if parent.exists() and not parent.is_dir():
        raise SnapshotFolderError(f"{parent} exists and is not a folder")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SnapshotFolderError(f"cannot make the folder {parent}: {error.strerror}") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise SnapshotFolderError(f"the folder {parent} is not writable")


def write_snapshot(
    session: Session,
    extraction: Extraction,
    parent: Path,
    *,
    documents: Sequence[Document] = DOCUMENTS,
) -> Snapshot:
    """Write one complete snapshot into `parent` (made if missing) and audit it as a read.
    On any error nothing is left but the error."""
    prepare_folder(parent)
    work = Path(tempfile.mkdtemp(prefix=PARTIAL_PREFIX, dir=parent))
    try:
        names = []
        for document in documents:
            _write(work / document.filename, document.produce(session, extraction))
            names.append(document.filename)
        write_geopackage(session, work / GEOPACKAGE, personal=True)
        _sync(work / GEOPACKAGE)
        names.append(GEOPACKAGE)
        files = [describe(work / name) for name in names]
        _write(work / MANIFEST, manifest_text(extraction, files).encode("utf-8"))
        files.append(describe(work / MANIFEST))
        people = listed_count(session)
        _sync(work)
        target = _free_name(parent, snapshot_name(extraction.extracted_at))
        # Audited before it is in place: a snapshot never exists unaudited.
        record_read(
            session, REPORT_ENTITY, AUDIT_ID, what=f"snapshot.folder {target}", count=people
        )
        os.rename(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _sync(parent)
    return Snapshot(target, files, people)


def snapshots(parent: Path) -> list[Path]:
    """The complete snapshots in `parent`, oldest first."""
    if not parent.is_dir():
        return []
    found = []
    for entry in parent.iterdir():
        match = NAME.fullmatch(entry.name)
        if match and entry.is_dir() and not entry.is_symlink() and (entry / MANIFEST).is_file():
            found.append((match.group(1), int(match.group(2) or 1), entry))
    return [entry for _when, _number, entry in sorted(found)]


def prune(parent: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` complete snapshots, and partial folders a crash left;
    return what was removed. Nothing else in the folder is touched."""
    if keep < 1:
        raise ValueError("keep at least one snapshot")
    removed = snapshots(parent)[:-keep]
    if parent.is_dir():
        stale = time.time() - STALE_PARTIAL.total_seconds()
        removed += [
            entry
            for entry in parent.iterdir()
            if entry.name.startswith(PARTIAL_PREFIX)
            and entry.is_dir()
            and not entry.is_symlink()
            and entry.stat().st_mtime < stale
        ]
    for path in removed:
        shutil.rmtree(path)
    return removed


def _free_name(parent: Path, name: str) -> Path:
    """The snapshot's folder: its name, or with -2, -3... when one was taken that minute."""
    target, number = parent / name, 1
    while target.exists() or target.is_symlink():
        number += 1
        target = parent / f"{name}-{number}"
    return target


def _write(path: Path, content: bytes) -> None:
    with path.open("xb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def _sync(path: Path) -> None:
    """Flush a file's or a folder's entries to disk (a folder's rename is durable only then)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
