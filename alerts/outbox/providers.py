"""The SMS providers' shared health (`sms_provider_states`), read and written in the worker's
own transactions: which provider new claims go to, and what the answers say of each.

Every worker process reads and updates the same rows, so "N failures in a row" counts the
answers of all of them, and a switch seen by one is seen by all at their next round. The
rows are locked while a transaction updates them (`FOR UPDATE` on PostgreSQL; on SQLite the
worker's transaction holds the database's write lock from its start), so two workers
recording at once cannot lose each other's counts. The judging is `alerts.gateway.failover`'s.
Flushes, never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from alerts.gateway.failover import ProviderHealth, Providers, Route, judge
from alerts.gateway.port import SendResult
from alerts.models import RecipientState, SmsProviderState
from alerts.outbox.claims import Claim
from alerts.outbox.references import OUTBOX_TABLES

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_FIELDS = (
    "consecutive_failures",
    "failing_until",
    "last_failure",
    "last_failure_at",
    "last_success_at",
)


def read_health(
    session: Session, names: Sequence[str], *, lock: bool = False
) -> dict[str, ProviderHealth]:
    """The providers' rows (made if missing), locked for update when `lock`."""
    connection = session.connection()
    insert = _INSERTS[connection.dialect.name]
    for name in names:
        connection.execute(
            insert(SmsProviderState)
            .values(provider=name, consecutive_failures=0)
            .on_conflict_do_nothing(index_elements=["provider"])
        )
    statement = select(SmsProviderState).where(SmsProviderState.provider.in_(names))
    if lock:
        statement = statement.with_for_update()
    rows = session.execute(statement.execution_options(populate_existing=True)).scalars()
    return {
        row.provider: ProviderHealth(row.provider, **{name: getattr(row, name) for name in _FIELDS})
        for row in rows
    }


def route(session: Session, providers: Providers, *, now: datetime) -> Route:
    """Where this round's new claims go."""
    if not providers.failover:
        return Route(providers.primary.name)
    return providers.route(read_health(session, providers.names), now)


def note_answers(
    session: Session,
    providers: Providers,
    answers: Sequence[tuple[Claim, SendResult]],
    *,
    now: datetime,
) -> frozenset[str]:
    """Judge each provider by its answers and store the result; the providers that are
    failing now (their transient failures are tried again at once, elsewhere). Nothing is
    read or written without failover."""
    if not providers.failover:
        return frozenset()
    by_provider: dict[str, list[SendResult]] = {}
    for claim, result in answers:
        if claim.provider in providers.names:
            by_provider.setdefault(claim.provider, []).append(result)
    if not by_provider:
        return frozenset()
    health = read_health(session, providers.names, lock=True)
    for name, results in by_provider.items():
        before = health[name]
        after = judge(before, results, now=now, policy=providers.policy)
        if after != before:
            values = {key: value for key, value in asdict(after).items() if key in _FIELDS}
            session.execute(
                update(SmsProviderState)
                .where(SmsProviderState.provider == name)
                .values(**values, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            health[name] = after
            if after.failing(now) and not before.failing(now):
                _due_at_once(session, name, now)
    session.flush()
    failing = {name for name, state in health.items() if state.failing(now)}
    # Only worth retrying at once when somewhere else is not failing too.
    return frozenset(failing) if len(failing) < len(providers.names) else frozenset()


def _due_at_once(session: Session, provider: str, now: datetime) -> None:
    """A provider just judged failing: the messages it failed before the judgement (queued
    again with a backoff) are due now, to go to the other provider at once."""
    for table in OUTBOX_TABLES:
        session.execute(
            update(table)
            .where(
                table.state == RecipientState.QUEUED,
                table.provider == provider,
                table.next_attempt_at > now,
            )
            .values(next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
