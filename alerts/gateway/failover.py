"""Two SMS providers, one at a time: which provider new messages go to, and when to switch.

`Providers` holds the gateways a worker may send through, by name: the primary and, when
`BEREDSKAP_SMS_SECONDARY` is set, the secondary. Which one a message goes to is decided
when it is claimed (and recorded on its outbox row before any provider is called), from the
providers' health that every worker shares (kept in the database by `alerts.outbox.
providers`, judged here):

- a provider is *failing* after `failover_after` transient or unknown failures in a row, or
  at once when it refuses our configuration; it stays failing for `cool_down`;
- while the primary fails, new messages go to the secondary;
- when the cool-down is over, one message at a time is tried through the primary (the
  probe) while the rest still go to the secondary; the first message it takes ends its
  failure, and everything goes to the primary again;
- a message goes to one provider per attempt: only an attempt that certainly did not reach
  its provider (transient) or was shown by that provider not to have been taken
  (reconciliation with that provider alone) is tried again, perhaps through the other.

Pure decisions: no database, no clock of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from alerts.gateway.port import FailureKind, SendAccepted, SendFailed, SendResult, SmsGateway

_logger = logging.getLogger("alerts")

# The providers as people name them (proper names: the same in every language).
PROVIDER_NAMES = {"twilio": "Twilio", "linkmobility": "LINK Mobility"}


def provider_name(name: str) -> str:
    return PROVIDER_NAMES.get(name, name)


@dataclass(frozen=True)
class FailoverPolicy:
    failover_after: int = 3
    cool_down: timedelta = timedelta(seconds=60)


@dataclass(frozen=True)
class ProviderHealth:
    """What is known of one provider (a row of `sms_provider_states`)."""

    provider: str
    consecutive_failures: int = 0
    failing_until: datetime | None = None
    last_failure: str | None = None
    last_failure_at: datetime | None = None
    last_success_at: datetime | None = None

    def failing(self, now: datetime) -> bool:
        return self.failing_until is not None and self.failing_until > now

    def on_probation(self, now: datetime) -> bool:
        """Its cool-down is over but it has not taken a message since: try it with one."""
        return self.failing_until is not None and self.failing_until <= now


@dataclass(frozen=True)
class Route:
    """Where new claims go: `provider` for all but `probe` (one message), None for neither
    (every provider is failing: wait)."""

    provider: str | None
    probe: str | None = None


class Providers:
    """The gateways of a worker: the primary and perhaps a secondary, by their names."""

    def __init__(
        self,
        primary: SmsGateway,
        secondary: SmsGateway | None = None,
        policy: FailoverPolicy | None = None,
    ) -> None:
        if secondary is not None and secondary.name == primary.name:
            raise ValueError("the secondary SMS provider must differ from the primary")
        self.primary = primary
        self.secondary = secondary
        self.policy = policy or FailoverPolicy()
        self._by_name = {gateway.name: gateway for gateway in (primary, secondary) if gateway}
        self._unknown: set[str] = set()

    @property
    def failover(self) -> bool:
        return self.secondary is not None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    @property
    def label(self) -> str:
        """For logs and the heartbeat: "twilio" or "twilio>linkmobility"."""
        return ">".join(self._by_name)[:32]

    def gateway(self, name: str | None) -> SmsGateway:
        """The gateway called `name`; the primary for a row from before providers were
        recorded (None) or for a name no longer configured (said once: a message in doubt
        there is then asked of the primary, which cannot know it)."""
        found = self._by_name.get(name or "")
        if found is not None:
            return found
        if name and name not in self._unknown and name != "local":
            self._unknown.add(name)
            _logger.warning(
                "SMS provider %s is no longer configured: its messages are handled by %s",
                name,
                self.primary.name,
            )
        return self.primary

    def route(self, health: Mapping[str, ProviderHealth], now: datetime) -> Route:
        """Where new messages go now; see the module docstring."""
        secondary = self.secondary.name if self.secondary is not None else None
        return route_between(self.primary.name, secondary, health, now)

    def close(self) -> None:
        for gateway in self._by_name.values():
            close = getattr(gateway, "close", None)
            if callable(close):
                close()


def route_between(
    primary: str, secondary: str | None, health: Mapping[str, ProviderHealth], now: datetime
) -> Route:
    """Where new messages go now between these two, by their health (the module docstring);
    also what the duty officer's sending panel says."""
    if secondary is None:
        return Route(primary)
    first = health.get(primary, ProviderHealth(primary))
    second = health.get(secondary, ProviderHealth(secondary))
    if first.failing_until is None:
        return Route(primary)
    if second.failing(now):
        # Both failing: the primary again once its cool-down is over, else wait.
        return Route(None, probe=primary if not first.failing(now) else None)
    if first.on_probation(now):
        return Route(secondary, probe=primary)
    return Route(secondary)


def judge(
    health: ProviderHealth,
    results: Iterable[SendResult],
    *,
    now: datetime,
    policy: FailoverPolicy,
) -> ProviderHealth:
    """The provider's health after these answers of its own, in the order they came."""
    for result in results:
        if isinstance(result, SendAccepted):
            health = replace(
                health, consecutive_failures=0, failing_until=None, last_success_at=now
            )
            continue
        assert isinstance(result, SendFailed)
        if result.kind is FailureKind.PERMANENT:
            continue  # the recipient's trouble: the provider answered
        count = health.consecutive_failures + 1
        failing = result.kind is FailureKind.CONFIGURATION or count >= policy.failover_after
        health = replace(
            health,
            consecutive_failures=count,
            last_failure=f"{result.kind}: {result.reason}"[:300],
            last_failure_at=now,
            failing_until=now + policy.cool_down if failing else health.failing_until,
        )
    return health
