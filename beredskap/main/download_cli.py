"""The run of a whole-register download from the command line (`beredskap import brreg` and
`beredskap import addresses`): open the file, import it in one transaction, report.

Exit 1 when the file cannot be read as the download (nothing written), 2 when it cannot be
opened; malformed records are reported and skipped."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Protocol

import typer

from beredskap.main.settings import get_settings
from beredskap.platform.db import transaction
from beredskap.platform.runtime import open_database


class DownloadReport(Protocol):
    problems: list[str]


def run_download(
    file: str,
    *,
    dry_run: bool,
    import_file: Callable[..., Any],
    file_error: type[Exception],
    summary: Callable[[Any, bool], str],
) -> None:
    """`import_file(session, stream, municipality_number=, dry_run=, source=)` returns a report
    with `problems`; `summary(report, dry_run)` is its one line."""
    path = Path(file)
    settings = get_settings()
    try:
        stream: IO[bytes] = path.open("rb")
    except OSError as error:
        typer.echo(f"Error: cannot read {file}: {error.strerror or error}", err=True)
        raise typer.Exit(code=2) from None
    database = open_database(settings)
    try:
        with stream, transaction(database.sessions, actor="cli import") as session:
            report: DownloadReport = import_file(
                session,
                stream,
                municipality_number=settings.municipality_number,
                dry_run=dry_run,
                source=path.name,
            )
    except file_error as error:
        typer.echo(f"{file}: {error}; nothing was imported.", err=True)
        raise typer.Exit(code=1) from None
    for problem in report.problems:
        typer.echo(f"{file}: {problem} (skipped)", err=True)
    typer.echo(summary(report, dry_run))


def dry_run_tail(dry_run: bool) -> str:
    return " (dry run: nothing written)" if dry_run else ""
