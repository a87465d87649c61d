"""The varslingsliste's documents for one extraction: the PDF and the spreadsheet. The pages,
the evidence pack and the offline snapshot all call these."""

from __future__ import annotations

from sqlalchemy.orm import Session

from reports.documents.pdf import report_pdf
from reports.documents.tables import Section
from reports.documents.xlsx import report_xlsx
from reports.extraction import Extraction
from reports.varslingsliste.data import build_alert_list
from reports.varslingsliste.sections import sections, texts_of

REPORT = "varslingsliste"


def alert_list_sections(session: Session, extraction: Extraction) -> list[Section]:
    return sections(build_alert_list(session, extraction.on), extraction.translations)


def varslingsliste_pdf(session: Session, extraction: Extraction) -> bytes:
    return report_pdf(
        alert_list_sections(session, extraction),
        texts_of(extraction.translations),
        extraction,
    )


def varslingsliste_xlsx(session: Session, extraction: Extraction) -> bytes:
    return report_xlsx(
        alert_list_sections(session, extraction),
        texts_of(extraction.translations),
        extraction,
    )
