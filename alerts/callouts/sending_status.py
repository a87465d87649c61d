"""The state of SMS sending as the duty officer must see it: who sends, through which
provider, what waits, what is in doubt, what failed, and what the provider refuses.

Read from the workers' heartbeats (`worker_status`; each carries its gateway and alarm) and
the outbox tables, in a few counting queries. With a secondary SMS provider (a worker's
gateway is "primary>secondary") the providers' shared health (`sms_provider_states`, read
only) says, by the same rule the workers route by (`failover.route_between`), which provider
carries new messages now. Shown on the callout pages and the duty
officer's dashboard (`panel`, registered by the composition root), in the reader's language:
the alarms are codes, said in words by the template.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request
from markupsafe import Markup
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from alerts.gateway.failover import ProviderHealth, provider_name, route_between
from alerts.models import (
    Callout,
    CalloutRecipient,
    CalloutStatus,
    RecipientState,
    SmsProviderState,
    WorkerHeartbeat,
)
from alerts.outbox.references import OUTBOX_TABLES
from alerts.outbox.worker_status import DEFAULT_LEASE, STALE_AFTER, claim_in_doubt, live_workers
from alerts.roles import CALLOUT_ROLES
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import utcnow
from beredskap.platform.web.rendering import render_fragment

# Failures of the last this long count on the panel (older ones are on each callout's page).
RECENT_FAILURES = timedelta(hours=1)


@dataclass(frozen=True)
class Alarm:
    code: str  # gateway_health.GatewayAlarm, or "no_sender"
    since: datetime | None
    count: int


@dataclass(frozen=True)
class Failover:
    """Two providers: which is primary, and which carries new messages now."""

    primary: str
    secondary: str
    carrying: str | None  # None: both are failing, messages wait
    probing: str | None  # the primary tried with one message at a time, after its cool-down
    primary_failed_at: datetime | None

    @property
    def active(self) -> bool:
        """New messages do not go through the primary."""
        return self.carrying != self.primary

    def name(self, provider: str | None) -> str:
        return provider_name(provider or "")


@dataclass(frozen=True)
class SendingStatus:
    workers: int
    gateways: tuple[str, ...]
    last_seen: datetime | None
    queued: int
    sending: int
    in_doubt: int
    failed: int
    alarms: tuple[Alarm, ...]
    failover: Failover | None = None

    @property
    def waiting(self) -> int:
        return self.queued + self.sending + self.in_doubt

    def name(self, gateway: str) -> str:
        """A sender's gateway as people name it ("twilio>linkmobility": both, primary first)."""
        return " > ".join(provider_name(provider) for provider in gateway.split(">"))


def _count(session: Session, statement: Select[tuple[int]]) -> int:
    return int(session.scalar(statement) or 0)


def current(
    session: Session, now: datetime | None = None, *, lease: timedelta = DEFAULT_LEASE
) -> SendingStatus:
    """What the outbox holds and what the live workers see, now."""
    moment = now or utcnow()
    workers = live_workers(session, moment)
    queued = sending = in_doubt = failed = 0
    for table in OUTBOX_TABLES:
        queued += _count(session, select(func.count()).where(table.state == RecipientState.QUEUED))
        in_flight = _count(
            session, select(func.count()).where(table.state == RecipientState.SENDING)
        )
        doubtful = _count(
            session,
            select(func.count()).where(
                table.state == RecipientState.SENDING,
                claim_in_doubt(table.claimed_by, table.attempt_started_at, now=moment, lease=lease),
            ),
        )
        sending += in_flight - doubtful
        in_doubt += doubtful
        recent = select(func.count()).where(
            table.state == RecipientState.FAILED, table.updated_at >= moment - RECENT_FAILURES
        )
        if table is CalloutRecipient:
            recent = recent.where(
                CalloutRecipient.callout_id.in_(
                    select(Callout.id).where(Callout.status == CalloutStatus.ACTIVE)
                )
            )
        failed += _count(session, recent)
    alarms: dict[str, Alarm] = {}
    for worker in workers:
        if worker.alarm and worker.alarm not in alarms:
            alarms[worker.alarm] = Alarm(worker.alarm, worker.alarm_since, worker.alarm_count or 0)
    if not workers:
        last = session.scalar(select(func.max(WorkerHeartbeat.last_seen_at)))
        alarms["no_sender"] = Alarm("no_sender", last, 0)
    gateways = tuple(sorted({worker.gateway for worker in workers if worker.gateway}))
    return SendingStatus(
        workers=len(workers),
        gateways=gateways,
        last_seen=workers[0].last_seen_at if workers else None,
        queued=queued,
        sending=sending,
        in_doubt=in_doubt,
        failed=failed,
        alarms=tuple(alarms.values()),
        failover=_failover(session, gateways, moment),
    )


def _failover(session: Session, gateways: tuple[str, ...], now: datetime) -> Failover | None:
    """Which provider carries new messages, when a sender has a secondary ("a>b")."""
    pairs = [gateway.split(">") for gateway in gateways if gateway.count(">") == 1]
    if not pairs:
        return None
    primary, secondary = pairs[0]
    rows = session.scalars(
        select(SmsProviderState).where(SmsProviderState.provider.in_([primary, secondary]))
    )
    health = {
        row.provider: ProviderHealth(
            row.provider,
            consecutive_failures=row.consecutive_failures,
            failing_until=row.failing_until,
            last_failure=row.last_failure,
            last_failure_at=row.last_failure_at,
            last_success_at=row.last_success_at,
        )
        for row in rows
    }
    route = route_between(primary, secondary, health, now)
    first = health.get(primary)
    return Failover(
        primary=primary,
        secondary=secondary,
        carrying=route.provider,
        probing=route.probe,
        primary_failed_at=first.last_failure_at if first and first.failing_until else None,
    )


def panel(request: Request, session: Session, principal: Principal) -> Markup | None:
    """The dashboard's sending panel, for the roles that run callouts."""
    if principal.role not in CALLOUT_ROLES:
        return None
    return render_fragment(
        request,
        "callouts/sending_status.html",
        {"status": current(session), "stale_after_s": int(STALE_AFTER.total_seconds())},
    )
