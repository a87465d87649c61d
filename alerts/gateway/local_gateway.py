"""The local gateway: records messages instead of sending them, for the demo and tests.

Without Twilio settings this is the gateway, so no real SMS is ever sent by accident. It
behaves like a provider that delivers at once: `send` records the message and answers
`delivered` with an id of its own (`LM` + 32 hex digits, shaped like Twilio's `SM...`).

Where the messages are kept is a `LocalMessageStore`: `InMemoryLocalMessageStore` here, for
tests; the application backs it with a table so the demo can show the messages on a page.
A store must make a record durable before `record` returns (its own transaction), as a real
provider's acceptance would be, and deduplicate on the caller's reference: sending the same
reference twice records one message and answers with it both times.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from alerts.gateway.port import (
    E164,
    MAX_SMS_CHARS,
    FailureKind,
    MessageStatus,
    SendAccepted,
    SendFailed,
    SendResult,
    SentMessage,
)


@dataclass(frozen=True)
class LocalMessage:
    """One message the local gateway "sent"."""

    provider_id: str
    reference: str
    to: str
    body: str
    created_at: datetime
    status: MessageStatus = MessageStatus.DELIVERED
    status_callback_url: str | None = None
    validity_period_s: int | None = None

    def as_sent(self) -> SentMessage:
        return SentMessage(
            provider_id=self.provider_id,
            to=self.to,
            body=self.body,
            status=self.status,
            created_at=self.created_at,
            sent_at=self.created_at,
        )


class LocalMessageStore(Protocol):
    """Where the local gateway keeps its messages (memory in tests, a table in the app)."""

    def record(self, message: LocalMessage) -> LocalMessage:
        """Keep `message` durably; if one with the same reference exists, return that one."""
        ...

    def sent_to(self, to: str, since: datetime) -> list[LocalMessage]:
        """Messages for `to` created at or after `since`, newest first."""
        ...


class InMemoryLocalMessageStore:
    """A `LocalMessageStore` in a list; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[LocalMessage] = []
        self._by_reference: dict[str, LocalMessage] = {}

    def record(self, message: LocalMessage) -> LocalMessage:
        with self._lock:
            existing = self._by_reference.get(message.reference)
            if existing is not None:
                return existing
            self._messages.append(message)
            self._by_reference[message.reference] = message
            return message

    def sent_to(self, to: str, since: datetime) -> list[LocalMessage]:
        with self._lock:
            found = [m for m in self._messages if m.to == to and m.created_at >= since]
        return sorted(found, key=lambda m: m.created_at, reverse=True)

    def all(self) -> list[LocalMessage]:
        """Every message, in the order recorded."""
        with self._lock:
            return list(self._messages)


def new_local_message_id() -> str:
    return "LM" + secrets.token_hex(16)


class LocalGateway:
    """An `SmsGateway` that records messages in a `LocalMessageStore` and sends nothing."""

    name = "local"
    longest_send_s = 5.0  # a write to the local store

    def __init__(
        self,
        store: LocalMessageStore,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self._clock = clock

    def send(
        self,
        to: str,
        body: str,
        *,
        reference: str,
        status_callback_url: str | None = None,
        validity_period_s: int | None = None,
    ) -> SendResult:
        # The same checks a provider makes, so the demo shows the same failures.
        if not E164.fullmatch(to):
            return SendFailed(FailureKind.PERMANENT, "not an E.164 phone number", code=21211)
        if not body.strip():
            return SendFailed(FailureKind.PERMANENT, "empty message", code=21602)
        if len(body) > MAX_SMS_CHARS:
            return SendFailed(
                FailureKind.PERMANENT, f"longer than {MAX_SMS_CHARS} characters", code=21617
            )
        stored = self.store.record(
            LocalMessage(
                provider_id=new_local_message_id(),
                reference=reference,
                to=to,
                body=body,
                created_at=self._clock(),
                status_callback_url=status_callback_url,
                validity_period_s=validity_period_s,
            )
        )
        return SendAccepted(stored.provider_id, stored.status)

    def find_sent(self, to: str, since: datetime) -> list[SentMessage]:
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        return [message.as_sent() for message in self.store.sent_to(to, since)]
