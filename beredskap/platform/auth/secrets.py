"""Password hashing (argon2) and random credentials stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from beredskap.platform.auth.strength import check_strength
from beredskap.platform.errors import N_, DomainValidationError

_HASHER = PasswordHasher()
# Verified against when the e-mail is unknown, so both cases take the same time.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")
TOKEN_PREFIX = "bk_"
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; always spends the argon2 time, even without a hash."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def check_new_password(password: str, user_words: Iterable[str] = ()) -> None:
    """Refuse, on `password`, a new password that is too short, too long, or easy to guess
    (common, or built of the user's own words: `strength.personal_words`)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainValidationError(
            "password",
            N_("a password has at least %(count)s characters"),
            count=MIN_PASSWORD_LENGTH,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DomainValidationError(
            "password",
            N_("a password has at most %(count)s characters"),
            count=MAX_PASSWORD_LENGTH,
        )
    check_strength(password, user_words)


def generate_password() -> str:
    return secrets.token_urlsafe(18)


def new_token(prefix: str = TOKEN_PREFIX) -> str:
    """A random credential with 256 bits of entropy."""
    return prefix + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """SHA-256 of a high-entropy credential; enough because tokens cannot be guessed."""
    return hashlib.sha256(token.encode()).hexdigest()
