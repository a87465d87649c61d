"""Repeat rules in words (exercises/planning/rule_words.py), in English and bokmål formats."""

from __future__ import annotations

import pytest

from beredskap.platform.web.i18n import translations
from exercises.planning.rule_words import rule_in_words

EN = translations("en")


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU", "Every 3 months, on the first Tuesday"),
        ("RRULE:FREQ=MONTHLY;BYDAY=1TU", "Every month, on the first Tuesday"),
        ("FREQ=WEEKLY", "Every week"),
        ("freq=yearly", "Every year"),
        ("FREQ=WEEKLY;BYDAY=MO,TH;COUNT=5", "Every week, on Monday and Thursday, 5 times in all"),
        ("FREQ=MONTHLY;COUNT=1", "Every month, 1 time in all"),
        ("FREQ=DAILY;INTERVAL=2;UNTIL=20270101T120000Z", "Every 2 days, until 1 January 2027"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "Every month, on day 15 of the month"),
        (
            "FREQ=YEARLY;BYMONTH=3,9;BYDAY=-1FR",
            "Every year, in March and September, on the last Friday",
        ),
    ],
)
def test_the_supported_rules_in_english(rule: str, words: str) -> None:
    assert rule_in_words(rule, EN, "en_GB") == words


@pytest.mark.parametrize(
    "rule",
    [
        None,
        "",
        "FREQ=HOURLY",
        "FREQ=MONTHLY;BYSETPOS=1",
        "FREQ=WEEKLY;INTERVAL=0",
        "FREQ=MONTHLY;BYDAY=5TU",
        "FREQ=WEEKLY;FREQ=DAILY",
        "FREQ=MONTHLY;BYMONTHDAY=40",
        "FREQ=DAILY;UNTIL=tomorrow",
        "nonsense",
    ],
)
def test_anything_else_is_left_as_written(rule: str | None) -> None:
    assert rule_in_words(rule, EN, "en_GB") is None


def test_bokmal_names_days_months_and_dates_in_norwegian() -> None:
    words = rule_in_words(
        "FREQ=YEARLY;BYMONTH=3;BYDAY=1TU;UNTIL=20300101", translations("nb"), "nb_NO"
    )
    assert words is not None
    assert "mars" in words and "tirsdag" in words and "1. januar 2030" in words
