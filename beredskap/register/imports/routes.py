"""POST /api/v1/imports/{kind}: a CSV or XLSX file imported all or nothing (or only checked).

The body may be larger than other routes' (`IMPORT_MAX_BYTES`, declared by the register's
capability to the platform's body limit). Whatever the file, the answer is 200 with the
counts, or a problem document: 422 with every bad row (row, column, message, code, params),
403 when rows belong to organisations the caller may not edit; never a 500.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel

from beredskap.platform.api.problems import PROBLEM_RESPONSES, ProblemError, forbidden
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.register.imports.reading import FileError, read_table
from beredskap.register.imports.service import ImportReport, run_import

IMPORT_PREFIX = "/api/v1/imports/"
IMPORT_MAX_BYTES = 20 * 1024 * 1024

router = APIRouter(tags=["imports"], responses=PROBLEM_RESPONSES)

Kind = Literal["organisations", "sites", "equipment", "volunteers", "qualifications"]


class ImportOut(BaseModel):
    kind: str
    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int


@router.post("/imports/{kind}", name="imports.create", response_model=ImportOut)
def import_file(
    kind: Kind,
    session: SessionDep,
    principal: CurrentPrincipal,
    file: UploadFile = File(description="CSV (UTF-8 or Windows-1252, ; or ,) or XLSX"),
    dry_run: bool = Query(False, description="Check every row and count; write nothing"),
) -> ImportOut:
    """Import a spreadsheet of organisations (admin) or equipment (admin; an organisation
    editor its own organisations' lines). All or nothing; the same file again changes
    nothing."""
    if kind != "equipment" and not principal.is_admin:
        raise forbidden("Only the administrator imports this kind.")
    data = file.file.read(IMPORT_MAX_BYTES + 1)
    try:
        table = read_table(data, file.filename or "")
    except FileError as error:
        raise ProblemError(
            422,
            "Invalid file",
            error.message,
            errors=[
                {
                    "row": None,
                    "column": None,
                    "message": error.message,
                    "code": error.code,
                    "params": dict(error.params),
                }
            ],
        ) from None
    may_edit = None if principal.is_admin else principal.may_edit_organisation
    report = run_import(
        session,
        kind,
        table,
        may_edit=may_edit,
        dry_run=dry_run,
        source=file.filename or "",
    )
    if not report.ok:
        raise _refused(report)
    return ImportOut(kind=kind, dry_run=dry_run, **report.counts())


def _refused(report: ImportReport) -> ProblemError:
    status, title = (403, "Forbidden") if report.forbidden else (422, "Invalid rows")
    return ProblemError(
        status,
        title,
        f"{len(report.errors)} problems in the file; nothing was imported.",
        errors=[error.as_problem() for error in report.errors],
    )
