"""The SMS texts to volunteers: both languages, through the catalogs, one GSM-7 segment each."""

from __future__ import annotations

import pytest

from alerts import sms_texts
from alerts.gateway.sms_encoding import is_gsm7, sms_segments
from alerts.inbound.replies import parse_reply

LONG_TITLE = "Flom ved Nitelva, evakuering av Strømmen sentrum og Kjeller"


def _all_texts(language: str | None) -> list[str]:
    label = sms_texts.callout_label("K12", LONG_TITLE)
    return [
        sms_texts.answer_confirmation(parse_reply("ja 120"), label, language),
        sms_texts.answer_confirmation(parse_reply("ja"), label, language),
        sms_texts.answer_confirmation(parse_reply("nei"), label, language),
        sms_texts.no_open_callout(language),
        sms_texts.unknown_callout_code("K12", language),
        sms_texts.help_text(language),
        sms_texts.opted_out(language),
        sms_texts.opted_in(language),
    ]


@pytest.mark.parametrize("language", ["nb", "en"])
def test_every_reply_fits_one_gsm7_segment(language: str) -> None:
    for text in _all_texts(language):
        assert is_gsm7(text), text
        assert sms_segments(text) == 1, text


def test_bokmal_is_the_default_and_english_is_available() -> None:
    nb, en, default = _all_texts("nb"), _all_texts("en"), _all_texts(None)
    assert default == nb
    assert all(a != b for a, b in zip(nb, en, strict=True))
    assert sms_texts.help_text("nb").startswith("Svar JA eller NEI")
    assert sms_texts.help_text("en").startswith("Reply YES or NO")
    assert sms_texts.help_text("de") == sms_texts.help_text("nb")  # unknown: bokmål


def test_an_answer_is_confirmed_in_the_language_of_its_words() -> None:
    assert sms_texts.answer_confirmation(parse_reply("JA 20"), "B7 Flom") == (
        "Registrert: JA til B7 Flom, oppmøte om 20 min. Takk!"
    )
    assert sms_texts.answer_confirmation(parse_reply("yes 20"), "B7 Flom") == (
        "Registered: YES to B7 Flom, arriving in 20 min. Thank you!"
    )
    assert "Registrert: JA til B7 Flom" in sms_texts.answer_confirmation(
        parse_reply("1"), "B7 Flom"
    )
    with pytest.raises(ValueError):
        sms_texts.answer_confirmation(parse_reply("STOP"), "B7 Flom")


def test_callout_labels_are_shortened_to_fit() -> None:
    assert sms_texts.callout_label("B7", " Flom ") == "B7 Flom"
    assert sms_texts.callout_label(None, "Flom") == "Flom"
    label = sms_texts.callout_label("B7", LONG_TITLE)
    assert len(label) <= 40 and label.endswith("...") and label.startswith("B7 Flom")


def test_a_callout_message_says_how_to_answer_and_marks_exercises() -> None:
    real = sms_texts.callout_message("Oppmøte ved brannstasjonen.", code="B7", exercise=False)
    assert real == (
        "Oppmøte ved brannstasjonen.\nSvar B7 JA eller B7 NEI. Oppmøte om 20 min: B7 JA 20"
    )
    drill = sms_texts.callout_message("Oppmøte ved brannstasjonen.", code=None, exercise=True)
    assert drill.startswith("ØVELSE ØVELSE ØVELSE\n")
    assert drill.endswith("Svar JA eller NEI. Oppmøte om 20 min: JA 20")
    # The instructions it gives are read back as the answers they describe.
    assert parse_reply("B7 JA 20").callout_code == "B7"


@pytest.mark.parametrize(
    "text, segments",
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("æøåÆØÅ" * 26, 1),  # Norwegian letters are in the GSM alphabet
        ("€" * 80, 1),  # two septets each
        ("€" * 81, 2),
        ("«ja»", 1),  # not GSM: UCS-2, 70 per segment
        ("«" + "a" * 70, 2),
        ("👍" * 35, 1),  # two UTF-16 units each
        ("👍" * 36, 2),
    ],
)
def test_segments_are_counted_as_providers_bill_them(text: str, segments: int) -> None:
    assert sms_segments(text) == segments
