"""A volunteer's access request (GDPR art. 15): everything the register holds about them, as
JSON, for the administrator who answers it. The export itself is audited as a read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.api.types import PathId
from beredskap.platform.audit.reads import record_read
from beredskap.platform.db import Base
from beredskap.platform.deps import SessionDep
from beredskap.platform.privacy.export import export_subject
from beredskap.register.volunteers import service
from beredskap.register.volunteers.erasure import subject_of
from beredskap.register.volunteers.models import Volunteer

router = APIRouter(tags=["volunteers"], responses=PROBLEM_RESPONSES)


@router.get("/volunteers/{volunteer_id:int}/export", name="volunteers.export")
def export_volunteer(volunteer_id: PathId, session: SessionDep) -> dict[str, Any]:
    """The volunteer's record, memberships, qualifications, consent history, the callouts and
    exercises they were asked in, messages to and from them, and the audit entries about
    their record: every row the models' declaration of personal data links to them."""
    volunteer = service.get_volunteer(session, volunteer_id)
    exported = export_subject(session, Base.metadata, subject_of(volunteer))
    record_read(session, Volunteer.__tablename__, volunteer.id, what="volunteers.export")
    return exported
