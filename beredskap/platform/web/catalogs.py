"""Keeps the .po catalogs in step with the code (`python -m beredskap.main.catalogs`).

New messages are added untranslated to both catalogs and unused ones are dropped; then
translate the new entries of `locale/nb/LC_MESSAGES/messages.po`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from beredskap.platform.web.i18n import (
    DOMAIN,
    LANGUAGES,
    catalog_path,
    extract_messages_with_comments,
    load_catalog,
)

# Fixed, so that regenerating the catalogs changes only what really changed.
CATALOG_DATE = datetime(2026, 1, 1, tzinfo=UTC)
HEADER = "# Interface messages of beredskap ({language}); msgids are English.\n#"


def _new_catalog(language: str | None = None) -> Catalog:
    catalog = Catalog(
        locale=language,
        domain=DOMAIN,
        project="beredskap",
        version="0.1",
        copyright_holder="beredskap",
        msgid_bugs_address="beredskap maintainers",
        creation_date=CATALOG_DATE,
        revision_date=CATALOG_DATE,
        last_translator="beredskap",
        language_team=language or "",
        fuzzy=False,
    )
    catalog.header_comment = HEADER.format(language=language or "template")
    return catalog


def template_catalog(sources: Iterable[Path]) -> Catalog:
    """Every message of the folders, as a translation template."""
    template = _new_catalog()
    for message, context, where, comments in extract_messages_with_comments(sources):
        filename, _, line = where.rpartition(":")
        template.add(
            message, locations=[(filename, int(line))], context=context, auto_comments=comments
        )
    return template


def update_catalogs(sources: Iterable[Path]) -> None:
    """Bring both .po files up to date with the folders' code: new messages in, unused ones
    out."""
    template = template_catalog(sources)
    for language in LANGUAGES:
        path = catalog_path(language)
        catalog = load_catalog(language) if path.exists() else _new_catalog(language)
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        catalog.revision_date = CATALOG_DATE
        catalog.header_comment = HEADER.format(language=language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as file:
            write_po(
                file,
                catalog,
                width=100,
                ignore_obsolete=True,
                include_previous=False,
                include_lineno=False,
            )
