"""/reports/ressursoversikt as a page, a PDF (.pdf) and a spreadsheet (.xlsx), for every staff
role: counts only, with counts of one or two people withheld from readers who may not see
those people. Each extraction is audited as a read naming the report and its format."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from beredskap.platform.auth.permissions import ALL_ROLES, Rule
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.web.i18n import language_of, translations_for
from beredskap.platform.web.rendering import number_format, render, stamp
from beredskap.register.readiness.service import agreements_readiness, travel_of
from reports.marking import audit_extraction, marking
from reports.ressursoversikt.data import Overview, build_overview
from reports.ressursoversikt.pdf import overview_pdf
from reports.ressursoversikt.sections import sections, texts_of
from reports.ressursoversikt.xlsx import overview_xlsx

REPORT = "ressursoversikt"
router = APIRouter(prefix="/reports", include_in_schema=False)
RULES: dict[str, Rule] = {
    "web.report_ressursoversikt": ALL_ROLES,
    "web.report_ressursoversikt_pdf": ALL_ROLES,
    "web.report_ressursoversikt_xlsx": ALL_ROLES,
}
DOWNLOAD_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def overview_for(session: Session, principal: Principal, settings: object) -> Overview:
    """Today's overview as this reader may see it."""
    today = today_in_norway()
    agreements = agreements_readiness(session, on=today, travel=travel_of(settings))
    agreements.sort(key=lambda item: (item.organisation_name, item.reference))
    return build_overview(
        session, on=today, agreements=agreements, exact_for=principal.sees_small_counts_of
    )


def _filename(extracted_at: datetime, suffix: str) -> str:
    return f"ressursoversikt-{extracted_at:%Y-%m-%d}.{suffix}"


@router.get("/ressursoversikt", name="web.report_ressursoversikt")
def overview_page(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """The overview as a page, with links to the PDF and the spreadsheet."""
    settings = request.app.state.settings
    overview = overview_for(session, principal, settings)
    translations = translations_for(request)
    audit_extraction(session, REPORT, "page")
    return render(
        request,
        "reports/ressursoversikt.html",
        {
            "active": "dashboard",
            "texts": texts_of(translations),
            "sections": sections(overview, translations, language_of(request)),
            "marking": marking(settings),
            "extracted_at": stamp(utcnow()),
            "on": overview.on,
            # The same small numbers recur in every row: each is formatted once.
            "figure": lru_cache(maxsize=4096)(number_format(request)),
        },
        principal=principal,
    )


@router.get("/ressursoversikt.pdf", name="web.report_ressursoversikt_pdf")
def overview_pdf_download(
    request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """The overview as an A4 PDF to print or file."""
    settings = request.app.state.settings
    overview = overview_for(session, principal, settings)
    translations = translations_for(request)
    language = language_of(request)
    extracted_at = utcnow()
    content = overview_pdf(
        sections(overview, translations, language),
        texts_of(translations),
        translations,
        marking=marking(settings),
        extracted_at=extracted_at,
        extracted_by=principal.email,
        language=language,
    )
    audit_extraction(session, REPORT, "pdf")
    headers = DOWNLOAD_HEADERS | {
        "Content-Disposition": f'attachment; filename="{_filename(extracted_at, "pdf")}"'
    }
    return Response(content, media_type="application/pdf", headers=headers)


@router.get("/ressursoversikt.xlsx", name="web.report_ressursoversikt_xlsx")
def overview_xlsx_download(
    request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """The overview as a spreadsheet, a sheet per section."""
    settings = request.app.state.settings
    overview = overview_for(session, principal, settings)
    translations = translations_for(request)
    extracted_at = utcnow()
    content = overview_xlsx(
        sections(overview, translations, language_of(request)),
        texts_of(translations),
        translations,
        marking=marking(settings),
        extracted_at=extracted_at,
        extracted_by=principal.email,
        on=overview.on,
    )
    audit_extraction(session, REPORT, "xlsx")
    headers = DOWNLOAD_HEADERS | {
        "Content-Disposition": f'attachment; filename="{_filename(extracted_at, "xlsx")}"'
    }
    return Response(content, media_type=XLSX, headers=headers)
