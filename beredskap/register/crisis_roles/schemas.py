"""Pydantic shapes of the crisis roles in the API (no ORM here)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from beredskap.platform.api.types import LongText, Name, Version
from beredskap.register.agreements.schemas import Contact
from beredskap.register.crisis_roles.models import MAX_HOLDERS, MAX_POSITION, CrisisRole

Title = Annotated[Name, StringConstraints(max_length=120)]
Position = Annotated[int, Field(ge=1, le=MAX_POSITION, description="Order of alerting; 1 first")]
HOLDERS_DESCRIPTION = "In order of alerting: the first holds the role, the rest are deputies"


class CrisisRoleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    position: Position = 1
    duties: LongText | None = None
    holders: list[Contact] = Field(
        default_factory=list, max_length=MAX_HOLDERS, description=HOLDERS_DESCRIPTION
    )


class CrisisRolePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    position: Position | None = None
    duties: LongText | None = None
    holders: list[Contact] | None = Field(None, max_length=MAX_HOLDERS)
    version: Version | None = None


class CrisisRoleOut(BaseModel):
    id: int
    title: str
    position: int
    duties: str | None
    holders: list[Contact] = Field(description=HOLDERS_DESCRIPTION)
    version: int
    updated_at: datetime

    @classmethod
    def of(cls, role: CrisisRole) -> CrisisRoleOut:
        return cls(
            id=role.id,
            title=role.title,
            position=role.position,
            duties=role.duties,
            holders=[Contact(**holder) for holder in role.holders or []],
            version=role.version,
            updated_at=role.updated_at,
        )
