"""`beredskap snapshot --out DIR [--keep N]`: the offline binder, now, by hand
(`reports.snapshot`).

Writes one snapshot folder into DIR (made if missing): the ressursoversikt and the
varslingsliste as PDF and spreadsheet, the volunteers with their numbers per organisation, the
map layers as a GeoPackage and MANIFEST.txt, then prints the files with their sizes. With
--keep N the newest N snapshots in DIR are kept and older ones removed (only snapshots; nothing
else in DIR). Exit 2 when DIR cannot hold snapshots (e.g. it is a file).
"""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer

from beredskap.main.settings import get_settings
from beredskap.platform.runtime import open_database
from reports.extraction import system_extraction
from reports.snapshot.service import take_snapshot
from reports.snapshot.writer import SnapshotFolderError, prepare_folder, prune

ACTOR = "cli snapshot"
EXTRACTED_BY = "beredskap snapshot"
SNAPSHOT_HELP = (
    "Write the offline binder into a folder of its own inside --out (made if missing): the "
    "ressursoversikt and varslingsliste (PDF and XLSX), the volunteers with phone numbers per "
    "organisation (PDF), the map layers (GeoPackage) and MANIFEST.txt with each file's "
    "SHA-256. It holds personal data and is exempt from public access; the extraction is "
    "audited. --keep N keeps the newest N snapshots in --out and removes older ones."
)


def _refuse(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=2)


def snapshot_command(
    out: Path = typer.Option(..., "--out", help="The folder to write the snapshot into."),
    keep: int | None = typer.Option(
        None, "--keep", min=1, max=3650, help="Keep the newest N snapshots in --out."
    ),
) -> None:
    settings = get_settings()
    try:
        prepare_folder(out)
    except SnapshotFolderError as error:
        _refuse(str(error))
    extraction = system_extraction(
        settings, EXTRACTED_BY, str(getattr(settings, "default_language", "nb"))
    )
    database = open_database(settings)
    try:
        snapshot = take_snapshot(database, extraction, out, actor=ACTOR)
    finally:
        database.engine.dispose()
    typer.echo(f"Snapshot written to {snapshot.path}")
    for file in snapshot.files:
        typer.echo(f"  {file.size:>12,} bytes  {file.name}".replace(",", " "))
    typer.echo(f"  {snapshot.people} volunteer(s) listed with their numbers")
    if keep is not None:
        removed = prune(out, keep)
        typer.echo(f"Kept the newest {keep}; removed {len(removed)} older snapshot(s).")
        for path in removed:
            typer.echo(f"  removed {path.name}")
