"""What the SMS benchmarks share: the fake Twilio in a process of its own, its counters, and
the naive loop a user would write with the twilio library."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from twilio.rest import Client

from alerts.gateway.twilio_http import RelayingHttpClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support

from tests.support.fake_twilio import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_FROM  # noqa: E402


@contextmanager
def fake_twilio_process(latency_s: float, *options: str) -> Iterator[str]:
    """The fake Twilio REST API answering each request after `latency_s` (with more of its
    command-line `options`, e.g. "--receipts"); its base URL."""
    server = subprocess.Popen(
        [
            sys.executable,
            *("-m", "tests.support.fake_twilio", "--latency", str(latency_s)),
            *options,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        yield server.stdout.readline().strip()
    finally:
        server.terminate()
        server.wait(timeout=10)


def stats(base_url: str) -> dict[str, Any]:
    """The fake's counters: accepted, numbers, most_to_one_number, peak_concurrency,
    callbacks and callbacks_by_status."""
    with urllib.request.urlopen(f"{base_url}/_fake/stats", timeout=10) as response:
        return dict(json.load(response))


def naive_loop(base_url: str, numbers: list[str], body: str) -> float:
    """Seconds for `for n in numbers: client.messages.create(...)`, one after another."""
    client = Client(
        TEST_ACCOUNT_SID,
        TEST_AUTH_TOKEN,
        http_client=RelayingHttpClient(base_url, timeout_s=10),
        environment={"BEREDSKAP": "settings only"},
    )
    started = time.perf_counter()
    for number in numbers:
        client.messages.create(to=number, from_=TEST_FROM, body=body)
    return time.perf_counter() - started
