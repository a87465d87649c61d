"""Callout, CalloutNeed and CalloutRecipient tables: who is asked, and the outbox of SMS.

A recipient row is the unit of sending: the worker claims it, records the attempt before it
calls the gateway, then records the provider's id. Its state and answer are what the duty
officer watches. Later messages to the same person (a follow-up, "need covered") are
CalloutNotice rows, sent the same way: both carry the `OutboxColumns`.

Two tables serve the SMS plumbing: LocalSms is the local gateway's record of what it
"sent" (no Twilio configured), and InboundSms logs every reply received and what we did
with it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from geoalchemy2 import WKBElement
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from beredskap.platform.audit.models import Audited
from beredskap.platform.columns import (
    Timestamped,
    UtcDateTime,
    Versioned,
    area_type,
    coerce_area,
    coerce_enum,
    coerce_point,
    enum_type,
    point_type,
    required_text,
)
from beredskap.platform.db import Base
from beredskap.platform.errors import N_, DomainValidationError
from beredskap.platform.privacy.declaration import (
    EMAIL,
    MOBILE,
    SUBJECT_ID,
    DataClass,
    identifies,
    personal,
)
from beredskap.platform.privacy.retention import Action, Period, retains
from beredskap.register.volunteers.models import HeldOnDays, QualificationType, Volunteer

MAX_MESSAGE_LENGTH = 480  # the officer's text; prefixes and reply help come on top
MAX_RADIUS_M = 200_000
MAX_WANTED = 10_000


class CalloutStatus(enum.StrEnum):
    DRAFT = "draft"  # planned: recipients can be previewed, nothing is sent
    ACTIVE = "active"  # sent (or being sent); answers are collected
    STOPPED = "stopped"  # ended by the duty officer; late answers get a polite reply


class RecipientState(enum.StrEnum):
    PLANNED = "planned"  # in a draft: would be asked
    QUEUED = "queued"  # waiting for a worker
    SENDING = "sending"  # a worker recorded its attempt and is calling the gateway
    SENT = "sent"  # the gateway accepted it
    DELIVERED = "delivered"  # the carrier confirmed delivery
    FAILED = "failed"  # not delivered, with the reason
    CANCELLED = "cancelled"  # the callout was stopped before it was sent


class Answer(enum.StrEnum):
    YES = "yes"
    NO = "no"


class NoticeKind(enum.StrEnum):
    FOLLOW_UP = "follow_up"  # to those who said yes: "Oppmøte ved ..."
    COVERED = "covered"  # to the rest once enough said yes: "behov dekket, takk"


class InboundOutcome(enum.StrEnum):
    """What became of a received SMS."""

    ANSWERED = "answered"  # a JA / NEI recorded on a recipient
    OPTED_OUT = "opted_out"
    OPTED_IN = "opted_in"
    HELP = "help"
    NO_OPEN_CALLOUT = "no_open_callout"  # an answer from someone no open callout asked
    UNKNOWN_CODE = "unknown_code"
    UNKNOWN_NUMBER = "unknown_number"
    UNPARSEABLE = "unparseable"
    CONTACT_CHECKED = "contact_checked"  # an answer to a contact check (alerts.verification)


OPEN_STATUSES = (CalloutStatus.DRAFT, CalloutStatus.ACTIVE)
# The callout message reached (or may have reached) the recipient: a reply without a code is
# about one of these, and they are the ones to tell more. Queued has not been sent yet,
# cancelled never will be.
REACHED_STATES = (RecipientState.SENDING, RecipientState.SENT, RecipientState.DELIVERED)


class Callout(Audited, Versioned, Timestamped, Base):
    """A request to volunteers to turn out: where, what is needed, and whom to ask."""

    __tablename__ = "callouts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Short code that replies may start with ("B7 JA"); unique among open callouts.
    code: Mapped[str] = mapped_column(String(4))
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    exercise: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[CalloutStatus] = mapped_column(
        enum_type(CalloutStatus, "status"), default=CalloutStatus.DRAFT
    )
    centre: Mapped[WKBElement] = mapped_column(point_type(), nullable=False)
    radius_m: Mapped[float] = mapped_column(Float)
    area: Mapped[WKBElement | None] = mapped_column(area_type())
    organisation_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    wanted: Mapped[int | None] = mapped_column(Integer)  # None: the sum of the needs
    thank_when_covered: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # When enough said yes and the others were told (automatically or by the officer).
    covered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Escalation, set on the callout and kept in the database so a restart keeps the timer:
    # after `escalate_after_min` minutes with fewer yes than wanted, ask again with the wider
    # radius and/or the next circle of organisations.
    escalate_after_min: Mapped[int | None] = mapped_column(Integer)
    escalate_radius_m: Mapped[float | None] = mapped_column(Float)
    escalate_organisation_ids: Mapped[list[int] | None] = mapped_column(JSON)
    escalation_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Voice fallback (alerts/voice): a phone call to each volunteer asked in the first round
    # who has not answered this many minutes after their SMS was sent; None: no calls.
    voice_after_min: Mapped[int | None] = mapped_column(Integer)
    # The escalation step's own minutes before a call, for those it added (`ask_round` 1),
    # counted from their own SMS; None: they follow `voice_after_min`.
    escalate_voice_after_min: Mapped[int | None] = mapped_column(Integer)

    needs: Mapped[list[CalloutNeed]] = relationship(
        back_populates="callout", cascade="all, delete-orphan", order_by="CalloutNeed.id"
    )
    recipients: Mapped[list[CalloutRecipient]] = relationship(
        back_populates="callout", cascade="all, delete-orphan", order_by="CalloutRecipient.id"
    )

    __table_args__ = (
        CheckConstraint(f"radius_m > 0 AND radius_m <= {MAX_RADIUS_M}", name="radius_range"),
        CheckConstraint(
            f"wanted IS NULL OR wanted BETWEEN 1 AND {MAX_WANTED}", name="wanted_range"
        ),
        Index(
            "uq_callouts_open_code",
            "code",
            unique=True,
            sqlite_where=text("status != 'stopped'"),
            postgresql_where=text("status != 'stopped'"),
        ),
    )

    @validates("title")
    def _validate_title(self, _key: str, value: str) -> str:
        return required_text("title", value, 200)

    @validates("message")
    def _validate_message(self, _key: str, value: str) -> str:
        return required_text("message", value, MAX_MESSAGE_LENGTH)

    @validates("status")
    def _validate_status(self, _key: str, value: Any) -> CalloutStatus:
        return coerce_enum(CalloutStatus, "status", value)

    @validates("centre")
    def _validate_centre(self, _key: str, value: Any) -> Any:
        if value is None:
            raise DomainValidationError("centre", N_("a callout needs a place"))
        return coerce_point("centre", value)

    @validates("area")
    def _validate_area(self, _key: str, value: Any) -> Any:
        return coerce_area("area", value)

    @validates("radius_m")
    def _validate_radius(self, _key: str, value: float) -> float:
        if not 0 < value <= MAX_RADIUS_M:
            raise DomainValidationError(
                "radius_m", N_("must be above 0 and at most %(high)s"), high=MAX_RADIUS_M
            )
        return value

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def wanted_total(self) -> int:
        """How many yes the callout wants: as set, else the sum of its needs."""
        return self.wanted or sum(need.count for need in self.needs)


class CalloutNeed(Base):
    """How many volunteers holding a qualification the callout needs."""

    __tablename__ = "callout_needs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    callout_id: Mapped[int] = mapped_column(
        ForeignKey("callouts.id", ondelete="CASCADE"), index=True
    )
    qualification_type_id: Mapped[int] = mapped_column(
        ForeignKey("qualification_types.id", ondelete="RESTRICT")
    )
    count: Mapped[int] = mapped_column(Integer)

    callout: Mapped[Callout] = relationship(back_populates="needs")
    qualification_type: Mapped[QualificationType] = relationship()

    __table_args__ = (
        UniqueConstraint("callout_id", "qualification_type_id"),
        CheckConstraint(f"count BETWEEN 1 AND {MAX_WANTED}", name="count_range"),
    )


class OutboxColumns:
    """The sending state of one SMS in the outbox, shared by recipients and notices.

    The worker claims a `queued` row, sets `sending` with `attempt_started_at` and commits
    BEFORE it calls the gateway; a row found `sending` later (a worker died) is reconciled
    with the provider's message list since `attempt_started_at` before any resend.
    """

    state: Mapped[RecipientState] = mapped_column(
        enum_type(RecipientState, "state"), default=RecipientState.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    attempt_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # After a transient failure: not before this time (backoff that survives a restart).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    provider_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    error_code: Mapped[str | None] = mapped_column(String(32))
    error_reason: Mapped[str | None] = mapped_column(String(300))
    # The worker whose attempt a `sending` row is (its heartbeat's name); None once that
    # worker let go of it (the gateway could not say whether it was sent). A claim whose
    # worker stopped beating, or that nobody holds, is in doubt and reconciled.
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    # The SMS provider this attempt went to ("twilio", "linkmobility"), set with the claim
    # before the provider is called: a message in doubt is reconciled with that provider
    # alone, so failover never sends one message through both. None: the local gateway.
    provider: Mapped[str | None] = mapped_column(String(32))


class CalloutRecipient(OutboxColumns, Timestamped, Base):
    """One volunteer asked by one callout: the outbox row and, later, the answer.

    Not audited row by row: a callout to hundreds would flood the audit log, and the row
    itself is the record (who, when sent, delivered, answered). The mobile is kept as it was
    when asked, so the record stands if the volunteer later changes or leaves.
    """

    __tablename__ = "callout_recipients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    callout_id: Mapped[int] = mapped_column(ForeignKey("callouts.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("volunteers.id", ondelete="SET NULL"), index=True, info=identifies(SUBJECT_ID)
    )
    mobile: Mapped[str] = mapped_column(String(20), info=personal(DataClass.CONTACT, MOBILE))
    distance_m: Mapped[float] = mapped_column(Float)
    # Asked in the first round (0) or added by escalation (1).
    ask_round: Mapped[int] = mapped_column(Integer, default=0)
    answer: Mapped[Answer | None] = mapped_column(enum_type(Answer, "answer"))
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    minutes_to_arrival: Mapped[int | None] = mapped_column(Integer)

    callout: Mapped[Callout] = relationship(back_populates="recipients")
    volunteer: Mapped[Volunteer | None] = relationship()

    __table_args__ = (
        UniqueConstraint("callout_id", "volunteer_id"),
        # Claiming a callout's next queued rows in id order reads them straight off this.
        Index("ix_callout_recipients_callout_id_state_id", "callout_id", "state", "id"),
        Index("ix_callout_recipients_state", "state"),
        # Yes counts after every reply (is the need covered?) read only the answered rows.
        Index("ix_callout_recipients_callout_id_answer", "callout_id", "answer"),
        # The number goes after the retention period; the answer and its time stay.
        {"info": retains(Period.CALLOUT, "created_at", Action.ERASE)},
    )


class RecipientQualification(HeldOnDays, Base):
    """A needed qualification the recipient held when asked, with its dates.

    Figures (yes per need, when a need was met) read these, not the volunteer's live
    qualifications, so they stay as they were when the volunteer is later purged, leaves or
    lets a course lapse. Only the callout's needs are kept.
    """

    __tablename__ = "callout_recipient_qualifications"

    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("callout_recipients.id", ondelete="CASCADE"), primary_key=True
    )
    qualification_type_id: Mapped[int] = mapped_column(
        ForeignKey("qualification_types.id", ondelete="RESTRICT"), primary_key=True
    )
    obtained_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)


class RecipientOrganisation(Base):
    """An organisation the recipient was a member of when asked (drill figures per
    organisation), kept for the same reason as `RecipientQualification`."""

    __tablename__ = "callout_recipient_organisations"

    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("callout_recipients.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CalloutNotice(OutboxColumns, Timestamped, Base):
    """A later SMS to someone a callout asked: a follow-up or "need covered, thank you".

    The body is composed when queued (with the exercise marker for an exercise), so what
    the worker sends is exactly what the officer saw.
    """

    __tablename__ = "callout_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    callout_id: Mapped[int] = mapped_column(
        ForeignKey("callouts.id", ondelete="CASCADE"), index=True
    )
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("callout_recipients.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NoticeKind] = mapped_column(enum_type(NoticeKind, "kind"))
    mobile: Mapped[str] = mapped_column(String(20), info=personal(DataClass.CONTACT, MOBILE))
    body: Mapped[str] = mapped_column(Text, info=personal(DataClass.MESSAGE))

    recipient: Mapped[CalloutRecipient] = relationship()

    __table_args__ = (
        Index("ix_callout_notices_state", "state"),
        {"info": retains(Period.CALLOUT, "created_at", Action.ERASE)},
    )


class LocalSms(Base):
    """A message the local gateway "sent" (no Twilio configured): shown on a page instead."""

    __tablename__ = "local_sms"
    __table_args__ = ({"info": retains(Period.MESSAGE_LOG, "created_at", Action.DELETE)},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(64), unique=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    to: Mapped[str] = mapped_column(
        String(20), index=True, info=personal(DataClass.CONTACT, MOBILE)
    )
    body: Mapped[str] = mapped_column(Text, info=personal(DataClass.MESSAGE))
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class InboundSms(Base):
    """Every SMS received, and what became of it: the log of replies.

    `message_sid` (Twilio's MessageSid) makes a redelivered webhook a no-op: Twilio retries a
    webhook it got no answer to, and the same reply must not be applied twice.
    """

    __tablename__ = "inbound_sms"
    # Replies can hold health data ("JA, men vondt i kneet"); the answer is on the recipient.
    __table_args__ = ({"info": retains(Period.CALLOUT, "received_at", Action.DELETE)},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    from_number: Mapped[str] = mapped_column(
        String(32), index=True, info=personal(DataClass.CONTACT, MOBILE)
    )
    body: Mapped[str] = mapped_column(Text, info=personal(DataClass.MESSAGE))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    outcome: Mapped[InboundOutcome] = mapped_column(enum_type(InboundOutcome, "outcome"))
    callout_id: Mapped[int | None] = mapped_column(
        ForeignKey("callouts.id", ondelete="SET NULL"), index=True
    )
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("callout_recipients.id", ondelete="SET NULL")
    )
    # What we answered (TwiML).
    reply: Mapped[str | None] = mapped_column(Text, info=personal(DataClass.MESSAGE))


class WorkerHeartbeat(Base):
    """A running `beredskap worker`: the duty officer's sign that SMS are being sent.

    One row per process, refreshed every few seconds by a thread of its own; a row not seen
    for a while is a sender that stopped or died, and its claims are reconciled. The process
    (host, pid, pid namespace, start time) lets a worker on the same host tell that another
    one is gone for good. It also carries what the worker sees of its gateway: its name and
    the current alarm (a code the pages translate), since when and how many refusals.
    """

    __tablename__ = "worker_heartbeats"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    pid_namespace: Mapped[str | None] = mapped_column(String(32))
    process_started: Mapped[str | None] = mapped_column(String(32))
    gateway: Mapped[str | None] = mapped_column(String(32))
    alarm: Mapped[str | None] = mapped_column(String(32))
    alarm_since: Mapped[datetime | None] = mapped_column(UtcDateTime())
    alarm_count: Mapped[int | None] = mapped_column(Integer)


class SmsProviderState(Base):
    """What the workers together know of an SMS provider's health, for failover: one row per
    provider, updated in the workers' own transactions (so every process sees one count).

    `consecutive_failures` counts its transient failures since it last took a message;
    `failing_until` is set when it is judged failing (that many failures in a row, or our
    configuration refused): until then new messages go to the other provider, after it the
    next message tries it again.
    """

    __tablename__ = "sms_provider_states"

    provider: Mapped[str] = mapped_column(String(32), primary_key=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    failing_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_failure: Mapped[str | None] = mapped_column(String(300))
    last_failure_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class MessageChannel(enum.StrEnum):
    SMS = "sms"
    EMAIL = "email"


class OutgoingMessage(OutboxColumns, Timestamped, Base):
    """A message outside any callout (an exercise reminder): SMS or e-mail, sent by the worker.

    `dedupe_key` names what it is for (e.g. "exercise:12:reminder:1440:volunteer:7:sms"), so
    queueing the same message twice (a job that fires twice, two schedulers) queues it once.
    """

    __tablename__ = "outgoing_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[MessageChannel] = mapped_column(enum_type(MessageChannel, "channel"))
    # An E.164 mobile or an e-mail address.
    to: Mapped[str] = mapped_column(String(254), info=personal(DataClass.CONTACT, MOBILE, EMAIL))
    subject: Mapped[str | None] = mapped_column(String(200))  # e-mail only
    body: Mapped[str] = mapped_column(Text, info=personal(DataClass.MESSAGE))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)

    __table_args__ = (
        Index("ix_outgoing_messages_state", "state"),
        {"info": retains(Period.MESSAGE_LOG, "created_at", Action.DELETE)},
    )


class VoiceCallState(enum.StrEnum):
    QUEUED = "queued"  # due: the worker places it
    CALLING = "calling"  # claimed and committed before Twilio is asked (reconciled if stuck)
    PLACED = "placed"  # Twilio took it (`call_sid`); ringing or talking
    COMPLETED = "completed"  # answered and hung up
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"
    CANCELLED = "cancelled"  # consent withdrawn, or answered by SMS before it was placed


class VoiceCall(Timestamped, Base):
    """One phone call to one asked volunteer who had not answered the SMS (alerts/voice).

    A table of its own rather than a `kind` on the SMS outbox: a call has other states
    (no answer, busy), another provider list to reconcile with and no body, and the SMS
    claims stay as they are. At most one call per recipient (the unique recipient), claimed
    and committed `calling` before Twilio is asked, so a crash is reconciled with Twilio's
    call list, never called twice.
    """

    __tablename__ = "callout_voice_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    callout_id: Mapped[int] = mapped_column(
        ForeignKey("callouts.id", ondelete="CASCADE"), index=True
    )
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("callout_recipients.id", ondelete="CASCADE"), unique=True
    )
    mobile: Mapped[str] = mapped_column(String(20), info=personal(DataClass.CONTACT, MOBILE))
    state: Mapped[VoiceCallState] = mapped_column(
        enum_type(VoiceCallState, "state"), default=VoiceCallState.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    attempt_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    call_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    placed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    error_code: Mapped[str | None] = mapped_column(String(32))
    # What was keyed: "1" / "2" (then the minutes), kept for the page; the answer itself is
    # recorded on the recipient through the SMS reply path.
    digits: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (
        Index("ix_callout_voice_calls_state", "state"),
        {"info": retains(Period.CALLOUT, "created_at", Action.ERASE)},
    )
