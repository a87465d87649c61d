"""The place search's folding and parsing (issue 18, item 1), without a database: what a typed
address is compared as, and its parts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beredskap.register.addresses.folding import fold
from beredskap.register.addresses.search import Typed, _numbers_beginning, parse


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Lillestrøm", "lillestrom"),
        ("Lillestroem", "lillestrom"),
        ("Lillestrom", "lillestrom"),
        ("Åsvegen", "asvei"),
        ("Aasveien", "asvei"),
        ("Ærfuglvegen", "aerfuglvei"),
        ("Storgata", "storgate"),
        ("Storgaten", "storgate"),
        ("Storgt.", "storgate"),
        ("Gamle Kjellerveg", "gamle kjellervei"),
        ("Bjørnsons  gate", "bjornsons gate"),
        ("Čáhcesuolu-vegen", "cahcesuolu vei"),
        ("Storgata 12B, 2000 LILLESTRØM", "storgate 12b 2000 lillestrom"),
    ],
)
def test_spellings_fold_alike(typed: str, folded: str) -> None:
    assert fold(typed) == folded


@pytest.mark.parametrize(
    ("typed", "parts"),
    [
        ("Storgata 12", Typed("storgate", 12)),
        ("storgata 12 b", Typed("storgate", 12, "b")),
        ("Storgata 12B, 2000 Lillestrøm", Typed("storgate", 12, "b", "2000", "lillestrom")),
        ("Storgata 12, Lillestrom", Typed("storgate", 12, "", None, "lillestrom")),
        ("Storgata", Typed("storgate")),
        ("1. juni gate 4", Typed("1 juni gate", 4)),
    ],
)
def test_a_typed_address_in_parts(typed: str, parts: Typed) -> None:
    assert parse(typed) == parts


@pytest.mark.parametrize("typed", ["", "   ", "12", "!!!", "\u0663\u0664", "Ωμέγα"])
def test_no_street_named(typed: str) -> None:
    assert parse(typed) is None


def test_numbers_beginning_with_zero_end() -> None:
    # 0 would multiply to 0 for ever; it is only itself.
    assert " OR " not in str(_numbers_beginning(0))
    assert str(_numbers_beginning(12)).count(" OR ") == 3  # 12, 120-129, 1200-, 12000-


@given(st.text(max_size=100))
def test_any_text_folds_to_ascii_words_and_parses(text: str) -> None:
    folded = fold(text)
    assert folded == folded.strip() and "  " not in folded
    assert all(ch.isascii() and (ch.isalnum() or ch == " ") for ch in folded)
    parse(text)
