"""Alembic environment: runs on the connection handed over by `beredskap.platform.migrate`."""

from __future__ import annotations

from alembic import context
from geoalchemy2 import alembic_helpers

from beredskap.main.model_registry import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `beredskap db upgrade`, which passes a connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_object=alembic_helpers.include_object,
    process_revision_directives=alembic_helpers.writer,
    render_item=alembic_helpers.render_item,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
