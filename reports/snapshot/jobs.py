"""The nightly snapshot as a job of the platform's scheduler (`beredskap worker`, one leader).

The platform's recurring jobs run at an interval, so this one looks every `CHECK_S` and writes
the day's snapshot into `BEREDSKAP_SNAPSHOT_DIR` at the first look from
`BEREDSKAP_SNAPSHOT_HOUR` (Oslo wall time) on, unless a complete snapshot from that hour on
is already there (a restart, or one taken by hand); then it keeps the newest
`BEREDSKAP_SNAPSHOT_KEEP`. Without a folder configured it does nothing. A run that fails
leaves no snapshot and is tried again at the next look.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from beredskap.platform.columns import NORWAY, utcnow
from beredskap.platform.jobs import JobContext, JobDefinition, scheduled_job
from reports.extraction import system_extraction
from reports.snapshot.service import take_snapshot
from reports.snapshot.writer import prune, snapshots, taken_at

_logger = logging.getLogger("reports.snapshot")
ACTOR = "snapshot job"
EXTRACTED_BY = "beredskap snapshot (nightly job)"
CHECK_S = 600.0
DEFAULT_HOUR = 2
DEFAULT_KEEP = 14


def run_nightly(context: JobContext, now: datetime) -> Path | None:
    """Today's snapshot if one is due; its folder, or None when none was written."""
    settings = context.settings
    folder: Path | None = getattr(settings, "snapshot_dir", None)
    if folder is None:
        return None
    local = now.astimezone(NORWAY)
    hour = int(getattr(settings, "snapshot_hour", DEFAULT_HOUR))
    if local.hour < hour:
        return None
    since = local.replace(hour=hour, minute=0, second=0, microsecond=0, tzinfo=None)
    if any((when := taken_at(path)) is not None and when >= since for path in snapshots(folder)):
        return None
    language = str(getattr(settings, "default_language", "nb"))
    extraction = replace(system_extraction(settings, EXTRACTED_BY, language), extracted_at=now)
    snapshot = take_snapshot(context.database, extraction, folder, actor=ACTOR)
    removed = prune(folder, int(getattr(settings, "snapshot_keep", DEFAULT_KEEP)))
    _logger.info(
        "snapshot %s written (%s files, %s bytes); %s old snapshot(s) removed",
        snapshot.path.name,
        len(snapshot.files),
        sum(file.size for file in snapshot.files),
        len(removed),
    )
    return snapshot.path


@scheduled_job
def write_nightly(context: JobContext) -> None:
    run_nightly(context, utcnow())


JOBS = (
    JobDefinition(
        id="reports:snapshot",
        func="reports.snapshot.jobs:write_nightly",
        name="offline binder snapshot, daily from BEREDSKAP_SNAPSHOT_HOUR",
        every_s=lambda _settings: CHECK_S,
    ),
)
