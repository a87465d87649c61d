"""The evidence pack's documents for one extraction, and the pack itself: a zip of the
summary, the plan's annexes (ressursoversikt, varslingsliste) and the record behind the
summary, each as PDF and, where tabular, as a spreadsheet, with `INNHOLD.txt` listing them.

The pack is the list `PACK` of (file, what it holds, report, producer): adding a document is
one line. The evidence is gathered once per pack (`Gathered`), not once per document.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from io import BytesIO

from sqlalchemy.orm import Session

from beredskap.platform.web.i18n import N_
from beredskap.platform.web.rendering import stamp
from reports.documents.pdf import report_pdf
from reports.documents.tables import Section, Texts
from reports.documents.xlsx import report_xlsx
from reports.extraction import Extraction
from reports.ressursoversikt.documents import ressursoversikt_pdf, ressursoversikt_xlsx
from reports.tilsyn.data import Evidence, gather
from reports.tilsyn.record_pdf import record_pdf
from reports.tilsyn.requirements import Requirement, requirements
from reports.tilsyn.sections import (
    TITLE,
    agreements_section,
    day,
    exercise_sections,
    not_exercised_sections,
    revisions_section,
    summary_section,
    texts,
)
from reports.tilsyn.summary_pdf import summary_pdf
from reports.varslingsliste.documents import varslingsliste_pdf, varslingsliste_xlsx

REPORT = "tilsyn"
CONTENTS = "INNHOLD.txt"


class Gathered:
    """One extraction's evidence and judgement, read when first asked for."""

    def __init__(self, session: Session, extraction: Extraction) -> None:
        self.session = session
        self.extraction = extraction

    @cached_property
    def evidence(self) -> Evidence:
        return gather(self.session, self.extraction)

    @cached_property
    def requirements(self) -> list[Requirement]:
        return requirements(self.session, self.evidence)


# The documents' titles, in the reader's language when laid out.
SUMMARY_TITLE = N_("Inspection evidence: summary")
AGREEMENTS_TITLE = N_("Agreements: validity, review and coverage")
RECORD_TITLE = N_("Exercise record, the last 24 months")
NOT_EXERCISED_TITLE = N_("Not exercised within 24 months, and overdue")
REVISIONS_TITLE = N_("Revisions of the preparedness plan")


def _texts(gathered: Gathered, title: str) -> Texts:
    _ = gathered.extraction.translations.gettext
    return texts(
        gathered.extraction.translations,
        _(title),
        _("Evidence for the County Governor's inspection (forskrift om kommunal beredskapsplikt)."),
    )


def _tables(gathered: Gathered, title: str, parts: list[Section], suffix: str) -> bytes:
    extraction = gathered.extraction
    if suffix == "pdf":
        return report_pdf(
            parts,
            _texts(gathered, title),
            extraction,
        )
    return report_xlsx(
        parts,
        _texts(gathered, title),
        extraction,
    )


def summary_pdf_of(gathered: Gathered) -> bytes:
    _ = gathered.extraction.translations.gettext
    return summary_pdf(gathered.requirements, gathered.extraction, _(SUMMARY_TITLE))


def summary_xlsx_of(gathered: Gathered) -> bytes:
    parts = [summary_section(gathered.requirements, gathered.extraction.translations)]
    return _tables(gathered, SUMMARY_TITLE, parts, "xlsx")


def agreements_of(suffix: str) -> Callable[[Gathered], bytes]:
    def produce(gathered: Gathered) -> bytes:
        parts = [agreements_section(gathered.evidence, gathered.extraction.translations)]
        return _tables(gathered, AGREEMENTS_TITLE, parts, suffix)

    return produce


def record_pdf_of(gathered: Gathered) -> bytes:
    _ = gathered.extraction.translations.gettext
    return record_pdf(gathered.evidence, gathered.extraction, _(RECORD_TITLE))


def record_xlsx_of(gathered: Gathered) -> bytes:
    parts = exercise_sections(gathered.evidence, gathered.extraction.translations)
    return _tables(gathered, RECORD_TITLE, parts, "xlsx")


def not_exercised_of(suffix: str) -> Callable[[Gathered], bytes]:
    def produce(gathered: Gathered) -> bytes:
        parts = not_exercised_sections(gathered.evidence, gathered.extraction.translations)
        return _tables(gathered, NOT_EXERCISED_TITLE, parts, suffix)

    return produce


def revisions_of(suffix: str) -> Callable[[Gathered], bytes]:
    def produce(gathered: Gathered) -> bytes:
        parts = [revisions_section(gathered.evidence, gathered.extraction.translations)]
        return _tables(gathered, REVISIONS_TITLE, parts, suffix)

    return produce


def report_document(
    produce: Callable[[Session, Extraction], bytes],
) -> Callable[[Gathered], bytes]:
    """Another report's document (`ressursoversikt_pdf(session, extraction)` and the like)
    taken for the same extraction."""
    return lambda gathered: produce(gathered.session, gathered.extraction)


@dataclass(frozen=True)
class Entry:
    filename: str
    holds: str  # a message id: what the file holds, for INNHOLD.txt
    report: str  # the report it is an extraction of, for the audit
    produce: Callable[[Gathered], bytes]

    @property
    def file_format(self) -> str:
        return self.filename.rsplit(".", 1)[1]


PACK: list[Entry] = [
    Entry("01-sammendrag.pdf", N_("The one-page summary"), REPORT, summary_pdf_of),
    Entry("01-sammendrag.xlsx", N_("The summary as a spreadsheet"), REPORT, summary_xlsx_of),
    Entry(
        "02-ressursoversikt.pdf",
        N_("Resource overview (§ 4 c)"),
        "ressursoversikt",
        report_document(ressursoversikt_pdf),
    ),
    Entry(
        "02-ressursoversikt.xlsx",
        N_("Resource overview (§ 4 c), spreadsheet"),
        "ressursoversikt",
        report_document(ressursoversikt_xlsx),
    ),
    Entry(
        "03-varslingsliste.pdf",
        N_("Alerting list (§ 4 b)"),
        "varslingsliste",
        report_document(varslingsliste_pdf),
    ),
    Entry(
        "03-varslingsliste.xlsx",
        N_("Alerting list (§ 4 b), spreadsheet"),
        "varslingsliste",
        report_document(varslingsliste_xlsx),
    ),
    Entry("04-avtaler.pdf", AGREEMENTS_TITLE, REPORT, agreements_of("pdf")),
    Entry("04-avtaler.xlsx", AGREEMENTS_TITLE, REPORT, agreements_of("xlsx")),
    Entry("05-ovelser.pdf", RECORD_TITLE, REPORT, record_pdf_of),
    Entry("05-ovelser.xlsx", RECORD_TITLE, REPORT, record_xlsx_of),
    Entry("06-ikke-ovd.pdf", NOT_EXERCISED_TITLE, REPORT, not_exercised_of("pdf")),
    Entry("06-ikke-ovd.xlsx", NOT_EXERCISED_TITLE, REPORT, not_exercised_of("xlsx")),
    Entry("07-planrevisjoner.pdf", REVISIONS_TITLE, REPORT, revisions_of("pdf")),
    Entry("07-planrevisjoner.xlsx", REVISIONS_TITLE, REPORT, revisions_of("xlsx")),
]


def _contents(gathered: Gathered) -> str:
    extraction = gathered.extraction
    _ = extraction.translations.gettext
    lines = [
        extraction.marking,
        "",
        _(TITLE),
        _("Extracted %(time)s (Norwegian time) by %(user)s.")
        % {"time": stamp(extraction.extracted_at), "user": extraction.extracted_by},
        _("Figures as of %(day)s.") % {"day": day(extraction.on)},
        "",
    ]
    width = max(len(entry.filename) for entry in PACK)
    lines += [f"{entry.filename.ljust(width)}  {_(entry.holds)}" for entry in PACK]
    # Windows' Notepad reads UTF-8 with CRLF line ends best.
    return "\r\n".join(lines) + "\r\n"


def tilsyn_zip(session: Session, extraction: Extraction) -> bytes:
    """The pack's bytes. Each document is built in turn and written at once, so the pack
    holds at most one document besides the zip in memory."""
    gathered = Gathered(session, extraction)
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        pack.writestr(CONTENTS, _contents(gathered).encode("utf-8"))
        for entry in PACK:
            pack.writestr(entry.filename, entry.produce(gathered))
    return buffer.getvalue()


def extracted_reports() -> list[tuple[str, str]]:
    """(report, format) of every other report the pack holds, each audited as read."""
    return [(entry.report, entry.file_format) for entry in PACK if entry.report != REPORT]
