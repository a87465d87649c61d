"""SQLite's writers take turns at a lock in the process and a lock file shared by processes
(beredskap.platform.db), not in SQLite's busy handler, whose sleeps of up to 100 ms made some
writers wait for seconds under load; a COMMIT that fails comes out as SQLAlchemy's error.
SpatiaLite
only: PostgreSQL has no database-wide write lock, and its driver's errors are wrapped."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from beredskap.platform.database_errors import DatabaseFault, classify
from beredskap.platform.db import WRITE_INTENT, _sqlite_dbapi_module, make_engine


def test_many_threads_writing_at_once_all_commit_in_turn(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.db'}", pool_size=16, max_overflow=0)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))
    writing = engine.execution_options(**{WRITE_INTENT: True})
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(25):
                with writing.begin() as connection:
                    value = connection.execute(text("SELECT n FROM counter")).scalar_one()
                    connection.execute(text("UPDATE counter SET n = :n"), {"n": value + 1})
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with engine.connect() as connection:
        # Read-then-write in each transaction: no lost update, so none overlapped.
        assert connection.execute(text("SELECT n FROM counter")).scalar_one() == 12 * 25
    engine.dispose()


def test_a_transaction_that_ends_without_commit_or_rollback_frees_the_gate(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    first = engine.connect().execution_options(**{WRITE_INTENT: True})
    first.begin()
    first.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    first.close()  # returned to the pool mid-transaction: rolled back, gate released
    done = threading.Event()

    def second() -> None:
        with engine.execution_options(**{WRITE_INTENT: True}).begin() as connection:
            connection.exec_driver_sql("CREATE TABLE u (x INTEGER)")
        done.set()

    thread = threading.Thread(target=second)
    thread.start()
    assert done.wait(5), "the gate was not released"
    thread.join()
    engine.dispose()


def test_writers_of_several_processes_take_turns_without_lost_updates(tmp_path: Path) -> None:
    """The writer lock file is shared by processes: read-then-write transactions of two
    processes at once lose no update and none waits in SQLite's busy handler."""
    path = tmp_path / "gate.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))
    engine.dispose()
    script = (
        "import sys\n"
        "from sqlalchemy import text\n"
        "from beredskap.platform.db import WRITE_INTENT, make_engine\n"
        "engine = make_engine(sys.argv[1]).execution_options(**{WRITE_INTENT: True})\n"
        "for _ in range(100):\n"
        "    with engine.begin() as c:\n"
        "        n = c.execute(text('SELECT n FROM counter')).scalar_one()\n"
        "        c.execute(text('UPDATE counter SET n = :n'), {'n': n + 1})\n"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", script, f"sqlite:///{path}"]) for _ in range(3)
    ]
    assert [process.wait(timeout=120) for process in processes] == [0, 0, 0]
    assert (tmp_path / "gate.db-writer.lock").exists()
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM counter")).scalar_one() == 300
    engine.dispose()


def test_a_commit_that_fails_raises_sqlalchemys_error_with_the_reason(tmp_path: Path) -> None:
    """A full disk at COMMIT (raised by the driver inside our commit hook) comes out as an
    OperationalError that says so, like any other database error: callers that handle
    database errors (the worker, the API's 503) handle this one too."""
    dbapi = _sqlite_dbapi_module()
    failing = {"commit": False}

    class FullDisk(dbapi.Connection):  # type: ignore[misc, name-defined]
        def commit(self) -> None:
            if failing["commit"]:
                raise dbapi.OperationalError("database or disk is full")
            super().commit()

    engine = make_engine(f"sqlite:///{tmp_path / 'full.db'}", connect_args={"factory": FullDisk})
    writing = engine.execution_options(**{WRITE_INTENT: True})
    with writing.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    failing["commit"] = True
    with pytest.raises(OperationalError) as raised, writing.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
    assert classify(raised.value) is DatabaseFault.DISK_FULL
    failing["commit"] = False
    with writing.begin() as connection:  # the gate was let go: the next writer goes on
        connection.execute(text("INSERT INTO t VALUES (2)"))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT x FROM t")).scalars().all() == [2]
    engine.dispose()
