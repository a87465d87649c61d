"""The ressursoversikt's documents for one extraction: its sections, the PDF and the
spreadsheet. The pages, the evidence pack and the offline snapshot all call these."""

from __future__ import annotations

from sqlalchemy.orm import Session

from beredskap.register.readiness.service import agreements_readiness, travel_of
from reports.documents.pdf import report_pdf
from reports.documents.tables import Section
from reports.documents.xlsx import report_xlsx
from reports.extraction import Extraction
from reports.ressursoversikt.data import Overview, build_overview
from reports.ressursoversikt.sections import sections, texts_of

REPORT = "ressursoversikt"


def overview_of(session: Session, extraction: Extraction) -> Overview:
    """The day's overview as this extraction's reader may see it."""
    agreements = agreements_readiness(
        session, on=extraction.on, travel=travel_of(extraction.settings)
    )
    agreements.sort(key=lambda item: (item.organisation_name, item.reference))
    return build_overview(
        session, on=extraction.on, agreements=agreements, exact_for=extraction.exact_for
    )


def overview_sections(session: Session, extraction: Extraction) -> list[Section]:
    """The sections, read once per extraction (its PDF and spreadsheet share them)."""
    if REPORT not in extraction.read:
        overview = overview_of(session, extraction)
        extraction.read[REPORT] = sections(overview, extraction.translations, extraction.language)
    parts: list[Section] = extraction.read[REPORT]
    return parts


def ressursoversikt_pdf(session: Session, extraction: Extraction) -> bytes:
    return report_pdf(
        overview_sections(session, extraction),
        texts_of(extraction.translations),
        extraction,
    )


def ressursoversikt_xlsx(session: Session, extraction: Extraction) -> bytes:
    return report_xlsx(
        overview_sections(session, extraction),
        texts_of(extraction.translations),
        extraction,
    )
