"""/reports/ressursoversikt as a page, a PDF (.pdf) and a spreadsheet (.xlsx), for every staff
role: counts only, with counts of one or two people withheld from readers who may not see
those people. Each extraction is audited as a read naming the report and its format."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import Response

from beredskap.platform.auth.permissions import ALL_ROLES, Rule
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.web.rendering import number_format, render, stamp
from reports.downloads import download
from reports.extraction import extraction_for
from reports.marking import audit_extraction
from reports.ressursoversikt.documents import (
    REPORT,
    overview_of,
    ressursoversikt_pdf,
    ressursoversikt_xlsx,
)
from reports.ressursoversikt.sections import sections, texts_of

router = APIRouter(prefix="/reports", include_in_schema=False)
RULES: dict[str, Rule] = {
    "web.report_ressursoversikt": ALL_ROLES,
    "web.report_ressursoversikt_pdf": ALL_ROLES,
    "web.report_ressursoversikt_xlsx": ALL_ROLES,
}


@router.get("/ressursoversikt", name="web.report_ressursoversikt")
def overview_page(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """The overview as a page, with links to the PDF and the spreadsheet."""
    extraction = extraction_for(request, principal)
    overview = overview_of(session, extraction)
    audit_extraction(session, REPORT, "page")
    return render(
        request,
        "reports/ressursoversikt.html",
        {
            "active": "dashboard",
            "texts": texts_of(extraction.translations),
            "sections": sections(overview, extraction.translations, extraction.language),
            "marking": extraction.marking,
            "extracted_at": stamp(extraction.extracted_at),
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
    extraction = extraction_for(request, principal)
    content = ressursoversikt_pdf(session, extraction)
    audit_extraction(session, REPORT, "pdf")
    return download(content, REPORT, "pdf", extraction)


@router.get("/ressursoversikt.xlsx", name="web.report_ressursoversikt_xlsx")
def overview_xlsx_download(
    request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """The overview as a spreadsheet, a sheet per section."""
    extraction = extraction_for(request, principal)
    content = ressursoversikt_xlsx(session, extraction)
    audit_extraction(session, REPORT, "xlsx")
    return download(content, REPORT, "xlsx", extraction)
