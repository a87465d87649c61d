"""Scheduled jobs a capability declares; the platform's scheduler runs them in the worker.

The definitions live in `beredskap.platform.scheduling.registry`; a capability imports them
from here.
"""

from __future__ import annotations

from beredskap.platform.scheduling.registry import (
    DateJob,
    JobContext,
    JobDefinition,
    scheduled_job,
)

__all__ = ["DateJob", "JobContext", "JobDefinition", "scheduled_job"]
