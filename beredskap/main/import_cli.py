"""`beredskap import KIND FILE [--dry-run]` and `beredskap import template KIND FILE`."""

from __future__ import annotations

from pathlib import Path

import typer

from beredskap.main.address_cli import addresses_command
from beredskap.main.brreg_cli import brreg_command
from beredskap.main.place_cli import places_command
from beredskap.main.settings import get_settings
from beredskap.platform.db import transaction
from beredskap.platform.runtime import open_database
from beredskap.register.imports.kinds import KINDS
from beredskap.register.imports.reading import FileError, read_table
from beredskap.register.imports.service import run_import
from beredskap.register.imports.template import template_csv, template_xlsx

# Enhetsregisteret's and Kartverket's downloads, each read by its own module.
DOWNLOADS = {"brreg": brreg_command, "addresses": addresses_command, "places": places_command}

IMPORT_HELP = (
    f"Import a CSV or XLSX file of KIND ({', '.join(KINDS)}): all rows or none, the same "
    "file again changes nothing. `beredskap import template KIND FILE` writes a template "
    "(XLSX with an explanation sheet, or CSV when FILE ends in .csv). `beredskap import brreg "
    "FILE` reads Enhetsregisteret's download (enheter, JSON, gzipped): names, addresses and "
    "flags of registered organisations, and candidates. `beredskap import addresses FILE` "
    "reads Kartverket's Matrikkelen address CSV (zipped or not): the municipality's street "
    "addresses, to place sites by address. `beredskap import places FILE` reads Kartverket's "
    "place names (Sentralt stedsnavnregister, GML, zipped or not) for the place search."
)


def import_command(
    kind: str = typer.Argument(..., help=f"{', '.join(KINDS)}, or template"),
    file: str = typer.Argument(..., help="The CSV or XLSX file (for template: the KIND)"),
    out: str | None = typer.Argument(None, help="template only: the file to write"),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check every row and count; write nothing."
    ),
) -> None:
    if kind in DOWNLOADS:  # a whole register's download: brreg_cli, address_cli, place_cli
        if out is not None:
            _refuse(f"one file at a time (got {file!r} and {out!r})")
        DOWNLOADS[kind](file, dry_run=dry_run)
        return
    if kind == "template":
        if out is None:
            _refuse("usage: beredskap import template KIND FILE")
        _write_template(file, Path(out))
        return
    if out is not None:
        _refuse(f"one file at a time (got {file!r} and {out!r})")
    if kind not in KINDS:
        _refuse(f"KIND is one of {', '.join(KINDS)} (or template), not {kind!r}")
    path = Path(file)
    try:
        data = path.read_bytes()
    except OSError as error:
        _refuse(f"cannot read {file}: {error.strerror or error}")
    try:
        table = read_table(data, path.name)
    except FileError as error:
        typer.echo(f"{file}: {error.message}", err=True)
        raise typer.Exit(code=1) from None
    database = open_database(get_settings())
    with transaction(database.sessions, actor="cli import") as session:
        report = run_import(session, kind, table, dry_run=dry_run, source=path.name)
    if not report.ok:
        for error in report.errors:
            where = f"row {error.row}" + (f", {error.column}" if error.column else "")
            typer.echo(f"{file}: {where}: {error.message}", err=True)
        typer.echo(f"{len(report.errors)} problems; nothing was imported.", err=True)
        raise typer.Exit(code=1)
    verb = "would be" if dry_run else "were"
    typer.echo(
        f"{kind}: {report.rows} rows: {report.created} {verb} created, {report.updated} "
        f"updated, {report.unchanged} unchanged"
        + (" (dry run: nothing written)" if dry_run else "")
    )


def _write_template(kind: str, path: Path) -> None:
    if kind not in KINDS:
        _refuse(f"KIND is one of {', '.join(KINDS)}, not {kind!r}")
    data = template_csv(kind) if path.suffix.lower() == ".csv" else template_xlsx(kind)
    try:
        path.write_bytes(data)
    except OSError as error:
        _refuse(f"cannot write {path}: {error.strerror or error}")
    typer.echo(f"Template for {kind} written to {path}")


def _refuse(message: str) -> None:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=2)
