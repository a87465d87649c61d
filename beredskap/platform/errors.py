"""Domain errors shared by every entry point (API, web, CLI, seeders).

A validation error carries a code and its parameters, never only words: the code is the
message's English template, marked with `N_` so the gettext catalogs hold it (e.g.
`N_("must be between %(low)s and %(high)s")`), and the parameters fill it in. A page shows
`error.translated(translations)`; the API's problem+json gives the English text, the code
and the parameters. Nothing matches a message's words back to find its translation, so
rewording a message cannot silently break a page (the catalog test fails until the new code
is translated).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

Param = str | int | float


class Translator(Protocol):
    def gettext(self, message: str) -> str: ...


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker
    """Mark a message code for extraction into the catalogs; translated where it is shown."""
    return message


class DomainValidationError(ValueError):
    """A value breaks a rule of the register; names the field so callers can point at it."""

    def __init__(self, field: str, code: str, **params: Param) -> None:
        self.field = field
        self.code = code
        self.params: Mapping[str, Param] = params
        self.message = code % params if params else code
        super().__init__(f"{field}: {self.message}")

    def translated(
        self, translations: Translator, number: Callable[[int], str] | None = None
    ) -> str:
        """The message in the reader's language (whole numbers written as the reader's
        language writes them, when `number` is given)."""
        return _translated(translations, self.code, self.params, number)

    def at(self, field: str) -> DomainValidationError:
        """The same error on another field (a helper that checks a value before its caller
        names the field, e.g. a phone number of an organisation's 24/7 line)."""
        return DomainValidationError(field, self.code, **self.params)


def _is_quantity(key: str, value: object) -> bool:
    """A whole number to write as the reader's language does ("1 000"); an id is a name, not
    a quantity, and is written as it is ("id 1000", as the API and the URLs have it)."""
    if key == "id" or key.endswith("_id"):
        return False
    return isinstance(value, int) and not isinstance(value, bool)


def _translated(
    translations: Translator,
    code: str,
    params: Mapping[str, Param],
    number: Callable[[int], str] | None,
) -> str:
    filled: dict[str, Any] = {
        key: number(value) if number is not None and _is_quantity(key, value) else value
        for key, value in params.items()
    }
    text = translations.gettext(code)
    return text % filled if filled else text


class NotFoundError(LookupError):
    """No record of that kind with that id."""

    def __init__(self, entity: str, entity_id: object) -> None:
        super().__init__(f"No {entity} with id {entity_id}.")
        self.entity = entity
        self.entity_id = entity_id


class ConflictError(Exception):
    """The change is well-formed but the register's state does not allow it now.

    Like a validation error it carries a code (`N_`-marked English template) and parameters;
    `message` is the English text."""

    def __init__(self, code: str, **params: Param) -> None:
        self.code = code
        self.params: Mapping[str, Param] = params
        self.message = code % params if params else code
        super().__init__(self.message)

    def translated(
        self, translations: Translator, number: Callable[[int], str] | None = None
    ) -> str:
        """The message in the reader's language."""
        return _translated(translations, self.code, self.params, number)
