"""parse_digits: ASCII digits or nothing, never an exception."""

from __future__ import annotations

import sys

from hypothesis import given
from hypothesis import strategies as st

from beredskap.platform.digits import parse_digits


def test_ascii_digits_only() -> None:
    assert parse_digits("42") == 42
    assert parse_digits(" 7 ") == 7
    assert parse_digits("0012") == 12
    assert parse_digits("1234567890") is None  # more than 9 digits
    assert parse_digits("1234567890", max_digits=10) == 1234567890
    for text in (None, "", " ", "-1", "+1", "1.5", "1e3", "²", "፩", "١٢", "12²"):
        assert parse_digits(text) is None


def test_every_numeric_character_is_refused_not_raised() -> None:
    numeric = [chr(cp) for cp in range(sys.maxunicode + 1) if chr(cp).isnumeric()]
    for char in numeric:
        expected = int(char) if char in "0123456789" else None
        assert parse_digits(char) == expected


@given(st.text(max_size=12))
def test_any_text(text: str) -> None:
    number = parse_digits(text)
    assert number is None or str(number) == text.strip().lstrip("0") or number == 0
