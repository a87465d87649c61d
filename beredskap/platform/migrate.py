"""Schema migrations through Alembic's API, on an engine of either backend."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

# One linear history for every capability's tables, beside the composition root that knows
# them all (`beredskap/migrations`, whose env.py reads `beredskap.main.model_registry`).
MIGRATIONS_DIR = Path(__file__).parents[1] / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (default: the newest)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    _drop_idle_connections(engine)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Take the schema down to `revision` (default: empty)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
    _drop_idle_connections(engine)


def _drop_idle_connections(engine: Engine) -> None:
    # SpatiaLite keeps per-connection state about tables; a connection that was idle in the
    # pool while another one dropped and recreated them can answer "no such table".
    engine.dispose()


def current_revision(bind: Engine | Connection) -> str | None:
    """The revision the database is at, or None for an empty one."""
    if isinstance(bind, Connection):
        return MigrationContext.configure(bind).get_current_revision()
    with bind.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest revision the code knows (read once: /healthz asks on every call)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def make_revision(engine: Engine, message: str) -> None:
    """Autogenerate a new revision against the database (developer tool)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
