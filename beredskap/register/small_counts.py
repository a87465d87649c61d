"""Counts of people too small to show to a reader who may not see the people themselves.

"One member with a boat licence" or "one asked, said no after 6 minutes" points at a person
as surely as a name. Wherever the council (or an organisation editor, of other organisations)
reads counts of people, a count of one or two is withheld and read as "fewer than 3", with
the same threshold as the grid's aggregates. A zero stays: "nobody" points at no one, and it
is the gap a reader must see. Who reads exact figures is `Principal.sees_small_counts_of`'s
answer, never decided here.
"""

from __future__ import annotations

from beredskap.register.search.aggregates import DEFAULT_SUPPRESS_BELOW

SUPPRESS_BELOW = DEFAULT_SUPPRESS_BELOW


def is_small(count: int) -> bool:
    """A count of people that must not be shown to a reader who may not see them."""
    return 0 < count < SUPPRESS_BELOW


def shown(count: int, *, exact: bool) -> int | None:
    """The count as the reader may see it: None for "fewer than 3"."""
    return count if exact or not is_small(count) else None
