"""The platform's daily retention job (in the worker's scheduler): `apply_retention` over
every table the capabilities' models declare."""

from __future__ import annotations

import logging

from beredskap.platform.columns import utcnow
from beredskap.platform.db import Base
from beredskap.platform.jobs import JobContext, JobDefinition, scheduled_job
from beredskap.platform.privacy.retention import apply_retention, schedule

ACTOR = "retention"
DAY_S = 86_400.0
_logger = logging.getLogger("beredskap.retention")


@scheduled_job
def apply_retention_daily(context: JobContext) -> None:
    with context.transaction(ACTOR) as session:
        outcomes = apply_retention(session, Base.metadata, schedule(context.settings), utcnow())
    for outcome in outcomes:
        if outcome.rows:
            _logger.info(
                "retention: %s %s rows of %s (%s)",
                outcome.action.value,
                outcome.rows,
                outcome.table,
                outcome.period.value,
            )


JOBS = (
    JobDefinition(
        id="platform:retention",
        func="beredskap.platform.privacy.jobs:apply_retention_daily",
        name="retention of personal data",
        every_s=lambda _settings: DAY_S,
    ),
)
