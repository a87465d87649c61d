"""Numbers in the page's language everywhere (issue 18): never "20.0 km" beside "0,3 km"."""

from __future__ import annotations

from beredskap.platform.web.rendering import environment
from exercises.evaluation.report import NONE, minutes_text, share_text


def test_the_number_filter_writes_the_pages_language_with_at_most_the_digits_asked() -> None:
    nb, en = environment("nb").filters["number"], environment("en").filters["number"]
    assert nb(20.0) == "20" and nb(0.3) == "0,3" and en(0.3) == "0.3"
    assert nb(20.04, 1) == "20" and nb(12.345, 1) == "12,3" and en(12.345, 1) == "12.3"
    assert nb(59.912345, 4) == "59,9123" and en(10.75, 4) == "10.75"
    assert nb(1234.5, 0) == "1\xa0234" or nb(1234.5, 0) == "1 234"
    assert nb(None) == "" and nb(None, 2) == ""


def test_the_report_writes_minutes_and_shares_in_the_readers_language() -> None:
    assert minutes_text(2.54, "nb_NO") == "2,5" and minutes_text(2.54, "en_GB") == "2.5"
    assert minutes_text(3.0, "nb_NO") == "3" and minutes_text(None, "nb_NO") == NONE
    assert share_text(0.456, "nb_NO").startswith("46") and share_text(None) == NONE
