"""`beredskap import brreg FILE [--dry-run]`: Enhetsregisteret's bulk download in
(`register/imports/brreg.py`)."""

from __future__ import annotations

from pathlib import Path

import typer

from beredskap.main.settings import get_settings
from beredskap.platform.db import transaction
from beredskap.platform.runtime import open_database
from beredskap.register.imports.brreg import BrregFileError, import_brreg


def brreg_command(file: str, *, dry_run: bool) -> None:
    """Exit 1 when the file cannot be read as the register's download (nothing written), 2
    when it cannot be opened; malformed entities are reported and skipped."""
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
            report = import_brreg(
                session,
                stream,
                municipality_number=settings.municipality_number,
                dry_run=dry_run,
                source=path.name,
            )
    except BrregFileError as error:
        typer.echo(f"{file}: {error}; nothing was imported.", err=True)
        raise typer.Exit(code=1) from None
    for problem in report.problems:
        typer.echo(f"{file}: {problem} (skipped)", err=True)
    verb = "would be" if dry_run else "were"
    typer.echo(
        f"brreg: {report.read} entities read, {report.in_municipality} in municipality "
        f"{report.municipality_number}; {report.matched} registered organisations found, "
        f"{report.updated} {verb} updated, {report.flagged} flagged (bankrupt, being dissolved "
        f"or deleted); {report.candidates} candidates; {report.malformed} malformed skipped"
        + (" (dry run: nothing written)" if dry_run else "")
    )
