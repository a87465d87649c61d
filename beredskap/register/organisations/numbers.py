"""Norwegian organisation numbers (organisasjonsnummer): 9 digits, modulus-11 check digit."""

from __future__ import annotations

import re

from beredskap.platform.errors import N_, DomainValidationError

_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
_SEPARATORS = re.compile(r"[\s.\-]")


def check_digit(first_eight: str) -> int | None:
    """The modulus-11 check digit for eight digits, or None when no valid digit exists."""
    remainder = sum(int(d) * w for d, w in zip(first_eight, _WEIGHTS, strict=True)) % 11
    digit = (11 - remainder) % 11
    return None if digit == 10 else digit


def normalise_organisation_number(raw: str) -> str:
    """Return the 9-digit organisation number, or raise a DomainValidationError (a ValueError)
    on `organisation_number` saying what is wrong."""
    digits = _SEPARATORS.sub("", raw)
    if not re.fullmatch(r"\d{9}", digits):
        raise DomainValidationError(
            "organisation_number", N_("an organisation number has exactly 9 digits")
        )
    expected = check_digit(digits[:8])
    if expected is None or int(digits[8]) != expected:
        raise DomainValidationError(
            "organisation_number",
            N_("%(number)s is not a valid organisation number (wrong check digit)"),
            number=digits,
        )
    return digits
