"""Handing SMS to a Twilio-like API: the naive loop against our gateway with concurrent sends.

Starts the fake Twilio REST API (tests/support/fake_twilio.py) in a process of its own, which
answers every request after `--latency` (default 150 ms, about what the real API takes). Then:

- naive: one twilio `Client`, `for number in numbers: client.messages.create(...)`, the loop
  a user would write;
- gateway: `TwilioGateway.send` from a pool of `--concurrency` threads (default 50, the
  `sms_max_concurrency` default), with its retries, reconciliation and concurrency cap.

Each phase sends to numbers of its own; the fake's counts must show exactly one message per
number. This measures the gateway alone: the callout worker's database work is not in it.

    .venv/bin/python bench/sms_gateway.py --count 2000 --naive-count 2000
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pydantic import SecretStr

from alerts.gateway.port import SendAccepted
from alerts.gateway.twilio_gateway import TwilioConfig, TwilioGateway

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support

from bench.fake_gateway import fake_twilio_process, naive_loop, stats  # noqa: E402
from tests.support.fake_twilio import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_FROM  # noqa: E402

BODY = "ØVELSE ØVELSE ØVELSE\nOppmøte ved Lillestrøm brannstasjon.\nSvar B7 JA eller B7 NEI."


def _numbers(prefix: int, count: int) -> list[str]:
    return [f"+47{prefix}{index:06d}" for index in range(count)]


def gateway_pool(base_url: str, numbers: list[str], concurrency: int) -> float:
    gateway = TwilioGateway(
        TwilioConfig(
            account_sid=TEST_ACCOUNT_SID,
            auth_token=SecretStr(TEST_AUTH_TOKEN),
            from_number=TEST_FROM,
            api_base=base_url,
            max_concurrency=concurrency,
        )
    )
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(
            pool.map(lambda number: gateway.send(number, BODY, reference=number), numbers)
        )
    elapsed = time.perf_counter() - started
    gateway.close()
    failed = [result for result in results if not isinstance(result, SendAccepted)]
    if failed:
        raise SystemExit(f"{len(failed)} sends failed: {failed[:3]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--naive-count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.150)
    arguments = parser.parse_args()
    with fake_twilio_process(arguments.latency) as base_url:
        gateway_s = gateway_pool(base_url, _numbers(91, arguments.count), arguments.concurrency)
        after_gateway = stats(base_url)
        naive_s = naive_loop(base_url, _numbers(92, arguments.naive_count), BODY)
        after_naive = stats(base_url)
    expected = arguments.count + arguments.naive_count
    assert after_naive["accepted"] == after_naive["numbers"] == expected, after_naive
    assert after_naive["most_to_one_number"] == 1, after_naive
    print(f"latency per request at the fake: {arguments.latency * 1000:.0f} ms")
    print(
        f"gateway, {arguments.concurrency} concurrent: {arguments.count} messages in "
        f"{gateway_s:.2f} s ({arguments.count / gateway_s:.0f}/s); peak concurrency at the "
        f"fake {after_gateway['peak_concurrency']}"
    )
    print(
        f"naive loop: {arguments.naive_count} messages in {naive_s:.2f} s "
        f"({arguments.naive_count / naive_s:.1f}/s)"
    )
    per_message_naive = naive_s / arguments.naive_count
    per_message_gateway = gateway_s / arguments.count
    print(f"speed-up: {per_message_naive / per_message_gateway:.1f}x")
    print(f"every number got exactly one message ({expected} in all)")


if __name__ == "__main__":
    main()
