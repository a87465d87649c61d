"""The equipment form: raw input in, typed fields or translated messages per field out."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel.support import Translations

from beredskap.platform.digits import parse_digits
from beredskap.platform.errors import DomainValidationError
from beredskap.platform.web.i18n import N_
from beredskap.register.inventory.models import MAX_QUANTITY, EquipmentStatus

MAX_ID = 2_147_483_647

FIELD_LABELS = {
    "resource_type_id": N_("Type of equipment"),
    "site_id": N_("Site"),
    "quantity": N_("Quantity"),
    "identifier": N_("Identifier (registration or serial number)"),
    "status": N_("Status"),
    "last_inspected_on": N_("Last inspected"),
    "next_inspection_due": N_("Next inspection due"),
    "notes": N_("Notes"),
}
EQUIPMENT_FIELDS = tuple(FIELD_LABELS)
TEXT_LIMITS = {"identifier": 100, "notes": 4000}

# The register's validation messages (English, from the models and services), by pattern.
DOMAIN_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^must be a whole number$"), N_("must be a whole number")),
    (
        re.compile(r"^must be between (?P<low>\d+) and (?P<high>\d+)$"),
        N_("must be between %(low)s and %(high)s"),
    ),
    (re.compile(r"^an identified item has quantity 1$"), N_("an item with an identifier is one")),
    (re.compile(r"^at most (?P<count>\d+) characters$"), N_("at most %(count)s characters")),
    (re.compile(r"^is required$"), N_("is required")),
    (re.compile(r"^expected text$"), N_("must be text")),
    (re.compile(r" is not one of: "), N_("choose one of the options")),
    (re.compile(r"^no site with id "), N_("no such site")),
    (re.compile(r"^no resource type with id "), N_("no such type of equipment")),
    (re.compile(r"^no organisation with id "), N_("no such organisation")),
    (
        re.compile(r"^the site belongs to another organisation"),
        N_("the site belongs to another organisation; choose one of its own sites"),
    ),
]


NumberFormat = Callable[[int], str]


def translate_domain_message(
    translations: Translations, message: str, number: NumberFormat = str
) -> str:
    """A validation message of the register in the reader's language."""
    for pattern, msgid in DOMAIN_MESSAGES:
        match = pattern.search(message)
        if match:
            values = {key: number(int(value)) for key, value in match.groupdict().items()}
            return translations.gettext(msgid) % values
    return translations.gettext("Invalid value: %(message)s") % {"message": message}


@dataclass
class FormResult:
    """What the user typed (kept for the form), the typed values, and the messages by field."""

    values: dict[str, str] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def add_domain_error(
        self, translations: Translations, error: DomainValidationError, number: NumberFormat = str
    ) -> None:
        self.errors[error.field] = translate_domain_message(translations, error.message, number)


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in text)


def parse_equipment_form(
    translations: Translations, raw: dict[str, str | None], number: NumberFormat = str
) -> FormResult:
    """Read the equipment fields that were sent (absent fields are left unchanged)."""
    _ = translations.gettext
    result = FormResult()
    for name in EQUIPMENT_FIELDS:
        text = raw.get(name)
        if text is None:
            continue
        result.values[name] = text
        text = text.strip()
        if _has_control_characters(text):
            result.errors[name] = _("contains characters that are not allowed")
        elif name in ("resource_type_id", "site_id"):
            chosen_id = parse_digits(text)
            if chosen_id is not None and 1 <= chosen_id <= MAX_ID:
                result.fields[name] = chosen_id
            else:
                result.errors[name] = _("choose one of the options")
        elif name == "quantity":
            quantity = parse_digits(text)
            if quantity is not None and 1 <= quantity <= MAX_QUANTITY:
                result.fields[name] = quantity
            else:
                result.errors[name] = _("enter a whole number from 1 to %(high)s") % {
                    "high": number(MAX_QUANTITY)
                }
        elif name == "status":
            if text in {status.value for status in EquipmentStatus}:
                result.fields[name] = EquipmentStatus(text)
            else:
                result.errors[name] = _("choose one of the options")
        elif name in ("last_inspected_on", "next_inspection_due"):
            if not text:
                result.fields[name] = None
            else:
                try:
                    result.fields[name] = date.fromisoformat(text)
                except ValueError:
                    result.errors[name] = _("enter a date as YYYY-MM-DD")
        else:
            limit = TEXT_LIMITS[name]
            if len(text) > limit:
                result.errors[name] = _("at most %(count)s characters") % {"count": limit}
            else:
                result.fields[name] = text or None
    return result


def parse_version(raw: str | None) -> int | None:
    """The record version the form was made from, or None when it is missing or garbled."""
    return parse_digits(raw, max_digits=10)
