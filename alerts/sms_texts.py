"""The short SMS texts the system writes to volunteers, bokmål by default, English available.

They go through the one gettext mechanism of the interface (`beredskap.platform.web.i18n`,
catalogs in `beredskap/platform/web/locale`), in the message context "sms". The answer to a
reply is written in the language of the reply's words when they tell (`ParsedReply.language`:
JA -> bokmål, YES -> English), else in bokmål: volunteers have no language setting, and
Norwegian is the municipality's language. Messages to all recipients of a callout are bokmål.

Every text keeps to the GSM 7-bit alphabet (æ, ø and å are in it; « » and curly quotes are
not) and to one SMS segment with realistic values, so a reply costs one message; the tests
check both.
"""

from __future__ import annotations

from babel.support import Translations

from alerts.inbound.replies import ParsedReply, ReplyKind
from beredskap.platform.web.i18n import LANGUAGES, translations

DEFAULT_LANGUAGE = "nb"
# Marks every message of an exercise callout, in every language: a message without it is
# read as real (PRODUCT.md, the regulation's exercise practice).
EXERCISE_MARKER = "ØVELSE ØVELSE ØVELSE"
_MAX_LABEL_CHARS = 40
# A shortened title ends in three full stops, not "…" (U+2026): that character is not in the
# GSM 7-bit alphabet, and one of it would send the whole SMS as UCS-2, 70 characters a
# segment instead of 160 (two or three messages per reply). So that a template's own full
# stop never makes it "....", no template puts punctuation right after the label but a comma
# or a colon: the label comes last, or before "er dekket", ", oppmøte om", ":".
ELLIPSIS = "..."


def _catalog(language: str | None) -> Translations:
    return translations(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def callout_label(code: str | None, title: str) -> str:
    """How a confirmation names a callout: "B7 Flom Lillestrøm", a long title cut after its
    last whole word that fits, with "..." (a single word longer than that is cut)."""
    title = " ".join(title.split())
    label = f"{code} {title}" if code else title
    if len(label) <= _MAX_LABEL_CHARS:
        return label
    room = label[: _MAX_LABEL_CHARS - len(ELLIPSIS) + 1]
    cut = room.rfind(" ")
    kept = room[:cut] if cut > len(code or "") else room[:-1]
    # No dangling punctuation before the ellipsis ("Flom, ..." or "Flom...."): only the word.
    return kept.rstrip(" ,.;:-") + ELLIPSIS


def callout_message(message: str, *, code: str | None, exercise: bool) -> str:
    """The SMS a callout sends: the exercise marker, the officer's message, how to answer."""
    t = _catalog(DEFAULT_LANGUAGE)
    if code:
        how = t.pgettext(
            "sms", "Reply %(code)s YES or %(code)s NO. Arriving in 20 min: %(code)s YES 20"
        ) % {"code": code}
    else:
        how = t.pgettext("sms", "Reply YES or NO. Arriving in 20 min: YES 20")
    return _with_marker(f"{message.strip()}\n{how}", exercise)


def answer_confirmation(
    reply: ParsedReply, callout: str, language: str | None = None, *, exercise: bool = False
) -> str:
    """The answer to a JA / NEI that was recorded for the callout named `callout`; marked
    ØVELSE when that callout is an exercise, like every other SMS of it."""
    t = _catalog(language or reply.language)
    if reply.kind is ReplyKind.YES and reply.minutes_to_arrival is not None:
        text = t.pgettext(
            "sms", "Registered: YES to %(callout)s, arriving in %(minutes)d min. Thank you!"
        ) % {"callout": callout, "minutes": reply.minutes_to_arrival}
    elif reply.kind is ReplyKind.YES:
        # The label last: a shortened one ends "...", never followed by a full stop.
        text = t.pgettext("sms", "Thank you! Registered: YES to %(callout)s") % {"callout": callout}
    elif reply.kind is ReplyKind.NO:
        text = t.pgettext("sms", "Thank you for answering. Registered: NO to %(callout)s") % {
            "callout": callout
        }
    else:
        raise ValueError("only a yes or a no is confirmed")
    return _with_marker(text, exercise)


def no_open_callout(language: str | None = None) -> str:
    return _catalog(language).pgettext(
        "sms", "Thank you. There is no open callout to answer right now."
    )


def unknown_callout_code(code: str, language: str | None = None) -> str:
    return _catalog(language).pgettext(
        "sms", "No open callout has the code %(code)s. Use the code from the callout message."
    ) % {"code": code}


def help_text(language: str | None = None) -> str:
    """The one-line help for unknown numbers, unparseable text and HELP."""
    return _catalog(language).pgettext(
        "sms",
        "Reply YES or NO, with minutes to arrival if you like: YES 20. "
        "Code first if the message has one: B7 YES. STOP ends callouts.",
    )


def opted_out(language: str | None = None) -> str:
    return _catalog(language).pgettext(
        "sms", "You will get no more callouts by SMS. Reply START to get them again."
    )


def opted_in(language: str | None = None) -> str:
    return _catalog(language).pgettext(
        "sms", "You will get callouts by SMS again. Reply STOP to end them."
    )


def _with_marker(text: str, exercise: bool) -> str:
    return f"{EXERCISE_MARKER}\n{text}" if exercise else text


def follow_up_message(text: str, *, code: str, title: str, exercise: bool) -> str:
    """A follow-up to those who said yes ("Oppmøte ved brannstasjonen kl 03.30")."""
    return _with_marker(f"{callout_label(code, title)}: {text.strip()}", exercise)


def covered_message(*, code: str, title: str, exercise: bool) -> str:
    """To those who have not answered, once enough said yes: they need not come."""
    text = _catalog(DEFAULT_LANGUAGE).pgettext(
        "sms", "The need for %(callout)s is covered. Thank you, you do not need to come."
    ) % {"callout": callout_label(code, title)}
    return _with_marker(text, exercise)


def covered_yes_message(*, code: str, title: str, exercise: bool) -> str:
    """To those who said yes, once enough did: the need is covered and they still come (never
    "you need not come", which would send them home)."""
    text = _catalog(DEFAULT_LANGUAGE).pgettext(
        "sms", "The need for %(callout)s is covered. You said YES: come as agreed."
    ) % {"callout": callout_label(code, title)}
    return _with_marker(text, exercise)
