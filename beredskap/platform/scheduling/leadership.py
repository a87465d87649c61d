"""Exactly one scheduler among many worker processes: a lock held for the life of the leader.

APScheduler's FAQ warns that a job store shared by several schedulers runs jobs twice or
misses them, so only the process holding this lock runs one:

- PostgreSQL: `pg_try_advisory_lock` on ONE dedicated connection, opened outside the pool
  (a pooled connection returned to the pool would keep the lock, held by nobody who knows).
  The lock lives as long as the session: if the process dies, the server drops the
  connection and the lock with it. The leader checks the connection every few seconds and
  steps down at once when it is gone (it may no longer hold the lock).
- SQLite: an exclusive, non-blocking `fcntl.flock` on a lock file next to the database
  file; the kernel releases it when the process dies.

The others try again every few seconds and take over when the leader is gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Protocol

import psycopg
from sqlalchemy import Engine

from beredskap.platform.db import backend_of

_logger = logging.getLogger("beredskap.scheduler")
# The advisory lock's key: "beredskap scheduler" in a bigint nobody else uses.
ADVISORY_LOCK_KEY = 0x6265726564_736B  # b"bered" b"sk"


class Leadership(Protocol):
    """A lock at most one process holds."""

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; never waits."""
        ...

    def still_held(self) -> bool:
        """Whether we still hold it (False once the connection holding it is lost)."""
        ...

    def release(self) -> None: ...


class PostgresLeadership:
    """An advisory lock on a dedicated psycopg connection (not from the pool)."""

    def __init__(self, conninfo: str, *, check_timeout_s: float = 5.0) -> None:
        self._conninfo = conninfo
        self._timeout = check_timeout_s
        self._connection: psycopg.Connection[tuple[object, ...]] | None = None

    @classmethod
    def for_engine(cls, engine: Engine) -> PostgresLeadership:
        url = engine.url.set(drivername="postgresql")
        return cls(url.render_as_string(hide_password=False))

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        # Keepalives: a dead server or network is noticed within seconds, not hours.
        timeout = max(int(self._timeout), 1)
        return psycopg.connect(
            self._conninfo,
            autocommit=True,
            connect_timeout=timeout,
            keepalives=1,
            keepalives_idle=timeout,
            keepalives_interval=1,
            keepalives_count=3,
            tcp_user_timeout=timeout * 1000,
            application_name="beredskap scheduler",
        )

    def try_acquire(self) -> bool:
        self.release()
        try:
            connection = self._connect()
            row = connection.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
            taken = bool(row.fetchone()[0])  # type: ignore[index]
        except psycopg.Error as error:
            _logger.warning("scheduler lock: cannot ask the database: %s", type(error).__name__)
            return False
        if not taken:
            connection.close()
            return False
        self._connection = connection
        return True

    def still_held(self) -> bool:
        connection = self._connection
        if connection is None or connection.closed:
            return False
        try:
            # Our own session's lock, as the server sees it.
            row = connection.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND pid = pg_backend_pid() AND classid::bigint = %s AND objid::bigint = %s",
                (ADVISORY_LOCK_KEY >> 32, ADVISORY_LOCK_KEY & 0xFFFFFFFF),
            ).fetchone()
            return bool(row and row[0])
        except psycopg.Error:
            return False

    def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.closed:
            with contextlib.suppress(psycopg.Error):
                connection.close()  # ends the session, and the lock with it


class FileLeadership:
    """An exclusive flock on a file; for SQLite, where all processes share one host."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    @classmethod
    def for_engine(cls, engine: Engine, override: Path | None = None) -> FileLeadership:
        database = engine.url.database
        if override is None and (not database or database == ":memory:"):
            raise ValueError("an in-memory SQLite database has no place for a scheduler lock")
        return cls(override or Path(f"{database}.scheduler.lock"))

    def try_acquire(self) -> bool:
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+b")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n".encode())
        handle.flush()
        self._file = handle
        return True

    def still_held(self) -> bool:
        """Our flock, on the file that is still at the path: a lock file deleted (or replaced)
        under us would let another process lock a new file there, so that counts as lost."""
        handle = self._file
        if handle is None or handle.closed:
            return False
        try:
            return os.stat(self.path).st_ino == os.fstat(handle.fileno()).st_ino
        except OSError:
            return False

    def release(self) -> None:
        handle, self._file = self._file, None
        if handle is not None:
            handle.close()  # closing the descriptor releases the flock


def leadership_for(engine: Engine, *, lock_path: Path | None = None) -> Leadership:
    if backend_of(engine) == "postgis":
        return PostgresLeadership.for_engine(engine)
    return FileLeadership.for_engine(engine, lock_path)


# Rounds a process that lost the lock sits out before it tries again.
LOST_LOCK_ROUNDS = 3


class LeaderLoop:
    """Runs `on_elected` when this process becomes leader and `on_deposed` when it stops
    being one (the lock was lost, or the loop is stopped); retries every `every_s`."""

    def __init__(
        self,
        leadership: Leadership,
        *,
        on_elected: Callable[[], None],
        on_deposed: Callable[[], None],
        every_s: float = 5.0,
    ) -> None:
        self.leadership = leadership
        self._on_elected = on_elected
        self._on_deposed = on_deposed
        self._every = every_s
        self._stop = threading.Event()
        self.is_leader = False
        self._retry_after = 0.0
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="scheduler-leader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Step down and end the loop (safe from a signal handler)."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> None:
        try:
            while not self._stop.is_set():
                if not self.is_leader:
                    if time.monotonic() < self._retry_after:
                        pass  # lost the lock lately: a peer gets the first chance
                    elif self.leadership.try_acquire():
                        _logger.info("scheduler: this process is the leader")
                        self.is_leader = True
                        self._elected()
                elif not self.leadership.still_held():
                    _logger.error("scheduler: the lock was lost; stepping down at once")
                    self._step_down()
                    # Whatever took the lock (a broken connection, a restarted database, a
                    # removed lock file) may be this process's own trouble: wait a few rounds,
                    # so a healthy peer takes over rather than this one straight back.
                    self._retry_after = time.monotonic() + LOST_LOCK_ROUNDS * self._every
                self._stop.wait(self._every)
        finally:
            self._step_down()

    def _elected(self) -> None:
        try:
            self._on_elected()
        except Exception:
            _logger.exception("scheduler: could not start; stepping down")
            self._step_down()

    def _step_down(self) -> None:
        if not self.is_leader:
            self.leadership.release()
            return
        self.is_leader = False
        try:
            self._on_deposed()
        except Exception:
            _logger.exception("scheduler: shutting down failed")
        finally:
            self.leadership.release()
