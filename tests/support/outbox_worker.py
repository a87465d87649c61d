"""What the worker tests share: a clock they move, a gateway that answers from a script, a
worker with short test settings, and sessions on the test's rolled-back connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from alerts.gateway.port import (
    GatewayUnavailableError,
    MessageStatus,
    SendAccepted,
    SendResult,
    SentMessage,
)
from alerts.outbox.recording import RetryPolicy
from alerts.outbox.worker import SmsWorker, WorkerConfig

PUBLIC_URL = "https://beredskap.example.no"
NO_RETRY_SPREAD = RetryPolicy(max_attempts=3, base_delay_s=10, max_delay_s=10)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class ScriptedGateway:
    """Answers from a script per number (then accepts); counts what was handed over."""

    name = "scripted"
    longest_send_s = 30.0

    def __init__(self, script: dict[str, list[SendResult]] | None = None) -> None:
        self.script = {to: list(results) for to, results in (script or {}).items()}
        self.sent: list[dict[str, object]] = []
        self.listed: dict[str, list[SentMessage]] = {}
        self.list_unavailable = False
        self._lock = threading.Lock()
        self._counter = 0

    def send(
        self,
        to: str,
        body: str,
        *,
        reference: str,
        status_callback_url: str | None = None,
        validity_period_s: int | None = None,
    ) -> SendResult:
        with self._lock:
            self.sent.append(
                {
                    "to": to,
                    "body": body,
                    "reference": reference,
                    "callback": status_callback_url,
                    "validity": validity_period_s,
                }
            )
            planned = self.script.get(to)
            if planned:
                return planned.pop(0)
            self._counter += 1
            return SendAccepted(f"SM{self._counter:032x}", MessageStatus.QUEUED)

    def find_sent(self, to: str, since: datetime) -> list[SentMessage]:
        if self.list_unavailable:
            raise GatewayUnavailableError("the list is down")
        return self.listed.get(to, [])

    def sends_to(self, to: str) -> int:
        return sum(1 for record in self.sent if record["to"] == to)


@pytest.fixture
def sessions(session: Session) -> sessionmaker[Session]:
    """Sessions on the test's connection: each commit is a savepoint, all rolled back after."""
    return sessionmaker(
        bind=session.connection(),
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    )


def make_worker(
    sessions: sessionmaker[Session],
    gateway: object,
    clock: Callable[[], datetime] | None = None,
    **config: object,
) -> SmsWorker:
    settings: dict[str, object] = {
        "concurrency": 4,
        "lease": timedelta(seconds=60),
        "public_url": PUBLIC_URL,
        "validity_period_s": 900,
        "idle_poll_s": 0.01,
        "housekeeping_every_s": 0.0,
        "policy": NO_RETRY_SPREAD,
    }
    settings.update(config)
    return SmsWorker(
        sessions,
        gateway,  # type: ignore[arg-type]
        WorkerConfig(**settings),  # type: ignore[arg-type]
        clock=clock or Clock(),
    )
