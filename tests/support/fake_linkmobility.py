"""A fake LINK Mobility SMS REST API ("Common"), over real HTTP on loopback, for tests and
benchmarks.

It speaks what `alerts.gateway.linkmobility_gateway` speaks to LINK:

- `POST /sms/send`, JSON, HTTP basic auth (401 on wrong credentials), the platform and
  partner checked (403, result code 104), the gate checked (400, 4000), the destination an
  E.164 number (400, 2106) not on the invalid list (400, 2104), a body (400, 4003);
  answering 200 `{"messageId", "resultCode": 1005, "description": "Queued"}`;
- faults on demand, as the fake Twilio's (`Fault`, `FaultPlan`): 429, 500, 503, stalls
  before or after the message is taken, or an exact script of them;
- every accepted message is recorded (thread-safe), so tests can assert exactly-once;
- delivery reports: with `report_url` set, each accepted message reports 1000 (sent to the
  operator) then 1001 (delivered), or a failure code for numbers configured to fail, POSTed
  as JSON to that URL with the gate's basic-auth credentials, as LINK's gates do;
- `send_mo` POSTs an inbound SMS (MO) as LINK's MO gate would.

Usage: `with FakeLinkMobility() as fake: ... fake.base_url ...`;
`python -m tests.support.fake_linkmobility` serves it alone (prints its base URL).
"""

from __future__ import annotations

import base64
import hmac
import json
import random
import re
import secrets
import sys
import threading
from collections import deque
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.support.fake_twilio import Fault, FaultPlan

TEST_USERNAME = "beredskap-test"
TEST_PASSWORD = "fake-link-password-0123456789"
TEST_PLATFORM_ID = "COMMON_API"
TEST_PARTNER_ID = "12345"
TEST_SOURCE = "+4759440001"
TEST_GATE_ID = "gate-dlr-1"
GATE_USERNAME = "link-gate"
GATE_PASSWORD = "gate-secret-0123456789abcdef"
E164 = re.compile(r"\+[1-9]\d{6,14}")
MAX_BODY_CHARS = 1600


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


@dataclass(frozen=True)
class FakeLinkMessage:
    message_id: str
    to: str
    source: str
    body: str
    ref_id: str | None
    gates: tuple[str, ...]
    validity_ms: int | None
    result_code: int
    created_at: datetime


@dataclass(frozen=True)
class ReportRecord:
    payload: dict[str, Any]
    status_code: int | None
    error: str | None = None


@dataclass
class FakeLinkConfig:
    username: str = TEST_USERNAME
    password: str = TEST_PASSWORD
    platform_id: str = TEST_PLATFORM_ID
    partner_id: str = TEST_PARTNER_ID
    gate_id: str = TEST_GATE_ID
    gate_username: str = GATE_USERNAME
    gate_password: str = GATE_PASSWORD
    latency_s: float = 0.0
    faults: FaultPlan = field(default_factory=FaultPlan)
    stall_s: float = 3.0
    invalid_numbers: frozenset[str] = frozenset()
    # Delivery outcomes by number: the final result code (1006 not delivered, 2104 ...).
    failed_numbers: Mapping[str, int] = field(default_factory=dict)
    report_url: str | None = None
    progress_step_s: float = 0.01
    report_concurrency: int = 8
    report_timeout_s: float = 10.0


class FakeLinkMobility:
    """The fake API in a thread; see the module docstring."""

    def __init__(self, config: FakeLinkConfig | None = None, **overrides: Any) -> None:
        base = config or FakeLinkConfig()
        self.config = replace(base, **overrides) if overrides else base
        self._lock = threading.Lock()
        self._rng = random.Random(self.config.faults.seed)
        self._script: deque[Fault] = deque()
        self._messages: dict[str, FakeLinkMessage] = {}
        self._order: list[str] = []
        self.requests: list[tuple[str, str, int | None, Fault]] = []
        self.reports: list[ReportRecord] = []
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._http = httpx.Client(timeout=self.config.report_timeout_s)

    # -- life cycle --------------------------------------------------------------------------

    def start(self, port: int = 0) -> FakeLinkMobility:
        server = _Server(("127.0.0.1", port), _Handler)
        server.fake = self
        self._server = server
        self._pool = ThreadPoolExecutor(
            max_workers=self.config.report_concurrency, thread_name_prefix="fake-link-dlr"
        )
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._http.close()

    def __enter__(self) -> FakeLinkMobility:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- what tests look at and steer --------------------------------------------------------

    def script(self, *faults: Fault) -> None:
        with self._lock:
            self._script.extend(faults)

    def set_faults(self, plan: FaultPlan | None = None) -> None:
        plan = plan or FaultPlan()
        with self._lock:
            self.config = replace(self.config, faults=plan)
            self._rng = random.Random(plan.seed)
            self._script.clear()

    def accepted(self) -> list[FakeLinkMessage]:
        with self._lock:
            return [self._messages[key] for key in self._order]

    def messages_to(self, to: str) -> list[FakeLinkMessage]:
        return [message for message in self.accepted() if message.to == to]

    def posts(self) -> int:
        with self._lock:
            return sum(1 for method, path, *_ in self.requests if method == "POST")

    def stats(self) -> dict[str, Any]:
        with self._lock:
            per_number: dict[str, int] = {}
            for key in self._order:
                to = self._messages[key].to
                per_number[to] = per_number.get(to, 0) + 1
            return {
                "accepted": len(self._order),
                "numbers": len(per_number),
                "most_to_one_number": max(per_number.values(), default=0),
                "requests": len(self.requests),
                "reports": len(self.reports),
                "first_accepted_at": min(
                    (self._messages[k].created_at.timestamp() for k in self._order), default=None
                ),
                "last_accepted_at": max(
                    (self._messages[k].created_at.timestamp() for k in self._order), default=None
                ),
            }

    def report_payload(self, message: FakeLinkMessage, result_code: int) -> dict[str, Any]:
        """A delivery report as LINK's gate POSTs it."""
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        return {
            "refId": message.ref_id,
            "id": message.message_id,
            "operator": "no.telenor",
            "sentTimestamp": now,
            "timestamp": now,
            "resultCode": result_code,
            "operatorResultCode": "0",
            "segments": 1,
            "gateCustomParameters": {},
            "customParameters": {},
        }

    def send_report(
        self,
        url: str,
        payload: Mapping[str, Any],
        *,
        authorization: str | None = None,
        client: httpx.Client | None = None,
    ) -> httpx.Response:
        """POST a delivery report to `url` (through `client`, e.g. an app's test client)."""
        auth = (
            authorization
            if authorization is not None
            else basic(self.config.gate_username, self.config.gate_password)
        )
        return (client or self._http).post(url, json=dict(payload), headers={"Authorization": auth})

    def send_mo(
        self,
        url: str,
        *,
        from_: str,
        body: str,
        authorization: str | None = None,
        client: httpx.Client | None = None,
        message_id: str | None = None,
    ) -> httpx.Response:
        """POST an inbound SMS (MO) to `url` as LINK's MO gate would."""
        payload = {
            "source": from_,
            "sourceTON": "MSISDN",
            "destination": TEST_SOURCE,
            "destinationTON": "MSISDN",
            "userData": body,
            "messageId": message_id or "mo-" + secrets.token_hex(12),
            "operator": "no.telenor",
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "customParameters": {},
        }
        auth = (
            authorization
            if authorization is not None
            else basic(self.config.gate_username, self.config.gate_password)
        )
        return (client or self._http).post(url, json=payload, headers={"Authorization": auth})

    # -- the API -----------------------------------------------------------------------------

    def handle(self, handler: _Handler) -> None:
        method = handler.command
        path = urlsplit(handler.path).path
        body = handler.read_body()
        if path == "/_fake/stats":
            handler.answer_json(200, self.stats())
            return
        if self.config.latency_s:
            self._stopping.wait(self.config.latency_s)
        if not self._authorised(handler.headers.get("Authorization")):
            self._log(method, path, 401, Fault.NONE)
            handler.answer_json(401, {"status": 401, "description": "Unauthorized"})
            return
        fault = self._fault_for(method)
        if fault in (Fault.RATE_LIMIT, Fault.SERVER_ERROR, Fault.SERVICE_UNAVAILABLE):
            status = int(fault.value)
            self._log(method, path, status, fault)
            handler.answer_json(status, {"status": status, "description": "Fault on demand"})
            return
        if fault is Fault.TIMEOUT:
            self._log(method, path, None, fault)
            self._stall(handler)
            return
        if method != "POST" or path != "/sms/send":
            self._log(method, path, 404, Fault.NONE)
            handler.answer_json(404, {"status": 404, "description": "Not found"})
            return
        status, payload = self._send(body)
        if fault in (Fault.TIMEOUT_AFTER_ACCEPT, Fault.DISCONNECT_AFTER_ACCEPT):
            self._log(method, path, None, fault)
            if fault is Fault.TIMEOUT_AFTER_ACCEPT:
                self._stall(handler)
            handler.close_connection = True
            return
        self._log(method, path, status, Fault.NONE)
        handler.answer_json(status, payload)

    def _send(self, raw: bytes) -> tuple[int, dict[str, Any]]:
        try:
            request = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return 400, {"status": 400, "description": "Invalid JSON"}
        if not isinstance(request, dict):
            return 400, {"status": 400, "description": "Invalid JSON"}
        if (
            request.get("platformId") != self.config.platform_id
            or request.get("platformPartnerId") != self.config.partner_id
        ):
            return 403, {"status": 403, "resultCode": 104, "description": "Forbidden"}
        gates = request.get("deliveryReportGates") or []
        if gates and gates != [self.config.gate_id]:
            return 400, {"status": 400, "resultCode": 4000, "description": "Unknown gate"}
        to = request.get("destination")
        if not isinstance(to, str) or not E164.fullmatch(to):
            return 400, {"status": 400, "resultCode": 2106, "description": "Number error"}
        if to in self.config.invalid_numbers:
            return 400, {"status": 400, "resultCode": 2104, "description": "Unknown subscriber"}
        text = request.get("userData")
        if not isinstance(text, str) or not text or len(text) > MAX_BODY_CHARS:
            return 400, {"status": 400, "resultCode": 4003, "description": "Invalid user data"}
        message = FakeLinkMessage(
            message_id=secrets.token_hex(12),
            to=to,
            source=str(request.get("source")),
            body=text,
            ref_id=request.get("refId"),
            gates=tuple(gates),
            validity_ms=request.get("relativeValidityTime"),
            result_code=1005,
            created_at=datetime.now(UTC),
        )
        with self._lock:
            self._messages[message.message_id] = message
            self._order.append(message.message_id)
        if self.config.report_url and message.gates and self._pool is not None:
            self._pool.submit(self._progress, message)
        return 200, {
            "messageId": message.message_id,
            "resultCode": 1005,
            "description": "Queued",
        }

    def _progress(self, message: FakeLinkMessage) -> None:
        final = self.config.failed_numbers.get(message.to, 1001)
        for code in (1000, final):
            if self._stopping.wait(self.config.progress_step_s):
                return
            with self._lock:
                self._messages[message.message_id] = replace(
                    self._messages[message.message_id], result_code=code
                )
            self._report(message, code)

    def _report(self, message: FakeLinkMessage, code: int) -> None:
        assert self.config.report_url is not None
        payload = self.report_payload(message, code)
        try:
            response = self.send_report(self.config.report_url, payload)
            record = ReportRecord(payload, response.status_code)
        except httpx.HTTPError as error:
            record = ReportRecord(payload, None, type(error).__name__)
        with self._lock:
            self.reports.append(record)

    # -- helpers -----------------------------------------------------------------------------

    def _authorised(self, header: str | None) -> bool:
        expected = basic(self.config.username, self.config.password)
        return header is not None and hmac.compare_digest(header, expected)

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
            self.requests.append((method, path, status, fault))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256
    fake: FakeLinkMobility

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client killed mid-request
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self.server.fake.handle(self)

    def do_POST(self) -> None:
        self.server.fake.handle(self)

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def answer_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    """Serve the fake alone: `python -m tests.support.fake_linkmobility [--port N]
    [--latency S] [--report-url URL]`; `GET /_fake/stats` answers with the counts."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--report-url", default=None, help="our delivery report webhook")
    arguments = parser.parse_args()
    fake = FakeLinkMobility(latency_s=arguments.latency, report_url=arguments.report_url)
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
