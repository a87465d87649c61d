"""The readiness reminders' thresholds and texts, without a database: the tightest window
wins, nothing after a day without a `past` threshold; the SMS to a volunteer fits one GSM-7
segment in both languages whatever the qualification is called, and never starts ØVELSE."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from alerts.gateway.sms_encoding import is_gsm7, sms_segments
from alerts.reminders.confirmations import confirm_link
from alerts.reminders.qualifications import sms_text
from alerts.reminders.windows import threshold
from alerts.reminders.wording import Wording, gsm_only, one_sms, subject_line
from alerts.sms_texts import EXERCISE_MARKER

TODAY = date(2027, 3, 1)


def _in(days: int) -> date:
    return TODAY + timedelta(days=days)


@pytest.mark.parametrize(
    ("days", "expected"),
    [(61, None), (60, "60"), (15, "60"), (14, "14"), (1, "14"), (0, "14"), (-1, None)],
)
def test_the_tightest_window_holding_the_day_wins(days: int, expected: str | None) -> None:
    assert threshold(_in(days), TODAY, (60, 14)) == expected


def test_a_day_passed_has_its_own_threshold_when_one_is_given() -> None:
    assert threshold(_in(-1), TODAY, (30,), past="overdue") == "overdue"
    assert threshold(_in(-400), TODAY, (30,), past="overdue") == "overdue"
    assert threshold(_in(0), TODAY, (30,), past="overdue") == "30"
    assert threshold(_in(31), TODAY, (30,), past="overdue") is None


LONG_NAME = "«Båtførerbevis» for redningsskøyte \u2013 klasse ê " + "og videre kurs " * 12


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("name", ["Førstehjelp", "Båtførerbevis", LONG_NAME, "x" * 200])
def test_the_volunteers_sms_fits_one_gsm7_segment(language: str, name: str) -> None:
    wording = Wording(language)
    text = sms_text(wording, name, date(2027, 12, 24))
    assert is_gsm7(text), text
    assert sms_segments(text) == 1, text
    assert wording.day(date(2027, 12, 24)) in text
    assert gsm_only(name)[:8] in text  # named, shortened at most
    assert not text.upper().startswith("ØVELSE") and EXERCISE_MARKER not in text


def test_a_short_name_is_kept_whole_and_a_long_one_shortened_with_dots() -> None:
    render = "Kvalifikasjonen {} utløper snart.".format
    assert one_sms(render, "Førstehjelp") == "Kvalifikasjonen Førstehjelp utløper snart."
    shortened = one_sms(render, "a" * 300)
    assert sms_segments(shortened) == 1 and "a..." in shortened


def test_names_are_made_gsm7_rather_than_dropped() -> None:
    assert gsm_only("«Båt»  \u2013 førerbevis ê\u2026") == '"Båt" - førerbevis e...'
    assert gsm_only("Kurs 🚑 A") == "Kurs A"


def test_dates_are_written_in_the_language() -> None:
    assert Wording("nb").day(date(2027, 1, 14)) == "14. januar 2027"
    assert Wording("en").day(date(2027, 1, 14)) == "14 January 2027"
    assert Wording.of("de").language == "nb"
    assert Wording.of("en").name("Førstehjelp", "First aid") == "First aid"


def test_subjects_fit_the_outbox() -> None:
    assert subject_line("Kort\nemne") == "Kort emne"
    long = subject_line("x" * 500)
    assert len(long) == 200 and long.endswith("...")


def test_the_confirmation_link_is_under_the_public_url() -> None:
    assert confirm_link("https://beredskap.example/", 12) == (
        "https://beredskap.example/organisations/12/confirm"
    )
    assert confirm_link(None, 12) is None
