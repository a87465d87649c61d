"""The SMS gateway port: what the callout worker needs from any SMS provider.

`send` hands one message to the provider and answers with a result, never an exception:
either `SendAccepted` (the provider's id and status) or `SendFailed` classified by what the
caller must do next:

- `PERMANENT`: this recipient cannot be reached this way (invalid number, unsubscribed with
  STOP, not a mobile). Record the reason on the recipient; never retry.
- `TRANSIENT`: the provider certainly did not take the message (rate limited, overloaded,
  unreachable before the request was sent). Safe to send again later.
- `UNKNOWN`: the provider may have taken it (a timeout or a 5xx after the request went out)
  and asking it did not settle the question. Do NOT send again before `find_sent` has
  shown that no message went out since the attempt began: that is how a recipient gets
  exactly one message.
- `CONFIGURATION`: our account or settings are wrong (bad credentials, a sender we do not
  own). Not the recipient's fault: leave the recipient queued and raise the alarm.

`find_sent` lists the messages the provider accepted for a number since a time, for
reconciling an attempt left in flight by a crashed worker. It raises `GatewayUnavailableError`
when it cannot tell, because "I could not ask" must never read as "nothing was sent".

Implementations must be safe to call from many threads at once: the worker sends with up to
`sms_max_concurrency` requests in flight.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

# What every gateway checks before sending, as the providers do: an E.164 number (ASCII
# digits), and at most Twilio's longest (concatenated) message.
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
MAX_SMS_CHARS = 1600


class MessageStatus(StrEnum):
    """A message's state at the provider (Twilio's values, which other providers map to)."""

    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    READ = "read"
    CANCELED = "canceled"
    RECEIVING = "receiving"
    RECEIVED = "received"
    PARTIALLY_DELIVERED = "partially_delivered"
    # Anything a provider adds later: kept rather than refused, so a receipt is never lost.
    OTHER = "other"

    @classmethod
    def parse(cls, value: str | None) -> MessageStatus:
        try:
            return cls((value or "").strip().lower())
        except ValueError:
            return cls.OTHER

    @property
    def is_final(self) -> bool:
        return self in _FINAL_STATUSES

    @property
    def is_failure(self) -> bool:
        return self in {MessageStatus.FAILED, MessageStatus.UNDELIVERED, MessageStatus.CANCELED}


_FINAL_STATUSES = frozenset(
    {
        MessageStatus.DELIVERED,
        MessageStatus.UNDELIVERED,
        MessageStatus.FAILED,
        MessageStatus.READ,
        MessageStatus.CANCELED,
    }
)


class FailureKind(StrEnum):
    PERMANENT = "permanent"
    TRANSIENT = "transient"
    UNKNOWN = "unknown"
    CONFIGURATION = "configuration"


@dataclass(frozen=True)
class SendAccepted:
    """The provider took the message.

    `reconciled` is true when a retry was avoided because the provider's message list showed
    that an earlier, seemingly failed attempt had in fact been accepted.
    """

    provider_id: str
    status: MessageStatus
    attempts: int = 1
    reconciled: bool = False
    # Which provider took it ("twilio", "linkmobility"): the outbox row records it.
    provider: str | None = None


@dataclass(frozen=True)
class SendFailed:
    """The provider did not (or may not have) taken the message; see the module docstring.

    `code` is the provider's error code (Twilio's 21211, 21610, ...) or, without one, the
    HTTP status. `reason` is fit to show a duty officer and to store: phone numbers are
    masked out of it.
    """

    kind: FailureKind
    reason: str
    code: int | None = None
    http_status: int | None = None
    attempts: int = 1
    provider: str | None = None  # which provider answered so

    @property
    def may_retry_later(self) -> bool:
        return self.kind is FailureKind.TRANSIENT


SendResult = SendAccepted | SendFailed


@dataclass(frozen=True)
class SentMessage:
    """A message the provider accepted, as its message list shows it."""

    provider_id: str
    to: str
    body: str
    status: MessageStatus
    created_at: datetime
    sent_at: datetime | None = None
    error_code: int | None = None


class GatewayUnavailableError(Exception):
    """The provider could not be asked (find_sent); nothing may be concluded from silence."""


@runtime_checkable
class SmsGateway(Protocol):
    """Sends SMS; see the module docstring for the contract of each result."""

    @property
    def name(self) -> str:
        """A short label for logs and the status page: "twilio" or "local"."""
        ...

    @property
    def longest_send_s(self) -> float:
        """The longest one `send` call can take, retries and the last check included: an
        attempt begun longer ago than this cannot still be on its way to the provider."""
        ...

    def send(
        self,
        to: str,
        body: str,
        *,
        reference: str,
        status_callback_url: str | None = None,
        validity_period_s: int | None = None,
    ) -> SendResult:
        """Hand one message to the provider.

        `to` is an E.164 number. `reference` is the caller's stable id for this message
        (the outbox row): it appears in logs instead of the number, and a gateway that can
        deduplicate on it does. `status_callback_url` receives delivery receipts (build it
        with `webhook_signature.status_callback_url` so it carries the reference).
        `validity_period_s` overrides the gateway's default: the provider drops the message
        if it cannot be delivered within it, so a callout is never delivered stale.
        """
        ...

    def find_sent(self, to: str, since: datetime) -> list[SentMessage]:
        """Messages accepted for `to` since `since` (timezone-aware), newest first.

        Raises `GatewayUnavailableError` when the provider cannot be asked.
        """
        ...
