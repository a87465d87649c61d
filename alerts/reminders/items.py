"""What a reminder is before it is given: its ledger key and the messages it queues."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from alerts.models import MessageChannel


class Kind(enum.StrEnum):
    """The kinds of reminder, as the ledger and `beredskap reminders run` name them."""

    QUALIFICATION = "qualification-expiry"
    INSPECTION = "inspection-due"
    AGREEMENT_REVIEW = "agreement-review"
    AGREEMENT_NOTICE = "agreement-notice"
    CONFIRMATION = "organisation-confirmation"


@dataclass(frozen=True)
class Message:
    """One message of a reminder. `recipient` is the stable part of its dedupe key that tells
    the recipients of one reminder apart ("volunteer", "organisation:12", "user:3")."""

    channel: MessageChannel
    to: str
    body: str
    subject: str | None
    recipient: str


@dataclass(frozen=True)
class Reminder:
    """A reminder due today: about which thing (`subject_id` of its kind), at which
    threshold, for which due day; its messages are queued only if the ledger has no row of
    that key yet."""

    kind: Kind
    subject_id: int
    threshold: str
    due_on: date
    messages: tuple[Message, ...]

    @property
    def key(self) -> tuple[str, int, str, date]:
        """Its key in the ledger: (kind, subject, threshold, due day)."""
        return (self.kind.value, self.subject_id, self.threshold, self.due_on)

    def dedupe_key(self, message: Message) -> str:
        return (
            f"reminder:{self.kind.value}:{self.subject_id}:{self.threshold}"
            f":{self.due_on.isoformat()}:{message.recipient}"
        )
