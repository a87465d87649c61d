"""The marking of a report exempt from public access, and the audit of its extraction.

"Unntatt offentlighet" is the wording offentleglova's practice prescribes, so it is written
in Norwegian whatever the reader's language; the legal basis is the municipality's setting.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from beredskap.platform.audit.reads import record_read

EXEMPT = "Unntatt offentlighet"
DEFAULT_BASIS = "jf. offentleglova § 13 og § 24 tredje ledd"
REPORT_ENTITY = "report"


def marking(settings: Any) -> str:
    """ "Unntatt offentlighet" and the configured legal basis."""
    basis = str(getattr(settings, "report_exemption_basis", DEFAULT_BASIS) or "").strip()
    return f"{EXEMPT} {basis}" if basis else EXEMPT


def audit_extraction(session: Session, report: str, file_format: str) -> None:
    """One `read` entry naming the report and its format (page, pdf, xlsx). Its count of
    people shown is 0: the report holds counts, no person's name."""
    record_read(session, REPORT_ENTITY, report, what=f"{report}.{file_format}", count=0)
