"""SQLite's writers of one process take turns at a lock in the process (beredskap.db), not in
SQLite's busy handler, whose sleeps of up to 100 ms made some writers wait for seconds under
load. SpatiaLite only: PostgreSQL has no database-wide write lock."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text

from beredskap.db import WRITE_INTENT, make_engine


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
