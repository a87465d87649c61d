"""Issue 18 (the duty officer's flow): every SMS of an exercise is marked, replies included;
a long title is cut at a word with "...", never "....", and every text stays one GSM-7
segment (a "…" would make it UCS-2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alerts import sms_texts
from alerts.gateway.sms_encoding import is_gsm7, sms_segments
from alerts.inbound.replies import parse_reply

TITLES = [
    "Flom ved Nitelva, evakuering av Strømmen sentrum og Kjeller",
    "Savnet person i kvartalet. Leting fra Lillestrøm stasjon og nordover",
    "Ekstraordinærtlangtordutenmellomromsomaldrislutterheriheletatt",
    "Brann. Evakuering. Kvartal. Stengt. Vei. Mer. Tekst. Her. Og der.",
]
REPLIES = ["ja", "ja 120", "nei", "yes 15", "no"]


def _texts(title: str, exercise: bool) -> list[str]:
    label = sms_texts.callout_label("K12", title)
    texts = [
        sms_texts.answer_confirmation(parse_reply(reply), label, exercise=exercise)
        for reply in REPLIES
    ]
    return [
        *texts,
        sms_texts.covered_message(code="K12", title=title, exercise=exercise),
        sms_texts.covered_yes_message(code="K12", title=title, exercise=exercise),
        sms_texts.follow_up_message(
            "Oppmøte ved brannstasjonen.", code="K12", title=title, exercise=exercise
        ),
    ]


@pytest.mark.parametrize("title", TITLES)
def test_a_long_title_is_cut_after_a_whole_word(title: str) -> None:
    label = sms_texts.callout_label("K12", title)
    assert len(label) <= 40 and label.endswith("...")
    kept = label.removesuffix("...")
    full = f"K12 {title}"
    assert full.startswith(kept)
    if " " in title[: 40 - len("K12 ")]:
        # Cut where a word ends in the original: the next character is a space or a mark.
        assert full[len(kept)] in " ,.;:-"
    assert not kept.endswith((",", ".", " "))


@pytest.mark.parametrize("exercise", [False, True])
@pytest.mark.parametrize("title", TITLES)
def test_no_text_has_four_full_stops_and_each_is_one_gsm7_segment(
    title: str, exercise: bool
) -> None:
    for text in _texts(title, exercise):
        assert "...." not in text and "…" not in text, text
        assert is_gsm7(text) and sms_segments(text) == 1, text
        assert text.startswith(sms_texts.EXERCISE_MARKER + "\n") is exercise, text


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("reply", REPLIES)
def test_a_confirmation_of_an_exercise_carries_the_marker_in_both_languages(
    reply: str, language: str
) -> None:
    plain = sms_texts.answer_confirmation(parse_reply(reply), "B7 Flom", language)
    drill = sms_texts.answer_confirmation(parse_reply(reply), "B7 Flom", language, exercise=True)
    assert drill == f"{sms_texts.EXERCISE_MARKER}\n{plain}"
    assert sms_texts.EXERCISE_MARKER not in plain


def test_those_who_said_yes_are_never_told_they_need_not_come() -> None:
    told = sms_texts.covered_yes_message(code="B7", title="Flom", exercise=False)
    waiting = sms_texts.covered_message(code="B7", title="Flom", exercise=False)
    assert told != waiting and "B7 Flom" in told


@given(st.text(alphabet="abcæøå ÆØÅ,.-", min_size=1, max_size=120))
def test_any_title_gives_a_short_label_without_a_dangling_mark(title: str) -> None:
    label = sms_texts.callout_label("B7", title)
    assert len(label) <= 40
    assert "...." not in label
