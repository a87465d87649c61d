"""`beredskap import brreg FILE [--dry-run]`: Enhetsregisteret's bulk download in
(`register/imports/brreg.py`), run by `download_cli.run_download`."""

from __future__ import annotations

from beredskap.main.download_cli import dry_run_tail, run_download
from beredskap.register.imports.brreg import BrregFileError, BrregReport, import_brreg


def _summary(report: BrregReport, dry_run: bool) -> str:
    verb = "would be" if dry_run else "were"
    return (
        f"brreg: {report.read} entities read, {report.in_municipality} in municipality "
        f"{report.municipality_number}; {report.matched} registered organisations found, "
        f"{report.updated} {verb} updated, {report.flagged} flagged (bankrupt, being dissolved "
        f"or deleted); {report.candidates} candidates; {report.malformed} malformed skipped"
        + dry_run_tail(dry_run)
    )


def brreg_command(file: str, *, dry_run: bool) -> None:
    run_download(
        file, dry_run=dry_run, import_file=import_brreg, file_error=BrregFileError,
        summary=_summary,
    )  # fmt: skip
