"""Contact details: phone numbers in E.164 (`phonenumbers`) and e-mail addresses.

Ofcom reserves +44 7700 900000-900999 for drama; no such number is ever assigned, so the
demo uses it. `phonenumbers` calls those numbers invalid, so they are accepted here by name.
The benchmark generator needs more numbers than that and writes `+47 00xxxxxx`, which can
never be assigned (Norwegian numbers do not begin with 0); it is never accepted as input.
`is_fictional_mobile` knows both, so the SMS layer can refuse to send to them through a real
gateway.
"""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from beredskap.platform.errors import N_, DomainValidationError

DEFAULT_REGION = "NO"
DRAMA_MOBILE = re.compile(r"\+447700900\d{3}")
BENCHMARK_MOBILE_PREFIX = "+4700"
BENCHMARK_MOBILE = re.compile(r"\+4700\d{6}")
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
_MAX_INPUT_LENGTH = 32


def is_fictional_mobile(e164: str) -> bool:
    """True for numbers from a range that is reserved for fiction and can reach nobody."""
    return DRAMA_MOBILE.fullmatch(e164) is not None or BENCHMARK_MOBILE.fullmatch(e164) is not None


def normalise_mobile(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return the number in E.164 if it is a valid mobile number, else raise a
    DomainValidationError (a ValueError) on `mobile`; `error.at(field)` moves it.

    A number without a country code is read as Norwegian.
    """
    return normalise_phone(raw, region, mobile_only=True)


def normalise_phone(raw: str, region: str = DEFAULT_REGION, *, mobile_only: bool = False) -> str:
    """Return any valid phone number (a 24/7 duty line may be fixed) in E.164, else raise a
    DomainValidationError on `phone` (`mobile` when `mobile_only`)."""
    field = "mobile" if mobile_only else "phone"
    if len(raw) > _MAX_INPUT_LENGTH:
        raise DomainValidationError(
            field, N_("a phone number is at most %(count)s characters"), count=_MAX_INPUT_LENGTH
        )
    compact = re.sub(r"[\s\-().]", "", raw)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if DRAMA_MOBILE.fullmatch(compact):
        return compact
    try:
        number = phonenumbers.parse(compact, region)
    except NumberParseException as error:
        raise DomainValidationError(
            field, N_("%(number)s is not a phone number"), number=repr(raw)
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise DomainValidationError(
            field, N_("%(number)s is not a valid phone number"), number=repr(raw)
        )
    if mobile_only and phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise DomainValidationError(
            field,
            N_("%(number)s is not a mobile number; SMS callout needs a mobile"),
            number=repr(raw),
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    """Return the normalised address, or raise a DomainValidationError (a ValueError) on
    `email`; `error.at(field)` moves it.

    Syntax only: never a network look-up.
    """
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        raise DomainValidationError(
            "email", N_("is not a valid e-mail address: write it as name@domain.no")
        ) from None


def readable_phone(e164: str | None) -> str:
    """A stored number as a person reads and dials it: "+47 912 34 567" (international
    format, so a number abroad reads right too); empty for none, unchanged if unparsable."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, DEFAULT_REGION)
    except NumberParseException:
        return e164
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
