"""Inbound SMS replies through `POST /webhooks/twilio/sms`: throughput and latency.

Builds an empty, migrated database with `--volunteers` volunteers asked by two active
callouts (their messages delivered), serves the real app with `beredskap serve` (uvicorn,
one worker) in a process of its own with Twilio settings, and fires `--requests` replies
signed as Twilio signs them (X-Twilio-Signature for BEREDSKAP_PUBLIC_URL + path), from
`--concurrency` connections at once (httpx, asyncio). Replies are a mix of what volunteers
write: "JA 20", "nei", "<code> JA 15", "ja kl 14.30", "hjelp", the odd STOP and unknown
number, each with its own MessageSid. Every answer must be 200 TwiML; afterwards the
InboundSms table must hold exactly one row per request (no reply lost).

    .venv/bin/python bench/inbound_webhook.py
    .venv/bin/python bench/inbound_webhook.py --url postgresql+psycopg://postgres@127.0.0.1/db
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
from shapely.geometry import Point
from sqlalchemy import func, insert, select
from twilio.request_validator import RequestValidator

from alerts.models import Callout, CalloutNeed, CalloutRecipient, InboundSms, RecipientState
from beredskap.main.settings import Settings
from beredskap.platform import migrate
from beredskap.platform.columns import utcnow
from beredskap.platform.db import transaction
from beredskap.platform.runtime import Database, open_database
from beredskap.register.volunteers.models import QualificationType, Volunteer

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from bench.harness import _free_port, percentile  # noqa: E402

PUBLIC_URL = "https://beredskap.example.no"
PATH = "/webhooks/twilio/sms"
TOKEN = secrets.token_hex(16)
ACCOUNT_SID = "AC" + "0" * 32
SENDER = "+4790000000"


def _mobile(index: int) -> str:
    return f"+4741{index:06d}"


def _prepare(database: Database, volunteers: int) -> list[str]:
    """An empty schema, volunteers, two active callouts asking all of them; their codes."""
    if migrate.current_revision(database.engine) is not None:
        migrate.downgrade(database.engine, "base")
    migrate.upgrade(database.engine)
    now = utcnow()
    with transaction(database.sessions, actor="bench") as session:
        session.execute(
            insert(Volunteer),
            [
                {"full_name": f"Frivillig {index}", "mobile": _mobile(index), "sms_consent": True}
                for index in range(volunteers)
            ],
        )
        ids = list(session.scalars(select(Volunteer.id).order_by(Volunteer.id)))
        first_aid = session.scalars(
            select(QualificationType.id).where(QualificationType.code == "first_aid")
        ).one()
        codes = []
        for number, title in enumerate(("Flom Leirsund", "Savnet ved Nitelva")):
            callout = Callout(
                code=f"B{number + 1}",
                title=title,
                message="Oppmøte Lillestrøm stasjon.",
                centre=Point(11.0494, 59.9560),
                radius_m=20_000,
                created_by="bench",
                status="active",
                sent_at=now,
                organisation_ids=[],
            )
            # More than can say yes: the bench measures replies, not the covered thanks.
            callout.needs.append(CalloutNeed(qualification_type_id=first_aid, count=volunteers * 2))
            session.add(callout)
            session.flush()
            codes.append(callout.code)
            session.execute(
                insert(CalloutRecipient),
                [
                    {
                        "callout_id": callout.id,
                        "volunteer_id": volunteer_id,
                        "mobile": _mobile(index),
                        "distance_m": 1000.0,
                        "state": RecipientState.DELIVERED,
                        "sent_at": now,
                    }
                    for index, volunteer_id in enumerate(ids)
                ],
            )
    return codes


def _replies(count: int, volunteers: int, codes: list[str], seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    texts = ["JA 20", "nei", "Ja, 15 min", "J", "1", "ja kl 14.30", "NEI takk", "hjelp", "?"]
    forms = []
    for _ in range(count):
        roll = rng.random()
        sender = _mobile(rng.randrange(volunteers))
        if roll < 0.01:
            text = "STOP"
        elif roll < 0.03:
            sender, text = f"+4799{rng.randrange(10**6):06d}", "JA"  # unknown number
        elif roll < 0.35:
            text = f"{rng.choice(codes)} {rng.choice(['JA 10', 'NEI', 'ja 30 min'])}"
        else:
            text = rng.choice(texts)
        sid = "SM" + secrets.token_hex(16)
        forms.append(
            {
                "MessageSid": sid,
                "SmsSid": sid,
                "SmsMessageSid": sid,
                "AccountSid": ACCOUNT_SID,
                "From": sender,
                "To": SENDER,
                "Body": text,
                "NumMedia": "0",
                "NumSegments": "1",
                "SmsStatus": "received",
                "ApiVersion": "2010-04-01",
            }
        )
    return forms


async def _fire(
    base_url: str, forms: list[dict[str, str]], concurrency: int
) -> tuple[list[float], list[int], float]:
    validator = RequestValidator(TOKEN)
    prepared = [
        (
            urlencode(form),
            validator.compute_signature(PUBLIC_URL + PATH, form),
        )
        for form in forms
    ]
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for item in prepared:
        queue.put_nowait(item)
    timings: list[float] = []
    statuses: list[int] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:

        async def worker() -> None:
            while not queue.empty():
                body, signature = queue.get_nowait()
                started = time.perf_counter()
                response = await client.post(
                    PATH,
                    content=body,
                    headers={
                        "content-type": "application/x-www-form-urlencoded",
                        "X-Twilio-Signature": signature,
                    },
                )
                timings.append((time.perf_counter() - started) * 1000)
                statuses.append(response.status_code)
                if response.status_code != 200 or "<Response>" not in response.text:
                    raise RuntimeError(f"{response.status_code}: {response.text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return timings, statuses, elapsed


_WRK_SCRIPT = """
local pending = {%(requests)s}
local total, sent, refused = #pending, 0, 0
request = function()
  sent = sent + 1
  if sent > total then sent = 1 end  -- past the end: again from the start (duplicates)
  local item = pending[sent]
  return wrk.format("POST", "%(path)s", {["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = item[2]}, item[1])
end
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, "<Response", 1, true) then refused = refused + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%.6f %%.3f %%.3f %%.3f %%.3f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def _fire_wrk(
    base_url: str, forms: list[dict[str, str]], concurrency: int, seconds: float, scratch: Path
) -> tuple[dict[str, float], float]:
    """Replies sent by wrk (C, one thread: the load costs the machine little) for `seconds`,
    each of `forms` once in order (more than can be sent in that time); latency percentiles
    (ms), the replies answered and the seconds it took. A status other than 200 TwiML, or
    a socket error, counts as an error."""
    validator = RequestValidator(TOKEN)
    signed = [
        (urlencode(form), validator.compute_signature(PUBLIC_URL + PATH, form)) for form in forms
    ]
    entries = ",".join(f"{{[==[{body}]==],[==[{signature}]==]}}" for body, signature in signed)
    script = scratch / "replies.lua"
    script.write_text(_WRK_SCRIPT % {"requests": entries, "path": PATH})
    done = subprocess.run(
        [
            *("wrk", "-t1", f"-c{concurrency}", f"-d{seconds:.0f}s", "--timeout", "15s"),
            *("-s", str(script), base_url + PATH),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(row for row in done.stdout.splitlines() if row.startswith("RESULT"))
    count, errors, took, p50, p95, p99, longest = line.split()[1:]
    if int(count) >= len(forms):
        raise SystemExit("wrk ran out of distinct replies: raise --requests")
    return {
        "requests": float(count),
        "errors": float(errors),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "max": float(longest),
    }, float(took)


def _wait(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            if httpx.get(base_url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not start within 60 s")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its worker processes so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return own + sum(_cpu_seconds(int(child)) for child in children)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="database URL (default: SpatiaLite in a temp file)")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--warm-up", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--volunteers", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument(
        "--driver",
        choices=("httpx", "wrk"),
        default="httpx",
        help="the client: httpx in this process (Python, about as costly as the server) or "
        "wrk (C, apt install wrk), which leaves the cores to the server",
    )
    parser.add_argument(
        "--seconds", type=float, default=10, help="wrk: how long (--requests must outlast it)"
    )
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        url = arguments.url or f"sqlite:///{Path(scratch) / 'bench.db'}"
        database = open_database(Settings(database_url=url))
        codes = _prepare(database, arguments.volunteers)
        port = _free_port()
        environment = os.environ | {
            "BEREDSKAP_DATABASE_URL": url,
            "BEREDSKAP_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "BEREDSKAP_TWILIO_AUTH_TOKEN": TOKEN,
            "BEREDSKAP_TWILIO_FROM": SENDER,
            "BEREDSKAP_PUBLIC_URL": PUBLIC_URL,
        }
        log = (Path(scratch) / "server.log").open("wb")
        server = subprocess.Popen(
            [
                sys.executable,
                *("-m", "beredskap.main.cli", "serve", "--port", str(port)),
                *("--workers", str(arguments.workers)),
            ],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait(base_url, server)
            total = arguments.warm_up + arguments.requests
            forms = _replies(total, arguments.volunteers, codes, arguments.seed)
            asyncio.run(_fire(base_url, forms[: arguments.warm_up], arguments.concurrency))
            cpu_before = _cpu_seconds(server.pid)
            client_before = time.process_time()
            if arguments.driver == "wrk":
                figures, elapsed = _fire_wrk(
                    base_url,
                    forms[arguments.warm_up :],
                    arguments.concurrency,
                    arguments.seconds,
                    Path(scratch),
                )
            else:
                timings, statuses, elapsed = asyncio.run(
                    _fire(base_url, forms[arguments.warm_up :], arguments.concurrency)
                )
                figures = {
                    "requests": len(timings),
                    "errors": len(statuses) - statuses.count(200),
                    "p50": statistics.median(timings),
                    "p95": percentile(timings, 0.95),
                    "p99": percentile(timings, 0.99),
                    "max": max(timings),
                }
            server_cpu = _cpu_seconds(server.pid) - cpu_before
            client_cpu = time.process_time() - client_before
        except Exception:
            log.flush()
            print((Path(scratch) / "server.log").read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            server.terminate()
            server.wait(timeout=20)
            log.close()
        with database.sessions() as session:
            recorded = int(session.scalar(select(func.count()).select_from(InboundSms)) or 0)
        database.engine.dispose()

    sent = int(figures["requests"])
    print(f"backend: {database.backend}, {arguments.volunteers} volunteers, 2 active callouts")
    print(
        f"{sent} signed replies ({arguments.driver}), {arguments.concurrency} at a time: "
        f"{sent / elapsed:.0f} replies/s"
    )
    print(
        f"latency p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, "
        f"p99 {figures['p99']:.1f} ms, max {figures['max']:.1f} ms"
    )
    client = (
        f"the client: {client_cpu / sent * 1000:.1f} ms per reply"
        if arguments.driver == "httpx"
        else "the client: wrk, in a process of its own"
    )
    print(
        f"server CPU: {server_cpu / sent * 1000:.1f} ms per reply "
        f"({server_cpu / elapsed * 100:.0f}% of one core, {arguments.workers} processes); " + client
    )
    print(
        f"answers other than 200 TwiML, or failed: {figures['errors']:.0f} of "
        f"{figures['requests']:.0f}"
    )
    expected = arguments.warm_up + sent
    # wrk stops with some replies sent but not yet answered: those may be in the log too.
    print(
        f"InboundSms rows: {recorded} (answered {expected}, at most {arguments.concurrency} more)"
    )
    if not expected <= recorded <= expected + arguments.concurrency or figures["errors"]:
        raise SystemExit("replies were lost")


if __name__ == "__main__":
    main()
