"""The `beredskap` command: database, seed data and serving."""

from __future__ import annotations

from typing import Annotated

import typer

from beredskap import migrate
from beredskap.db import transaction
from beredskap.runtime import Database, open_database
from beredskap.settings import get_settings

app = typer.Typer(
    help="beredskap: the municipal register of volunteer preparedness resources.",
    no_args_is_help=True,
    # Locals in a traceback could include the database URL and its password.
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
seed_app = typer.Typer(help="Demo and benchmark data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(seed_app, name="seed")

Count = Annotated[int, typer.Option(min=0, max=100_000_000)]


def _database() -> Database:
    return open_database(get_settings())


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Option("head", help="Target revision.")) -> None:
    """Create or update the schema."""
    database = _database()
    migrate.upgrade(database.engine, revision)
    typer.echo(f"{database.backend}: schema at {migrate.current_revision(database.engine)}")


@db_app.command("downgrade")
def db_downgrade(
    revision: str = typer.Option("base", help="Target revision; base empties the database."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Take the schema back (base drops every table of the register)."""
    if not yes:
        typer.confirm(f"Downgrade to {revision}? Data in dropped tables is lost.", abort=True)
    database = _database()
    migrate.downgrade(database.engine, revision)
    typer.echo(f"{database.backend}: schema at {migrate.current_revision(database.engine)}")


@db_app.command("current")
def db_current() -> None:
    """Print the backend and the schema revision."""
    database = _database()
    typer.echo(f"{database.backend}: {migrate.current_revision(database.engine)}")


@seed_app.command("demo")
def seed_demo_command() -> None:
    """Fill an empty database with the demo municipality (fictional people, no real phones)."""
    from beredskap.seed.demo import is_empty, seed_demo

    database = _database()
    with transaction(database.sessions, actor="seed demo") as session:
        if not is_empty(session):
            typer.echo("The database already holds organisations; demo data not added.", err=True)
            raise typer.Exit(code=1)
        summary = seed_demo(session)
    typer.echo(f"Demo data added: {summary}")


@seed_app.command("scale")
def seed_scale_command(
    organisations: Count = 1_000, equipment: Count = 100_000, volunteers: Count = 10_000
) -> None:
    """Bulk-generate benchmark data across Norway (appends to what is there)."""
    from beredskap.seed.scale import seed_scale

    database = _database()
    summary = seed_scale(
        database.engine, organisations=organisations, equipment=equipment, volunteers=volunteers
    )
    typer.echo(f"Scale data added: {summary}")


@app.command()
def serve(
    host: str = typer.Option(None, help="Interface to listen on (default from settings)."),
    port: int = typer.Option(None, min=1, max=65535, help="Port (default from settings)."),
) -> None:
    """Run the web application."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "beredskap.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        proxy_headers=True,
    )


@app.command()
def demo(
    host: str = typer.Option(None, help="Interface to listen on."),
    port: int = typer.Option(None, min=1, max=65535, help="Port."),
) -> None:
    """Migrate, add the demo data if the database is empty, and serve."""
    from beredskap.seed.demo import is_empty, seed_demo

    database = _database()
    migrate.upgrade(database.engine)
    with transaction(database.sessions, actor="seed demo") as session:
        if is_empty(session):
            typer.echo(f"Demo data added: {seed_demo(session)}")
    database.engine.dispose()
    serve(host=host, port=port)


if __name__ == "__main__":
    app()
