"""Database failures told in words: what went wrong, whether it passes, and no secrets.

A log line that says only "OperationalError" leaves an operator at 03:00 guessing; the
driver's own text can hold a connection string or a value. `describe` gives a short reason
an operator can act on (the disk is full, the server refuses connections, no connection was
free), with the driver's first line only when nothing better is known, numbers masked.
`is_transient` says whether waiting can help: the database was away, locked, full or busy,
as opposed to a statement that is wrong.
"""

from __future__ import annotations

import re
from enum import StrEnum

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

MAX_DETAIL_CHARS = 200
_LONG_NUMBER = re.compile(r"\+?\d[\d ]{6,}\d")
_CREDENTIALS = re.compile(r"(password|user)=\S+", re.IGNORECASE)


class DatabaseFault(StrEnum):
    """What kind of trouble: each has its own words, here and in the interface."""

    DISK_FULL = "disk_full"
    UNREACHABLE = "unreachable"
    LOCKED = "locked"
    BUSY = "busy"  # no free connection in the pool
    OTHER = "other"


# Substrings of the drivers' messages (SQLite, psycopg / PostgreSQL), lower case.
_SIGNS: tuple[tuple[DatabaseFault, tuple[str, ...]], ...] = (
    (DatabaseFault.DISK_FULL, ("database or disk is full", "no space left", "disk full")),
    (DatabaseFault.LOCKED, ("database is locked", "database table is locked")),
    (
        DatabaseFault.UNREACHABLE,
        (
            "connection refused",
            "could not connect",
            "connection failed",
            "server closed the connection",
            "terminating connection",
            "the database system is",
            "connection timed out",
            "consuming input failed",
            "unable to open database file",
            "disk i/o error",
            "no connection to the server",
            "connection is closed",
            "connection is lost",
            "ssl syscall error",
        ),
    ),
)

_WORDS = {
    DatabaseFault.DISK_FULL: "the database's disk is full (or the database reached its size limit)",
    DatabaseFault.UNREACHABLE: "the database cannot be reached (refused, closed or lost)",
    DatabaseFault.LOCKED: "the database is locked by another writer for too long",
    DatabaseFault.BUSY: "no database connection was free in time (the pool is exhausted)",
}


def _driver_text(error: BaseException) -> str:
    original = error.orig if isinstance(error, DBAPIError) else error
    first_line = (str(original).strip().splitlines() or [""])[0]
    return first_line


def classify(error: BaseException) -> DatabaseFault:
    if isinstance(error, PoolTimeoutError):
        return DatabaseFault.BUSY
    text = _driver_text(error).lower()
    for fault, signs in _SIGNS:
        if any(sign in text for sign in signs):
            return fault
    if isinstance(error, InterfaceError):
        return DatabaseFault.UNREACHABLE
    return DatabaseFault.OTHER


def is_lost_race(error: BaseException) -> bool:
    """PostgreSQL rolled the transaction back to settle a race with another one (a deadlock,
    a serialization failure: SQLSTATE class 40): doing it again will work."""
    original = error.orig if isinstance(error, DBAPIError) else error
    return str(getattr(original, "sqlstate", "") or "").startswith("40")


def is_transient(error: BaseException) -> bool:
    """Waiting can help: the database was away, full, locked or busy (not a bad statement,
    and not a lost race, which is retried at once: `is_lost_race`)."""
    if is_lost_race(error):
        return False
    if isinstance(error, (PoolTimeoutError, OperationalError, InterfaceError)):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return classify(error) is not DatabaseFault.OTHER


def describe(error: BaseException) -> str:
    """A reason in words, safe to log: no connection string, password or long number."""
    fault = classify(error)
    if fault in _WORDS:
        return _WORDS[fault]
    text = _CREDENTIALS.sub(r"\1=…", _driver_text(error))
    text = _LONG_NUMBER.sub("…", text)[:MAX_DETAIL_CHARS]
    kind = type(error.orig if isinstance(error, DBAPIError) else error).__name__
    return f"{kind}: {text}" if text else kind
