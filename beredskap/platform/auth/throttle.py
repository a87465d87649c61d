"""Slows down repeated failed logins, per e-mail and per client address.

The failures live in the database, so every web process sees the same count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from beredskap.platform.auth.models import LoginFailure
from beredskap.platform.columns import utcnow

# One address may fail this many times more than one account before it is slowed down too:
# a shared NAT at the town hall must not lock everyone out after one person's typos.
ADDRESS_ALLOWANCE_FACTOR = 10


@dataclass(frozen=True)
class LoginPolicy:
    free_failures: int
    window: timedelta
    max_delay_seconds: int


def _delay(failures: int, policy: LoginPolicy, free: int) -> int:
    if failures < free:
        return 0
    return min(2 ** (failures - free), policy.max_delay_seconds)


def seconds_to_wait(
    session: Session, policy: LoginPolicy, email: str, client_address: str | None
) -> int:
    """How long the next attempt for this e-mail or address must wait (0: go ahead)."""
    now = utcnow()
    since = now - policy.window
    waits = []
    checks = [(LoginFailure.email == email.strip().lower(), policy.free_failures)]
    if client_address:
        checks.append(
            (
                LoginFailure.client_address == client_address,
                policy.free_failures * ADDRESS_ALLOWANCE_FACTOR,
            )
        )
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
