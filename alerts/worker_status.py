"""Whether an SMS sender (`beredskap worker`) is running: its heartbeat in the database.

Each worker process refreshes its row every round; the duty officer's pages ask
`sender_running` so a callout is never "sending" in silence with no sender alive.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from alerts.models import WorkerHeartbeat

# A worker beats every few seconds even when idle; this much silence means it is gone.
STALE_AFTER = timedelta(seconds=60)
# Rows of processes long gone are removed when a worker starts.
FORGET_AFTER = timedelta(days=7)


def beat(session: Session, name: str, *, now: datetime, started_at: datetime) -> None:
    """Record that the worker `name` is alive at `now`. Flushes, never commits."""
    updated = session.execute(
        update(WorkerHeartbeat)
        .where(WorkerHeartbeat.name == name)
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not updated:
        session.add(WorkerHeartbeat(name=name, started_at=started_at, last_seen_at=now))
    session.flush()


def forget(session: Session, name: str, *, now: datetime) -> None:
    """Remove `name` (a worker that stops cleanly) and rows of long-gone processes."""
    session.execute(
        delete(WorkerHeartbeat).where(
            (WorkerHeartbeat.name == name) | (WorkerHeartbeat.last_seen_at < now - FORGET_AFTER)
        )
    )
    session.flush()


def latest_heartbeat(session: Session) -> WorkerHeartbeat | None:
    """The most recently seen worker, if any ever ran."""
    return session.scalars(
        select(WorkerHeartbeat).order_by(WorkerHeartbeat.last_seen_at.desc()).limit(1)
    ).first()


def sender_running(session: Session, now: datetime) -> bool:
    """True when some worker was seen within `STALE_AFTER` of `now`."""
    latest = latest_heartbeat(session)
    return latest is not None and latest.last_seen_at >= now - STALE_AFTER
