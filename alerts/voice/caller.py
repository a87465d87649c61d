"""Placing the calls: one round schedules what is due, claims it (committed), places each
call through Twilio, records what Twilio said, and reconciles calls left in doubt. The SMS
worker runs a round with its housekeeping (`alerts.outbox.worker`), when voice is configured.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from alerts.redaction import mask_phone
from alerts.voice import service
from alerts.voice.service import CallClaim
from alerts.voice.twilio_calls import Placed, PlaceResult, Refused, TwilioCalls
from alerts.voice.webhooks import CALL_PATH, STATUS_PATH, call_url
from beredskap.platform.columns import utcnow
from beredskap.platform.db import transaction

ACTOR = "voice-worker"
# A call `calling` this long is in doubt: well above a create request's timeout (10 s).
DEFAULT_LEASE = timedelta(seconds=120)

_logger = logging.getLogger("alerts.voice")


@dataclass
class VoiceRound:
    queued: int = 0
    placed: int = 0
    refused: int = 0
    unknown: int = 0
    reconciled_found: int = 0
    reconciled_missing: int = 0


class VoiceCaller:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        calls: TwilioCalls,
        *,
        public_url: str,
        name: str,
        clock: Callable[[], datetime] = utcnow,
        concurrency: int = 10,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self.sessions = sessions
        self.calls = calls
        self.public_url = public_url
        self.name = name
        self.clock = clock
        self.concurrency = concurrency
        self.lease = lease

    def run_once(self, *, max_batches: int = 50) -> VoiceRound:
        """Schedule what is due and place it, `concurrency` calls at a time until none is
        left (at most `max_batches`: the SMS worker's housekeeping waits on this), then
        reconcile."""
        done = VoiceRound()
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="voice") as pool:
            for _ in range(max_batches):
                now = self.clock()
                with transaction(self.sessions, actor=ACTOR) as session:
                    done.queued += service.schedule_due(session, now=now)
                    claims = service.claim_due(
                        session, now=now, limit=self.concurrency, worker=self.name
                    )
                if not claims:
                    break
                # Committed `calling`: only now may Twilio be asked.
                results = list(pool.map(self._place, claims))
                self._record(claims, results, done)
                if len(claims) < self.concurrency:
                    break
        self._reconcile(done)
        return done

    def _place(self, claim: CallClaim) -> PlaceResult:
        return self.calls.place(
            claim.to,
            twiml_url=call_url(self.public_url, CALL_PATH, claim.call_id),
            status_url=call_url(self.public_url, STATUS_PATH, claim.call_id),
        )

    def _record(
        self, claims: list[CallClaim], results: list[PlaceResult], done: VoiceRound
    ) -> None:
        now = self.clock()
        with transaction(self.sessions, actor=ACTOR) as session:
            for claim, result in zip(claims, results, strict=True):
                if isinstance(result, Placed):
                    service.record_placed(session, claim.call_id, result.call_sid, now=now)
                    done.placed += 1
                elif isinstance(result, Refused):
                    service.record_refused(session, claim.call_id, result.code, now=now)
                    _logger.warning(
                        "call v%d to %s refused by Twilio (%s)",
                        claim.call_id,
                        mask_phone(claim.to),
                        result.code,
                    )
                    done.refused += 1
                else:
                    service.record_unknown(session, claim.call_id, now=now)
                    _logger.warning(
                        "call v%d: Twilio did not say (%s); reconciled later",
                        claim.call_id,
                        result.reason,
                    )
                    done.unknown += 1

    def _reconcile(self, done: VoiceRound) -> None:
        now = self.clock()
        with transaction(self.sessions, actor=ACTOR) as session:
            doubtful = service.claim_in_doubt(
                session, now=now, lease=self.lease, limit=self.concurrency, worker=self.name
            )
        for claim in doubtful:
            try:
                found = self.calls.find_placed(claim.to, claim.attempt_started_at)
            except Exception as error:  # Twilio away: the row stays in doubt, checked again
                _logger.warning(
                    "call v%d: cannot reconcile yet: %s", claim.call_id, type(error).__name__
                )
                continue
            with transaction(self.sessions, actor=ACTOR) as session:
                found = service.unheld_sids(session, found)
                if found:
                    service.record_placed(session, claim.call_id, found[0], now=self.clock())
                    done.reconciled_found += 1
                else:
                    service.record_not_found(session, claim, now=self.clock())
                    done.reconciled_missing += 1
            _logger.info(
                "call v%d in doubt, reconciled: %s", claim.call_id, "placed" if found else "not"
            )
