"""A fake Twilio REST API of our own, over real HTTP on loopback, for tests and benchmarks.

It speaks the wire format the twilio library speaks to api.twilio.com, so the real library
(pointed here through `BEREDSKAP_TWILIO_API_BASE`) cannot tell the difference:

- `POST /2010-04-01/Accounts/{Sid}/Messages.json`, form-encoded, HTTP basic auth (401 and
  Twilio's error 20003 on wrong credentials), answering 201 with a message resource
  (`sid` "SM" + 32 hex, `status` "queued", or "accepted" with a Messaging Service alone,
  `to`, `from`, `body`, RFC 2822 dates, ...);
- `GET .../Messages.json` with `To`, `From`, `DateSent`, `DateSent<`, `DateSent>`, newest
  first, in Twilio's paging format (`messages`, `next_page_uri`, `page`, `page_size`, ...),
  and `GET .../Messages/{Sid}.json`;
- calls (Twilio Voice): `POST .../Calls.json` (`To`, `From`, `Url`, `StatusCallback`,
  `StatusCallbackEvent`) answering 201 with a call resource ("CA" + 32 hex, "queued"), and
  `GET .../Calls.json` with `To` and `StartTime>` (`calls`, newest first); the test drives a
  call: `answer_call` fetches our TwiML URL and posts each key as `Digits` to the Gather's
  action, `end_call` ends it unanswered (no-answer, busy, failed), each request signed and
  each status posted to the call's `StatusCallback`, signed;
- errors in Twilio's JSON (`code`, `message`, `more_info`, `status`): 21211 for invalid and
  configured-invalid numbers, 21610 for numbers that replied STOP, 21614 for landlines, ...;
- faults on demand: a fixed latency, a seeded random share of 429s, 500s and timeouts
  (stalling before or after the message is accepted), or an exact script of them;
- every accepted message is recorded (thread-safe), so tests can assert exactly-once;
- delivery receipts: each message with a `StatusCallback` goes queued -> sent -> delivered
  (or failed / undelivered with an `ErrorCode`), each step POSTed to the callback URL and
  signed with the auth token exactly as Twilio signs (HMAC-SHA1 over the URL and the sorted
  parameters, base64). The signature is computed here independently of the twilio library,
  so a test that validates it with the library checks the algorithm twice.

Usage: `with FakeTwilio() as fake: ... fake.base_url ...`.
"""

from __future__ import annotations

import base64
import hmac
import json
import random
import re
import secrets
import ssl
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from enum import StrEnum
from hashlib import sha1
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.etree import ElementTree

import httpx

API_VERSION = "2010-04-01"
TEST_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
TEST_AUTH_TOKEN = "fake-twilio-auth-token-0123456789"
TEST_FROM = "+4759440000"
MESSAGES_PATH = re.compile(rf"^/{API_VERSION}/Accounts/(?P<account>[^/]+)/Messages\.json$")
MESSAGE_PATH = re.compile(
    rf"^/{API_VERSION}/Accounts/(?P<account>[^/]+)/Messages/(?P<sid>[^/]+)\.json$"
)
CALLS_PATH = re.compile(rf"^/{API_VERSION}/Accounts/(?P<account>[^/]+)/Calls\.json$")
E164 = re.compile(r"\+[1-9]\d{1,14}")
MAX_BODY_CHARS = 1600


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """Twilio's webhook signature: base64(HMAC-SHA1(token, url + name1 + value1 + ...)).

    Parameters sorted by name (and value), as documented at
    https://www.twilio.com/docs/usage/webhooks/webhooks-security.
    """
    payload = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), sha1).digest()
    return base64.b64encode(digest).decode()


class Fault(StrEnum):
    NONE = "none"
    RATE_LIMIT = "429"
    SERVER_ERROR = "500"
    SERVICE_UNAVAILABLE = "503"
    TIMEOUT = "timeout"  # stall, never act, never answer
    TIMEOUT_AFTER_ACCEPT = "timeout_after_accept"  # accept the message, then stall
    DISCONNECT_AFTER_ACCEPT = "disconnect_after_accept"  # accept, then hang up


@dataclass(frozen=True)
class FaultPlan:
    """Random faults, drawn from a seeded RNG for each request of the given methods."""

    share_429: float = 0.0
    share_500: float = 0.0
    share_timeout: float = 0.0
    share_timeout_after_accept: float = 0.0
    seed: int = 0
    methods: frozenset[str] = frozenset({"POST"})

    def draw(self, rng: random.Random) -> Fault:
        roll = rng.random()
        for share, fault in (
            (self.share_429, Fault.RATE_LIMIT),
            (self.share_500, Fault.SERVER_ERROR),
            (self.share_timeout, Fault.TIMEOUT),
            (self.share_timeout_after_accept, Fault.TIMEOUT_AFTER_ACCEPT),
        ):
            if roll < share:
                return fault
            roll -= share
        return Fault.NONE


@dataclass(frozen=True)
class FakeMessage:
    sid: str
    account_sid: str
    to: str
    from_: str | None
    body: str
    messaging_service_sid: str | None
    status_callback: str | None
    validity_period: int | None
    status: str
    created_at: datetime
    sent_at: datetime | None = None
    updated_at: datetime | None = None
    error_code: int | None = None

    def resource(self) -> dict[str, Any]:
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}.json"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": _rfc2822(self.created_at),
            "date_sent": _rfc2822(self.sent_at) if self.sent_at else None,
            "date_updated": _rfc2822(self.updated_at or self.created_at),
            "direction": "outbound-api",
            "error_code": self.error_code,
            "error_message": None,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": self.to,
            "uri": uri,
        }


@dataclass
class FakeCall:
    """A call placed through the Calls API; the test drives it (`answer_call`, `end_call`)."""

    sid: str
    account_sid: str
    to: str
    from_: str
    url: str
    method: str
    status_callback: str | None
    status_events: tuple[str, ...]
    status: str
    created_at: datetime
    start_time: datetime | None = None
    end_time: datetime | None = None
    twiml: list[str] = field(default_factory=list)  # every TwiML document our app answered

    def resource(self) -> dict[str, Any]:
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Calls/{self.sid}.json"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "date_created": _rfc2822(self.created_at),
            "date_updated": _rfc2822(self.created_at),
            "direction": "outbound-api",
            "duration": None,
            "end_time": _rfc2822(self.end_time) if self.end_time else None,
            "from": self.from_,
            "from_formatted": self.from_,
            "parent_call_sid": None,
            "phone_number_sid": None,
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "start_time": _rfc2822(self.start_time) if self.start_time else None,
            "status": self.status,
            "to": self.to,
            "to_formatted": self.to,
            "uri": uri,
        }


@dataclass(frozen=True)
class CallbackRecord:
    url: str
    params: dict[str, str]
    status_code: int | None  # None: the POST itself failed
    error: str | None = None


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    status: int | None  # None: no answer (a stall or a hang-up)
    fault: Fault


@dataclass
class _Counters:
    in_flight: int = 0
    peak_in_flight: int = 0


@dataclass
class FakeTwilioConfig:
    account_sid: str = TEST_ACCOUNT_SID
    auth_token: str = TEST_AUTH_TOKEN
    latency_s: float = 0.0
    faults: FaultPlan = field(default_factory=FaultPlan)
    stall_s: float = 3.0
    invalid_numbers: frozenset[str] = frozenset()
    unsubscribed_numbers: frozenset[str] = frozenset()
    landline_numbers: frozenset[str] = frozenset()
    # Delivery outcomes by number: status "failed" or "undelivered" and its ErrorCode.
    failed_numbers: Mapping[str, int] = field(default_factory=dict)
    undelivered_numbers: Mapping[str, int] = field(default_factory=dict)
    # Move messages through their statuses (and send receipts) on their own.
    auto_progress: bool = True
    progress_step_s: float = 0.01
    # Receipts POSTed at once: Twilio sends them from many machines, as fast as it can.
    callback_concurrency: int = 8
    callback_timeout_s: float = 10.0


class FakeTwilio:
    """The fake API in a thread; see the module docstring."""

    def __init__(self, config: FakeTwilioConfig | None = None, **overrides: Any) -> None:
        base = config or FakeTwilioConfig()
        self.config = replace(base, **overrides) if overrides else base
        self._lock = threading.Lock()
        self._rng = random.Random(self.config.faults.seed)
        self._script: deque[Fault] = deque()
        self._messages: dict[str, FakeMessage] = {}
        self._accepted_order: list[str] = []
        self._calls: dict[str, FakeCall] = {}
        self.requests: list[RequestRecord] = []
        self.callbacks: list[CallbackRecord] = []
        self._counters = _Counters()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._callback_pool: ThreadPoolExecutor | None = None
        self._scheme = "http"
        self._http = httpx.Client(
            timeout=self.config.callback_timeout_s,
            limits=httpx.Limits(
                max_connections=self.config.callback_concurrency,
                max_keepalive_connections=self.config.callback_concurrency,
            ),
        )

    # -- life cycle --------------------------------------------------------------------------

    def start(self, port: int = 0, tls: ssl.SSLContext | None = None) -> FakeTwilio:
        """Serve on loopback (`tls`: over HTTPS with that server context)."""
        server = _Server(("127.0.0.1", port), _Handler)
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        self._scheme = "https" if tls is not None else "http"
        server.fake = self
        self._server = server
        self._callback_pool = ThreadPoolExecutor(
            max_workers=self.config.callback_concurrency, thread_name_prefix="fake-cb"
        )
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-twilio"
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._callback_pool is not None:
            self._callback_pool.shutdown(wait=True, cancel_futures=True)
        self._http.close()

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        if self._scheme == "https":
            return f"https://localhost:{port}"
        return f"http://{host}:{port}"

    # -- what tests look at and steer --------------------------------------------------------

    def script(self, *faults: Fault) -> None:
        """The next requests subject to faults get exactly these, in order, before any draw."""
        with self._lock:
            self._script.extend(faults)

    def set_faults(self, plan: FaultPlan | None = None) -> None:
        """Replace the random faults (none by default) and drop what is left of the script."""
        plan = plan or FaultPlan()
        with self._lock:
            self.config = replace(self.config, faults=plan)
            self._rng = random.Random(plan.seed)
            self._script.clear()

    def accepted(self) -> list[FakeMessage]:
        """Every accepted message, in the order accepted (its current state)."""
        with self._lock:
            return [self._messages[sid] for sid in self._accepted_order]

    def messages_to(self, to: str) -> list[FakeMessage]:
        return [message for message in self.accepted() if message.to == to]

    def message(self, sid: str) -> FakeMessage:
        with self._lock:
            return self._messages[sid]

    @property
    def peak_concurrency(self) -> int:
        with self._lock:
            return self._counters.peak_in_flight

    def progress(self, sid: str) -> None:
        """Move one message through its remaining statuses now (with receipts)."""
        self._progress(sid)

    def progress_all(self) -> None:
        for message in self.accepted():
            if message.status in ("queued", "accepted"):
                self._progress(message.sid)

    def wait_for_callbacks(self, count: int, timeout_s: float = 10.0) -> list[CallbackRecord]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.callbacks) >= count:
                    return list(self.callbacks)
            time.sleep(0.01)
        with self._lock:
            raise AssertionError(f"{len(self.callbacks)} of {count} callbacks arrived")

    def sign(self, url: str, params: Mapping[str, str]) -> str:
        return twilio_signature(self.config.auth_token, url, params.items())

    def send_inbound_sms(
        self,
        url: str,
        *,
        from_: str,
        body: str,
        to: str = TEST_FROM,
        signature: str | None = None,
    ) -> httpx.Response:
        """POST an inbound SMS to our webhook at `url` as Twilio would, signed."""
        sid = "SM" + secrets.token_hex(16)
        params = {
            "ToCountry": "NO",
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "SmsSid": sid,
            "SmsStatus": "received",
            "Body": body,
            "FromCountry": "NO",
            "To": to,
            "NumSegments": "1",
            "MessageSid": sid,
            "AccountSid": self.config.account_sid,
            "From": from_,
            "ApiVersion": API_VERSION,
        }
        return self._http.post(
            url,
            data=params,
            headers={
                "X-Twilio-Signature": signature or self.sign(url, params),
                "I-Twilio-Idempotency-Token": secrets.token_hex(16),
                "User-Agent": "TwilioProxy/1.1",
            },
        )

    # -- the API -----------------------------------------------------------------------------

    def handle(self, handler: _Handler) -> None:
        with self._lock:
            self._counters.in_flight += 1
            self._counters.peak_in_flight = max(
                self._counters.peak_in_flight, self._counters.in_flight
            )
        done = threading.Event()

        def answered() -> None:
            # Counted out when the answer starts, not after it is written: a client that has
            # read its answer may send the next request before this thread runs again, and
            # that is no second request in flight from the client's side.
            if not done.is_set():
                done.set()
                with self._lock:
                    self._counters.in_flight -= 1

        handler.on_answer = answered
        try:
            self._handle(handler)
        finally:
            answered()

    def stats(self) -> dict[str, Any]:
        with self._lock:
            per_number: dict[str, int] = {}
            for sid in self._accepted_order:
                to = self._messages[sid].to
                per_number[to] = per_number.get(to, 0) + 1
            callbacks: dict[str, int] = {}
            for record in self.callbacks:
                key = str(record.status_code) if record.status_code else (record.error or "?")
                callbacks[key] = callbacks.get(key, 0) + 1
            return {
                "accepted": len(self._accepted_order),
                "numbers": len(per_number),
                "most_to_one_number": max(per_number.values(), default=0),
                "requests": len(self.requests),
                "peak_concurrency": self._counters.peak_in_flight,
                "callbacks": len(self.callbacks),
                "callbacks_by_status": callbacks,
                "first_accepted_at": min(
                    (self._messages[sid].created_at.timestamp() for sid in self._accepted_order),
                    default=None,
                ),
                "last_accepted_at": max(
                    (self._messages[sid].created_at.timestamp() for sid in self._accepted_order),
                    default=None,
                ),
            }

    def _handle(self, handler: _Handler) -> None:
        method = handler.command
        parts = urlsplit(handler.path)
        body = handler.read_body()
        if parts.path == "/_fake/stats":  # for a test or benchmark in another process
            handler.answer_json(200, self.stats())
            return
        if self.config.latency_s:
            self._stopping.wait(self.config.latency_s)
        if not self._authorised(handler.headers.get("Authorization")):
            self._log(method, parts.path, 401, Fault.NONE)
            handler.answer_json(401, _error(20003, "Authenticate", 401), authenticate=True)
            return
        fault = self._fault_for(method)
        if fault in (Fault.RATE_LIMIT, Fault.SERVER_ERROR, Fault.SERVICE_UNAVAILABLE):
            status = int(fault.value)
            code = {429: 20429, 500: 20500, 503: 20503}[status]
            text = {429: "Too Many Requests", 500: "Internal Server Error", 503: "Unavailable"}
            self._log(method, parts.path, status, fault)
            handler.answer_json(status, _error(code, text[status], status))
            return
        if fault is Fault.TIMEOUT:
            self._log(method, parts.path, None, fault)
            self._stall(handler)
            return
        status, payload = self._route(method, parts.path, parts.query, body)
        if fault is Fault.TIMEOUT_AFTER_ACCEPT:
            self._log(method, parts.path, None, fault)
            self._stall(handler)
            return
        if fault is Fault.DISCONNECT_AFTER_ACCEPT:
            handler.close_connection = True
            self._log(method, parts.path, None, fault)
            return
        self._log(method, parts.path, status, Fault.NONE)
        handler.answer_json(status, payload)

    def _route(self, method: str, path: str, query: str, body: bytes) -> tuple[int, Any]:
        calls = CALLS_PATH.match(path)
        if calls is not None:
            if calls.group("account") != self.config.account_sid:
                return 404, _error(20404, f"The requested resource {path} was not found", 404)
            if method == "POST":
                return self._create_call(body.decode("utf-8"))
            return self._list_calls(path, _form(query))
        messages = MESSAGES_PATH.match(path)
        one = MESSAGE_PATH.match(path)
        account = (messages or one).group("account") if (messages or one) else None
        if account is not None and account != self.config.account_sid:
            return 404, _error(20404, f"The requested resource {path} was not found", 404)
        if messages and method == "POST":
            return self._create(_form(body.decode("utf-8")))
        if messages and method == "GET":
            return self._list(path, _form(query))
        if one and method == "GET":
            with self._lock:
                found = self._messages.get(one.group("sid"))
            if found is None:
                return 404, _error(20404, f"The requested resource {path} was not found", 404)
            return 200, found.resource()
        return 404, _error(20404, f"The requested resource {path} was not found", 404)

    def _create(self, form: dict[str, str]) -> tuple[int, Any]:
        to = form.get("To", "")
        sender = form.get("From") or None
        service = form.get("MessagingServiceSid") or None
        body = form.get("Body", "")
        if not to:
            return 400, _error(21604, "A 'To' phone number is required.", 400)
        if not (sender or service):
            return 400, _error(21603, "A 'From' phone number is required.", 400)
        if not E164.fullmatch(to) or to in self.config.invalid_numbers:
            return 400, _error(21211, f"Invalid 'To' Phone Number: {to}", 400)
        if to in self.config.unsubscribed_numbers:
            text = "Attempt to send to unsubscribed recipient"
            return 400, _error(21610, text, 400)
        if to in self.config.landline_numbers:
            return 400, _error(21614, f"'To' number {to} is not a valid mobile number", 400)
        if not body:
            return 400, _error(21619, "A text message body or media urls must be specified.", 400)
        if len(body) > MAX_BODY_CHARS:
            return 400, _error(21617, "The concatenated message body exceeds the limit", 400)
        validity = form.get("ValidityPeriod")
        now = datetime.now(UTC)
        message = FakeMessage(
            sid="SM" + secrets.token_hex(16),
            account_sid=self.config.account_sid,
            to=to,
            from_=sender,
            body=body,
            messaging_service_sid=service,
            status_callback=form.get("StatusCallback") or None,
            validity_period=int(validity) if validity and validity.isdigit() else None,
            status="queued" if sender else "accepted",
            created_at=now,
        )
        with self._lock:
            self._messages[message.sid] = message
            self._accepted_order.append(message.sid)
        if self.config.auto_progress and self._callback_pool is not None:
            self._callback_pool.submit(self._progress, message.sid)
        return 201, message.resource()

    def _list(self, path: str, query: dict[str, str]) -> tuple[int, Any]:
        page_size = min(max(int(query.get("PageSize", "50") or 50), 1), 1000)
        page = max(int(query.get("Page", "0") or 0), 0)
        with self._lock:
            chosen = [
                message
                for sid in reversed(self._accepted_order)
                if _matches(message := self._messages[sid], query)
            ]
        chosen.sort(key=lambda message: message.created_at, reverse=True)
        start = page * page_size
        rows = chosen[start : start + page_size]
        filters = {
            key: value
            for key, value in query.items()
            if key in ("To", "From", "DateSent", "DateSent<", "DateSent>")
        }

        def page_uri(number: int) -> str:
            paging = {"PageSize": str(page_size), "Page": str(number)}
            if number:
                paging["PageToken"] = f"PA{number}"
            return f"{path}?{urlencode({**filters, **paging})}"

        has_next = start + page_size < len(chosen)
        return 200, {
            "first_page_uri": page_uri(0),
            "end": start + len(rows) - 1 if rows else start,
            "previous_page_uri": page_uri(page - 1) if page else None,
            "messages": [message.resource() for message in rows],
            "uri": page_uri(page),
            "page_size": page_size,
            "start": start,
            "next_page_uri": page_uri(page + 1) if has_next else None,
            "page": page,
        }

    # -- calls (Twilio Voice) ----------------------------------------------------------------

    def _create_call(self, encoded: str) -> tuple[int, Any]:
        form = _form(encoded)
        to, sender, url = form.get("To", ""), form.get("From", ""), form.get("Url", "")
        if not to:
            return 400, _error(21201, "No 'To' number is specified", 400)
        if not sender:
            return 400, _error(21213, "No 'From' number is specified", 400)
        if not url:
            return 400, _error(21205, "Url parameter is required", 400)
        if not E164.fullmatch(to) or to in self.config.invalid_numbers:
            return 400, _error(21211, f"Invalid 'To' Phone Number: {to}", 400)
        events = tuple(parse_qs(encoded).get("StatusCallbackEvent", []))
        call = FakeCall(
            sid="CA" + secrets.token_hex(16),
            account_sid=self.config.account_sid,
            to=to,
            from_=sender,
            url=url,
            method=form.get("Method", "POST") or "POST",
            status_callback=form.get("StatusCallback") or None,
            status_events=events,
            status="queued",
            created_at=datetime.now(UTC),
        )
        with self._lock:
            self._calls[call.sid] = call
        return 201, call.resource()

    def _list_calls(self, path: str, query: dict[str, str]) -> tuple[int, Any]:
        page_size = min(max(int(query.get("PageSize", "50") or 50), 1), 1000)
        after = query.get("StartTime>")
        with self._lock:
            chosen = [
                call
                for call in self._calls.values()
                if (not query.get("To") or call.to == query["To"])
                and (
                    not after
                    or (
                        call.start_time is not None
                        and call.start_time >= _filter_moment(after, end_of_day=False)
                    )
                )
            ]
        chosen.sort(key=lambda call: call.created_at, reverse=True)
        rows = chosen[:page_size]
        return 200, {
            "calls": [call.resource() for call in rows],
            "first_page_uri": path,
            "next_page_uri": None,
            "previous_page_uri": None,
            "page": 0,
            "page_size": page_size,
            "start": 0,
            "end": max(len(rows) - 1, 0),
            "uri": path,
        }

    @property
    def calls(self) -> list[FakeCall]:
        with self._lock:
            return sorted(self._calls.values(), key=lambda call: call.created_at)

    def calls_to(self, to: str) -> list[FakeCall]:
        return [call for call in self.calls if call.to == to]

    def _call_params(self, call: FakeCall, status: str) -> dict[str, str]:
        return {
            "AccountSid": call.account_sid,
            "ApiVersion": API_VERSION,
            "CallSid": call.sid,
            "CallStatus": status,
            "Direction": "outbound-api",
            "From": call.from_,
            "To": call.to,
        }

    def _post_signed(self, url: str, params: dict[str, str]) -> httpx.Response:
        return self._http.post(
            url,
            data=params,
            headers={
                "X-Twilio-Signature": self.sign(url, params),
                "I-Twilio-Idempotency-Token": secrets.token_hex(16),
                "User-Agent": "TwilioProxy/1.1",
            },
        )

    def call_status(self, sid: str, status: str) -> httpx.Response | None:
        """Post a status callback for call `sid` (signed), as Twilio does; None without one."""
        with self._lock:
            call = self._calls[sid]
            call.status = status
            now = datetime.now(UTC)
            if status in ("ringing", "in-progress") and call.start_time is None:
                call.start_time = now
            if status in ("completed", "busy", "no-answer", "failed", "canceled"):
                call.end_time = now
        if call.status_callback is None:
            return None
        params = self._call_params(call, status)
        if status in ("busy", "no-answer", "failed", "canceled"):
            params["CallDuration"] = "0"
        response = self._post_signed(call.status_callback, params)
        with self._lock:
            self.callbacks.append(
                CallbackRecord(call.status_callback, params, response.status_code)
            )
        return response

    def answer_call(self, sid: str, *keys: str) -> list[str]:
        """Drive call `sid` as a volunteer who picks up: ringing, then fetch our TwiML (signed),
        then for each of `keys` post it as `Digits` to the last Gather's action (signed), then
        the final status "completed". The TwiML documents our app answered, in order."""
        self.call_status(sid, "ringing")
        self.call_status(sid, "in-progress")
        call = self._calls[sid]
        params = self._call_params(call, "in-progress")
        answer = self._post_signed(call.url, params)
        answer.raise_for_status()
        documents = [answer.text]
        for key in keys:
            gather = ElementTree.fromstring(documents[-1]).find("Gather")
            if gather is None:
                break
            response = self._post_signed(gather.attrib["action"], {**params, "Digits": key})
            response.raise_for_status()
            documents.append(response.text)
        with self._lock:
            call.twiml.extend(documents)
        self.call_status(sid, "completed")
        return documents

    def end_call(self, sid: str, status: str) -> None:
        """A call not answered: "no-answer", "busy" or "failed" (after ringing)."""
        if status != "failed":
            self.call_status(sid, "ringing")
        self.call_status(sid, status)

    # -- delivery receipts -------------------------------------------------------------------

    def _progress(self, sid: str) -> None:
        message = self.message(sid)
        if message.status not in ("queued", "accepted"):
            return
        steps: list[tuple[str, int | None]] = []
        if message.status == "accepted":
            steps.append(("queued", None))
        if message.to in self.config.failed_numbers:
            steps.append(("failed", self.config.failed_numbers[message.to]))
        elif message.to in self.config.undelivered_numbers:
            steps += [("sent", None), ("undelivered", self.config.undelivered_numbers[message.to])]
        else:
            steps += [("sent", None), ("delivered", None)]
        if message.status_callback and message.status == "queued":
            self._callback(self.message(sid))
        for status, error_code in steps:
            if self._stopping.wait(self.config.progress_step_s):
                return
            now = datetime.now(UTC)
            with self._lock:
                current = self._messages[sid]
                updated = replace(
                    current,
                    status=status,
                    from_=current.from_ or TEST_FROM,
                    sent_at=current.sent_at or (now if status != "failed" else None),
                    updated_at=now,
                    error_code=error_code,
                )
                self._messages[sid] = updated
            if updated.status_callback:
                self._callback(updated)

    def _callback(self, message: FakeMessage) -> None:
        assert message.status_callback is not None
        params = {
            "AccountSid": message.account_sid,
            "ApiVersion": API_VERSION,
            "From": message.from_ or TEST_FROM,
            "MessageSid": message.sid,
            "MessageStatus": message.status,
            "SmsSid": message.sid,
            "SmsStatus": message.status,
            "To": message.to,
        }
        if message.messaging_service_sid:
            params["MessagingServiceSid"] = message.messaging_service_sid
        if message.error_code is not None:
            params["ErrorCode"] = str(message.error_code)
        headers = {
            "X-Twilio-Signature": self.sign(message.status_callback, params),
            "I-Twilio-Idempotency-Token": secrets.token_hex(16),
            "User-Agent": "TwilioProxy/1.1",
        }
        try:
            response = self._http.post(message.status_callback, data=params, headers=headers)
            record = CallbackRecord(message.status_callback, params, response.status_code)
        except httpx.HTTPError as error:
            record = CallbackRecord(message.status_callback, params, None, type(error).__name__)
        with self._lock:
            self.callbacks.append(record)

    # -- helpers -----------------------------------------------------------------------------

    def _authorised(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return hmac.compare_digest(user, self.config.account_sid) and hmac.compare_digest(
            password, self.config.auth_token
        )

    def _fault_for(self, method: str) -> Fault:
        if method not in self.config.faults.methods:
            return Fault.NONE
        with self._lock:
            if self._script:
                return self._script.popleft()
            return self.config.faults.draw(self._rng)

    def _stall(self, handler: _Handler) -> None:
        self._stopping.wait(self.config.stall_s)
        handler.close_connection = True

    def _log(self, method: str, path: str, status: int | None, fault: Fault) -> None:
        with self._lock:
            self.requests.append(RequestRecord(method, path, status, fault))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256
    fake: FakeTwilio

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client killed mid-request (the fault benchmarks SIGKILL workers) resets its
        # connection: expected, and a traceback per reset would bury the benchmark's figures.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without this, Nagle's algorithm and the
    # client's delayed ACK add 40 ms to every answer on a kept-alive connection.
    disable_nagle_algorithm = True
    server: _Server
    on_answer: Callable[[], None] | None = None

    def send_response(self, code: int, message: str | None = None) -> None:
        if self.on_answer is not None:
            self.on_answer()
        super().send_response(code, message)

    def do_GET(self) -> None:
        self.server.fake.handle(self)

    def do_POST(self) -> None:
        self.server.fake.handle(self)

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def answer_json(self, status: int, payload: Any, *, authenticate: bool = False) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if authenticate:
                self.send_header("WWW-Authenticate", 'Basic realm="Twilio API"')
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests read `FakeTwilio.requests`


def _error(code: int, message: str, status: int) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _form(encoded: str) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(encoded, keep_blank_values=True).items()}


def _rfc2822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0))


def _filter_moment(value: str, *, end_of_day: bool) -> datetime:
    """A DateSent filter value: YYYY-MM-DD (a whole day) or an ISO 8601 time."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        day = datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
        return day + timedelta(days=1) if end_of_day else day
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _matches(message: FakeMessage, query: Mapping[str, str]) -> bool:
    if query.get("To") and message.to != query["To"]:
        return False
    if query.get("From") and message.from_ != query["From"]:
        return False
    sent = message.sent_at
    # A message not sent yet has no date sent, so no DateSent filter can match it.
    after, before = query.get("DateSent>"), query.get("DateSent<")
    if after and (sent is None or sent < _filter_moment(after, end_of_day=False)):
        return False
    if before and (sent is None or sent >= _filter_moment(before, end_of_day=True)):
        return False
    if query.get("DateSent"):
        start = _filter_moment(query["DateSent"], end_of_day=False)
        if sent is None or not start <= sent < start + timedelta(days=1):
            return False
    return True


def main() -> None:
    """Serve the fake on its own (for benchmarks and workers in other processes).

    `python -m tests.support.fake_twilio --latency 0.15` prints its base URL, then serves
    until interrupted; `GET /_fake/stats` answers with the counts.
    """
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    parser.add_argument(
        "--receipts", action="store_true", help="send signed delivery receipts (sent, delivered)"
    )
    parser.add_argument("--receipt-concurrency", type=int, default=8, help="receipts at once")
    parser.add_argument("--receipt-timeout", type=float, default=15.0, help="seconds per receipt")
    arguments = parser.parse_args()
    fake = FakeTwilio(
        latency_s=arguments.latency,
        auto_progress=arguments.receipts,
        callback_concurrency=arguments.receipt_concurrency,
        callback_timeout_s=arguments.receipt_timeout,
    )
    fake.start(port=arguments.port)
    print(fake.base_url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
