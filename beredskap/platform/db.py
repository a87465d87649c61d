"""Engine, declarative base and sessions for both backends.

A `sqlite:` URL always means SpatiaLite, a `postgresql:` URL PostGIS (driver psycopg 3).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, MetaData, bindparam, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

Backend = Literal["spatialite", "postgis"]

# Execution option for a unit of work that will write: SQLite then takes its write lock when
# the transaction begins (BEGIN IMMEDIATE); other backends ignore it.
WRITE_INTENT = "beredskap_write_intent"

# Extra SRIDs a WGS84-only SpatiaLite metadata needs: EUREF89 UTM zones 32 and 33.
SPATIALITE_EXTRA_SRIDS = (25832, 25833)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table; constraint names are stable across backends."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def normalise_url(raw_url: str) -> URL:
    """Turn the configured URL into one SQLAlchemy understands, psycopg 3 for PostgreSQL."""
    url = make_url(raw_url.replace("postgres://", "postgresql://", 1))
    if url.drivername in ("postgresql", "postgresql+psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername.startswith("sqlite"):
        url = url.set(drivername="sqlite")
    return url


def backend_of(engine_or_dialect_name: Engine | str) -> Backend:
    """Which spatial backend an engine (or a dialect name) talks to."""
    name = (
        engine_or_dialect_name
        if isinstance(engine_or_dialect_name, str)
        else engine_or_dialect_name.dialect.name
    )
    if name == "sqlite":
        return "spatialite"
    if name == "postgresql":
        return "postgis"
    raise ValueError(f"unsupported database dialect: {name}")


def _sqlite_dbapi_module() -> Any:
    """The stdlib sqlite3 when it can load extensions, otherwise the pysqlite3 wheel."""
    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    import pysqlite3.dbapi2 as pysqlite3_dbapi  # type: ignore[import-untyped]

    return pysqlite3_dbapi


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _prepare_spatialite_connection(dbapi_connection: Any, spatialite_module: str) -> None:
    """Load SpatiaLite, set pragmas and create the spatial metadata on first use."""
    # Let SQLAlchemy emit BEGIN itself, so SAVEPOINT and transactional DDL work as documented.
    dbapi_connection.isolation_level = None
    dbapi_connection.enable_load_extension(True)
    dbapi_connection.load_extension(spatialite_module)
    dbapi_connection.enable_load_extension(False)
    # SQLite's lower() folds ASCII only; PostgreSQL's folds Æ, Ø, Å too. Searches must agree.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 10000")
    if cursor.execute("SELECT CheckSpatialMetaData()").fetchone()[0] < 1:
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("SELECT InitSpatialMetaData(1, 'WGS84')")
        for srid in SPATIALITE_EXTRA_SRIDS:
            cursor.execute("SELECT InsertEpsgSrid(?)", (srid,))
    cursor.close()


# How long a writer waits for another writer of the same process before it lets SQLite's busy
# handler decide (as busy_timeout, below): something is badly wrong by then.
WRITER_WAIT_S = 10.0


# While another process writes, look again after this long, doubling up to the longest.
_FILE_LOCK_FIRST_WAIT_S = 0.0001
_FILE_LOCK_LONGEST_WAIT_S = 0.002


class _SqliteWriterGate:
    """The writers of one SQLite database take turns here, across processes.

    SQLite lets one transaction write at a time; others wait in its busy handler, which polls
    with sleeps of up to 100 ms. Under load a writer could lose the race for seconds: many
    webhook requests at once in one process, or the server's receipts against the worker's
    claims across two (a 2,000-recipient callout took 80 s to hand over instead of 7 while
    its receipts came in). Writers of one process queue on a lock in the process, which
    wakes the next one the moment the last has committed; the process's one writer then
    takes an exclusive `flock` on `<database>-writer.lock`, shared by every process, and
    looks again within two milliseconds while another holds it. Past `WRITER_WAIT_S`
    SQLite's busy handler decides, as before.
    """

    def __init__(self, lock_path: Path | None) -> None:
        self._lock = threading.Lock()
        self._holder: Any = None  # the DBAPI connection whose transaction holds the gate
        self._file: int | None = None
        if lock_path is not None:
            self._file = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)

    def enter(self, dbapi_connection: Any) -> None:
        deadline = time.monotonic() + WRITER_WAIT_S
        if not self._lock.acquire(timeout=WRITER_WAIT_S):
            return
        self._holder = dbapi_connection
        if self._file is None:
            return
        wait = _FILE_LOCK_FIRST_WAIT_S
        while True:
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return  # SQLite's busy handler decides
                time.sleep(wait)
                wait = min(wait * 2, _FILE_LOCK_LONGEST_WAIT_S)

    def leave(self, dbapi_connection: Any) -> None:
        if dbapi_connection is not None and self._holder is dbapi_connection:
            self._holder = None
            if self._file is not None:
                fcntl.flock(self._file, fcntl.LOCK_UN)
            self._lock.release()


def _dbapi_connection(connection: Any) -> Any:
    """The DBAPI connection under a SQLAlchemy one, or None once it is closed or invalid."""
    try:
        return connection.connection.dbapi_connection
    except Exception:
        return None


def make_engine(
    raw_url: str,
    *,
    spatialite_module: str = "mod_spatialite",
    echo: bool = False,
    **engine_options: Any,
) -> Engine:
    """Create an engine for either backend, with SpatiaLite loaded on every SQLite connection.

    `engine_options` go to `create_engine` (the pool's size, overflow and timeout).
    """
    url = normalise_url(raw_url)
    if url.drivername == "sqlite" and url.database in (None, "", ":memory:"):
        # An in-memory database lives in one connection: no pool to size.
        engine_options = {
            key: value for key, value in engine_options.items() if not key.startswith("pool_")
        }
        engine_options.pop("max_overflow", None)
    if url.drivername != "sqlite":
        # No server-side prepared statements: after five runs PostgreSQL may switch a prepared
        # statement to a generic plan, which for the spatial search is seven times slower than
        # the plan made for the actual point and radius (measured: 7 ms -> 50 ms). This also
        # keeps us compatible with PgBouncer in transaction mode.
        return create_engine(
            url,
            echo=echo,
            pool_pre_ping=True,
            connect_args={"prepare_threshold": None},
            **engine_options,
        )

    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    dbapi = _sqlite_dbapi_module()
    engine = create_engine(url, module=dbapi, echo=echo, **engine_options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        _prepare_spatialite_connection(dbapi_connection, spatialite_module)

    writers = _SqliteWriterGate(
        Path(f"{url.database}-writer.lock") if url.database and url.database != ":memory:" else None
    )

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads and then writes fails at once ("database is
        # locked") when another writer got there first; one that says it will write waits.
        immediate = connection.get_execution_options().get(WRITE_INTENT)
        if not immediate:
            connection.exec_driver_sql("BEGIN")
            return
        dbapi_connection = _dbapi_connection(connection)
        writers.enter(dbapi_connection)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            writers.leave(dbapi_connection)
            raise

    @event.listens_for(engine, "commit")
    def _on_commit(connection: Any) -> None:
        # The event comes before SQLAlchemy's own COMMIT: commit here, so the next writer
        # enters only once this transaction is on disk (SQLAlchemy's commit then finds
        # nothing left to commit).
        dbapi_connection = _dbapi_connection(connection)
        if dbapi_connection is None:
            return
        try:
            dbapi_connection.commit()
        except dbapi.Error as error:
            # Raised here, outside SQLAlchemy's own handling: wrap it as SQLAlchemy would
            # ("database or disk is full" becomes an OperationalError), so that every caller
            # that handles database errors handles this one too.
            raise DBAPIError.instance("COMMIT", None, error, dbapi.Error) from error
        finally:
            writers.leave(dbapi_connection)

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection: Any) -> None:
        writers.leave(_dbapi_connection(connection))

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, _record: Any) -> None:
        writers.leave(dbapi_connection)  # however the transaction ended, it has ended

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that never expire loaded objects on commit (values stay readable after it)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def declare_write_intent(session: Session) -> None:
    """Say, before the first statement, that this session's transaction will write."""
    session.connection(execution_options={WRITE_INTENT: True})


def write_intent_bind(bind: Engine | Any) -> Engine | Any:
    """`bind` (an engine) whose transactions say they will write when they begin, at their
    first statement: a session bound to it takes SQLite's write lock only once it touches
    the database. A connection (the tests' outer transaction) is returned as it is."""
    if not isinstance(bind, Engine):
        return bind
    return bind.execution_options(**{WRITE_INTENT: True})


@contextmanager
def transaction(factory: sessionmaker[Session], actor: str) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error; writes are audited as actor."""
    session = factory()
    session.info["actor"] = actor
    declare_write_intent(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_unless_present(
    session: Session, model: type[Base], values: Mapping[str, Any], *, unique: Sequence[str]
) -> int | None:
    """Insert a row unless one with the same `unique` key exists: the new row's id, or None
    (nothing written). One INSERT ... ON CONFLICT DO NOTHING on both backends, so of two
    callers inserting the same key at once exactly one inserts (on PostgreSQL the second
    waits on the unique index until the first commits)."""
    connection = session.connection()
    statement = _insert_unless_present(
        connection.dialect.name, model.__table__, tuple(sorted(values)), tuple(unique)
    )
    found = connection.execute(statement, dict(values)).scalar()
    return int(found) if found is not None else None


@lru_cache(maxsize=64)
def _insert_unless_present(
    dialect: str, table: Any, columns: tuple[str, ...], unique: tuple[str, ...]
) -> Any:
    """The statement, built once per table and set of columns with bound parameters: the
    reply log writes one per SMS, and building and cache-keying it cost more than running
    it (measured)."""
    return (
        _INSERTS[dialect](table)
        .values({column: bindparam(column) for column in columns})
        .on_conflict_do_nothing(index_elements=list(unique))
        .returning(table.c.id)
    )
