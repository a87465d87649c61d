"""The database handle every entry point shares: engine plus audited session factory."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from beredskap.platform.audit.recorder import install_audit_trail
from beredskap.platform.db import (
    Backend,
    backend_of,
    make_engine,
    make_session_factory,
    write_intent_bind,
)
from beredskap.platform.settings import PlatformSettings


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def backend(self) -> Backend:
        return backend_of(self.engine)

    @cached_property
    def _write_bind(self) -> Any:
        return write_intent_bind(self.sessions.kw.get("bind", self.engine))

    def writing_session(self) -> Session:
        """A session whose transaction will write: on SQLite it takes the write lock when it
        first touches the database (not before), so the lock is held no longer than needed."""
        return self.sessions(bind=self._write_bind)


def open_database(settings: PlatformSettings) -> Database:
    """Connect to the configured database; every session's writes are audited."""
    engine = make_engine(
        settings.database_url.get_secret_value(),
        spatialite_module=settings.spatialite_module,
        echo=settings.echo_sql,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_pool_timeout_s,
    )
    sessions = make_session_factory(engine)
    install_audit_trail()
    return Database(engine=engine, sessions=sessions)
