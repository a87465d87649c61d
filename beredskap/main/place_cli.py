"""`beredskap import places FILE [--dry-run]`: Sentralt stedsnavnregister's place names in
(`register/imports/place_names.py`), run by `download_cli.run_download`."""

from __future__ import annotations

from beredskap.main.download_cli import dry_run_tail, run_download
from beredskap.register.imports.place_names import (
    PlaceFileError,
    PlaceReport,
    import_place_names,
)


def _summary(report: PlaceReport, dry_run: bool) -> str:
    verb = "would be" if dry_run else "were"
    return (
        f"places: {report.read} places read, {report.in_municipality} in municipality "
        f"{report.municipality_number} with {report.names} names and spellings: "
        f"{report.created} {verb} created, {report.updated} updated, {report.removed} "
        f"removed, {report.unchanged} unchanged; {report.malformed} malformed skipped"
        + dry_run_tail(dry_run)
    )


def places_command(file: str, *, dry_run: bool) -> None:
    run_download(
        file, dry_run=dry_run, import_file=import_place_names, file_error=PlaceFileError,
        summary=_summary,
    )  # fmt: skip
