"""The SMS texts of a contact check, in the catalogs' message context "sms" as every SMS text
(`alerts.sms_texts`): the question in bokmål, the answers to a reply in its language. Each
keeps to GSM-7 and one segment, and the question never starts with the exercise marker."""

from __future__ import annotations

from babel.support import Translations

from beredskap.platform.web.i18n import LANGUAGES, translations

DEFAULT_LANGUAGE = "nb"


def _catalog(language: str | None = None) -> Translations:
    return translations(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def question(code: str) -> str:
    """The check itself; the code is what tells its answer from a callout's."""
    return _catalog().pgettext(
        "sms", "Beredskapsregisteret: reply YES %(code)s to confirm that this number reaches you."
    ) % {"code": code}


def confirmed(language: str | None = None) -> str:
    return _catalog(language).pgettext(
        "sms", "Thank you. Your number is confirmed in the preparedness register."
    )


def not_confirmed(language: str | None = None) -> str:
    return _catalog(language).pgettext(
        "sms", "Thank you. The number is not confirmed; your organisation will check it."
    )


def unknown_check_code(code: str, language: str | None = None) -> str:
    return _catalog(language).pgettext(
        "sms", "No contact check has the code %(code)s. Use the code from the message."
    ) % {"code": code}
