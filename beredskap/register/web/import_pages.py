"""The import on the web (issue 15): choose a kind, upload a CSV or XLSX file, see a preview
(a dry run: the counts and every bad row's row, column and message), then confirm.

The same rules as the API's `imports.create`: the admin imports any kind, an organisation
editor equipment only, of its own organisations (rows of another are refused, 403). The
uploaded file is kept between the preview and the confirmation by `imports.pending` (a
random token bound to the browser session and the kind, expiring; never a path from the
client), so what is confirmed is what was previewed. A file that cannot be read is a 422
page that says why, never a 500; nothing is written until the confirmation, and then all
rows or none.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from beredskap.platform.api.problems import forbidden
from beredskap.platform.auth.service import Principal
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.web.forms import Form, PostedForm, blank_form, parse_form
from beredskap.platform.web.i18n import N_, translations_for
from beredskap.platform.web.rendering import number_format, render
from beredskap.register.imports import pending
from beredskap.register.imports.reading import FileError, Table, read_table
from beredskap.register.imports.routes import IMPORT_MAX_BYTES
from beredskap.register.imports.service import ImportReport, run_import
from beredskap.register.imports.template import template_xlsx

router = APIRouter()

KINDS: dict[str, str] = {
    "organisations": N_("Organisations"),
    "sites": N_("Sites"),
    "equipment": N_("Equipment"),
    "volunteers": N_("Volunteers"),
    "qualifications": N_("Qualifications"),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Kind = Literal["organisations", "sites", "equipment", "volunteers", "qualifications"]


class ImportUpload(BaseModel):
    kind: Kind = Field(title=N_("What to import"))
    file: str | None = Field(default=None, title=N_("File (CSV or Excel)"))


def _kinds_for(principal: Principal) -> list[str]:
    """The kinds the principal may import: every one for the admin, equipment for the rest."""
    return list(KINDS) if principal.is_admin else ["equipment"]


def _owner(principal: Principal) -> str:
    return pending.owner_of(principal.user_id, principal.csrf_token or "")


def _page(
    request: Request,
    principal: Principal,
    form: Form[ImportUpload],
    *,
    report: ImportReport | None = None,
    token: str | None = None,
    filename: str = "",
    done: bool = False,
    status_code: int = 200,
) -> Response:
    translations = translations_for(request)
    kinds = _kinds_for(principal)
    return render(
        request,
        "imports.html",
        {
            **form.context(),
            "kinds": [(kind, translations.gettext(KINDS[kind])) for kind in kinds],
            "report": report,
            "row_errors": (
                [
                    (error.row, error.column, error.translated(translations))
                    for error in report.errors
                ]
                if report is not None
                else []
            ),
            "kind_label": translations.gettext(KINDS[report.kind]) if report else "",
            "token": token,
            "filename": filename,
            "done": done,
            "max_megabytes": IMPORT_MAX_BYTES // (1024 * 1024),
        },
        principal=principal,
        status_code=status_code,
    )


@router.get("/imports", name="web.imports")
def imports_page(request: Request, principal: CurrentPrincipal) -> Response:
    """Choose a kind and a file; the templates to fill in."""
    kinds = _kinds_for(principal)
    form = blank_form(ImportUpload, translations_for(request), {"kind": kinds[0]})
    return _page(request, principal, form)


@router.get("/imports/template", name="web.import_template")
def import_template(principal: CurrentPrincipal, kind: Kind = Query("equipment")) -> Response:
    """The kind's template: Norwegian headings, and a sheet explaining each column."""
    if kind not in _kinds_for(principal):
        raise forbidden("Only the administrator imports this kind.")
    return Response(
        template_xlsx(kind),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="mal-{kind}.xlsx"'},
    )


def _refusal_status(report: ImportReport) -> int:
    return 403 if report.forbidden else 422


def _upload_bytes(posted: PostedForm) -> tuple[bytes, str] | None:
    upload = posted.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    # The body limit has bounded it already; the spooled upload is read from its file.
    return upload.file.read(IMPORT_MAX_BYTES + 1), upload.filename


@router.post("/imports", name="web.import_preview")
def import_preview(
    request: Request, session: SessionDep, principal: CurrentPrincipal, posted: PostedForm
) -> Response:
    """The preview: the file read and every row checked (a dry run, nothing written)."""
    translations = translations_for(request)
    form = parse_form(
        ImportUpload,
        {"kind": posted.get("kind") or ""},
        translations,
        number=number_format(request),
    )
    if form.valid and form.fields["kind"] not in _kinds_for(principal):
        raise forbidden("Only the administrator imports this kind.")
    upload = _upload_bytes(posted)
    if upload is None:
        form.add_error("file", N_("choose a file"))
    if not form.valid or upload is None:
        return _page(request, principal, form, status_code=422)
    kind, (data, filename) = form.fields["kind"], upload
    try:
        table = read_table(data, filename)
    except FileError as error:
        form.add_error("file", error.code, **error.params)
        return _page(request, principal, form, status_code=422)
    report = _run(session, principal, kind, table, dry_run=True, filename=filename)
    if not report.ok:
        return _page(
            request,
            principal,
            form,
            report=report,
            filename=filename,
            status_code=_refusal_status(report),
        )
    token = pending.keep(data, owner=_owner(principal), kind=kind, filename=filename)
    return _page(request, principal, form, report=report, token=token, filename=filename)


def _run(
    session: Session,
    principal: Principal,
    kind: str,
    table: Table,
    *,
    dry_run: bool,
    filename: str,
) -> ImportReport:
    may_edit = None if principal.is_admin else principal.may_edit_organisation
    return run_import(
        session,
        kind,
        table,
        may_edit=may_edit,
        dry_run=dry_run,
        source=filename,
    )


@router.post("/imports/confirm", name="web.import_confirm")
def import_confirm(
    request: Request, session: SessionDep, principal: CurrentPrincipal, posted: PostedForm
) -> Response:
    """Import the previewed file (kept by its token): all rows, or none with the errors."""
    translations = translations_for(request)
    kind = str(posted.get("kind") or "")
    token = str(posted.get("token") or "")
    if kind not in _kinds_for(principal):
        raise forbidden("Only the administrator imports this kind.")
    form = blank_form(ImportUpload, translations, {"kind": kind})
    kept = pending.find(token, owner=_owner(principal), kind=kind)
    if kept is None:
        form.add_error("file", N_("the preview has expired or is not yours; upload the file again"))
        return _page(request, principal, form, status_code=410)
    try:
        table = read_table(kept.data, kept.filename)
    except FileError as error:  # it was read at the preview; kept in case
        form.add_error("file", error.code, **error.params)
        return _page(request, principal, form, status_code=422)
    report = _run(session, principal, kind, table, dry_run=False, filename=kept.filename)
    if not report.ok:
        # The register changed since the preview: nothing written, the rows' errors shown.
        session.rollback()
        return _page(
            request,
            principal,
            form,
            report=report,
            filename=kept.filename,
            status_code=_refusal_status(report),
        )
    session.commit()
    pending.discard(token)
    return _page(request, principal, form, report=report, filename=kept.filename, done=True)
