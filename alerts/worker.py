"""The SMS sender behind `beredskap worker`: drains the outbox through the gateway.

One main thread does all the database work in short transactions; a pool of at most
`concurrency` threads only calls the gateway. A round:

1. claim as many due messages as there are free threads and COMMIT (`outbox.claim_due`),
   then hand each to the pool: a message is never sent without a trace in the database;
2. record each answer as it comes (`outbox.record_result`), committed at once;
3. every few seconds, housekeeping: the heartbeat (`worker_status`), due escalations
   (`escalation.escalate_due`), and reconciling messages left `sending` past the lease
   (a worker died, or the gateway could not tell) with the provider's message list.

Killed at any moment, it loses nothing and doubles nothing: a claimed row whose answer was
not recorded stays `sending`, and after the lease the next worker asks the provider whether
it went out before it sends it again. Any number of workers may run side by side.
A stop request (SIGTERM, SIGINT) ends claiming, waits for the sends in flight and records
them.
"""

from __future__ import annotations

import itertools
import logging
import os
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from alerts import outbox, worker_status
from alerts.email_gateway import EmailGateway, LocalEmailGateway
from alerts.escalation import escalate_due
from alerts.gateway import (
    FailureKind,
    GatewayUnavailableError,
    SendFailed,
    SendResult,
    SentMessage,
    SmsGateway,
)
from alerts.models import MessageChannel
from alerts.outbox import Claim, Outcome, RetryPolicy
from alerts.redaction import mask_phone
from alerts.webhook_signature import status_callback_url
from beredskap.columns import today_in_norway, utcnow
from beredskap.db import transaction
from beredskap.settings import Settings

_logger = logging.getLogger("alerts.worker")
STATUS_WEBHOOK_PATH = "/webhooks/twilio/status"
ACTOR = "sms worker"
_numbering = itertools.count(1)
T = TypeVar("T")


@dataclass(frozen=True)
class WorkerConfig:
    concurrency: int = 50
    lease: timedelta = timedelta(minutes=5)
    public_url: str | None = None
    validity_period_s: int | None = None
    idle_poll_s: float = 1.0
    housekeeping_every_s: float = 5.0
    configuration_pause: timedelta = timedelta(minutes=1)
    database_pause_s: float = 5.0
    policy: RetryPolicy = field(default_factory=RetryPolicy)

    @classmethod
    def from_settings(cls, settings: Settings, *, concurrency: int | None = None) -> WorkerConfig:
        return cls(
            concurrency=concurrency or settings.sms_max_concurrency,
            lease=timedelta(seconds=settings.sms_send_lease_s),
            public_url=settings.public_url,
            validity_period_s=settings.sms_validity_period_s,
        )


class SmsWorker:
    """Sends what the outbox holds; see the module docstring."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        gateway: SmsGateway,
        config: WorkerConfig,
        *,
        name: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        email_gateway: EmailGateway | None = None,
    ) -> None:
        self.sessions = sessions
        self.gateway = gateway
        # E-mail (reminders): recorded locally unless the caller passes SMTP.
        self.email_gateway: EmailGateway = email_gateway or LocalEmailGateway()
        self.config = config
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{next(_numbering)}"
        self.outcomes: Counter[Outcome] = Counter()
        self._clock = clock
        self._rng = rng or random.Random()
        self._stopping = threading.Event()
        self._started_at = clock()
        self._paused_until = 0.0
        self._last_error: SQLAlchemyError | None = None

    def stop(self) -> None:
        """Ask the worker to finish: no new claims; sends in flight are awaited and recorded.
        Safe from a signal handler."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def run(self, *, once: bool = False) -> Counter[Outcome]:
        """Send until stopped; with `once`, until nothing is due (then return)."""
        _logger.info(
            "sms worker %s: sending through the %s gateway, %d at a time",
            self.name,
            self.gateway.name,
            self.config.concurrency,
        )
        in_flight: dict[Future[SendResult], Claim] = {}
        next_housekeeping = 0.0
        with ThreadPoolExecutor(self.config.concurrency, thread_name_prefix="sms-send") as pool:
            try:
                while True:
                    if time.monotonic() >= next_housekeeping:
                        self._housekeeping(pool)
                        next_housekeeping = time.monotonic() + self.config.housekeeping_every_s
                    claimed = self._claim_into(pool, in_flight)
                    if in_flight:
                        done, _ = wait(
                            in_flight, timeout=self.config.idle_poll_s, return_when=FIRST_COMPLETED
                        )
                        self._record({future: in_flight.pop(future) for future in done})
                        continue
                    if self.stopping:
                        break
                    if once and not claimed:
                        # Drained (paused counts: a cron run must not wait out an alarm).
                        if self._paused() or not self._reconcile(pool):
                            break
                        continue
                    if not claimed:
                        self._stopping.wait(self.config.idle_poll_s)
            finally:
                # Killed by an exception or stopped: what is in flight is still recorded.
                if in_flight:
                    wait(in_flight)
                    self._record(dict(in_flight))
                self._goodbye()
        _logger.info("sms worker %s stopped: %s", self.name, dict(self.outcomes))
        return self.outcomes

    # -- steps -------------------------------------------------------------------------------

    def _claim_into(
        self, pool: ThreadPoolExecutor, in_flight: dict[Future[SendResult], Claim]
    ) -> int:
        room = self.config.concurrency - len(in_flight)
        if room <= 0 or self.stopping or self._paused():
            return 0
        claims = self._in_transaction(
            "claim", lambda session: outbox.claim_due(session, now=self._clock(), limit=room)
        )
        # Committed (or None, and nothing was claimed): only now may the gateway be called.
        for claim in claims or []:
            in_flight[pool.submit(self._send, claim)] = claim
        return len(claims or [])

    def _send(self, claim: Claim) -> SendResult:
        if claim.channel is MessageChannel.EMAIL:
            return self._send_email(claim)
        callback = (
            status_callback_url(self.config.public_url, STATUS_WEBHOOK_PATH, claim.reference)
            if self.config.public_url
            else None
        )
        try:
            return self.gateway.send(
                claim.to,
                claim.body,
                reference=claim.reference,
                status_callback_url=callback,
                validity_period_s=self.config.validity_period_s,
            )
        except Exception as error:  # the port promises results; if not, assume it may be sent
            _logger.exception("sms %s: the gateway raised", claim.reference)
            return SendFailed(FailureKind.UNKNOWN, f"gateway error: {type(error).__name__}")

    def _send_email(self, claim: Claim) -> SendResult:
        try:
            return self.email_gateway.send(
                claim.to, claim.subject or "", claim.body, reference=claim.reference
            )
        except Exception as error:  # SMTP keeps no list to reconcile with: try again later
            _logger.exception("e-mail %s: the gateway raised", claim.reference)
            return SendFailed(FailureKind.TRANSIENT, f"e-mail error: {type(error).__name__}")

    def _record(self, results: dict[Future[SendResult], Claim]) -> None:
        """Record answers; if that fails the rows stay `sending` and are reconciled later."""
        if not results:
            return
        answers = [(claim, future.result()) for future, claim in results.items()]
        recorded = self._in_transaction("record", self._recorder(answers))
        if recorded is None and isinstance(self._last_error, IntegrityError) and len(answers) > 1:
            # One row's trouble must not leave the whole batch to reconciliation.
            recorded = []
            for answer in answers:
                recorded += self._in_transaction("record one", self._recorder([answer])) or []
        for claim, result, outcome in recorded or []:
            self.outcomes[outcome] += 1
            if outcome is Outcome.PAUSE:
                self._alarm(result)
            elif outcome is Outcome.STALE:  # a receipt came first, or the lease ran out
                _logger.info("sms %s: the row had moved on when sent", claim.reference)

    def _recorder(
        self, answers: list[tuple[Claim, SendResult]]
    ) -> Callable[[Session], list[tuple[Claim, SendResult, Outcome]]]:
        def record(session: Session) -> list[tuple[Claim, SendResult, Outcome]]:
            now = self._clock()
            return [
                (
                    claim,
                    result,
                    outbox.record_result(
                        session,
                        claim,
                        result,
                        now=now,
                        policy=self.config.policy,
                        rng=self._rng,
                        pause=self.config.configuration_pause,
                    ),
                )
                for claim, result in answers
            ]

        return record

    def _housekeeping(self, pool: ThreadPoolExecutor) -> None:
        now = self._clock()
        self._in_transaction(
            "heartbeat",
            lambda session: worker_status.beat(
                session, self.name, now=now, started_at=self._started_at
            ),
        )
        escalated = self._in_transaction(
            "escalation",
            lambda session: escalate_due(session, now=now, on=today_in_norway()),
        )
        if escalated:
            _logger.info("escalated callouts %s", escalated)
        self._reconcile(pool)

    def _reconcile(self, pool: ThreadPoolExecutor) -> int:
        """Settle messages left `sending` past the lease; how many were looked at."""
        claims = self._in_transaction(
            "reconcile claim",
            lambda session: outbox.claim_stale(
                session, now=self._clock(), lease=self.config.lease, limit=self.config.concurrency
            ),
        )
        if not claims:
            return 0
        answers = list(pool.map(self._find_sent, claims))

        def record(session: Session) -> list[Outcome]:
            now = self._clock()
            return [
                outbox.record_reconciled(session, claim, found, now=now, policy=self.config.policy)
                for claim, found in zip(claims, answers, strict=True)
            ]

        outcomes = self._in_transaction("reconcile", record) or []
        for claim, outcome in zip(claims, outcomes, strict=False):
            self.outcomes[outcome] += 1
            _logger.info("sms %s: reconciled after the lease: %s", claim.reference, outcome)
        return len(claims)

    def _find_sent(self, claim: Claim) -> list[SentMessage] | None:
        if claim.channel is MessageChannel.EMAIL:
            return []  # SMTP keeps no list: an e-mail left in flight is sent again
        try:
            return self.gateway.find_sent(claim.to, claim.attempt_started_at)
        except GatewayUnavailableError as error:
            _logger.warning(
                "sms %s to %s: cannot reconcile yet: %s",
                claim.reference,
                mask_phone(claim.to),
                error,
            )
        except Exception:
            _logger.exception("sms %s: reconciling failed", claim.reference)
        return None

    def _goodbye(self) -> None:
        self._in_transaction(
            "heartbeat", lambda session: worker_status.forget(session, self.name, now=self._clock())
        )

    # -- helpers -----------------------------------------------------------------------------

    def _paused(self) -> bool:
        return time.monotonic() < self._paused_until

    def _alarm(self, result: SendResult) -> None:
        pause = self.config.configuration_pause.total_seconds()
        self._paused_until = time.monotonic() + pause
        reason = result.reason if isinstance(result, SendFailed) else ""
        # The gateway's reason names no number and no token; the settings are what to check.
        _logger.error(
            "ALARM: the %s gateway refused our account or settings (%s); sending paused for "
            "%.0f s, messages stay queued. Check the BEREDSKAP_TWILIO_* settings.",
            self.gateway.name,
            reason,
            pause,
        )

    def _in_transaction(self, what: str, work: Callable[[Session], T]) -> T | None:
        """`work` in a committed transaction; None after a database error (logged, paused)."""
        try:
            with transaction(self.sessions, actor=ACTOR) as session:
                return work(session)
        except SQLAlchemyError as error:
            self._last_error = error
            _logger.error("sms worker: %s failed: %s", what, type(error).__name__)
            if not isinstance(error, IntegrityError):  # the database is away: give it time
                self._stopping.wait(self.config.database_pause_s)
            return None
