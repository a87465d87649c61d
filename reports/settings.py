"""The settings section of the reports."""

from __future__ import annotations

from pydantic import Field

from beredskap.platform.settings import PlatformSettings


class ReportSettings(PlatformSettings):
    """`BEREDSKAP_REPORT_*`."""

    # The legal basis printed after "Unntatt offentlighet" on every page and sheet of a
    # report holding vulnerabilities or personal data (offentleglova § 13: duty of
    # confidentiality; § 24 third paragraph: the municipality's vulnerabilities).
    report_exemption_basis: str = Field(
        default="jf. offentleglova § 13 og § 24 tredje ledd", min_length=1, max_length=200
    )
