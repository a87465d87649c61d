"""The settings section of the reports."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from beredskap.platform.settings import PlatformSettings, empty_is_unset


class ReportSettings(PlatformSettings):
    """`BEREDSKAP_REPORT_*` and `BEREDSKAP_SNAPSHOT_*`."""

    # The legal basis printed after "Unntatt offentlighet" on every page and sheet of a
    # report holding vulnerabilities or personal data (offentleglova § 13: duty of
    # confidentiality; § 24 third paragraph: the municipality's vulnerabilities).
    report_exemption_basis: str = Field(
        default="jf. offentleglova § 13 og § 24 tredje ledd", min_length=1, max_length=200
    )

    # --- The offline binder (reports/snapshot) ---------------------------------------------
    # The folder the nightly snapshot is written into (a folder per snapshot inside it);
    # unset or empty: no nightly snapshot (`beredskap snapshot --out DIR` works regardless).
    snapshot_dir: Path | None = None
    # How many of the nightly snapshots to keep in that folder (the oldest go first).
    snapshot_keep: int = Field(default=14, ge=1, le=3650)
    # The Oslo wall-clock hour from which the day's snapshot is written (once a day; a worker
    # down at that hour writes it when it is back, the same day).
    snapshot_hour: int = Field(default=2, ge=0, le=23)

    @field_validator("snapshot_dir", mode="before")
    @classmethod
    def _snapshot_dir_empty_is_unset(cls, value: object) -> object:
        return empty_is_unset(value)

    @field_validator("snapshot_dir")
    @classmethod
    def _snapshot_dir_absolute(cls, value: Path | None) -> Path | None:
        # The worker's working directory is nothing an operator should have to know.
        if value is not None and not value.is_absolute():
            raise ValueError(f"must be an absolute path, not {str(value)!r}")
        return value
