"""The SMS sender behind `beredskap worker`: drains the outbox through the gateway.

One main thread does all the database work; a pool of at most `concurrency` threads only
calls the gateway; a heartbeat thread says every few seconds that the worker lives and what
it sees of its gateway (`gateway_health`). A round of the main thread:

1. in ONE transaction: record the answers that came back since the last round
   (`recording.record_results`) and claim as many due messages as there are free threads
   (`outbox.claim_due`, in priority order); COMMIT, and only then hand the claims to the
   pool, so a message is never sent without a trace in the database;
2. wait until a send finishes (and a few milliseconds more, so that answers are recorded
   together rather than one transaction each);
3. every few seconds, housekeeping: due escalations (`escalation.escalate_due`) and
   reconciling messages whose claim is in doubt (`worker_status.claim_in_doubt`: a worker
   let go of it, stopped beating, or held it past the lease) with the provider's list.

Killed at any moment, it loses nothing and doubles nothing: a claimed row whose answer was
not recorded stays `sending` with this worker's name; once its heartbeat is older than
`worker_status.STALE_AFTER` another worker asks the provider whether it went out, and sends
it again only if not, and only when nothing of that attempt can still be on its way (the
process is known dead, or the gateway's longest send has passed). Any number of workers may
run side by side.

Faults are waited out, never fatal: when the database is away, full or locked, the answers
already received are kept and recorded as soon as it answers again (the reason is logged in
words, once per outage); when the provider refuses our account, sending pauses and the
alarm goes to the pages through the heartbeat. A stop request (SIGTERM, SIGINT) ends
claiming, waits for the sends in flight and records them.
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
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from alerts.callouts.escalation import escalate_due
from alerts.callouts.service import MAX_RECIPIENTS
from alerts.gateway.email_gateway import EmailGateway, LocalEmailGateway
from alerts.gateway.failover import Providers
from alerts.gateway.health import GatewayAlarm, GatewayHealth
from alerts.gateway.port import (
    FailureKind,
    GatewayUnavailableError,
    SendFailed,
    SendResult,
    SentMessage,
    SmsGateway,
)
from alerts.inbound.signature import status_callback_url
from alerts.models import MessageChannel, WorkerHeartbeat
from alerts.outbox import claims as outbox
from alerts.outbox import providers as provider_health
from alerts.outbox import recording, worker_status
from alerts.outbox.claims import Claim
from alerts.outbox.recording import Outcome, RetryPolicy
from alerts.outbox.worker_status import ProcessIdentity, confirmed_dead
from alerts.redaction import mask_phone
from alerts.settings import AlertSettings
from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.platform.database_errors import describe, is_lost_race, is_transient
from beredskap.platform.db import transaction

_logger = logging.getLogger("alerts.worker")
STATUS_WEBHOOK_PATH = "/webhooks/twilio/status"
ACTOR = "sms worker"
_numbering = itertools.count(1)
T = TypeVar("T")
Answer = tuple[Claim, SendResult]
# What a send thread answers for a claim it took after a stop was asked for: never sent.
NOT_SENT = SendFailed(FailureKind.TRANSIENT, "not sent: the worker was stopping")


@dataclass(frozen=True)
class WorkerConfig:
    concurrency: int = 50
    lease: timedelta = timedelta(minutes=5)
    public_url: str | None = None
    validity_period_s: int | None = None
    idle_poll_s: float = 1.0
    # After a send finishes, wait this much for others before recording them together.
    round_linger_s: float = 0.005
    # Claims handed to the pool beyond its threads: a thread that finishes a send starts the
    # next at once instead of waiting for the main thread's round (a share of concurrency).
    prefetch_share: float = 0.5
    housekeeping_every_s: float = 5.0
    heartbeat_every_s: float = 5.0
    stale_after: timedelta = worker_status.STALE_AFTER
    configuration_pause: timedelta = timedelta(minutes=1)
    # After a database error: the first pause, doubled up to the longest.
    database_pause_s: float = 0.5
    database_longest_pause_s: float = 5.0
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    max_recipients: int = MAX_RECIPIENTS  # an escalation asks at most this many in all

    @classmethod
    def from_settings(
        cls, settings: AlertSettings, *, concurrency: int | None = None
    ) -> WorkerConfig:
        return cls(
            max_recipients=settings.callout_max_recipients,
            concurrency=concurrency or settings.sms_max_concurrency,
            lease=timedelta(seconds=settings.sms_send_lease_s),
            public_url=settings.public_url,
            validity_period_s=settings.sms_validity_period_s,
        )


class _DatabaseTrouble:
    """Logs a database outage once in words, then when it ends; backs off meanwhile."""

    def __init__(self, first_pause_s: float, longest_pause_s: float) -> None:
        self._first = first_pause_s
        self._longest = longest_pause_s
        self._pause = first_pause_s
        self._since: float | None = None
        self._lock = threading.Lock()

    def failed(self, what: str, error: Exception) -> float:
        """Note a failure; how long to wait before trying again."""
        with self._lock:
            if self._since is None:
                self._since = time.monotonic()
                _logger.error(
                    "sms worker: %s failed: %s; waiting for the database, nothing is lost "
                    "(answers received are recorded when it is back)",
                    what,
                    describe(error),
                )
            else:
                _logger.debug("sms worker: %s failed again: %s", what, describe(error))
            pause = self._pause
            self._pause = min(self._pause * 2, self._longest)
            return pause

    def succeeded(self) -> None:
        with self._lock:
            if self._since is not None:
                _logger.warning(
                    "sms worker: the database answers again after %.0f s",
                    time.monotonic() - self._since,
                )
            self._since = None
            self._pause = self._first


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
        identity: ProcessIdentity | None = None,
        providers: Providers | None = None,
        rounds: Sequence[Callable[[], object]] = (),
    ) -> None:
        self.sessions = sessions
        # More work run with the housekeeping, each in its own transactions (the voice
        # calls, `alerts.voice.caller`); an error in one is logged and tried again next time.
        self.rounds = tuple(rounds)
        self.gateway = gateway
        # The SMS providers: `gateway` alone, or it and a secondary to fail over to.
        self.providers = providers or Providers(gateway)
        # E-mail (reminders): recorded locally unless the caller passes SMTP.
        self.email_gateway: EmailGateway = email_gateway or LocalEmailGateway()
        self.config = config
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{next(_numbering)}"
        self.identity = identity or ProcessIdentity.current()
        self.outcomes: Counter[Outcome] = Counter()
        self.health = GatewayHealth()
        self._clock = clock
        self._rng = rng or random.Random()
        self._stopping = threading.Event()
        self._started_at = clock()
        self._paused_until = 0.0
        self._errors = threading.local()  # the last error of each thread's transaction
        self._trouble = _DatabaseTrouble(config.database_pause_s, config.database_longest_pause_s)
        self._unrecorded: list[Answer] = []
        self._unsent: list[Claim] = []
        # Sends in the pool at most: its threads plus those waiting for one (see prefetch).
        self._capacity = config.concurrency + int(config.concurrency * config.prefetch_share)
        self._alarm: GatewayAlarm | None = None

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
            self.providers.label,
            self.config.concurrency,
        )
        beating = threading.Event()
        heartbeat = threading.Thread(
            target=self._beat_until, args=(beating,), name="sms-heartbeat", daemon=True
        )
        self._beat()
        heartbeat.start()
        in_flight: dict[Future[SendResult], Claim] = {}
        next_housekeeping = 0.0
        with ThreadPoolExecutor(self.config.concurrency, thread_name_prefix="sms-send") as pool:
            try:
                while True:
                    if self.stopping:
                        self._release_unstarted(in_flight)
                    if time.monotonic() >= next_housekeeping:
                        busy = self._housekeeping(pool)
                        next_housekeeping = time.monotonic() + (
                            1.0 if busy else self.config.housekeeping_every_s
                        )
                    self._collect(in_flight)
                    claimed = self._round(pool, in_flight)
                    if in_flight:
                        wait(
                            in_flight, timeout=self.config.idle_poll_s, return_when=FIRST_COMPLETED
                        )
                        if self.config.round_linger_s:
                            time.sleep(self.config.round_linger_s)
                        continue
                    if self._unrecorded:  # the database is away: keep trying to record
                        if self.stopping and not self._record_pending_on_stop():
                            break
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
                self._release_unstarted(in_flight)
                if in_flight:
                    wait(in_flight)
                    self._collect(in_flight)
                    self._release_unstarted(in_flight)
                if self._unrecorded:
                    self._record_pending_on_stop()
                beating.set()
                heartbeat.join(timeout=10)
                self._goodbye()
        _logger.info("sms worker %s stopped: %s", self.name, dict(self.outcomes))
        return self.outcomes

    # -- steps -------------------------------------------------------------------------------

    def _collect(self, in_flight: dict[Future[SendResult], Claim]) -> None:
        for future in [future for future in in_flight if future.done()]:
            claim = in_flight.pop(future)
            if future.cancelled():
                continue
            result = future.result()
            if result is NOT_SENT:
                self._unsent.append(claim)
            else:
                self._unrecorded.append((claim, result))

    def _round(self, pool: ThreadPoolExecutor, in_flight: dict[Future[SendResult], Claim]) -> int:
        """Record what came back and claim for the free threads, in one transaction; then
        hand the claims to the pool. How many were claimed."""
        answers = list(self._unrecorded)
        room = self._capacity - len(in_flight)
        refused = any(
            isinstance(result, SendFailed) and result.kind is FailureKind.CONFIGURATION
            for _claim, result in answers
        )
        if refused and self.providers.failover:
            refused = False  # the refusing provider is judged failing: the other one sends
        if room <= 0 or self.stopping or self._paused() or refused:
            room = 0  # refused: sending pauses once the refusal is recorded
        if not answers and not room:
            return 0

        def work(session: Session) -> tuple[list[Outcome], list[Claim]]:
            now = self._clock()
            outcomes: list[Outcome] = []
            if answers:
                failing = provider_health.note_answers(session, self.providers, answers, now=now)
                outcomes = self._record_in(session, answers, now, failing)
            return outcomes, self._claim_routed(session, room, now)

        done = self._in_transaction("send round", work)
        if done is None and answers and isinstance(self._last_error, IntegrityError):
            # One row's trouble must not keep the others unrecorded: each alone.
            self._record_one_by_one(answers)
            done = self._in_transaction(
                "claim", lambda session: ([], self._claim_routed(session, room, self._clock()))
            )
        elif done is not None:
            self._account(answers, done[0])
            del self._unrecorded[: len(answers)]
        claims = done[1] if done is not None else []
        # Committed: only now may the gateway be called.
        for claim in claims:
            in_flight[pool.submit(self._send, claim)] = claim
        return len(claims)

    def _claim_routed(self, session: Session, room: int, now: datetime) -> list[Claim]:
        """Claim for `room` free places, each to the provider the failover chooses now: a
        probe of a recovering primary takes one, the rest go where the route says."""
        if room <= 0:
            return []
        route = provider_health.route(session, self.providers, now=now)
        claims: list[Claim] = []
        if route.probe is not None:
            claims += outbox.claim_due(
                session, now=now, limit=1, worker=self.name, provider=route.probe
            )
        if route.provider is not None:
            claims += outbox.claim_due(
                session,
                now=now,
                limit=room - len(claims),
                worker=self.name,
                provider=route.provider,
            )
        return claims

    def _release_unstarted(self, in_flight: dict[Future[SendResult], Claim]) -> None:
        """Claims handed to the pool that no thread has started (the prefetch): back to the
        queue, for this or another worker, rather than sent after a stop was asked for."""
        unstarted = [claim for future, claim in list(in_flight.items()) if future.cancel()]
        for future in [future for future in in_flight if future.cancelled()]:
            del in_flight[future]
        unstarted += self._unsent
        self._unsent = []
        if not unstarted:
            return
        self._in_transaction(
            "release",
            lambda session: outbox.release(session, unstarted, worker=self.name),
            wait=False,
        )

    def _record_in(
        self,
        session: Session,
        answers: list[Answer],
        now: datetime,
        retry_at_once: frozenset[str] = frozenset(),
    ) -> list[Outcome]:
        return recording.record_results(
            session,
            answers,
            now=now,
            policy=self.config.policy,
            rng=self._rng,
            retry_at_once=retry_at_once,
        )

    def _record_one_by_one(self, answers: list[Answer]) -> None:
        for answer in answers:
            outcomes = self._in_transaction(
                "record one", lambda session, a=answer: self._record_in(session, [a], self._clock())
            )
            if outcomes is not None or isinstance(self._last_error, IntegrityError):
                # Recorded, or never recordable (left `sending` for reconciliation).
                self._account([answer], outcomes or [])
                self._unrecorded.remove(answer)

    def _record_pending_on_stop(self) -> bool:
        """Stopping: try a few times to record what came back; False when the database
        stays away (the rows stay `sending`, and others reconcile them)."""
        for _ in range(5):
            outcomes = self._in_transaction(
                "record", lambda session: self._record_in(session, self._unrecorded, self._clock())
            )
            if outcomes is not None:
                self._account(self._unrecorded, outcomes)
                self._unrecorded.clear()
                return True
        _logger.error(
            "sms worker: stopping with %d answers unrecorded; other workers will reconcile "
            "them with the provider's list",
            len(self._unrecorded),
        )
        self._unrecorded.clear()
        return False

    def _account(self, answers: list[Answer], outcomes: list[Outcome]) -> None:
        for (claim, result), outcome in zip(answers, outcomes, strict=False):
            self.outcomes[outcome] += 1
            if outcome is Outcome.PAUSE and not self.providers.failover:
                self._pause(result)
            elif outcome is Outcome.STALE:  # a receipt came first, or it was reconciled
                _logger.info("sms %s: the row had moved on when sent", claim.reference)

    def _send(self, claim: Claim) -> SendResult:
        if self.stopping:  # a claim a thread took after the stop: given back, not sent
            return NOT_SENT
        if claim.channel is MessageChannel.EMAIL:
            return self._send_email(claim)
        callback = (
            status_callback_url(self.config.public_url, STATUS_WEBHOOK_PATH, claim.reference)
            if self.config.public_url
            else None
        )
        try:
            result = self.providers.gateway(claim.provider).send(
                claim.to,
                claim.body,
                reference=claim.reference,
                status_callback_url=callback,
                validity_period_s=self.config.validity_period_s,
            )
        except Exception as error:  # the port promises results; if not, assume it may be sent
            _logger.exception("sms %s: the gateway raised", claim.reference)
            result = SendFailed(FailureKind.UNKNOWN, f"gateway error: {type(error).__name__}")
        self.health.note(result)
        return result

    def _send_email(self, claim: Claim) -> SendResult:
        try:
            return self.email_gateway.send(
                claim.to, claim.subject or "", claim.body, reference=claim.reference
            )
        except Exception as error:  # SMTP keeps no list to reconcile with: try again later
            _logger.exception("e-mail %s: the gateway raised", claim.reference)
            return SendFailed(FailureKind.TRANSIENT, f"e-mail error: {type(error).__name__}")

    def _housekeeping(self, pool: ThreadPoolExecutor) -> bool:
        """Escalations and reconciliation; True when there may be more to reconcile."""
        gone = self._in_transaction(
            "forget the dead",
            lambda session: worker_status.forget_the_dead(session, self.identity),
        )
        if gone:
            _logger.warning("sms workers %s are gone: their messages are reconciled now", gone)
        now = self._clock()
        escalated = self._in_transaction(
            "escalation",
            lambda session: escalate_due(
                session, now=now, on=today_in_norway(), max_recipients=self.config.max_recipients
            ),
        )
        if escalated:
            _logger.info("escalated callouts %s", escalated)
        for work in self.rounds:
            try:
                work()
            except Exception as error:
                _logger.error("sms worker: a round of %s failed: %s", work, describe(error))
        return self._reconcile(pool) >= self.config.concurrency

    def _reconcile(self, pool: ThreadPoolExecutor) -> int:
        """Settle messages whose claim is in doubt; how many were looked at."""
        claims = self._in_transaction(
            "reconcile claim",
            lambda session: outbox.claim_stale(
                session,
                now=self._clock(),
                lease=self.config.lease,
                limit=self.config.concurrency,
                stale_after=self.config.stale_after,
            ),
        )
        if not claims:
            return 0
        answers = list(pool.map(self._find_sent, claims))

        def record(session: Session) -> list[Outcome]:
            now = self._clock()
            holders = self._holders(session, claims)
            outcomes = []
            for claim, found in zip(claims, answers, strict=True):
                may_resend, recheck_at = self._may_resend(claim, holders, now)
                outcomes.append(
                    recording.record_reconciled(
                        session,
                        claim,
                        found,
                        now=now,
                        policy=self.config.policy,
                        may_resend=may_resend,
                        recheck_at=recheck_at,
                    )
                )
            return outcomes

        outcomes = self._in_transaction("reconcile", record) or []
        for claim, outcome in zip(claims, outcomes, strict=False):
            self.outcomes[outcome] += 1
            _logger.info(
                "sms %s: in doubt (held by %s), reconciled: %s",
                claim.reference,
                claim.claimed_by or "nobody",
                outcome,
            )
        return len(claims)

    @staticmethod
    def _holders(session: Session, claims: list[Claim]) -> dict[str, WorkerHeartbeat]:
        names = {claim.claimed_by for claim in claims if claim.claimed_by}
        if not names:
            return {}
        rows = session.scalars(select(WorkerHeartbeat).where(WorkerHeartbeat.name.in_(names)))
        return {row.name: row for row in rows}

    def _may_resend(
        self, claim: Claim, holders: dict[str, WorkerHeartbeat], now: datetime
    ) -> tuple[bool, datetime | None]:
        """Whether a message not in the provider's list may be sent again now, and if not,
        when to look again: only when nothing of the attempt can still be on its way."""
        if claim.claimed_by is None:  # let go after its call ended without an answer
            return True, None
        holder = holders.get(claim.claimed_by)
        if holder is None or confirmed_dead(holder, self.identity):
            return True, None  # stopped cleanly (its row is gone), or its process is gone
        longest = self.providers.gateway(claim.provider).longest_send_s
        settled_at = claim.attempt_started_at + timedelta(seconds=longest)
        if now >= settled_at:
            return True, None
        return False, settled_at

    def _find_sent(self, claim: Claim) -> list[SentMessage] | None:
        if claim.channel is MessageChannel.EMAIL:
            return []  # SMTP keeps no list: an e-mail left in flight is sent again
        try:
            # Only the provider this attempt went to can say whether it took it.
            gateway = self.providers.gateway(claim.provider)
            return gateway.find_sent(claim.to, claim.attempt_started_at)
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

    # -- the heartbeat -----------------------------------------------------------------------

    def _beat_until(self, done: threading.Event) -> None:
        while not done.wait(self.config.heartbeat_every_s):
            self._beat()

    def _beat(self) -> None:
        alarm = self.health.alarm()
        if (alarm.alarm if alarm else None) != self._alarm:
            self._log_alarm(alarm.alarm if alarm else None, alarm.count if alarm else 0)
        self._alarm = alarm.alarm if alarm else None
        now = self._clock()
        self._in_transaction(
            "heartbeat",
            lambda session: worker_status.beat(
                session,
                self.name,
                now=now,
                started_at=self._started_at,
                identity=self.identity,
                gateway=self.providers.label,
                alarm=alarm,
            ),
            wait=False,
        )

    def _log_alarm(self, alarm: GatewayAlarm | None, count: int) -> None:
        if alarm is None:
            _logger.warning("gateway %s: the alarm is over", self.providers.label)
            return
        what = {
            GatewayAlarm.CONFIGURATION: "refused our account or settings; sending is paused "
            "and messages stay queued. Check its BEREDSKAP_TWILIO_* or _LINKMOBILITY_* settings",
            GatewayAlarm.NUMBERS_REFUSED: "refused many numbers as invalid or not mobiles",
            GatewayAlarm.RATE_LIMITED: "keeps answering 'too many requests'; sending is slower",
            GatewayAlarm.UNAVAILABLE: "fails or does not answer more often than it takes messages",
        }[alarm]
        _logger.error(
            "ALARM: the %s gateway %s (%d in the last minute)", self.providers.label, what, count
        )

    def _goodbye(self) -> None:
        self._in_transaction(
            "heartbeat",
            lambda session: worker_status.forget(session, self.name, now=self._clock()),
            wait=False,
        )

    # -- helpers -----------------------------------------------------------------------------

    @property
    def _last_error(self) -> Exception | None:
        error: Exception | None = getattr(self._errors, "last", None)
        return error

    def _paused(self) -> bool:
        return time.monotonic() < self._paused_until

    def _pause(self, result: SendResult) -> None:
        """Our configuration was refused: no new claims for a while (logged once per pause;
        the heartbeat carries the alarm to the pages)."""
        already = self._paused()
        pause = self.config.configuration_pause.total_seconds()
        self._paused_until = time.monotonic() + pause
        if not already:
            reason = result.reason if isinstance(result, SendFailed) else ""
            # The gateway's reason names no number and no token.
            _logger.error(
                "ALARM: the %s gateway refused our account or settings (%s); sending paused "
                "for %.0f s, messages stay queued. Check its BEREDSKAP_TWILIO_* or _LINKMOBILITY_* "
                "settings.",
                self.gateway.name,
                reason,
                pause,
            )

    def _in_transaction(
        self, what: str, work: Callable[[Session], T], *, wait: bool = True
    ) -> T | None:
        """`work` in a committed transaction; None after an error (logged in words, and
        waited out unless `wait` is false or it was a conflict of the data)."""
        self._errors.last = None
        try:
            found = self._settled(what, work)
        except IntegrityError as error:
            self._errors.last = error
            _logger.error("sms worker: %s failed: %s", what, describe(error))
            return None
        except Exception as error:
            self._errors.last = error
            if is_transient(error):
                pause = self._trouble.failed(what, error)
            else:
                _logger.exception("sms worker: %s failed: %s", what, describe(error))
                pause = self.config.database_longest_pause_s
            if wait:
                self._stopping.wait(pause)
            return None
        self._trouble.succeeded()
        return found

    def _settled(self, what: str, work: Callable[[Session], T]) -> T:
        """`work` in a transaction; once more at once if PostgreSQL rolled it back to settle a
        race with another transaction (a deadlock with a receipt or another worker over the
        same rows): the race is normal under load, so it is logged in words, not as a fault."""
        for attempt in (1, 2):
            try:
                with transaction(self.sessions, actor=ACTOR) as session:
                    return work(session)
            except Exception as error:
                if attempt == 2 or not is_lost_race(error):
                    raise
                _logger.warning("sms worker: %s lost a race, done again: %s", what, describe(error))
        raise AssertionError("unreachable")  # the loop returns or raises
