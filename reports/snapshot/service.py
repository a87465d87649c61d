"""A snapshot taken from the database, as the command and the nightly job take it: every file
from one consistent read of the register, then the audit entry."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from beredskap.platform.runtime import Database
from reports.extraction import Extraction
from reports.snapshot.writer import Snapshot, write_snapshot


def take_snapshot(
    database: Database, extraction: Extraction, parent: Path, *, actor: str
) -> Snapshot:
    """Read in one transaction that only reads (on SQLite it takes no write lock, so the
    server's writers are not held up for the minute a large register takes; WAL keeps its
    view fixed); on PostgreSQL at REPEATABLE READ, so every file shows the same moment."""
    session = database.sessions()
    session.info["actor"] = actor
    try:
        if database.backend == "postgis" and isinstance(session.get_bind(), Engine):
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        snapshot = write_snapshot(session, extraction, parent)
        session.commit()  # it wrote nothing: ends the read (and keeps a joined audit entry)
        return snapshot
    finally:
        session.close()
