"""A volunteer's consent history: every change of their SMS consent, how and by whom."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.api.types import PathId
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.register.volunteers import service
from beredskap.register.volunteers.models import ConsentChannel

router = APIRouter(tags=["volunteers"], responses=PROBLEM_RESPONSES)


class ConsentEventOut(BaseModel):
    given: bool
    channel: ConsentChannel
    actor: str
    occurred_at: datetime


class ConsentHistoryOut(BaseModel):
    volunteer_id: int
    sms_consent: bool
    withdrawn_by_sms: bool
    events: list[ConsentEventOut]


@router.get(
    "/volunteers/{volunteer_id:int}/consent",
    name="volunteers.consent",
    response_model=ConsentHistoryOut,
)
def consent_history(
    volunteer_id: PathId, session: SessionDep, principal: CurrentPrincipal
) -> ConsentHistoryOut:
    """Given or withdrawn, when, how (STOP or START by SMS, staff, import) and by whom; the
    oldest first. An org editor reads their own organisations' members only."""
    volunteer = service.get_volunteer(
        session, volunteer_id, members_of=principal.sees_only_members_of
    )
    return ConsentHistoryOut(
        volunteer_id=volunteer.id,
        sms_consent=volunteer.sms_consent,
        withdrawn_by_sms=volunteer.withdrew_by_sms,
        events=[
            ConsentEventOut(
                given=event.given,
                channel=event.channel,
                actor=event.actor,
                occurred_at=event.occurred_at,
            )
            for event in volunteer.consent_events
        ],
    )
