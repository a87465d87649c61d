"""The record of processing (GDPR art. 30) for the administrator and the privacy officer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.auth.permissions import ADMIN, Rule
from beredskap.platform.db import Base
from beredskap.platform.deps import SettingsDep
from beredskap.platform.privacy.record import record_of_processing

router = APIRouter(tags=["privacy"], responses=PROBLEM_RESPONSES)
RULES: dict[str, Rule] = {"privacy.record": ADMIN}


@router.get("/privacy/record", name="privacy.record")
def privacy_record(settings: SettingsDep) -> dict[str, Any]:
    """Categories of personal data, data subjects, purposes, recipients (the SMS provider and
    the e-mail server as processors), retention per class and the roles that see each,
    generated from the models' declaration and the settings."""
    return record_of_processing(Base.metadata, settings)
