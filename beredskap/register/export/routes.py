"""GET /api/v1/export.zip: the municipality's data in one zip (administrator only), with
personal data unless `personal_data=false`; audited as one read."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.auth.permissions import ADMIN, Rule
from beredskap.platform.db import Base
from beredskap.platform.deps import SessionDep
from beredskap.register.export.archive import audit_export, build_zip

router = APIRouter(tags=["export"], responses=PROBLEM_RESPONSES)
RULES: dict[str, Rule] = {"export.zip": ADMIN}


@router.get(
    "/export.zip",
    name="export.zip",
    response_class=FileResponse,
    responses={200: {"content": {"application/zip": {}}, "description": "The export."}},
)
def export_zip(
    session: SessionDep,
    personal_data: Annotated[bool, Query(description="Include personal data.")] = True,
) -> FileResponse:
    """Every table the municipality owns as CSV (natural keys beside the ids, a README of
    the columns) and the map layers as a GeoPackage (`layers.gpkg`), built in a temporary
    file that is removed once sent."""
    path, exported = build_zip(session, Base.metadata, personal=personal_data)
    try:
        audit_export(session, Base.metadata, exported, what="export.zip", personal=personal_data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return FileResponse(
        path,
        media_type="application/zip",
        filename=f"beredskap-export-{date.today().isoformat()}.zip",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )
