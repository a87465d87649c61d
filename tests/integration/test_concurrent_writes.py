"""Several requests that read and then write at the same time all succeed.

On SQLite a deferred transaction that upgrades to a write fails at once with "database is
locked" if another writer got there first; units of work that declare their intent to write
begin IMMEDIATE and wait their turn instead.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from beredskap.platform.db import transaction
from beredskap.platform.runtime import Database
from beredskap.register.organisations.models import Organisation

WRITERS = 6


def test_concurrent_read_then_write_units_of_work(fresh_database: Database) -> None:
    errors: list[str] = []

    def work(index: int) -> None:
        try:
            with transaction(fresh_database.sessions, actor="test") as session:
                session.scalar(select(func.count()).select_from(Organisation))
                time.sleep(0.05)  # let the others read too before anyone writes
                session.add(Organisation(name=f"Samtidig {index}", category="other"))
                session.flush()
        except Exception as error:  # the test reports whatever failed
            errors.append(f"{type(error).__name__}: {error}"[:200])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with fresh_database.sessions() as session:
        count = session.scalar(select(func.count()).select_from(Organisation))
    assert count == WRITERS
