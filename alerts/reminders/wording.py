"""The language of the reminders: the interface's catalogs and date format, a footer, and an
SMS that fits one segment.

Reminders go to people who have no language setting, so they are written in the configured
default language (`BEREDSKAP_DEFAULT_LANGUAGE`: bokmål unless set to English).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from babel.support import Translations

from alerts.gateway.sms_encoding import GSM7_BASIC, GSM7_EXTENSION, sms_segments
from beredskap.platform.web.i18n import FORMAT_LOCALES, LANGUAGES, N_, translations

DEFAULT_LANGUAGE = "nb"
FOOTER = N_(
    "This is an automatic reminder from the municipality's preparedness register. "
    "You get it once for each date."
)
# Characters outside the GSM alphabet that have a close one inside it; any other is dropped
# from a name in an SMS, which would otherwise cost a UCS-2 message of 70 characters.
_GSM_LOOKALIKES = str.maketrans(
    {
        "\u00ab": '"',  # « »
        "\u00bb": '"',
        "\u201c": '"',  # curly double quotes
        "\u201d": '"',
        "\u2018": "'",  # curly single quotes
        "\u2019": "'",
        "\u2013": "-",  # en and em dash
        "\u2014": "-",
        "\u2026": "...",
    }
)


@dataclass(frozen=True)
class Wording:
    language: str = DEFAULT_LANGUAGE

    @classmethod
    def of(cls, language: object) -> Wording:
        return cls(
            language if isinstance(language, str) and language in LANGUAGES else DEFAULT_LANGUAGE
        )

    @property
    def t(self) -> Translations:
        return translations(self.language)

    def day(self, value: date) -> str:
        """14. januar 2027 / 14 January 2027."""
        return format_date(value, format="long", locale=FORMAT_LOCALES[self.language])

    def name(self, name_nb: str, name_en: str) -> str:
        """A catalogue entry's name in this language."""
        return name_en if self.language == "en" else name_nb

    def email_body(self, *paragraphs: str) -> str:
        return "\n\n".join([*paragraphs, self.t.gettext(FOOTER)])


def gsm_only(text: str) -> str:
    """`text` with every character outside the GSM 7-bit alphabet replaced by a close one or
    dropped (é stays, ê becomes e, « becomes ")."""
    kept = []
    for char in " ".join(text.translate(_GSM_LOOKALIKES).split()):
        if char in GSM7_BASIC or char in GSM7_EXTENSION:
            kept.append(char)
            continue
        base = unicodedata.normalize("NFKD", char)[:1]
        if base in GSM7_BASIC:
            kept.append(base)
    return " ".join("".join(kept).split())


def one_sms(render: Callable[[str], str], name: str) -> str:
    """`render(name)` with the name made GSM-only and shortened (with "...") until the whole
    text fits one SMS; the shortest try if even that does not fit."""
    name = gsm_only(name)
    text = render(name)
    for length in range(len(name) - 1, 0, -1):
        if sms_segments(text) == 1:
            break
        text = render(name[: max(length - 3, 1)].rstrip() + "...")
    return text


def subject_line(text: str, limit: int = 200) -> str:
    """An e-mail subject of at most `limit` characters (the outbox's limit), on one line."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."
