"""How easily a new password is guessed: zxcvbn's estimate, told in our own words.

zxcvbn (the maintained Python port of Dropbox's estimator) checks a password against its
lists of the most common passwords, words and names, and against repeats, sequences,
keyboard patterns and dates. Its own feedback is English text, so it is never shown: the
pattern behind the password's weakest part picks one of our `N_` codes instead.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from zxcvbn import zxcvbn

from beredskap.platform.errors import N_, DomainValidationError

# zxcvbn's score runs 0-4; 3 is "safely unguessable" (about 10^8 guesses and more).
MIN_SCORE = 3
# zxcvbn refuses longer input (and its time grows with the length); a password whose first
# 72 characters are weak is weak.
SCORED_CHARACTERS = 72
# Words of this service that make a password easy to guess for anyone who knows it.
SITE_WORDS = ("beredskap", "beredskapsregister", "frivillig", "kommune")
# The dictionary of zxcvbn's matches against the words we hand it (the user's own).
_USER_INPUTS = "user_inputs"
# zxcvbn keeps the user's words in a module-level dictionary while it scores: one at a time.
_LOCK = threading.Lock()

# The kind of weakness, by zxcvbn's pattern of the password's longest recognised part.
_BY_PATTERN: Mapping[str, str] = {
    "repeat": "repeated",
    "sequence": "pattern",
    "spatial": "pattern",
    "date": "dates",
    "regex": "dates",  # zxcvbn's only regex is "recent year"
}


def personal_words(email: str | None, display_name: str | None = None) -> list[str]:
    """The user's own words (the e-mail, its parts, the name's parts) and the service's."""
    words: list[str] = list(SITE_WORDS)
    for text in (email, email.partition("@")[0] if email else None, display_name):
        if text:
            words.append(text.lower())
            words.extend(part for part in re.split(r"[^\w]+", text.lower()) if len(part) > 2)
    return words


def check_strength(password: str, user_words: Iterable[str] = ()) -> None:
    """Refuse, on `password`, a password zxcvbn scores below `MIN_SCORE`, saying why."""
    with _LOCK:
        result = zxcvbn(password[:SCORED_CHARACTERS], user_inputs=list(user_words))
    if result["score"] < MIN_SCORE:
        raise _refusal(_weakness(result["sequence"]))


def _weakness(sequence: list[dict[str, Any]]) -> str:
    """What the longest recognised part of the password is (what zxcvbn's own feedback is
    about), or "simple" when nothing in it was recognised."""
    matches = [m for m in sequence if m["pattern"] != "bruteforce"]
    if not matches:
        return "simple"
    longest = max(matches, key=lambda match: len(match["token"]))
    if longest["pattern"] == "dictionary":
        dictionary = longest.get("dictionary_name")
        if dictionary == _USER_INPUTS:
            return "personal"
        return "common" if dictionary == "passwords" else "words"
    return _BY_PATTERN.get(longest["pattern"], "simple")


def _refusal(weakness: str) -> DomainValidationError:
    # Each message whole, so a translation can word it its own way.
    if weakness == "common":
        return DomainValidationError(
            "password",
            N_(
                "is one of the most commonly used passwords: a passphrase of four or more "
                "uncommon words is strong"
            ),
        )
    if weakness == "personal":
        return DomainValidationError(
            "password",
            N_(
                "contains your e-mail address, your name or the name of this service: a "
                "passphrase of four or more uncommon words is strong"
            ),
        )
    if weakness == "repeated":
        return DomainValidationError(
            "password",
            N_(
                "repeats characters or words, which is easy to guess: a passphrase of four "
                "or more uncommon words is strong"
            ),
        )
    if weakness == "pattern":
        return DomainValidationError(
            "password",
            N_(
                "follows a sequence (such as abc or 1234) or a row of the keyboard, which is "
                "easy to guess: a passphrase of four or more uncommon words is strong"
            ),
        )
    if weakness == "dates":
        return DomainValidationError(
            "password",
            N_(
                "is built on dates or years, which are easy to guess: a passphrase of four "
                "or more uncommon words is strong"
            ),
        )
    if weakness == "words":
        return DomainValidationError(
            "password",
            N_(
                "is built on common words or names, which are easy to guess: a passphrase "
                "of four or more uncommon words is strong"
            ),
        )
    return DomainValidationError(
        "password",
        N_("is too easy to guess: a passphrase of four or more uncommon words is strong"),
    )
