"""`beredskap import addresses FILE [--dry-run]`: Kartverket's address download in
(`register/imports/addresses.py`), run by `download_cli.run_download`."""

from __future__ import annotations

from beredskap.main.download_cli import dry_run_tail, run_download
from beredskap.register.imports.addresses import AddressFileError, AddressReport, import_addresses


def _summary(report: AddressReport, dry_run: bool) -> str:
    verb = "would be" if dry_run else "were"
    return (
        f"addresses: {report.read} lines read, {report.in_municipality} street addresses in "
        f"municipality {report.municipality_number}: {report.created} {verb} created, "
        f"{report.updated} updated, {report.removed} removed, {report.unchanged} unchanged; "
        f"{report.malformed} malformed skipped" + dry_run_tail(dry_run)
    )


def addresses_command(file: str, *, dry_run: bool) -> None:
    run_download(
        file, dry_run=dry_run, import_file=import_addresses, file_error=AddressFileError,
        summary=_summary,
    )  # fmt: skip
