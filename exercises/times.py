"""Exercise times: stored in UTC, entered and shown in Europe/Oslo.

A naive time is Oslo wall time. On the last Sunday of March 02:00-02:59 does not exist
(the clocks jump to 03:00): such a time is refused, since a planner who typed it meant
something we cannot guess. On the last Sunday of October 02:00-02:59 happens twice: the
first (summer time, fold=0) is taken, as RFC 5545 does for DTSTART.
"""

from __future__ import annotations

from datetime import UTC, datetime

from beredskap.platform.columns import NORWAY
from beredskap.platform.errors import N_, DomainValidationError


def _exists_in_oslo(naive: datetime) -> bool:
    """Whether this wall time happens in Oslo: a time in the spring gap does not round-trip."""
    there_and_back = naive.replace(tzinfo=NORWAY).astimezone(UTC).astimezone(NORWAY)
    return there_and_back.replace(tzinfo=None) == naive


def to_utc(field: str, value: datetime) -> datetime:
    """An aware time in UTC; naive means Europe/Oslo. DomainValidationError for a gap time."""
    if value.tzinfo is None or value.utcoffset() is None:
        if not _exists_in_oslo(value):
            raise DomainValidationError(
                field,
                N_(
                    "%(time)s does not exist in Europe/Oslo (the clocks go forward that "
                    "night); give a time with its offset or another time"
                ),
                time=f"{value:%Y-%m-%d %H:%M}",
            )
        value = value.replace(tzinfo=NORWAY, fold=0)
    return value.astimezone(UTC)


def in_oslo(value: datetime) -> datetime:
    """A stored (UTC) time as Oslo wall time, with its offset."""
    return value.astimezone(NORWAY)
