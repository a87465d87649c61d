"""The `SmsGateway` port on Twilio's Programmable Messaging, through the twilio library.

Sending one message (`send`):
- one POST to `/2010-04-01/Accounts/{Sid}/Messages.json` with `From` and/or
  `MessagingServiceSid`, `StatusCallback` and `ValidityPeriod`;
- the library does not retry, so this does: 429, 5xx, timeouts and connection errors are
  retried with exponential backoff and full jitter, within a number of attempts and a total
  time; permanent and configuration errors are returned at once;
- a request that may have reached Twilio (a read timeout, a 5xx, a connection dropped after
  sending) is never simply sent again: first the message list is asked whether Twilio
  accepted it after all (same number, same text, since this send began). Only a definite
  "no" allows another attempt; if the list cannot be asked either, the answer is `UNKNOWN`
  and the caller reconciles later with `find_sent`.

Each thread gets its own twilio `Client` (and so its own connection pool), and a semaphore
keeps at most `max_concurrency` requests in flight from this gateway, whoever calls it.
Logs carry the caller's reference and masked numbers, never the auth token or a message body.
"""

from __future__ import annotations

import json
import logging
import random
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from pydantic import SecretStr
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from urllib3.exceptions import ConnectTimeoutError, HTTPError, MaxRetryError

from alerts.gateway import twilio_errors
from alerts.gateway.port import (
    E164,
    MAX_SMS_CHARS,
    FailureKind,
    GatewayUnavailableError,
    MessageStatus,
    SendAccepted,
    SendFailed,
    SendResult,
    SentMessage,
)
from alerts.gateway.twilio_http import DEFAULT_API_BASE, ClientPerThread
from alerts.redaction import mask_phone, redact_phone_numbers, redact_phone_numbers_in_logger
from alerts.settings import AlertSettings
from beredskap.platform.contact_details import is_fictional_mobile

_logger = logging.getLogger("alerts.twilio")
MAX_VALIDITY_PERIOD_S = 36000
# The library reads TWILIO_* variables when handed no environment (an empty mapping counts as
# none); settings.py is our only reader of the environment, so it gets a mapping that is not
# empty and holds nothing it looks for.


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded in attempts and in total time."""

    max_attempts: int = 5
    base_delay_s: float = 0.25
    max_delay_s: float = 4.0
    max_total_s: float = 30.0

    def delay_s(self, retry: int, rng: random.Random) -> float:
        """The pause before retry number `retry` (0 for the first retry)."""
        return rng.uniform(0.0, min(self.max_delay_s, self.base_delay_s * 2**retry))


@dataclass(frozen=True)
class TwilioConfig:
    account_sid: str
    auth_token: SecretStr = field(repr=False)
    from_number: str | None = None
    messaging_service_sid: str | None = None
    api_base: str = DEFAULT_API_BASE
    validity_period_s: int = 3600
    max_concurrency: int = 50
    request_timeout_s: float = 10.0
    retry: RetryPolicy = RetryPolicy()
    # Our clock against Twilio's date_created when matching a message to an attempt.
    clock_skew: timedelta = timedelta(minutes=2)

    def __post_init__(self) -> None:
        if not (self.from_number or self.messaging_service_sid):
            raise ValueError("Twilio needs a From number or a Messaging Service SID")
        if not 1 <= self.validity_period_s <= MAX_VALIDITY_PERIOD_S:
            raise ValueError(f"validity period must be 1..{MAX_VALIDITY_PERIOD_S} seconds")
        if self.max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")

    @classmethod
    def from_settings(cls, settings: AlertSettings) -> TwilioConfig:
        if not settings.twilio_configured:
            raise ValueError("Twilio is not configured (account SID, token and a sender)")
        assert settings.twilio_account_sid and settings.twilio_auth_token  # twilio_configured
        return cls(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token,
            from_number=settings.twilio_from,
            messaging_service_sid=settings.twilio_messaging_service_sid,
            api_base=settings.twilio_api_base,
            validity_period_s=settings.sms_validity_period_s,
            max_concurrency=settings.sms_max_concurrency,
        )


@dataclass(frozen=True)
class _AttemptFailed:
    failure: SendFailed
    # True when the request may have reached Twilio and been acted on.
    maybe_accepted: bool


class TwilioGateway:
    """Sends SMS through Twilio; safe to call from many threads at once."""

    name = "twilio"

    def __init__(
        self,
        config: TwilioConfig,
        *,
        rng: random.Random | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        self._rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        self._sleep = sleep
        self._monotonic = monotonic
        self._clock = clock
        # urllib3 logs request URLs at DEBUG, with the `To=` of a message list.
        redact_phone_numbers_in_logger("urllib3.connectionpool")
        self._slots = threading.BoundedSemaphore(config.max_concurrency)
        self._clients = ClientPerThread(lambda: self.config)
        # Fictional numbers (the demo's drama range, the benchmark's +4700) reach nobody; the
        # real Twilio API is never asked to try. A test gateway or relay may receive them.
        self._refuse_fictional = config.api_base.rstrip("/") == DEFAULT_API_BASE

    @classmethod
    def from_settings(cls, settings: AlertSettings) -> TwilioGateway:
        return cls(TwilioConfig.from_settings(settings))

    def __repr__(self) -> str:
        return f"TwilioGateway(account={self.config.account_sid}, api={self.config.api_base})"

    @property
    def longest_send_s(self) -> float:
        # Retries within their total time, then one more request and the message-list check.
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
            self._log_result(reference, to, refused)
            return refused
        started = self._clock()
        deadline = self._monotonic() + self.config.retry.max_total_s
        attempts = 0
        unresolved = False  # an attempt may have been accepted and we do not know yet
        last_failure: SendFailed | None = None
        for attempt in range(self.config.retry.max_attempts):
            if attempt:
                pause = self._pause(attempt - 1)
                if self._monotonic() + pause > deadline:
                    break
                self._sleep(pause)
                if unresolved:
                    settled = self._settle(to, body, started, attempts)
                    if settled is not None:
                        return self._log_result(reference, to, settled)
                    unresolved = False
            attempts += 1
            outcome = self._attempt(to, body, status_callback_url, validity_period_s)
            if isinstance(outcome, SendAccepted):
                accepted = SendAccepted(outcome.provider_id, outcome.status, attempts)
                return self._log_result(reference, to, accepted)
            failure = outcome.failure
            if failure.kind in (FailureKind.PERMANENT, FailureKind.CONFIGURATION):
                return self._log_result(reference, to, _with_attempts(failure, attempts))
            unresolved = unresolved or outcome.maybe_accepted
            last_failure = failure
            _logger.info(
                "sms %s to %s: attempt %d failed (%s), %s",
                reference,
                mask_phone(to),
                attempts,
                failure.reason,
                "checking whether Twilio took it" if unresolved else "will retry",
            )
        assert last_failure is not None  # max_attempts >= 1 and every path above returns
        if unresolved:
            settled = self._settle(to, body, started, attempts)
            if settled is not None:
                return self._log_result(reference, to, settled)
            unresolved = False
        # Twilio's list showed the message was not taken, whatever the last error suggested.
        final = SendFailed(
            FailureKind.TRANSIENT,
            last_failure.reason,
            last_failure.code,
            last_failure.http_status,
            attempts,
        )
        return self._log_result(reference, to, final)

    def find_sent(self, to: str, since: datetime) -> list[SentMessage]:
        """Messages Twilio accepted for `to` since `since`, newest first.

        Two list requests: one filtered by `DateSent>=` (the day of `since`, as Twilio's
        filter is by date), and the newest page for the number without a date filter,
        because a message still queued has no date sent yet and may be missing from the
        first. Kept: outbound messages created at or after `since` less the clock skew.
        """
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        since_utc = since.astimezone(UTC)
        day_start = datetime.combine(since_utc.date(), clock_time.min, UTC)
        earliest = since_utc - self.config.clock_skew
        found: dict[str, SentMessage] = {}
        for message in self._list(to, day_start) + self._list(to, None):
            sent = _sent_message(message)
            if sent is not None and sent.created_at >= earliest:
                found.setdefault(sent.provider_id, sent)
        return sorted(found.values(), key=lambda m: m.created_at, reverse=True)

    def close(self) -> None:
        """Close every thread's connection pool."""
        self._clients.close()

    # -- one request ------------------------------------------------------------------------

    def _attempt(
        self, to: str, body: str, status_callback_url: str | None, validity_period_s: int | None
    ) -> SendAccepted | _AttemptFailed:
        parameters: dict[str, Any] = {
            "to": to,
            "body": body,
            "validity_period": validity_period_s or self.config.validity_period_s,
        }
        if self.config.from_number:
            parameters["from_"] = self.config.from_number
        if self.config.messaging_service_sid:
            parameters["messaging_service_sid"] = self.config.messaging_service_sid
        if status_callback_url:
            parameters["status_callback"] = status_callback_url
        client = self._clients.get()
        try:
            with self._slots:
                message = client.messages.create(**parameters)
        except Exception as error:  # every failure is classified below, none escapes
            return _classify_exception(error)
        if not message.sid:
            failure = SendFailed(FailureKind.UNKNOWN, "Twilio answered without a message SID")
            return _AttemptFailed(failure, maybe_accepted=True)
        return SendAccepted(message.sid, MessageStatus.parse(message.status))

    def _list(self, to: str, sent_after: datetime | None) -> list[Any]:
        client = self._clients.get()
        last_error: Exception | None = None
        for attempt in range(self.config.retry.max_attempts):
            if attempt:
                self._sleep(self._pause(attempt - 1))
            try:
                with self._slots:
                    if sent_after is None:
                        return list(client.messages.list(to=to, limit=50, page_size=50))
                    return list(
                        client.messages.list(
                            to=to, date_sent_after=sent_after, limit=1000, page_size=100
                        )
                    )
            except Exception as error:
                classified = _classify_exception(error).failure
                last_error = error
                if classified.kind is not FailureKind.TRANSIENT:
                    break
        reason = redact_phone_numbers(str(last_error))[:300]
        raise GatewayUnavailableError(f"Twilio's message list could not be read: {reason}")

    def _settle(self, to: str, body: str, started: datetime, attempts: int) -> SendResult | None:
        """After an attempt that may have been accepted: the accepted message, or None.

        None means Twilio's list shows no such message, so sending again is safe. When the
        list cannot be read, the answer is `UNKNOWN`.
        """
        try:
            candidates = self.find_sent(to, started)
        except GatewayUnavailableError as error:
            return SendFailed(
                FailureKind.UNKNOWN,
                f"may have been sent; the message list could not confirm it ({error})",
                attempts=attempts,
            )
        for message in candidates:
            if message.body == body:
                return SendAccepted(message.provider_id, message.status, attempts, True)
        return None

    # -- helpers ----------------------------------------------------------------------------

    def _pause(self, retry: int) -> float:
        with self._rng_lock:
            return self.config.retry.delay_s(retry, self._rng)

    def _refusal(self, to: str, body: str, validity_period_s: int | None) -> SendFailed | None:
        """Requests that cannot succeed, answered without asking Twilio."""
        if not E164.fullmatch(to):
            return SendFailed(FailureKind.PERMANENT, "not an E.164 phone number", code=21211)
        if self._refuse_fictional and is_fictional_mobile(to):
            return SendFailed(
                FailureKind.PERMANENT, "a fictional number: never sent through Twilio"
            )
        if not body.strip():
            return SendFailed(FailureKind.PERMANENT, "empty message", code=21602)
        if len(body) > MAX_SMS_CHARS:
            return SendFailed(
                FailureKind.PERMANENT, f"longer than {MAX_SMS_CHARS} characters", code=21617
            )
        if validity_period_s is not None and not 1 <= validity_period_s <= MAX_VALIDITY_PERIOD_S:
            return SendFailed(
                FailureKind.PERMANENT,
                f"validity period must be 1..{MAX_VALIDITY_PERIOD_S} seconds",
            )
        return None

    def _log_result(self, reference: str, to: str, result: SendResult) -> SendResult:
        if isinstance(result, SendAccepted):
            _logger.info(
                "sms %s to %s: accepted as %s (%s) after %d attempt(s)%s",
                reference,
                mask_phone(to),
                result.provider_id,
                result.status,
                result.attempts,
                ", found in Twilio's message list" if result.reconciled else "",
            )
        else:
            _logger.warning(
                "sms %s to %s: %s failure after %d attempt(s): %s",
                reference,
                mask_phone(to),
                result.kind,
                result.attempts,
                result.reason,
            )
        return result


def _with_attempts(failure: SendFailed, attempts: int) -> SendFailed:
    return SendFailed(failure.kind, failure.reason, failure.code, failure.http_status, attempts)


def _classify_exception(error: Exception) -> _AttemptFailed:
    """What one failed request means; see the module docstring."""
    if isinstance(error, TwilioRestException | TwilioServiceException):
        status = int(error.status) if error.status is not None else None
        code = int(error.code) if error.code is not None else None
        provider_text = error.msg if isinstance(error, TwilioRestException) else error.detail
        return _http_failure(status, code, provider_text)
    if isinstance(error, TwilioException) and len(error.args) > 1:
        # A list page that failed: TwilioException("Unable to fetch page", response).
        status = getattr(error.args[1], "status_code", None)
        if isinstance(status, int):
            code, text = _error_body(getattr(error.args[1], "text", ""))
            return _http_failure(status, code, text)
    if _untrusted_certificate(error):
        # Every request would fail the same way, and none reached Twilio: the CA bundle or a
        # TLS-inspecting proxy is ours to put right.
        reason = "Twilio's TLS certificate is not trusted here (check REQUESTS_CA_BUNDLE)"
        return _AttemptFailed(SendFailed(FailureKind.CONFIGURATION, reason), maybe_accepted=False)
    if _connection_refused(error):
        failure = SendFailed(FailureKind.TRANSIENT, f"Twilio unreachable ({type(error).__name__})")
        return _AttemptFailed(failure, maybe_accepted=False)
    if isinstance(error, HTTPError | OSError):
        reason = f"no answer from Twilio ({type(error).__name__})"
        return _AttemptFailed(SendFailed(FailureKind.TRANSIENT, reason), maybe_accepted=True)
    if isinstance(error, TwilioException | ValueError):
        # TwilioException without an HTTP status, or an answer that was not JSON.
        reason = f"unreadable answer from Twilio ({type(error).__name__})"
        return _AttemptFailed(SendFailed(FailureKind.TRANSIENT, reason), maybe_accepted=True)
    # Not expected; the type only, as an exception's text may hold a URL with a number.
    _logger.error("unexpected %s while talking to Twilio", type(error).__name__)
    reason = f"unexpected error ({type(error).__name__})"
    return _AttemptFailed(SendFailed(FailureKind.UNKNOWN, reason), maybe_accepted=True)


def _http_failure(
    status: int | None, code: int | None, provider_text: str | None
) -> _AttemptFailed:
    if code is not None and code < 1000:
        code = None  # the library puts the HTTP status there when Twilio gave no code
    kind = twilio_errors.classify(code, status)
    reason = _reason(code, status, provider_text)
    # Twilio refuses a 429 before acting on it; a 5xx may come after it acted.
    maybe_accepted = status is not None and (status >= 500 or status == 408)
    return _AttemptFailed(SendFailed(kind, reason, code, status), maybe_accepted)


def _error_body(text: str) -> tuple[int | None, str | None]:
    """Twilio's error JSON: its code and message, if that is what the body holds."""
    try:
        payload = json.loads(text)
    except ValueError:
        return None, None
    if not isinstance(payload, dict):
        return None, None
    code = payload.get("code")
    return (code if isinstance(code, int) else None), str(payload.get("message") or "")


def _untrusted_certificate(error: BaseException | None) -> bool:
    """The TLS handshake failed on the certificate (before anything was sent)."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, ssl.SSLCertVerificationError):
            return True
        error = getattr(error, "reason", None) or error.__cause__ or error.__context__
        seen += 1
    return False


def _connection_refused(error: Exception) -> bool:
    """A connection that was never made (refused, not resolved, or not made within the
    connect time-out): the request certainly did not reach Twilio."""
    if isinstance(error, MaxRetryError):
        return _connection_refused(error.reason) if isinstance(error.reason, Exception) else False
    return isinstance(error, ConnectTimeoutError)  # NewConnectionError is one


def _reason(code: int | None, status: int | None, provider_text: str | None) -> str:
    known = twilio_errors.describe(code)
    if known:
        return f"Twilio {code}: {known}"
    text = redact_phone_numbers(provider_text or "").strip()[:300]
    label = f"Twilio {code}" if code is not None else f"HTTP {status}"
    return f"{label}: {text}" if text else label


def _sent_message(message: Any) -> SentMessage | None:
    direction = str(message.direction or "")
    if not direction.startswith("outbound") or not message.sid or message.date_created is None:
        return None
    return SentMessage(
        provider_id=message.sid,
        to=message.to or "",
        body=message.body or "",
        status=MessageStatus.parse(message.status),
        created_at=message.date_created,
        sent_at=message.date_sent,
        error_code=message.error_code,
    )
