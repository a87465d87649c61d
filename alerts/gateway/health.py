"""What a worker sees of its SMS gateway: the alarm a duty officer must be told about.

The worker notes each answer of the gateway; `alarm` reads the last minute of them:

- `configuration`: the provider refused our account or settings (wrong credentials, a
  sender we do not own). Sending is paused and messages stay queued: nobody is reached
  until someone fixes the settings. The most urgent, so it wins over the others.
- `numbers_refused`: many numbers refused as invalid or not mobiles in a short time (a bad
  import, a wrong country code), not one odd number.
- `rate_limited`: the provider keeps answering "too many requests": messages go out slower.
- `unavailable`: the provider fails or does not answer (5xx, time-outs, no connection) more
  often than it takes messages.

The alarm is a code: the heartbeat carries it to the pages, which say it in words in the
reader's language. Thread-safe: the send threads note, the heartbeat thread reads.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from enum import StrEnum

from alerts.gateway.port import FailureKind, SendAccepted, SendFailed, SendResult

WINDOW_S = 60.0
# Bulk, not one odd number: this many in the window, and this share of what was answered.
BULK_REFUSALS = 10
BULK_SHARE = 0.1
RATE_LIMITED_AFTER = 5
UNAVAILABLE_AFTER = 5
# Twilio's "not a valid (mobile) number" family, and LINK Mobility's (unknown subscriber,
# number error, destination not supported).
NUMBER_ERRORS = frozenset(
    {21211, 21214, 21217, 21401, 21407, 21421, 21612, 21614, 2102, 2104, 2106}
)


class GatewayAlarm(StrEnum):
    CONFIGURATION = "configuration"
    NUMBERS_REFUSED = "numbers_refused"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"


class _Kind(StrEnum):
    ACCEPTED = "accepted"
    CONFIGURATION = "configuration"
    NUMBER = "number"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    OTHER = "other"


def _kind(result: SendResult) -> _Kind:
    if isinstance(result, SendAccepted):
        return _Kind.ACCEPTED
    assert isinstance(result, SendFailed)
    if result.kind is FailureKind.CONFIGURATION:
        return _Kind.CONFIGURATION
    if result.kind is FailureKind.PERMANENT:
        return _Kind.NUMBER if result.code in NUMBER_ERRORS else _Kind.OTHER
    if result.http_status == 429 or result.code in (429, 20429):
        return _Kind.RATE_LIMITED
    return _Kind.UNAVAILABLE


@dataclass(frozen=True)
class AlarmState:
    alarm: GatewayAlarm
    since: float  # time.time() of the first answer in the window that raised it
    count: int  # answers of that kind in the window


class GatewayHealth:
    """The last minute of a gateway's answers; see the module docstring."""

    def __init__(self) -> None:
        self._answers: deque[tuple[float, _Kind]] = deque()
        self._lock = threading.Lock()

    def note(self, result: SendResult, *, at: float | None = None) -> None:
        moment = time.time() if at is None else at
        with self._lock:
            self._answers.append((moment, _kind(result)))
            self._forget(moment)

    def alarm(self, *, at: float | None = None) -> AlarmState | None:
        moment = time.time() if at is None else at
        with self._lock:
            self._forget(moment)
            answers = list(self._answers)
        if not answers:
            return None
        by_kind: dict[_Kind, list[float]] = {}
        for when, kind in answers:
            by_kind.setdefault(kind, []).append(when)

        def state(alarm: GatewayAlarm, kind: _Kind) -> AlarmState:
            return AlarmState(alarm, by_kind[kind][0], len(by_kind[kind]))

        accepted = len(by_kind.get(_Kind.ACCEPTED, []))
        # A refusal of our account pauses sending: it is the alarm until a message goes out.
        if _Kind.CONFIGURATION in by_kind and (
            not accepted or by_kind[_Kind.ACCEPTED][-1] < by_kind[_Kind.CONFIGURATION][-1]
        ):
            return state(GatewayAlarm.CONFIGURATION, _Kind.CONFIGURATION)
        numbers = len(by_kind.get(_Kind.NUMBER, []))
        if numbers >= BULK_REFUSALS and numbers >= BULK_SHARE * len(answers):
            return state(GatewayAlarm.NUMBERS_REFUSED, _Kind.NUMBER)
        if len(by_kind.get(_Kind.RATE_LIMITED, [])) >= RATE_LIMITED_AFTER:
            return state(GatewayAlarm.RATE_LIMITED, _Kind.RATE_LIMITED)
        unavailable = len(by_kind.get(_Kind.UNAVAILABLE, []))
        if unavailable >= UNAVAILABLE_AFTER and unavailable > accepted:
            return state(GatewayAlarm.UNAVAILABLE, _Kind.UNAVAILABLE)
        return None

    def _forget(self, now: float) -> None:
        while self._answers and self._answers[0][0] < now - WINDOW_S:
            self._answers.popleft()
