"""The database handle every entry point shares: engine plus audited session factory."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from beredskap.audit.recorder import install_audit_trail
from beredskap.db import Backend, backend_of, make_engine, make_session_factory
from beredskap.settings import Settings


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def backend(self) -> Backend:
        return backend_of(self.engine)


def open_database(settings: Settings) -> Database:
    """Connect to the configured database; every session's writes are audited."""
    engine = make_engine(
        settings.database_url.get_secret_value(),
        spatialite_module=settings.spatialite_module,
        echo=settings.echo_sql,
    )
    sessions = make_session_factory(engine)
    install_audit_trail()
    return Database(engine=engine, sessions=sessions)
