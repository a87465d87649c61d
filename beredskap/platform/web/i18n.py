"""Interface language: gettext catalogs (.po, committed) compiled in memory with Babel.

Every string of the web interface is an English msgid, translated through one mechanism:
`{% trans %}` and `_()` in templates, `gettext`/`ngettext`/`pgettext` on a `Translations`
object in Python, and `N_`/`in_context` to mark strings defined at import time. Norwegian
bokmål is the default; a `lang` cookie chooses English.

After changing interface strings, `python -m beredskap.main.catalogs` adds new messages
to both catalogs (and drops unused ones); translate the new entries of `locale/nb` (English
needs none: an empty entry shows the English msgid). `tests/e2e/test_catalogs.py` fails until
then.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request

from beredskap.platform.errors import N_

__all__ = ["N_"]  # marks a message for extraction (also error codes); translated where shown

LANGUAGES = ("nb", "en")
LANG_COOKIE = "lang"
DOMAIN = "messages"
WEB_DIR = Path(__file__).parent
LOCALE_DIR = WEB_DIR / "locale"
# Babel locales used to format dates and numbers in each interface language.
FORMAT_LOCALES = {"nb": "nb_NO", "en": "en_GB"}

# How Babel finds the messages: Python files and the Jinja2 templates of this package.
EXTRACT_KEYWORDS: dict[str, Any] = {**DEFAULT_KEYWORDS, "in_context": ((1, "c"), 2)}
EXTRACT_METHOD_MAP = [
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
]
EXTRACT_OPTIONS_MAP = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def in_context(context: str, message: str) -> tuple[str, str]:
    """Mark a message with its context (pgettext) for extraction; translated where shown."""
    return context, message


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_catalog(language: str) -> Catalog:
    """The .po catalog of a language as committed in the repository."""
    with catalog_path(language).open("rb") as file:
        return read_po(file, locale=language, domain=DOMAIN)


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> Translations:
    """The compiled catalog of a supported language (compiled once per process)."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language}")
    buffer = BytesIO()
    write_mo(buffer, load_catalog(language), use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def language_of(request: Request) -> str:
    """The language the request's `lang` cookie chooses, or the configured default."""
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return str(request.app.state.settings.default_language)


def translations_for(request: Request) -> Translations:
    return translations(language_of(request))


# The capabilities' messages (each declares where they are: `Capability.message_sources`)
# share these catalogs, so there is one mechanism. Read at extraction time (development and
# the catalog test) from the folders the composition root passes in.
REPOSITORY_DIR = WEB_DIR.parents[2]


def extract_messages_with_comments(
    sources: Iterable[Path],
) -> Iterator[tuple[str | tuple[str, ...], str | None, str, list[str]]]:
    """Every message in the folders: (msgid, context, where, comments for translators)."""
    for directory in sources:
        if not directory.is_dir():
            continue
        label = f"{directory.relative_to(REPOSITORY_DIR).as_posix()}/"
        for filename, lineno, message, comments, context in extract_from_dir(
            str(directory),
            method_map=EXTRACT_METHOD_MAP,
            options_map=EXTRACT_OPTIONS_MAP,
            keywords=EXTRACT_KEYWORDS,
            comment_tags=("Translators:",),
        ):
            yield message, context, f"{label}{filename}:{lineno}", list(comments)


def extract_messages(
    sources: Iterable[Path],
) -> Iterator[tuple[str | tuple[str, ...], str | None, str]]:
    """Every message of the folders' Python and templates: (msgid, context, where)."""
    for message, context, where, _comments in extract_messages_with_comments(sources):
        yield message, context, where
