"""Pydantic shapes of a contact check run in the API (no ORM here)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from alerts.verification.service import MAX_OLDER_THAN_DAYS
from beredskap.platform.api.types import RefId


class ContactCheckRequest(BaseModel):
    """Whom to ask: one organisation's volunteers (an org editor: its own) or, for the
    coordinator, everyone; optionally only those not confirmed within a number of days."""

    model_config = ConfigDict(extra="forbid")

    organisation_id: RefId | None = Field(None, description="None: every organisation (admin)")
    older_than_days: int | None = Field(
        None,
        ge=1,
        le=MAX_OLDER_THAN_DAYS,
        description="Only volunteers not confirmed within this many days; None: everyone",
    )


class ContactCheckRun(BaseModel):
    """What the request queued."""

    asked: int = Field(description="Contact checks queued to volunteers now")
    already_asked: int = Field(description="Volunteers skipped: asked already today")
    organisation_id: int | None
    older_than_days: int | None
