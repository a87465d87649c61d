"""Phone numbers out of logs and error texts: volunteers' numbers are personal data.

Logs are read by more people than the register's personal-data roles, and gateways put the
number in their error messages ("The 'To' number +4791234567 is not a valid phone number").
Everything the SMS layer logs or stores as a reason passes through here first.
"""

from __future__ import annotations

import logging
import re

_VISIBLE_TAIL = 2
# A phone number as it appears in free text: optional +, then at least 7 digits, allowing
# the spaces, dots and dashes people group them with.
_NUMBER_IN_TEXT = re.compile(r"\+?\d(?:[ .\-]?\d){6,}")


def mask_phone(number: str) -> str:
    """`+4791234567` -> `+47******67`: the country code and the last two digits stay.

    Enough to tell two recipients apart in a log, never enough to call anyone.
    """
    digits = re.sub(r"\D", "", number)
    if len(digits) <= 4:
        return "*" * len(digits)
    country = digits[:2] if number.strip().startswith("+") else ""
    hidden = len(digits) - len(country) - _VISIBLE_TAIL
    prefix = f"+{country}" if country else ""
    return prefix + "*" * hidden + digits[-_VISIBLE_TAIL:]


def redact_phone_numbers(text: str) -> str:
    """The text with every phone-number-like run masked."""
    return _NUMBER_IN_TEXT.sub(lambda match: mask_phone(match.group()), text)


class PhoneNumberRedactingFilter(logging.Filter):
    """Masks phone numbers in the records of a library's logger.

    urllib3 logs each request's URL at DEBUG, and a Twilio message list is filtered by
    `To=` in the query string.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_phone_numbers(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_REDACTED_LOGGERS: set[str] = set()


def redact_phone_numbers_in_logger(name: str) -> None:
    """Install the filter on a library's logger (once)."""
    if name not in _REDACTED_LOGGERS:
        logging.getLogger(name).addFilter(PhoneNumberRedactingFilter())
        _REDACTED_LOGGERS.add(name)
