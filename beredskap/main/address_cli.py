"""`beredskap import addresses FILE [--dry-run]`: Kartverket's address download in
(`register/imports/addresses.py`)."""

from __future__ import annotations

from pathlib import Path

import typer

from beredskap.main.settings import get_settings
from beredskap.platform.db import transaction
from beredskap.platform.runtime import open_database
from beredskap.register.imports.addresses import AddressFileError, import_addresses


def addresses_command(file: str, *, dry_run: bool) -> None:
    """Exit 1 when the file cannot be read as the download (nothing written), 2 when it
    cannot be opened; malformed lines are reported and skipped."""
    path = Path(file)
    settings = get_settings()
    try:
        stream = path.open("rb")
    except OSError as error:
        typer.echo(f"Error: cannot read {file}: {error.strerror or error}", err=True)
        raise typer.Exit(code=2) from None
    database = open_database(settings)
    try:
        with stream, transaction(database.sessions, actor="cli import") as session:
            report = import_addresses(
                session,
                stream,
                municipality_number=settings.municipality_number,
                dry_run=dry_run,
                source=path.name,
            )
    except AddressFileError as error:
        typer.echo(f"{file}: {error}; nothing was imported.", err=True)
        raise typer.Exit(code=1) from None
    for problem in report.problems:
        typer.echo(f"{file}: {problem} (skipped)", err=True)
    verb = "would be" if dry_run else "were"
    typer.echo(
        f"addresses: {report.read} lines read, {report.in_municipality} street addresses in "
        f"municipality {report.municipality_number}: {report.created} {verb} created, "
        f"{report.updated} updated, {report.removed} removed, {report.unchanged} unchanged; "
        f"{report.malformed} malformed skipped" + (" (dry run: nothing written)" if dry_run else "")
    )
