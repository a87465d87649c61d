"""The daily reminders as a job of the platform's scheduler (`beredskap worker`).

The platform's recurring jobs run at an interval, so this one looks every `CHECK_S` and runs
the day's reminders at the first look from `BEREDSKAP_REMINDER_HOUR` (Oslo wall time) on:
at that hour normally, later the same day when no worker ran at it. The day is marked in the
ledger in the same transaction as its reminders (`ledger.claim_day`), so it runs once a day
however many looks, restarts or workers there are, and a run that fails is run again at the
next look.
"""

from __future__ import annotations

import logging
from datetime import datetime

from alerts.reminders import ledger
from alerts.reminders.items import Kind
from alerts.reminders.run import Tally, run_reminders
from beredskap.platform.columns import NORWAY, utcnow
from beredskap.platform.jobs import JobContext, JobDefinition, scheduled_job

_logger = logging.getLogger("alerts.reminders")
ACTOR = "reminders"
CHECK_S = 600.0
DEFAULT_HOUR = 7


def run_daily(context: JobContext, now: datetime) -> dict[Kind, Tally] | None:
    """The day's reminders if it is time and they have not run today; None otherwise."""
    local = now.astimezone(NORWAY)
    if local.hour < int(getattr(context.settings, "reminder_hour", DEFAULT_HOUR)):
        return None
    with context.transaction(ACTOR) as session:
        if not ledger.claim_day(session, local.date(), now):
            return None
        tallies = run_reminders(session, context.settings, today=local.date(), now=now)
    _logger.info(
        "reminders of %s: %s",
        local.date().isoformat(),
        ", ".join(
            f"{kind.value} {tally.reminders} ({tally.messages} messages)"
            for kind, tally in tallies.items()
        ),
    )
    return tallies


@scheduled_job
def send_daily(context: JobContext) -> None:
    run_daily(context, utcnow())


JOBS = (
    JobDefinition(
        id="alerts:readiness-reminders",
        func="alerts.reminders.jobs:send_daily",
        name="readiness reminders, daily from BEREDSKAP_REMINDER_HOUR",
        every_s=lambda _settings: CHECK_S,
    ),
)
