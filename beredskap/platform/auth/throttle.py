"""Slows down repeated failed logins, per account AND source address, and per address.

Keyed by the pair, not by the account alone: an attacker elsewhere who fails on purpose
slows down only their own address, never the duty officer logging in from hers (before, about
49 requests an hour kept an account locked, and the right password got 429 too). Brute
force from any one address stays slow: the pair is slowed after a few failures, and the
address after ten times as many across all accounts (a shared NAT at the town hall must not
lock everyone out after one person's typos). The failures live in the database, so every
web process sees the same count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from beredskap.platform.auth.models import LoginFailure
from beredskap.platform.columns import utcnow
from beredskap.platform.settings import PlatformSettings

# One address may fail this many times more than one account before it is slowed down too:
# a shared NAT at the town hall must not lock everyone out after one person's typos.
ADDRESS_ALLOWANCE_FACTOR = 10


@dataclass(frozen=True)
class LoginPolicy:
    free_failures: int
    window: timedelta
    max_delay_seconds: int


def policy_of(settings: PlatformSettings) -> LoginPolicy:
    """The slow-down of the settings (BEREDSKAP_LOGIN_*): the login's, and the password
    page's for a wrong current password."""
    return LoginPolicy(
        free_failures=settings.login_free_failures,
        window=timedelta(minutes=settings.login_failure_window_minutes),
        max_delay_seconds=settings.login_max_delay_seconds,
    )


def _delay(failures: int, policy: LoginPolicy, free: int) -> int:
    if failures < free:
        return 0
    return min(2 ** (failures - free), policy.max_delay_seconds)


def seconds_to_wait(
    session: Session, policy: LoginPolicy, email: str, client_address: str | None
) -> int:
    """How long the next attempt for this e-mail from this address must wait (0: go ahead).
    Without an address (none known), the e-mail alone is the key."""
    now = utcnow()
    since = now - policy.window
    waits = []
    account = LoginFailure.email == email.strip().lower()
    if not client_address:
        checks = [(account, policy.free_failures)]
    else:
        from_there = LoginFailure.client_address == client_address
        checks = [
            (account & from_there, policy.free_failures),
            (from_there, policy.free_failures * ADDRESS_ALLOWANCE_FACTOR),
        ]
    for condition, free in checks:
        count, last = session.execute(
            select(func.count(), func.max(LoginFailure.occurred_at)).where(
                condition, LoginFailure.occurred_at > since
            )
        ).one()
        delay = _delay(count, policy, free)
        if delay and last is not None:
            remaining = delay - int((now - last).total_seconds())
            waits.append(max(remaining, 0))
    return max(waits, default=0)


def record_failure(session: Session, email: str, client_address: str | None) -> None:
    session.add(LoginFailure(email=email.strip().lower()[:254], client_address=client_address))
    session.flush()


def clear_failures(session: Session, email: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.email == email.strip().lower()))
