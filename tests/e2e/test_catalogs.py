"""Every interface string goes through the gettext catalogs, and both catalogs are complete.

Babel extracts the messages of every capability (`Capability.message_sources`: Python and
templates) exactly as
`python -m beredskap.main.catalogs` does; a message without a Norwegian translation, or
missing from the English catalog, fails here. So does text written into a template
without `_()` or `{% trans %}`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel.messages.catalog import Catalog

from beredskap.main.capabilities import CAPABILITIES
from beredskap.main.catalogs import MESSAGE_SOURCES
from beredskap.platform.web.i18n import LANGUAGES, extract_messages, load_catalog, translations
from beredskap.register.web.labels import LABELS, UNITS, enum_label

TEMPLATE_DIRS = [c.templates for c in CAPABILITIES if c.templates is not None]
LETTERS = re.compile(r"[^\W\d_]")
# Attributes a person reads (values, ids and URLs are for machines).
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "label"}


def _extracted() -> dict[tuple[str, str | None], list[str]]:
    found: dict[tuple[str, str | None], list[str]] = {}
    for message, context, where in extract_messages(MESSAGE_SOURCES):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault((msgid, context), []).append(where)
    return found


def _strings(catalog: Catalog, msgid: str, context: str | None) -> tuple[str, ...] | None:
    entry = catalog.get(msgid, context=context)
    if entry is None:
        return None
    return entry.string if isinstance(entry.string, tuple) else (entry.string,)


def test_extraction_finds_the_messages_of_python_and_templates() -> None:
    wheres = {
        where.split(":")[0].rsplit("/", 1)[-1]
        for places in _extracted().values()
        for where in places
    }
    assert any(where.endswith(".html") for where in wheres)
    expected = {"auth_pages.py", "equipment_form.py", "labels.py", "errors.py", "sms_texts.py"}
    assert expected <= wheres
    assert len(_extracted()) > 150


def test_every_message_is_translated_to_norwegian_and_listed_in_english() -> None:
    nb, en = load_catalog("nb"), load_catalog("en")
    untranslated, missing_en = [], []
    for (msgid, context), places in sorted(_extracted().items(), key=lambda i: i[0][0]):
        strings = _strings(nb, msgid, context)
        if strings is None or not all(s.strip() for s in strings):
            untranslated.append(f"{msgid!r} ({places[0]})")
        if _strings(en, msgid, context) is None:
            missing_en.append(f"{msgid!r} ({places[0]})")
    assert not untranslated, "no Norwegian translation: " + "; ".join(untranslated)
    assert not missing_en, "not in the English catalog: " + "; ".join(missing_en)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogs_hold_no_unused_entries_and_pass_babels_checks(language: str) -> None:
    catalog = load_catalog(language)
    used = set(_extracted())
    unused = [m.id for m in catalog if m.id and ((_msgid(m.id), m.context) not in used)]
    assert not unused, f"entries no code uses (run python -m beredskap.main.catalogs): {unused}"
    problems = [(m.id, errors) for m, errors in catalog.check()]
    assert not problems, problems
    assert not [m.id for m in catalog if m.id and m.fuzzy], "fuzzy entries are not shown"


def _msgid(message_id: str | tuple[str, ...]) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


def test_the_catalogs_are_used_at_runtime() -> None:
    nb, en = translations("nb"), translations("en")
    assert nb.gettext("Log in") == "Logg inn"
    assert en.gettext("Log in") == "Log in"
    assert nb.ngettext("%(count)s organisation", "%(count)s organisations", 3) == (
        "%(count)s organisasjoner"
    )
    assert en.gettext("Norwegian") == "Norsk"  # the link to Norwegian, in Norwegian


def test_every_enum_value_and_unit_has_a_label_in_both_languages() -> None:
    nb, en = translations("nb"), translations("en")
    for enum_class, labels in LABELS.items():
        assert set(labels) == set(enum_class), f"{enum_class.__name__} lacks labels"
        for member in enum_class:
            assert enum_label(nb, member) and enum_label(en, member)
            assert enum_label(nb, member) != member.value or member.value == "base"
    for context_message in UNITS.values():
        assert nb.pgettext(*context_message) and en.pgettext(*context_message)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.texts.extend(value or "" for name, value in attrs if name in READ_ATTRIBUTES)


def _without_jinja(source: str) -> str:
    source = re.sub(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", "\x00", source, flags=re.S)
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)
    return re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "\x00", source, flags=re.S)


# The accessibility statement is a document written whole in each language (Uutilsynet's
# model statement is), chosen by the page's language; issue 18 moves it into the catalogs.
def test_templates_hold_no_untranslated_text() -> None:
    templates = sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html"))
    assert len(templates) >= 8
    offenders = []
    for template in templates:
        collector = _TextCollector()
        collector.feed(_without_jinja(template.read_text(encoding="utf-8")))
        for text in collector.texts:
            if LETTERS.search(text.replace("\x00", "")):
                offenders.append(f"{template.name}: {text.strip()!r}")
    assert not offenders, offenders
