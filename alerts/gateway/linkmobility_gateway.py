"""The `SmsGateway` port on LINK Mobility's SMS REST API ("Common"), through httpx.

Why LINK: it is the Norwegian aggregator most municipalities already buy SMS from (the
issue names it), its REST API is documented in the open (LINK Mobility SMS REST API, "MT
and Delivery Reports" and "MO messages"; the same platform Sergel Connect documents), and it
has what exactly-once needs: our own reference on each message (`refId`), mirrored in its
delivery reports.

Sending one message (`send`): one `POST {api_base}/sms/send` with HTTP basic auth and a
JSON body (`source`, `sourceTON`, `destination`, `userData`, `platformId`,
`platformPartnerId`, `refId` = our outbox reference, `deliveryReportGates` = our gate,
`relativeValidityTime` in milliseconds). LINK answers `{"messageId", "resultCode": 1005,
"description": "Queued"}`. Refusals are sorted by `linkmobility_errors`. Requests that
certainly did not reach LINK (no connection, 429, 503) are retried here with exponential
backoff and full jitter, within a number of attempts and a total time.

Exactly once without a message list. Common has no API to list or look up the messages an
account sent, so `find_sent` cannot ask LINK. What keeps a message from going out twice:

- an answer that may come after LINK took the message (a read time-out, a dropped
  connection after the request went out, 500, 502, 504) is never retried here: it is
  `UNKNOWN`, and the outbox row stays `sending` for reconciliation;
- every message asks for delivery reports on our gate and carries `refId`; LINK sends a
  final report for every message it took, at the latest when its validity period ends
  (1002/1010 "expired"), and repeats it until our webhook answers 200. The receipt webhook
  finds the row by `refId` and moves it on, with LINK's message id;
- so a row still `sending` once the longest validity plus `report_grace` has passed since
  its attempt began was never taken by LINK. Until then `find_sent` raises
  `GatewayUnavailableError` ("cannot tell yet": the row is asked about again later), and
  after it answers with no message: the row may be sent again, through either provider.

The one way to a duplicate is a receipt webhook unreachable for longer than the grace
(`BEREDSKAP_LINKMOBILITY_REPORT_GRACE_S` is generous for that reason).

The status callback URL of the port is not used: LINK sends reports to the gate LINK
Support configured (`BEREDSKAP_LINKMOBILITY_GATE_ID`). One httpx client (thread-safe, one
connection pool) serves every thread; a semaphore keeps at most `max_concurrency` requests
in flight. Logs carry the reference and masked numbers, never the password or a body.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import SecretStr

from alerts.gateway import linkmobility_errors
from alerts.gateway.port import (
    E164,
    MAX_SMS_CHARS,
    FailureKind,
    GatewayUnavailableError,
    SendAccepted,
    SendFailed,
    SendResult,
    SentMessage,
)
from alerts.redaction import mask_phone, redact_phone_numbers
from alerts.settings import AlertSettings
from beredskap.platform.contact_details import is_fictional_mobile

_logger = logging.getLogger("alerts.linkmobility")
DEFAULT_API_BASE = "https://n-eu.linkmobility.io"
SEND_PATH = "/sms/send"
MAX_VALIDITY_PERIOD_S = 48 * 3600  # LINK's default validity; we ask less
_NUMBER = re.compile(r"\+[1-9][0-9]{6,14}")


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded in attempts and in total time."""

    max_attempts: int = 4
    base_delay_s: float = 0.25
    max_delay_s: float = 4.0
    max_total_s: float = 20.0

    def delay_s(self, retry: int, rng: random.Random) -> float:
        return rng.uniform(0.0, min(self.max_delay_s, self.base_delay_s * 2**retry))


@dataclass(frozen=True)
class LinkMobilityConfig:
    username: str
    password: SecretStr = field(repr=False)
    platform_id: str
    platform_partner_id: str
    source: str
    gate_id: str
    api_base: str = DEFAULT_API_BASE
    validity_period_s: int = 3600
    max_concurrency: int = 50
    request_timeout_s: float = 10.0
    retry: RetryPolicy = RetryPolicy()
    # After the longest validity, how long a final delivery report may take to reach us.
    report_grace: timedelta = timedelta(minutes=10)

    def __post_init__(self) -> None:
        if not 1 <= self.validity_period_s <= MAX_VALIDITY_PERIOD_S:
            raise ValueError(f"validity period must be 1..{MAX_VALIDITY_PERIOD_S} seconds")
        if self.max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")

    @classmethod
    def from_settings(cls, settings: AlertSettings) -> LinkMobilityConfig:
        if not settings.linkmobility_configured:
            raise ValueError("LINK Mobility is not configured")
        assert settings.linkmobility_username and settings.linkmobility_password
        assert settings.linkmobility_platform_id and settings.linkmobility_platform_partner_id
        assert settings.linkmobility_source and settings.linkmobility_gate_id
        return cls(
            username=settings.linkmobility_username,
            password=settings.linkmobility_password,
            platform_id=settings.linkmobility_platform_id,
            platform_partner_id=settings.linkmobility_platform_partner_id,
            source=settings.linkmobility_source,
            gate_id=settings.linkmobility_gate_id,
            api_base=settings.linkmobility_api_base,
            validity_period_s=settings.sms_validity_period_s,
            max_concurrency=settings.sms_max_concurrency,
            report_grace=timedelta(seconds=settings.linkmobility_report_grace_s),
        )

    @property
    def settled_after(self) -> timedelta:
        """How long after an attempt began every message LINK took has reported back."""
        return timedelta(seconds=self.validity_period_s) + self.report_grace


@dataclass(frozen=True)
class _AttemptFailed:
    failure: SendFailed
    maybe_accepted: bool


class LinkMobilityGateway:
    """Sends SMS through LINK Mobility; safe to call from many threads at once."""

    name = "linkmobility"

    def __init__(
        self,
        config: LinkMobilityConfig,
        *,
        rng: random.Random | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self._rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        self._sleep = sleep
        self._monotonic = monotonic
        self._clock = clock
        self._slots = threading.BoundedSemaphore(config.max_concurrency)
        self._client = httpx.Client(
            base_url=config.api_base,
            auth=httpx.BasicAuth(config.username, config.password.get_secret_value()),
            timeout=httpx.Timeout(config.request_timeout_s),
            limits=httpx.Limits(
                max_connections=config.max_concurrency,
                max_keepalive_connections=config.max_concurrency,
            ),
            follow_redirects=False,
            transport=transport,
            headers={"Accept": "application/json"},
        )
        # Fictional numbers (the demo's, the benchmark's) reach nobody: the real API is never
        # asked to try. A test gateway or relay may receive them.
        self._refuse_fictional = config.api_base.rstrip("/") == DEFAULT_API_BASE
        self._source_ton = "MSISDN" if _NUMBER.fullmatch(config.source) else "ALPHANUMERIC"

    @classmethod
    def from_settings(cls, settings: AlertSettings) -> LinkMobilityGateway:
        return cls(LinkMobilityConfig.from_settings(settings))

    def __repr__(self) -> str:  # never the password
        return f"LinkMobilityGateway(user={self.config.username}, api={self.config.api_base})"

    @property
    def longest_send_s(self) -> float:
        return self.config.retry.max_total_s + 2 * self.config.request_timeout_s

    # -- the port ---------------------------------------------------------------------------

    def send(
        self,
        to: str,
        body: str,
        *,
        reference: str,
        status_callback_url: str | None = None,
        validity_period_s: int | None = None,
    ) -> SendResult:
        refused = self._refusal(to, body, validity_period_s)
        if refused is not None:
            return self._log_result(reference, to, refused)
        payload = self._payload(to, body, reference, validity_period_s)
        deadline = self._monotonic() + self.config.retry.max_total_s
        last: SendFailed | None = None
        for attempts in range(1, self.config.retry.max_attempts + 1):
            if attempts > 1:
                pause = self._pause(attempts - 2)
                if self._monotonic() + pause > deadline:
                    break
                self._sleep(pause)
            outcome = self._attempt(payload)
            if isinstance(outcome, SendAccepted):
                accepted = SendAccepted(
                    outcome.provider_id, outcome.status, attempts, provider=self.name
                )
                return self._log_result(reference, to, accepted)
            failure = _with_attempts(outcome.failure, attempts)
            if outcome.maybe_accepted:
                # LINK may have it: only its delivery report can tell (see the docstring).
                unknown = SendFailed(
                    FailureKind.UNKNOWN,
                    f"may have been sent; LINK's delivery report will tell ({failure.reason})",
                    failure.code,
                    failure.http_status,
                    attempts,
                    provider=self.name,
                )
                return self._log_result(reference, to, unknown)
            if failure.kind is not FailureKind.TRANSIENT:
                return self._log_result(reference, to, failure)
            last = failure
            _logger.info(
                "sms %s to %s: attempt %d refused (%s), will retry",
                reference,
                mask_phone(to),
                attempts,
                failure.reason,
            )
        assert last is not None
        return self._log_result(reference, to, last)

    def find_sent(self, to: str, since: datetime) -> list[SentMessage]:
        """No message list at LINK: nothing can be listed, and an attempt is known not to
        have been taken only once its delivery report would have come (module docstring).

        Raises `GatewayUnavailableError` until then; an empty list after."""
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        settled_at = since + self.config.settled_after
        if self._clock() < settled_at:
            raise GatewayUnavailableError(
                "LINK Mobility keeps no message list; its delivery report settles this "
                f"attempt, or its absence after {settled_at.astimezone(UTC):%H:%M} UTC"
            )
        return []

    def close(self) -> None:
        self._client.close()

    # -- one request ------------------------------------------------------------------------

    def _payload(
        self, to: str, body: str, reference: str, validity_period_s: int | None
    ) -> dict[str, Any]:
        validity = validity_period_s or self.config.validity_period_s
        return {
            "source": self.config.source,
            "sourceTON": self._source_ton,
            "destination": to,
            "destinationTON": "MSISDN",
            "userData": body,
            "platformId": self.config.platform_id,
            "platformPartnerId": self.config.platform_partner_id,
            "refId": reference,
            "useDeliveryReport": True,
            "deliveryReportGates": [self.config.gate_id],
            "relativeValidityTime": validity * 1000,
        }

    def _attempt(self, payload: dict[str, Any]) -> SendAccepted | _AttemptFailed:
        try:
            with self._slots:
                response = self._client.post(SEND_PATH, json=payload)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            # No connection was made: the request certainly did not reach LINK.
            failure = SendFailed(
                FailureKind.TRANSIENT,
                f"LINK Mobility unreachable ({type(error).__name__})",
                provider=self.name,
            )
            return _AttemptFailed(failure, maybe_accepted=False)
        except httpx.HTTPError as error:
            # Read time-out, a connection dropped after sending, a broken answer.
            failure = SendFailed(
                FailureKind.UNKNOWN,
                f"no answer from LINK Mobility ({type(error).__name__})",
                provider=self.name,
            )
            return _AttemptFailed(failure, maybe_accepted=True)
        return self._answer(response)

    def _answer(self, response: httpx.Response) -> SendAccepted | _AttemptFailed:
        payload = _json(response)
        code = _int(payload.get("resultCode"))
        message_id = payload.get("messageId")
        if response.is_success:
            if isinstance(message_id, str) and message_id:
                status = linkmobility_errors.delivery_status(code or linkmobility_errors.QUEUED)
                return SendAccepted(message_id[:64], status, provider=self.name)
            failure = SendFailed(
                FailureKind.UNKNOWN,
                "LINK Mobility answered without a message id",
                code,
                response.status_code,
                provider=self.name,
            )
            return _AttemptFailed(failure, maybe_accepted=True)
        status = response.status_code
        kind = linkmobility_errors.classify(code, status)
        reason = _reason(code, status, payload.get("description"))
        failure = SendFailed(kind, reason, code, status, provider=self.name)
        return _AttemptFailed(failure, maybe_accepted=kind is FailureKind.UNKNOWN)

    # -- helpers ----------------------------------------------------------------------------

    def _pause(self, retry: int) -> float:
        with self._rng_lock:
            return self.config.retry.delay_s(retry, self._rng)

    def _refusal(self, to: str, body: str, validity_period_s: int | None) -> SendFailed | None:
        """Requests that cannot succeed, answered without asking LINK."""

        def refuse(reason: str, code: int | None = None) -> SendFailed:
            return SendFailed(FailureKind.PERMANENT, reason, code, provider=self.name)

        if not E164.fullmatch(to):
            return refuse("not an E.164 phone number", 2106)
        if self._refuse_fictional and is_fictional_mobile(to):
            return refuse("a fictional number: never sent through LINK Mobility")
        if not body.strip():
            return refuse("empty message", 4003)
        if len(body) > MAX_SMS_CHARS:
            return refuse(f"longer than {MAX_SMS_CHARS} characters", 4003)
        if validity_period_s is not None and not 1 <= validity_period_s <= MAX_VALIDITY_PERIOD_S:
            return refuse(f"validity period must be 1..{MAX_VALIDITY_PERIOD_S} seconds")
        return None

    def _log_result(self, reference: str, to: str, result: SendResult) -> SendResult:
        if isinstance(result, SendAccepted):
            _logger.info(
                "sms %s to %s: accepted by LINK as %s after %d attempt(s)",
                reference,
                mask_phone(to),
                result.provider_id,
                result.attempts,
            )
        else:
            _logger.warning(
                "sms %s to %s: %s failure at LINK after %d attempt(s): %s",
                reference,
                mask_phone(to),
                result.kind,
                result.attempts,
                result.reason,
            )
        return result


def _with_attempts(failure: SendFailed, attempts: int) -> SendFailed:
    return SendFailed(
        failure.kind,
        failure.reason,
        failure.code,
        failure.http_status,
        attempts,
        provider=failure.provider,
    )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 10:
        return int(value)
    return None


def _reason(code: int | None, status: int, provider_text: object) -> str:
    known = linkmobility_errors.describe(code)
    if known:
        return f"LINK {code}: {known}"
    text = redact_phone_numbers(provider_text if isinstance(provider_text, str) else "")
    text = text.strip()[:300]
    label = f"LINK {code}" if code is not None else f"LINK HTTP {status}"
    return f"{label}: {text}" if text else label
