"""Which threshold of a reminder a due day is in today.

Thresholds are windows, not days: "within 14 days" rather than "exactly 14 days before", so
a day the worker did not run is caught up the next. The tightest window holding the day wins,
so a qualification registered 10 days before it expires gets the 14-day reminder only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date


def threshold(
    due_on: date, today: date, windows_days: Sequence[int], *, past: str | None = None
) -> str | None:
    """The threshold `due_on` is in today: the smallest window (in days ahead, the due day
    itself included) that holds it, as text; `past` once the day has passed (None: no
    reminder after it); None when it is further ahead than every window."""
    days_left = (due_on - today).days
    if days_left < 0:
        return past
    fitting = [days for days in windows_days if days_left <= days]
    return str(min(fitting)) if fitting else None
