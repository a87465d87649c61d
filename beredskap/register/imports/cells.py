"""Cells of an imported row read into values, or a `DomainValidationError` on the column.

The words are Norwegian or English as written in a spreadsheet: dates as 2027-03-31 or
31.03.2027, yes/no as ja/nei, enum values by their code or their label in either language.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from functools import cache
from typing import TypeVar

from beredskap.platform.errors import N_, DomainValidationError
from beredskap.platform.web.i18n import translations
from beredskap.register.web.labels import enum_label

E = TypeVar("E", bound=enum.Enum)

# Longest echo of a cell in an error message (a huge cell is not sent back whole).
ECHO_CHARS = 60
_NORWEGIAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_YES = frozenset({"ja", "j", "yes", "y", "true", "sann", "1", "x"})
_NO = frozenset({"nei", "n", "no", "false", "usann", "0"})


def echo(text: str) -> str:
    """A cell as it may appear in a message: quoted, at most ECHO_CHARS characters."""
    return repr(text if len(text) <= ECHO_CHARS else text[: ECHO_CHARS - 1] + "…")


def folded(text: str) -> str:
    """A name as compared: case and runs of white space do not matter."""
    return " ".join(text.split()).casefold()


def optional(text: str) -> str | None:
    return text or None


def whole_number(field: str, text: str) -> int | None:
    if not text:
        return None
    digits = text.replace(" ", "").replace("\u00a0", "")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 12:
        raise DomainValidationError(field, N_("must be a whole number"))
    return int(digits)


def decimal_number(field: str, text: str) -> float | None:
    """A decimal number written with a point or a comma (59.95 or 59,95)."""
    if not text:
        return None
    try:
        value = float(text.replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")):  # NaN and infinities
        raise DomainValidationError(field, N_("expected a number such as 59.95"))
    return value


def date_value(field: str, text: str) -> dt.date | None:
    if not text:
        return None
    norwegian = _NORWEGIAN_DATE.fullmatch(text)
    try:
        if norwegian:
            day, month, year = (int(part) for part in norwegian.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text[:10] if "T" in text else text)
    except ValueError:
        raise DomainValidationError(
            field, N_("expected a date such as 2027-03-31 or 31.03.2027")
        ) from None


def yes_no(field: str, text: str) -> bool | None:
    if not text:
        return None
    word = text.casefold()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise DomainValidationError(field, N_("expected ja or nei"))


@cache
def _enum_words(enum_class: type[enum.Enum]) -> dict[str, enum.Enum]:
    words: dict[str, enum.Enum] = {}
    for language in ("en", "nb"):
        catalog = translations(language)
        for member in enum_class:
            words[folded(enum_label(catalog, member))] = member
    for member in enum_class:
        words[folded(str(member.value))] = member
    return words


def enum_label_nb(member: enum.Enum) -> str:
    return enum_label(translations("nb"), member)


def enum_value(enum_class: type[E], field: str, text: str) -> E | None:
    """A member by its value or its label in bokmål or English, any case."""
    if not text:
        return None
    member = _enum_words(enum_class).get(folded(text))
    if member is None:
        allowed = ", ".join(enum_label_nb(m) for m in enum_class)
        raise DomainValidationError(
            field, N_("%(value)s is not one of: %(allowed)s"), value=echo(text), allowed=allowed
        )
    return member  # type: ignore[return-value]
