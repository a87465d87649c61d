"""One extraction of a report: who takes it, when, in which language, and what that reader may
see. The page routes build it from the request's principal; `beredskap snapshot` and the
inspector's evidence pack build it for their own reader. Every document function of the
reports takes one, so a document reads the same whoever asks for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from babel.support import Translations
from fastapi import Request

from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.platform.web.i18n import language_of, translations, translations_for
from reports.marking import marking


@dataclass(frozen=True)
class Extraction:
    settings: Any
    translations: Translations
    language: str
    extracted_by: str  # the user's e-mail, or what took it ("beredskap snapshot")
    extracted_at: datetime
    on: date  # the day in Norway the figures are for
    # Whether exact counts of one or two people of an organisation (None: of no one) may show.
    exact_for: Callable[[int | None], bool]
    sees_contacts: bool  # names and phone numbers of contact people
    # What one extraction has read already, by document: a pack or a snapshot that writes a
    # report as PDF and as spreadsheet reads its figures once.
    read: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def marking(self) -> str:
        return marking(self.settings)


def extraction_for(request: Request, principal: Principal) -> Extraction:
    """The extraction a signed-in reader takes through a page or a download."""
    return Extraction(
        settings=request.app.state.settings,
        translations=translations_for(request),
        language=language_of(request),
        extracted_by=principal.email,
        extracted_at=utcnow(),
        on=today_in_norway(),
        exact_for=principal.sees_small_counts_of,
        sees_contacts=principal.sees_contact_details,
    )


def system_extraction(settings: Any, extracted_by: str, language: str = "nb") -> Extraction:
    """An extraction for the municipality's own binder (the offline snapshot, the evidence
    pack written by a command): everything the coordinator sees."""
    return Extraction(
        settings=settings,
        translations=translations(language),
        language=language,
        extracted_by=extracted_by,
        extracted_at=utcnow(),
        on=today_in_norway(),
        exact_for=lambda _organisation_id: True,
        sees_contacts=True,
    )
