"""A drill's figures as a reader may see them: counts of one or two people withheld.

"One asked in Annet Sanitetslag, said no after 6 minutes" is a person's answer. A reader
who may not see a group's people (`Principal.sees_small_counts_of`: the council, an
organisation editor for other organisations) gets each count of one or two withheld
(`beredskap.register.small_counts`), and with it what would give it away:
- a group of fewer than 3 asked: every figure of it (its answer times and yes/no split too);
- yes and no, delivered and failed: both or neither (the total less one gives the other);
- an answer time or share resting on a withheld count (the first answer, a need met, the
  wanted number reached, the share answered within 5 minutes);
- the chart's steps at one or two (left as gaps).
A withheld value is None, and its name is in `withheld`; exact readers get the figures as
they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from beredskap.register.small_counts import is_small
from exercises.evaluation.figures import (
    AnsweredWithin,
    DrillEvaluation,
    NeedFigures,
    ResponseCounts,
    SeriesPoint,
)

# Whether the reader sees exact counts of an organisation's people (None: of no one
# organisation: the whole drill, the unknown).
SeesExact = Callable[[int | None], bool]

COUNTS = ("asked", "delivered", "failed", "answered", "yes", "no")
PAIRS = (("yes", "no"), ("delivered", "failed"))
EVERYTHING = frozenset({*COUNTS, "first_answer_min"})


def _within(item: AnsweredWithin, whole: bool) -> AnsweredWithin:
    if whole or (item.answered is not None and is_small(item.answered)):
        return replace(item, answered=None, share=None, withheld=True)
    return item


def group_counts(counts: ResponseCounts) -> ResponseCounts:
    """One group's figures with its small counts, and what would give them away, withheld."""
    whole = counts.asked is not None and is_small(counts.asked)
    withheld = (
        set(EVERYTHING)
        if whole
        else {name for name in COUNTS if (value := getattr(counts, name)) and is_small(value)}
    )
    for pair in PAIRS:
        if withheld & set(pair):
            withheld |= set(pair)
    if "answered" in withheld:
        withheld.add("first_answer_min")
    if not withheld and not any(_within(item, False).withheld for item in counts.within):
        return counts
    return replace(
        counts,
        **{name: None for name in withheld},
        within=[_within(item, whole) for item in counts.within],
        withheld=frozenset(withheld),
    )


def _need(need: NeedFigures, whole: bool) -> NeedFigures:
    if whole or (need.yes is not None and is_small(need.yes)):
        return replace(need, yes=None, met_after_min=None, withheld=True)
    return need


def _point(point: SeriesPoint) -> SeriesPoint:
    return SeriesPoint(
        point.minute,
        None if point.answers is None or is_small(point.answers) else point.answers,
        None if point.yes is None or is_small(point.yes) else point.yes,
    )


def as_seen(drill: DrillEvaluation, sees_exact: SeesExact) -> DrillEvaluation:
    """The drill's figures for a reader: each organisation's by whether the reader sees its
    members, the drill-wide ones (overall, needs, times, the chart) by `sees_exact(None)`."""
    by_organisation = [
        row if sees_exact(row.organisation_id) else replace(row, counts=group_counts(row.counts))
        for row in drill.by_organisation
    ]
    if sees_exact(None):
        return replace(drill, by_organisation=by_organisation)
    counts = group_counts(drill.counts)
    whole = "asked" in counts.withheld
    needs = [_need(need, whole) for need in drill.needs]
    withheld = set()
    if any(need.withheld for need in needs):
        withheld.add("all_needs_met_after_min")
    if "yes" in counts.withheld:
        withheld.add("wanted_reached_after_min")
    if whole:
        withheld.add("series")
    return replace(
        drill,
        counts=counts,
        needs=needs,
        all_needs_met_after_min=None
        if "all_needs_met_after_min" in withheld
        else drill.all_needs_met_after_min,
        wanted_reached_after_min=None
        if "wanted_reached_after_min" in withheld
        else drill.wanted_reached_after_min,
        by_organisation=by_organisation,
        series=[SeriesPoint(0.0, 0, 0)] if whole else [_point(p) for p in drill.series],
        withheld=frozenset(withheld),
    )


def any_withheld(drill: DrillEvaluation) -> bool:
    """Whether the reader misses any figure of the drill (the page then says why)."""
    groups = [drill.counts, *(row.counts for row in drill.by_organisation)]
    return bool(
        drill.withheld
        or any(group.withheld or any(i.withheld for i in group.within) for group in groups)
        or any(need.withheld for need in drill.needs)
    )
