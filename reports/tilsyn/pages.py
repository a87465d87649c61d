"""/reports/tilsyn, the inspector's evidence pack: a page with the summary and every table
behind it, and /reports/tilsyn.zip with the documents. The pack holds the varslingsliste
(phone numbers), so it is for those who may read that: the coordinator and the duty officer
(403 to every other role). Each extraction is audited as a read of the pack, and the zip also
as a read of each other report it holds."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import Response

from beredskap.platform.auth.models import Role
from beredskap.platform.auth.permissions import Rule
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.web.rendering import number_format, render, stamp
from reports.downloads import download
from reports.extraction import extraction_for
from reports.marking import audit_extraction
from reports.tilsyn.documents import PACK, REPORT, Gathered, extracted_reports, tilsyn_zip
from reports.tilsyn.requirements import MET_LABELS
from reports.tilsyn.sections import TITLE, all_sections, day, finding_lines, texts

# As the varslingsliste's readers: the pack holds it.
PACK_READERS = frozenset({Role.ADMIN, Role.DUTY_OFFICER})

router = APIRouter(prefix="/reports", include_in_schema=False)
RULES: dict[str, Rule] = {
    "web.report_tilsyn": PACK_READERS,
    "web.report_tilsyn_zip": PACK_READERS,
}


@router.get("/tilsyn", name="web.report_tilsyn")
def evidence_page(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """The summary and the tables of the pack, with the link to the zip."""
    extraction = extraction_for(request, principal)
    translations = extraction.translations
    gathered = Gathered(session, extraction)
    audit_extraction(session, REPORT, "page")
    return render(
        request,
        "reports/tilsyn.html",
        {
            "active": "dashboard",
            "title": translations.gettext(TITLE),
            "requirements": [
                {
                    "item": item,
                    "title": translations.gettext(item.title),
                    "rule": translations.gettext(item.rule),
                    "met": translations.gettext(MET_LABELS[item.met]),
                    "findings": finding_lines(item, translations),
                    "evidence_on": day(item.evidence_on),
                }
                for item in gathered.requirements
            ],
            "sections": all_sections(gathered.evidence, gathered.requirements, translations)[1:],
            "files": [(entry.filename, translations.gettext(entry.holds)) for entry in PACK],
            "marking": extraction.marking,
            "extracted_at": stamp(extraction.extracted_at),
            "on": extraction.on,
            "withheld": texts(translations, "").withheld,
            "figure": lru_cache(maxsize=1024)(number_format(request)),
        },
        principal=principal,
    )


@router.get("/tilsyn.zip", name="web.report_tilsyn_zip")
def evidence_zip(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """The pack as a zip: the summary and each document as PDF and spreadsheet."""
    extraction = extraction_for(request, principal)
    content = tilsyn_zip(session, extraction)
    audit_extraction(session, REPORT, "zip")
    for report, file_format in extracted_reports():
        audit_extraction(session, report, file_format)
    return download(content, REPORT, "zip", extraction)
