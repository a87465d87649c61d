"""Reading volunteers' SMS replies: a table of real-world replies, then properties over many."""

from __future__ import annotations

import sys
import unicodedata
from datetime import UTC, datetime, time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from alerts.inbound.replies import (
    CODE_LETTERS,
    HELP_WORDS,
    MAX_CODE_NUMBER,
    MAX_MINUTES,
    NO_WORDS,
    OPT_IN_WORDS,
    OPT_OUT_WORDS,
    YES_WORDS,
    ParsedReply,
    ReplyKind,
    callout_code_for,
    is_callout_code,
    normalise,
    parse_reply,
)

YES, NO = ReplyKind.YES, ReplyKind.NO
OPT_OUT, OPT_IN, HELP, UNPARSEABLE = (
    ReplyKind.OPT_OUT,
    ReplyKind.OPT_IN,
    ReplyKind.HELP,
    ReplyKind.UNPARSEABLE,
)
# 13:00 in Norway (CET) on a winter day.
RECEIVED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def full_width(text: str) -> str:
    """The full-width forms some phone keyboards produce (U+FF21 for A, U+FF11 for 1)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


ALL_CODES = [callout_code_for(n) for n in range(len(CODE_LETTERS) * MAX_CODE_NUMBER)]


@pytest.mark.parametrize(
    "text, kind, code, minutes",
    [
        # The answers the issue lists, as people type them.
        ("JA", YES, None, None),
        ("ja", YES, None, None),
        ("Ja.", YES, None, None),
        ("J", YES, None, None),
        ("YES", YES, None, None),
        ("Yes!", YES, None, None),
        ("y", YES, None, None),
        ("1", YES, None, None),
        ("NEI", NO, None, None),
        ("Nei takk", NO, None, None),
        ("nei, er bortreist", NO, None, None),
        ("N", NO, None, None),
        ("no", NO, None, None),
        ("0", NO, None, None),
        ("  ja  ", YES, None, None),
        ("Jaaa", YES, None, None),
        ("neiii", NO, None, None),
        # Minutes to arrival.
        ("JA 20", YES, None, 20),
        ("ja, 20 min", YES, None, 20),
        ("Ja 20min", YES, None, 20),
        ("JA - 20 minutter", YES, None, 20),
        ("ja20", YES, None, 20),
        ("J20", YES, None, 20),
        ("1 20", YES, None, 20),
        ("Y 10 mins", YES, None, 10),
        ("yes, 45 minutes", YES, None, 45),
        ("Ja, kommer om 15 min", YES, None, 15),
        ("ja om en halvtime", YES, None, 30),
        ("Ja, om et kvarter", YES, None, 15),
        ("ja, halv time", YES, None, 30),
        ("yes, half an hour", YES, None, 30),
        ("Ja om en time", YES, None, 60),
        ("ja 1 t", YES, None, 60),
        ("Ja 1,5 time", YES, None, 90),
        ("ja 1 time 30 min", YES, None, 90),
        ("Ja 20-30 min", YES, None, 30),
        ("ja, 5 km unna, 10 min", YES, None, 10),
        ("Ja, vi er 3 stk", YES, None, None),
        ("JA 0", YES, None, 0),
        ("ja 720", YES, None, 720),
        ("ja 721", YES, None, None),  # beyond MAX_MINUTES: the yes stands, minutes dropped
        ("Ja, ring 91234567", YES, None, None),
        ("Nei 20", NO, None, None),  # minutes mean nothing with a no
        # Callout codes.
        ("B7 JA 20", YES, "B7", 20),
        ("b7 ja", YES, "B7", None),
        ("B7: nei", NO, "B7", None),
        ("B-7 JA 5 min", YES, "B7", 5),
        ("b 7 ja", YES, "B7", None),
        ("K12 Ja, 25", YES, "K12", 25),
        ("Z99 1", YES, "Z99", None),
        ("B7JA20", YES, "B7", 20),
        ("A1 0", NO, "A1", None),
        # Consent and help: only the keyword alone, as carriers and Twilio read them.
        ("STOP", OPT_OUT, None, None),
        ("Stopp.", OPT_OUT, None, None),
        ("stop all", OPT_OUT, None, None),
        ("STOPALL", OPT_OUT, None, None),
        ("Unsubscribe", OPT_OUT, None, None),
        ("CANCEL", OPT_OUT, None, None),
        ("end", OPT_OUT, None, None),
        ("QUIT", OPT_OUT, None, None),
        ("opt-out", OPT_OUT, None, None),
        ("B7 STOP", OPT_OUT, "B7", None),
        ("START", OPT_IN, None, None),
        ("unstop", OPT_IN, None, None),
        ("HJELP", HELP, None, None),
        ("help", HELP, None, None),
        ("Info?", HELP, None, None),
        # YES is an answer, never consent (see the module docstring).
        ("YES", YES, None, None),
        # What cannot be read.
        ("", UNPARSEABLE, None, None),
        ("   ", UNPARSEABLE, None, None),
        ("?!", UNPARSEABLE, None, None),
        ("Kommer", UNPARSEABLE, None, None),
        ("Hvem er dette?", UNPARSEABLE, None, None),
        ("20", UNPARSEABLE, None, None),
        ("20 min ja", UNPARSEABLE, None, None),
        ("ja nei", UNPARSEABLE, None, None),
        ("Nei, ja", UNPARSEABLE, None, None),
        ("stop please", UNPARSEABLE, None, None),
        ("B7", UNPARSEABLE, "B7", None),
        ("B07 ja", UNPARSEABLE, None, None),  # no leading zero: not a code
        ("10", UNPARSEABLE, None, None),
        ("👍", UNPARSEABLE, None, None),
        # Norwegian letters, full-width forms and odd spaces change nothing.
        (full_width("JA") + "\u3000" + full_width("20"), YES, None, 20),
        ("ja\u00a020\u2009min", YES, None, 20),
        ("j\u200ba 5", YES, None, 5),
        ("\ufeffNEI", NO, None, None),
        ("ja, 20 minutter, kjører fra Strømmen", YES, None, 20),
        ("Ja! Møter på Lillestrøm brannstasjon om 10 min", YES, None, 10),
        (full_width("STOPP"), OPT_OUT, None, None),
        (full_width("B7 JA"), YES, "B7", None),
    ],
)
def test_real_world_replies(text: str, kind: ReplyKind, code: str | None, minutes: int | None):
    reply = parse_reply(text)
    assert (reply.kind, reply.callout_code, reply.minutes_to_arrival) == (kind, code, minutes)


@pytest.mark.parametrize(
    "text, language",
    [
        ("JA 20", "nb"),
        ("nei", "nb"),
        ("yes", "en"),
        ("no", "en"),
        ("1", None),
        ("1 20 minutter", "nb"),
        ("1 20 minutes", "en"),
        ("HJELP", "nb"),
        ("help", "en"),
        ("STOPP", "nb"),
        ("STOP", None),
    ],
)
def test_the_words_tell_the_language_of_the_answer(text: str, language: str | None) -> None:
    assert parse_reply(text).language == language


@pytest.mark.parametrize(
    "text, minutes, clock",
    [
        ("Ja kl 14.30", 90, time(14, 30)),  # received 13:00 Norwegian time
        ("ja, kl. 1430", 90, time(14, 30)),
        ("Ja klokka 14:30", 90, time(14, 30)),
        ("ja kl 13", 0, time(13, 0)),
        ("yes at 15", 120, time(15, 0)),
        ("ja kl 12.50", 0, time(12, 50)),  # a little late already: arriving now
        ("ja kl 02", None, time(2, 0)),  # 13 hours away: more than MAX_MINUTES
        ("ja kl 25", None, None),
    ],
)
def test_an_arrival_clock_time_becomes_minutes_from_when_the_reply_came(
    text: str, minutes: int | None, clock: time | None
) -> None:
    reply = parse_reply(text, received_at=RECEIVED)
    assert reply.kind is YES
    assert (reply.minutes_to_arrival, reply.arrival_clock) == (minutes, clock)


def test_a_clock_time_without_the_receive_time_keeps_the_clock_only() -> None:
    reply = parse_reply("ja kl 14.30")
    assert (reply.minutes_to_arrival, reply.arrival_clock) == (None, time(14, 30))


# --- callout codes --------------------------------------------------------------------------


def test_codes_are_a_letter_and_a_number_and_all_distinct() -> None:
    assert len(set(ALL_CODES)) == len(ALL_CODES) == 18 * 99
    assert ALL_CODES[:2] == ["A1", "A2"] and ALL_CODES[99] == "B1"
    assert callout_code_for(len(ALL_CODES)) == "A1"  # then they start again
    assert all(is_callout_code(code) for code in ALL_CODES)
    assert not set("IJLNOQSY") & set(CODE_LETTERS)
    with pytest.raises(ValueError):
        callout_code_for(-1)


def test_no_code_is_read_as_an_answer_and_every_code_is_read_before_one() -> None:
    for code in ALL_CODES:
        alone = parse_reply(code)
        assert (alone.kind, alone.callout_code) == (UNPARSEABLE, code)
        assert parse_reply(f"{code} JA 20") == ParsedReply(YES, code, 20, "nb")
        assert parse_reply(f"{code.lower()} nei") == ParsedReply(NO, code, None, "nb")
        assert parse_reply(f"{code}: 1, 20") == ParsedReply(YES, code, 20, None)


@pytest.mark.parametrize("word", sorted(YES_WORDS))
@pytest.mark.parametrize("minutes", [0, 1, 5, 20, 99, 120])
def test_no_answer_with_minutes_is_read_as_a_code(word: str, minutes: int) -> None:
    written = [f"{word} {minutes}", f"{word} {minutes} min"]
    if not word.isdigit():  # "1" and "20" run together are 120
        written.append(f"{word}{minutes}")
    for text in written:
        reply = parse_reply(text)
        assert reply == ParsedReply(YES, None, minutes, YES_WORDS[word]), text


# --- properties over a large input space -----------------------------------------------------

# Anything a phone can send: every Unicode category, surrogates excluded.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
# What separates words on screen. Zero-width characters do not (j\u200ba shows as "ja"), so
# they are not among them; they are dropped wherever they are.
separators = st.text(
    st.sampled_from(list(" ,.;:!-\u2013\u2014_/\t\n\u00a0\u2007\u2009\u3000()*")),
    min_size=1,
    max_size=4,
)
edges = st.text(st.sampled_from(list(" .!?,\u00a0\u3000\n")), max_size=3)


def case_mix(draw: st.DrawFn, word: str) -> str:
    flags = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.upper() if up else c.lower() for c, up in zip(word, flags, strict=True))


@st.composite
def answers(draw: st.DrawFn) -> tuple[str, ParsedReply]:
    """A well-formed answer in any case, spacing and punctuation, with what it must mean."""
    yes = draw(st.booleans())
    word = draw(st.sampled_from(sorted(YES_WORDS if yes else NO_WORDS)))
    code = draw(st.none() | st.sampled_from(ALL_CODES))
    minutes = draw(st.none() | st.integers(0, MAX_MINUTES)) if yes else None
    unit = draw(st.sampled_from(["", "", "min", "minutter", "minutes", "m", "mins"]))
    parts: list[str] = []
    if code:
        parts.append(case_mix(draw, code))
    parts.append(case_mix(draw, word))
    if minutes is not None:
        parts.append(str(minutes))
        if unit:
            parts.append(case_mix(draw, unit))
    text = draw(edges)
    for index, part in enumerate(parts):
        text += (draw(separators) if index else "") + part
    text += draw(edges)
    if draw(st.booleans()):
        text = full_width(text)
    language = YES_WORDS[word] if yes else NO_WORDS[word]
    if language is None and minutes is not None and unit in ("minutter",):
        language = "nb"
    if language is None and minutes is not None and unit in ("minutes", "mins"):
        language = "en"
    expected = ParsedReply(YES if yes else NO, code, minutes, language)
    return text, expected


@settings(max_examples=3000)
@given(answers())
@example(("B7 JA 20", ParsedReply(YES, "B7", 20, "nb")))
def test_any_well_formed_answer_is_read_exactly(case: tuple[str, ParsedReply]) -> None:
    text, expected = case
    assert parse_reply(text) == expected


@st.composite
def keywords(draw: st.DrawFn) -> tuple[str, ReplyKind]:
    kind, words = draw(
        st.sampled_from([(OPT_OUT, OPT_OUT_WORDS), (OPT_IN, OPT_IN_WORDS), (HELP, HELP_WORDS)])
    )
    word = case_mix(draw, draw(st.sampled_from(sorted(words))))
    return draw(edges) + word + draw(edges), kind


@settings(max_examples=1000)
@given(keywords())
def test_a_keyword_alone_is_read_whatever_its_case_and_punctuation(
    case: tuple[str, ReplyKind],
) -> None:
    text, kind = case
    assert parse_reply(text).kind is kind


@settings(max_examples=3000)
@given(any_text)
@example("9" * 5000)
@example("ja " + "9" * 400)
@example("ja kl 99999")
@example("ja kl 1.9999")
@example("ja " * 2000)
@example("\u0663\u0660")  # Arabic-Indic digits
def test_any_text_gives_an_answer_and_never_an_error(text: str) -> None:
    reply = parse_reply(text, received_at=RECEIVED)
    assert isinstance(reply.kind, ReplyKind)
    if reply.minutes_to_arrival is not None:
        assert reply.kind is YES
        assert 0 <= reply.minutes_to_arrival <= MAX_MINUTES
    if reply.callout_code is not None:
        assert is_callout_code(reply.callout_code)
    if reply.kind in (YES, NO):
        words = YES_WORDS if reply.kind is YES else NO_WORDS
        normalised = normalise(text)
        assert any(word in normalised for word in words)


@settings(max_examples=1000)
@given(answers(), st.sampled_from(["NFC", "NFD", "NFKC", "NFKD"]))
def test_unicode_normal_forms_read_alike(case: tuple[str, ParsedReply], form: str) -> None:
    text, expected = case
    assert parse_reply(unicodedata.normalize(form, text)) == expected


@settings(max_examples=500)
@given(st.text(st.sampled_from(list("abcdefghiklmopqrstuvwxzæøå .,!?")), max_size=40))
def test_text_without_the_letters_of_an_answer_or_a_digit_is_never_an_answer(text: str) -> None:
    # No j, n or y and no digit: no answer word can be formed, so nothing may be read as one.
    assert parse_reply(text).kind not in (YES, NO)


@settings(max_examples=1000)
@given(answers(), st.data())
def test_invisible_characters_anywhere_change_nothing(
    case: tuple[str, ParsedReply], data: st.DataObject
) -> None:
    text, expected = case
    for position in sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=6))):
        invisible = data.draw(st.sampled_from(["\u200b", "\ufeff", "\u200d", "\u00ad", "\u2060"]))
        text = text[:position] + invisible + text[position:]
    assert parse_reply(text) == expected


def test_no_digit_of_any_script_breaks_the_parser() -> None:
    """str.isdigit() holds for "፩" and "²", which float() refuses: every such character, in
    every place a number may stand, reads as some reply and never raises."""
    received = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    digits = [chr(cp) for cp in range(sys.maxunicode + 1) if chr(cp).isnumeric()]
    for char in digits:
        for text in (f"ja {char}", char, f"B{char} ja", f"ja kl {char}", f"ja 1{char} min"):
            assert isinstance(parse_reply(text, received_at=received).kind, ReplyKind)
