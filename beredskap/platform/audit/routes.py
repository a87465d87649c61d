"""/api/v1/audit: the audit trail, for admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, StringConstraints
from sqlalchemy import select

from beredskap.platform.api.pagination import ListParams, Page, list_params, paginate
from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.deps import SessionDep

router = APIRouter(tags=["audit"], responses=PROBLEM_RESPONSES)

Filter = Annotated[str, StringConstraints(max_length=254)]


class AuditEntryOut(BaseModel):
    id: int
    occurred_at: datetime
    actor: str
    entity: str
    entity_id: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@router.get("/audit", name="audit.list", response_model=Page[AuditEntryOut])
def list_audit_entries(
    session: SessionDep,
    params: ListParams = Depends(list_params),
    entity: Filter | None = Query(None, description="Table name, e.g. equipment"),
    entity_id: Filter | None = Query(None),
    actor: Filter | None = Query(None, description="The acting user's e-mail"),
    since: datetime | None = Query(None),
    action: Literal["insert", "update", "delete", "read"] | None = Query(
        None, description="read: who viewed personal data"
    ),
) -> Page[AuditEntryOut]:
    """Who changed what and when, newest first by default."""
    statement = select(AuditEntry)
    if entity:
        statement = statement.where(AuditEntry.entity == entity)
    if entity_id:
        statement = statement.where(AuditEntry.entity_id == entity_id)
    if actor:
        statement = statement.where(AuditEntry.actor == actor.strip().lower())
    if since:
        statement = statement.where(AuditEntry.occurred_at >= since)
    if action:
        statement = statement.where(AuditEntry.action == action)
    rows, total = paginate(
        session,
        statement,
        params,
        sortable={"occurred_at": AuditEntry.occurred_at, "id": AuditEntry.id},
        default="-id",
        tiebreak=AuditEntry.id,
    )
    items = [AuditEntryOut.model_validate(row, from_attributes=True) for row in rows]
    return Page(items=items, total=total, limit=params.limit, offset=params.offset)
