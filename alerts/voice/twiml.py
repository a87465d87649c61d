"""The TwiML of a call, built with the twilio library's `VoiceResponse` (never by hand):

1. the callout read out (the exercise word first), then one key: 1 = yes, 2 = no;
2. after a 1, the minutes to arrival by keypad, ended by # (a second Gather);
3. what was registered, said back.

A Gather that gets no key falls through to the next verb, which says nothing was
registered (the SMS still stands), and hangs up.

Every <Say> is `language="nb-NO"` with a voice that speaks it: Twilio's default voice ("man")
and "woman" speak only a few languages, Norwegian not among them, so the voice is named
(`BEREDSKAP_VOICE_SAY_VOICE`, default Amazon Polly's Norwegian "Polly.Liv"; Twilio's Polly
and Google voices, e.g. "Polly.Ida-Neural" or "Google.nb-NO-Standard-A", are accepted).
"""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from alerts.settings import DEFAULT_SAY_VOICE
from alerts.voice import texts

# Seconds a Gather waits for the first key.
KEY_TIMEOUT_S = 8
MINUTES_MAX_DIGITS = 3  # up to 720 (replies.MAX_MINUTES)


def _say(response: VoiceResponse | object, text: str, voice: str) -> None:
    response.say(text, language=texts.SAY_LANGUAGE, voice=voice)  # type: ignore[attr-defined]


def ask(message: str, *, exercise: bool, action_url: str, voice: str = DEFAULT_SAY_VOICE) -> str:
    """The call's first TwiML: the callout, then a Gather of one key posted to `action_url`."""
    response = VoiceResponse()
    gather = response.gather(num_digits=1, action=action_url, method="POST", timeout=KEY_TIMEOUT_S)
    _say(gather, texts.introduction(message, exercise=exercise), voice)
    _say(gather, texts.ask_answer(), voice)
    _say(response, texts.not_understood(), voice)
    response.hangup()
    return str(response)


def ask_minutes(action_url: str, *, voice: str = DEFAULT_SAY_VOICE) -> str:
    """After a yes: the minutes to arrival, ended by #."""
    response = VoiceResponse()
    gather = response.gather(
        num_digits=MINUTES_MAX_DIGITS + 1,
        finish_on_key="#",
        action=action_url,
        method="POST",
        timeout=KEY_TIMEOUT_S,
    )
    _say(gather, texts.ask_minutes(), voice)
    # No key at all: the yes stands, without minutes.
    _say(response, texts.thanks_yes(None), voice)
    response.hangup()
    return str(response)


def say_and_hang_up(text: str, *, voice: str = DEFAULT_SAY_VOICE) -> str:
    response = VoiceResponse()
    _say(response, text, voice)
    response.hangup()
    return str(response)
