"""Pydantic shapes of the plan's revisions in the API (no ORM here)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from beredskap.platform.api.types import LongText, Name
from beredskap.register.readiness.models import PlanRevision


class RevisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revised_on: date = Field(description="The day the plan was revised; not in the future")
    revised_by: Name = Field(description="The body or role that revised it, not a person")
    scope: LongText = Field(description="What was reviewed")
    note: LongText | None = None


class RevisionOut(BaseModel):
    id: int
    revised_on: date
    revised_by: str
    scope: str
    note: str | None
    recorded_by_user_id: int | None = Field(description="Who recorded it; hidden from the council")
    created_at: datetime

    @classmethod
    def of(cls, revision: PlanRevision, *, sees_people: bool) -> RevisionOut:
        return cls(
            id=revision.id,
            revised_on=revision.revised_on,
            revised_by=revision.revised_by,
            scope=revision.scope,
            note=revision.note,
            recorded_by_user_id=revision.recorded_by_user_id if sees_people else None,
            created_at=revision.created_at,
        )


class RevisionList(BaseModel):
    items: list[RevisionOut]
    total: int
    limit: int
    offset: int
    revision_due: bool = Field(description="None recorded, or the last 12 months ago or more")
