"""Recurring drills: RFC 5545 RRULEs over Europe/Oslo wall time, materialised as exercises.

The rule recurs in wall time, so an 18:00 drill stays at 18:00 in summer and winter. As
RFC 5545 says for local times, an occurrence that falls in the spring gap (02:00-02:59 on
the last Sunday of March) is moved forward by the gap's length (02:30 becomes 03:30 CEST),
and one in the October overlap is the first of the two (CEST). zoneinfo does exactly that
for `fold=0`. Occurrences are the rule's own (dateutil's reading: DTSTART counts only when
it matches the rule; RFC 5545 leaves an unsynchronised DTSTART undefined).

A rule may be infinite; occurrences exist only up to a horizon ahead, and at most
MAX_OCCURRENCES of them lie ahead at any time. `extend_series` makes the next ones as time
passes: the scheduler's periodic sync calls it. It is idempotent through the unique
(series_id, occurrence_start).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, rrule, rrulestr
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from beredskap.platform.columns import NORWAY
from beredskap.platform.errors import N_, DomainValidationError
from exercises.models import Exercise, ExerciseSeries, ExerciseStatus

HORIZON = relativedelta(months=13)
MAX_OCCURRENCES = 60
FIELD = "recurrence.rrule"
_ALLOWED = re.compile(r"^[A-Z0-9=;,+\-:]+$")
_UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z")
# Parts that would change what the rule means beyond one RRULE value.
_REFUSED_PARTS = ("DTSTART", "RDATE", "EXDATE", "TZID")


def horizon_from(now: datetime) -> datetime:
    return now + HORIZON


def wall_to_utc(wall: datetime) -> datetime:
    """An Oslo wall time from the rule, in UTC: a gap time moves forward by the gap, an
    overlap time is the first (summer time)."""
    return wall.replace(tzinfo=NORWAY, fold=0).astimezone(UTC)


def _localise_until(text: str) -> str:
    """UNTIL in UTC (as RFC 5545 asks with a local DTSTART) as Oslo wall time, which is what
    dateutil compares with a naive DTSTART."""

    def local(match: re.Match[str]) -> str:
        moment = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        return f"UNTIL={moment.astimezone(NORWAY):%Y%m%dT%H%M%S}"

    return _UNTIL_UTC.sub(local, text)


def parse_rule(text: str, first_start: datetime) -> rrule:
    """The rule starting at `first_start` (UTC; its Oslo wall time recurs).

    DomainValidationError on `recurrence.rrule` for a rule dateutil cannot read, one more
    often than daily, or one that never occurs.
    """
    cleaned = text.strip().upper().removeprefix("RRULE:")
    if not cleaned or not _ALLOWED.match(cleaned) or any(p in cleaned for p in _REFUSED_PARTS):
        raise DomainValidationError(
            FIELD, N_("give one RFC 5545 RRULE value, e.g. FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU")
        )
    dtstart = first_start.astimezone(NORWAY).replace(tzinfo=None)
    try:
        rule = rrulestr(_localise_until(cleaned), dtstart=dtstart)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        raise DomainValidationError(FIELD, N_("not a valid RRULE")) from None
    if not isinstance(rule, rrule):
        raise DomainValidationError(FIELD, N_("give one RRULE"))
    if rule._freq > DAILY:  # dateutil exposes no accessor for FREQ
        raise DomainValidationError(FIELD, N_("an exercise recurs at most daily"))
    try:
        first = rule.after(dtstart, inc=True)
    except (ValueError, OverflowError):
        first = None
    if first is None:
        raise DomainValidationError(FIELD, N_("the rule gives no occurrence"))
    return rule


def occurrences(
    rule: rrule, *, after: datetime | None, until: datetime, limit: int = MAX_OCCURRENCES
) -> Iterator[datetime]:
    """Starts (UTC) of the rule's occurrences later than `after` and no later than `until`."""
    made = 0
    try:
        for wall in rule:
            start = wall_to_utc(wall)
            if start > until or made >= limit:
                return
            if after is not None and start <= after:
                continue
            made += 1
            yield start
    except (ValueError, OverflowError):  # past year 9999
        return


def first_occurrences(text: str, first_start: datetime, *, now: datetime) -> list[datetime]:
    """The starts (UTC) a new series materialises: those up to the horizon, at least one."""
    rule = parse_rule(text, first_start)
    until = max(horizon_from(now), first_start)
    starts = list(occurrences(rule, after=None, until=until))
    if not starts:
        # Its first occurrence lies beyond the horizon: still make that one.
        starts = list(
            occurrences(rule, after=None, until=datetime.max.replace(tzinfo=UTC), limit=1)
        )
    return starts


def materialised_until(starts: list[datetime], until: datetime) -> datetime:
    """How far a series is made: the horizon, or its last start when the cap stopped it."""
    return starts[-1] if len(starts) >= MAX_OCCURRENCES else until


def _copy_occurrence(template: Exercise, start: datetime, duration: timedelta) -> Exercise:
    """A new occurrence like the series' latest one (what, where, who), planned."""
    return Exercise(
        title=template.title,
        type=template.type,
        scenario=template.scenario,
        objectives=template.objectives,
        starts_at=start,
        ends_at=start + duration,
        place=template.place,
        area=template.area,
        status=ExerciseStatus.PLANNED,
        series_id=template.series_id,
        occurrence_start=start,
        reminder_offsets_min=list(template.reminder_offsets_min or []),
        drill_message=template.drill_message,
        drill_radius_m=template.drill_radius_m,
        drill_needs=[dict(need) for need in template.drill_needs or []],
        drill_wanted=template.drill_wanted,
        created_by=template.created_by,
        organisations=list(template.organisations),
        agreements=list(template.agreements),
        volunteers=list(template.volunteers),
        sites=list(template.sites),
    )


def extend_series(session: Session, *, now: datetime) -> int:
    """Materialise every series' occurrences up to the horizon; how many were made.

    Each new occurrence copies the series' latest one. Occurrences that exist already (also
    ones moved or cancelled on their own) are left alone. Flushes, never commits.
    """
    until = horizon_from(now)
    made = 0
    for series in session.scalars(select(ExerciseSeries).order_by(ExerciseSeries.id)):
        if series.materialised_until is not None and series.materialised_until >= until:
            continue
        template = session.scalars(
            select(Exercise)
            .where(Exercise.series_id == series.id)
            .options(
                selectinload(Exercise.organisations),
                selectinload(Exercise.agreements),
                selectinload(Exercise.volunteers),
                selectinload(Exercise.sites),
            )
            .order_by(Exercise.occurrence_start.desc(), Exercise.id.desc())
            .limit(1)
        ).first()
        if template is None:  # every occurrence deleted: nothing to copy from
            continue
        existing = set(
            session.scalars(
                select(Exercise.occurrence_start).where(Exercise.series_id == series.id)
            )
        )
        try:
            rule = parse_rule(series.rrule, series.first_starts_at)
        except DomainValidationError:
            continue  # a stored rule is checked when saved; never fail the whole sync on one
        duration = timedelta(minutes=series.duration_min)
        after = max(series.materialised_until or now, now)
        missing = [s for s in occurrences(rule, after=after, until=until) if s not in existing]
        # At most MAX_OCCURRENCES ahead of now at any time, counting those that exist.
        budget = max(0, MAX_OCCURRENCES - sum(1 for start in existing if start > now))
        for start in missing[:budget]:
            session.add(_copy_occurrence(template, start, duration))
            made += 1
        if len(missing) <= budget:
            series.materialised_until = materialised_until(missing, until)
        elif budget:
            series.materialised_until = missing[budget - 1]
    session.flush()
    return made
