"""What the call says, in the message context "voice" of the interface's catalog, bokmål by
default (volunteers have no language setting; the callout's SMS is bokmål too)."""

from __future__ import annotations

from babel.support import Translations

from beredskap.platform.web.i18n import translations

LANGUAGE = "nb"
# The language Twilio's <Say> speaks in.
SAY_LANGUAGE = "nb-NO"
# Said first on every call of an exercise callout, as its SMS are marked: a call without it
# is taken as real.
EXERCISE_WORD = "Øvelse."


def _t() -> Translations:
    return translations(LANGUAGE)


def introduction(message: str, *, exercise: bool) -> str:
    """The callout read out, the exercise word first."""
    text = _t().pgettext("voice", "Callout from the emergency preparedness service.")
    spoken = f"{text} {message.strip()}"
    return f"{EXERCISE_WORD} {spoken}" if exercise else spoken


def ask_answer() -> str:
    return _t().pgettext("voice", "Press 1 for yes, you can come. Press 2 for no.")


def ask_minutes() -> str:
    return _t().pgettext(
        "voice", "Key the minutes until you arrive, then the hash key. Only the hash key: unknown."
    )


def thanks_yes(minutes: int | None) -> str:
    if minutes is None:
        return _t().pgettext("voice", "Registered: yes. Thank you.")
    return _t().pgettext(
        "voice", "Registered: yes, arriving in %(minutes)d minutes. Thank you."
    ) % {"minutes": minutes}


def thanks_no() -> str:
    return _t().pgettext("voice", "Registered: no. Thank you for answering.")


def not_understood() -> str:
    return _t().pgettext("voice", "No answer was registered. Answer the SMS instead. Goodbye.")


def no_longer_open() -> str:
    return _t().pgettext("voice", "This callout is no longer open. Goodbye.")
