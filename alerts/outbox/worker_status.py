"""Whether SMS senders (`beredskap worker`) are alive, what they see, and whose claims are in
doubt: their heartbeats in the database.

Each worker process refreshes its row every few seconds from a thread of its own, with what
it sees of its gateway (`gateway_health`). The duty officer's pages read `sending_status`; the
reconciler reads `claim_in_doubt` (a `sending` row whose worker let go of it, stopped
beating, or has held it past the lease) and `confirmed_dead` (a worker on this host whose
process is gone, so nothing it sent can still be on its way).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, exists, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from alerts.gateway.health import AlarmState
from alerts.models import WorkerHeartbeat

# A worker beats every few seconds even when idle; this much silence means it is gone.
STALE_AFTER = timedelta(seconds=15)
# A claim held longer than this is in doubt even while its worker beats (the default of
# BEREDSKAP_SMS_SEND_LEASE_S: a live but stuck worker).
DEFAULT_LEASE = timedelta(seconds=300)
# Rows of processes long gone are removed when a worker starts.
FORGET_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class ProcessIdentity:
    """The process behind a worker: enough for another on the same host to tell it died."""

    host: str
    pid: int
    pid_namespace: str | None
    started: str | None  # the kernel's start time of the process (clock ticks after boot)

    @classmethod
    def current(cls) -> ProcessIdentity:
        return cls(socket.gethostname(), os.getpid(), _pid_namespace(), _started(os.getpid()))


def _pid_namespace() -> str | None:
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return None


def _started(pid: int) -> str | None:
    try:
        fields = open(f"/proc/{pid}/stat").read().rpartition(")")[2].split()  # noqa: SIM115
    except OSError:
        return None
    return fields[19] if len(fields) > 19 else None


def confirmed_dead(heartbeat: WorkerHeartbeat | None, here: ProcessIdentity) -> bool:
    """True only when `heartbeat`'s process certainly no longer runs: it ran on this host, in
    this pid namespace, and that pid is gone or is another process now. Anything else
    (another host, another container) cannot be told from here: False."""
    if heartbeat is None or heartbeat.pid is None or heartbeat.process_started is None:
        return False
    if heartbeat.host != here.host or heartbeat.pid_namespace != here.pid_namespace:
        return False
    if here.pid_namespace is None:
        return False
    return _started(heartbeat.pid) != heartbeat.process_started


def beat(
    session: Session,
    name: str,
    *,
    now: datetime,
    started_at: datetime,
    identity: ProcessIdentity | None = None,
    gateway: str | None = None,
    alarm: AlarmState | None = None,
) -> None:
    """Record that the worker `name` is alive at `now`, and its gateway's alarm. Flushes,
    never commits."""
    values: dict[str, object] = {"last_seen_at": now}
    if gateway is not None:
        values["gateway"] = gateway
        values["alarm"] = alarm.alarm.value if alarm else None
        values["alarm_since"] = (
            datetime.fromtimestamp(alarm.since, tz=now.tzinfo) if alarm else None
        )
        values["alarm_count"] = alarm.count if alarm else None
    updated = session.execute(
        update(WorkerHeartbeat)
        .where(WorkerHeartbeat.name == name)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not updated:
        process = identity or ProcessIdentity.current()
        session.add(
            WorkerHeartbeat(
                name=name,
                started_at=started_at,
                host=process.host,
                pid=process.pid,
                pid_namespace=process.pid_namespace,
                process_started=process.started,
                **values,
            )
        )
    session.flush()


def forget(session: Session, name: str, *, now: datetime) -> None:
    """Remove `name` (a worker that stops cleanly) and rows of long-gone processes."""
    session.execute(
        delete(WorkerHeartbeat).where(
            (WorkerHeartbeat.name == name) | (WorkerHeartbeat.last_seen_at < now - FORGET_AFTER)
        )
    )
    session.flush()


def forget_the_dead(session: Session, here: ProcessIdentity) -> list[str]:
    """Remove the heartbeats of workers on this host whose process is gone (killed, crashed):
    their claims are in doubt at once, not after `STALE_AFTER`. Their names."""
    if here.pid_namespace is None:
        return []
    candidates = session.scalars(
        select(WorkerHeartbeat).where(
            WorkerHeartbeat.host == here.host, WorkerHeartbeat.pid_namespace == here.pid_namespace
        )
    ).all()
    dead = [row for row in candidates if confirmed_dead(row, here)]
    if dead:
        session.execute(
            delete(WorkerHeartbeat).where(WorkerHeartbeat.id.in_([row.id for row in dead]))
        )
        session.flush()
    return [row.name for row in dead]


def latest_heartbeat(session: Session) -> WorkerHeartbeat | None:
    """The most recently seen worker, if any ever ran."""
    return session.scalars(
        select(WorkerHeartbeat).order_by(WorkerHeartbeat.last_seen_at.desc()).limit(1)
    ).first()


def sender_running(session: Session, now: datetime) -> bool:
    """True when some worker was seen within `STALE_AFTER` of `now`."""
    latest = latest_heartbeat(session)
    return latest is not None and latest.last_seen_at >= now - STALE_AFTER


def live_workers(session: Session, now: datetime) -> list[WorkerHeartbeat]:
    """The workers seen within `STALE_AFTER`, most recently seen first."""
    return list(
        session.scalars(
            select(WorkerHeartbeat)
            .where(WorkerHeartbeat.last_seen_at >= now - STALE_AFTER)
            .order_by(WorkerHeartbeat.last_seen_at.desc())
        )
    )


def held_by_live_worker(
    claimed_by: str | None,
    attempt_started_at: datetime | None,
    live: set[str],
    *,
    now: datetime,
    lease: timedelta = DEFAULT_LEASE,
) -> bool:
    """In Python, for rows already loaded: the opposite of `claim_in_doubt`, given the
    names of the live workers (`live_workers`)."""
    if claimed_by is None or claimed_by not in live:
        return False
    return attempt_started_at is None or attempt_started_at > now - lease


def claim_in_doubt(
    claimed_by: InstrumentedAttribute[str | None],
    attempt_started_at: InstrumentedAttribute[datetime | None],
    *,
    now: datetime,
    lease: timedelta,
    stale_after: timedelta = STALE_AFTER,
) -> ColumnElement[bool]:
    """SQL: a `sending` row's claim is in doubt: nobody holds it, its worker has not beaten
    within `stale_after`, or it has been held past the `lease` (a live but stuck worker)."""
    alive = exists().where(
        and_(
            WorkerHeartbeat.name == claimed_by,
            WorkerHeartbeat.last_seen_at >= now - stale_after,
        )
    )
    return or_(claimed_by.is_(None), ~alive, attempt_started_at <= now - lease)
