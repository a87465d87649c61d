"""A contact check's code, and reading it in a reply.

A check's code is the letter K and a number from 100 to 999 ("K482"). A callout code is a
letter and a number from 1 to 99 (`alerts.inbound.replies`), so a check code is never a
callout code, and the callout parser never reads one as a code: "K482 JA" is unparseable to
it, and "JA K482" at most a yes with minutes. A reply is read as a check answer when it is
the code and a yes or no word in either order, with anything after them that does not
contradict the answer ("K482 JA", "ja k-482", "JA K482 takk").
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from alerts.inbound.replies import NO_WORDS, YES_WORDS, normalise

CODE_LETTER = "K"
LOWEST = 100
HIGHEST = 999
_TOKEN = re.compile(r"[0-9]+|[^\W\d_]+")
_NUMBER = re.compile(r"[1-9][0-9]{2}")
_DRAWN_OUT = re.compile(r"(.)\1+$")


@dataclass(frozen=True)
class CheckReply:
    """A reply to a contact check: its code, yes or no, and the language its words tell."""

    code: str
    yes: bool
    language: str | None


def new_code() -> str:
    """A fresh check code: it needs to tell this check from a callout, not to be secret, but
    a random one keeps two checks of one number apart."""
    return f"{CODE_LETTER}{LOWEST + secrets.randbelow(HIGHEST - LOWEST + 1)}"


def read_check_reply(text: str) -> CheckReply | None:
    """The check answer a reply holds, or None when it is no check answer (never raises)."""
    tokens = _TOKEN.findall(normalise(text))
    if len(tokens) < 3:
        return None
    if _is_code(tokens[0], tokens[1]):
        code, answer, rest = tokens[0] + tokens[1], tokens[2], tokens[3:]
    elif _is_code(tokens[1], tokens[2]):
        code, answer, rest = tokens[1] + tokens[2], tokens[0], tokens[3:]
    else:
        return None
    answer = _DRAWN_OUT.sub(r"\1", answer) if answer.isalpha() else answer
    if answer in YES_WORDS and not {"nei", "no"} & set(rest):
        return CheckReply(code.upper(), True, YES_WORDS[answer])
    if answer in NO_WORDS and not {"ja", "yes"} & set(rest):
        return CheckReply(code.upper(), False, NO_WORDS[answer])
    return None


def _is_code(letter: str, number: str) -> bool:
    return letter == CODE_LETTER.lower() and _NUMBER.fullmatch(number) is not None
