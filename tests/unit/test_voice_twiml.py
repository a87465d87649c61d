"""Every <Say> of a call speaks Norwegian: language nb-NO and a voice that speaks it (Twilio's
default voice does not), the voice from BEREDSKAP_VOICE_SAY_VOICE, Polly.Liv by default."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from pydantic import ValidationError

from alerts.settings import DEFAULT_SAY_VOICE
from alerts.voice import twiml
from beredskap.main.settings import Settings

ACTION = "https://beredskap.example.no/webhooks/twilio/voice/answer?call=7"


def _says(document: str) -> list[ET.Element]:
    return list(ET.fromstring(document).iter("Say"))


DOCUMENTS = {
    "ask": lambda **voice: twiml.ask("Flom.", exercise=True, action_url=ACTION, **voice),
    "ask_minutes": lambda **voice: twiml.ask_minutes(ACTION, **voice),
    "say_and_hang_up": lambda **voice: twiml.say_and_hang_up("Takk.", **voice),
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_say_is_norwegian_in_a_norwegian_voice(name: str) -> None:
    says = _says(DOCUMENTS[name]())
    assert says
    for say in says:
        assert say.attrib == {"language": "nb-NO", "voice": "Polly.Liv"}
    assert DEFAULT_SAY_VOICE == "Polly.Liv"


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_voice_is_the_one_asked_for(name: str) -> None:
    for say in _says(DOCUMENTS[name](voice="Google.nb-NO-Standard-A")):
        assert say.attrib == {"language": "nb-NO", "voice": "Google.nb-NO-Standard-A"}


def test_the_first_document_reads_the_callout_then_asks_for_one_key() -> None:
    root = ET.fromstring(DOCUMENTS["ask"]())
    gather = root.find("Gather")
    assert gather is not None and gather.attrib["numDigits"] == "1"
    first = gather.find("Say")
    assert first is not None and (first.text or "").startswith("Øvelse.")
    assert root.find("Hangup") is not None


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "voice", ["Polly.Liv", "Polly.Ida-Neural", "Google.nb-NO-Standard-A", "Google.nb-NO-Wavenet-E"]
)
def test_norwegian_voices_are_accepted(voice: str) -> None:
    assert _settings(voice_say_voice=voice).voice_say_voice == voice


def test_unset_or_empty_is_the_default() -> None:
    assert _settings().voice_say_voice == DEFAULT_SAY_VOICE
    assert _settings(voice_say_voice="").voice_say_voice == DEFAULT_SAY_VOICE


@pytest.mark.parametrize(
    "voice", ["man", "woman", "alice", "Google.en-GB-Standard-A", "Polly.Liv<x>", "polly.liv"]
)
def test_voices_that_do_not_speak_norwegian_are_refused_at_start(voice: str) -> None:
    with pytest.raises(ValidationError) as raised:
        _settings(voice_say_voice=voice)
    assert "voice_say_voice" in str(raised.value)
