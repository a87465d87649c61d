"""Whole numbers typed by people and machines: ASCII digits only.

`str.isdigit()` is also true for "²" and "፩", which `int()` refuses; a check with it before
`int()` turns such input into a 500. This is the one place that reads such numbers.
"""

from __future__ import annotations

_ASCII_DIGITS = frozenset("0123456789")


def parse_digits(text: str | None, *, max_digits: int = 9) -> int | None:
    """`text` (surrounding spaces allowed) as a number when it is 1 to `max_digits` ASCII
    digits, else None."""
    if text is None:
        return None
    text = text.strip()
    if not 0 < len(text) <= max_digits or not set(text) <= _ASCII_DIGITS:
        return None
    return int(text)
