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
    """Return the number in E.164 if it is a valid mobile number, else raise ValueError.

    A number without a country code is read as Norwegian.
    """
    return normalise_phone(raw, region, mobile_only=True)


def normalise_phone(raw: str, region: str = DEFAULT_REGION, *, mobile_only: bool = False) -> str:
    """Return any valid phone number (a 24/7 duty line may be fixed) in E.164."""
    if len(raw) > _MAX_INPUT_LENGTH:
        raise ValueError("a phone number is at most 32 characters")
    compact = re.sub(r"[\s\-().]", "", raw)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if DRAMA_MOBILE.fullmatch(compact):
        return compact
    try:
        number = phonenumbers.parse(compact, region)
    except NumberParseException as error:
        raise ValueError(f"{raw!r} is not a phone number") from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{raw!r} is not a valid phone number")
    if mobile_only and phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ValueError(f"{raw!r} is not a mobile number; SMS callout needs a mobile")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    """Return the normalised address, or raise ValueError saying what is wrong.

    Syntax only: never a network look-up.
    """
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None
