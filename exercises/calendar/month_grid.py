"""A month as the calendar page draws it: whole weeks, Monday first, in Oslo dates.

Norway numbers weeks as ISO 8601 does (week 1 holds the year's first Thursday), so the week
number is `date.isocalendar().week`. Knows nothing of requests or templates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from beredskap.platform.columns import NORWAY
from exercises.models import Exercise

MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})")
FIRST_YEAR, LAST_YEAR = 1970, 2200


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def last_day(self) -> date:
        return self.next.first_day - timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def parse_month(text: str) -> Month | None:
    """`2027-03` as a Month, or None (no such month, or outside the years we draw)."""
    match = MONTH_PATTERN.fullmatch(text.strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    return Month(year, month)


def month_of(day: date) -> Month:
    return Month(day.year, day.month)


def oslo_midnight(day: date) -> datetime:
    """The instant (UTC) Oslo's day begins; midnight never falls in a DST gap there."""
    return datetime.combine(day, time(0), tzinfo=NORWAY).astimezone(UTC)


@dataclass
class Entry:
    """One exercise on one day of the grid."""

    exercise: Exercise
    starts_here: bool  # False on the later days of an exercise that spans midnight

    @property
    def start_time(self) -> str:
        return self.exercise.starts_at.astimezone(NORWAY).strftime("%H:%M")


@dataclass
class Day:
    day: date
    in_month: bool
    is_today: bool
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Week:
    number: int
    days: list[Day]


def grid_bounds(month: Month) -> tuple[date, date]:
    """The first Monday on or before the 1st, the last Sunday on or after the month's end."""
    first = month.first_day - timedelta(days=month.first_day.weekday())
    last = month.last_day + timedelta(days=6 - month.last_day.weekday())
    return first, last


def build_grid(month: Month, exercises: Iterable[Exercise], today: date) -> list[Week]:
    """The weeks of the month's grid, each exercise on every Oslo day it touches."""
    first, last = grid_bounds(month)
    days = {
        first + timedelta(days=offset): Day(
            first + timedelta(days=offset),
            in_month=(first + timedelta(days=offset)).month == month.month,
            is_today=first + timedelta(days=offset) == today,
        )
        for offset in range((last - first).days + 1)
    }
    for exercise in exercises:
        start_day = exercise.starts_at.astimezone(NORWAY).date()
        # An exercise ending at midnight does not touch the day that begins then.
        end_day = (exercise.ends_at - timedelta(microseconds=1)).astimezone(NORWAY).date()
        day = max(start_day, first)
        while day <= min(end_day, last):
            days[day].entries.append(Entry(exercise, starts_here=day == start_day))
            day += timedelta(days=1)
    ordered = [days[key] for key in sorted(days)]
    return [
        Week(ordered[index].day.isocalendar().week, ordered[index : index + 7])
        for index in range(0, len(ordered), 7)
    ]
