"""Pydantic shapes of callouts and their recipients (no ORM here)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from alerts.callouts.delivery_problems import SmsProblem
from alerts.models import (
    MAX_MESSAGE_LENGTH,
    MAX_RADIUS_M,
    MAX_WANTED,
    Answer,
    CalloutStatus,
    NoticeKind,
    RecipientState,
    VoiceCallState,
)
from beredskap.platform.api.geometry import AreaIn
from beredskap.platform.api.types import Code, LongText, Name, RefId

Message = Annotated[LongText, StringConstraints(min_length=1, max_length=MAX_MESSAGE_LENGTH)]
Wanted = Annotated[int, Field(ge=1, le=MAX_WANTED)]


class NeedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    qualification: Code = Field(description="A qualification type's code, e.g. first_aid")
    count: Wanted


class EscalationIn(BaseModel):
    """Ask more people when too few said yes in time: wider, other organisations, or both."""

    model_config = ConfigDict(extra="forbid")

    after_min: int = Field(ge=1, le=1440, description="Minutes after sending")
    radius_m: float | None = Field(
        None, gt=0, le=MAX_RADIUS_M, allow_inf_nan=False, description="The wider radius"
    )
    organisation_ids: list[RefId] = Field(
        default_factory=list, max_length=200, description="The next circle of organisations"
    )
    voice_after_min: int | None = Field(
        None,
        ge=1,
        le=1440,
        description="Call those the escalation asks who have not answered this many minutes "
        "after their own SMS; unset: the callout's voice_after_min",
    )


class EscalationOut(BaseModel):
    after_min: int
    radius_m: float | None
    organisation_ids: list[int]
    voice_after_min: int | None = Field(
        description="Minutes before a call to those it asks; null: the callout's"
    )
    due_at: datetime | None = Field(description="When it runs, if it has not yet")
    escalated_at: datetime | None


class CalloutCreate(BaseModel):
    """A draft: nothing is sent until `POST /callouts/{id}/send`."""

    model_config = ConfigDict(extra="forbid")

    title: Name
    message: Message
    exercise: bool = Field(False, description="An exercise: every SMS starts ØVELSE ØVELSE ØVELSE")
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    radius_m: float = Field(gt=0, le=MAX_RADIUS_M, allow_inf_nan=False)
    area: AreaIn | None = Field(None, description="Ask only those living in this area, too")
    needs: list[NeedIn] = Field(min_length=1, max_length=20)
    organisation_ids: list[RefId] = Field(
        default_factory=list, max_length=200, description="Ask only members of these"
    )
    agreement_ids: list[RefId] = Field(
        default_factory=list,
        max_length=50,
        description="Ask members of the organisations holding these agreements (active and in "
        "force today); together with organisation_ids",
    )
    wanted: Wanted | None = Field(None, description="How many in all; default the needs' sum")
    thank_when_covered: bool = Field(
        True, description="Tell the others the need is covered once enough have said yes"
    )
    escalation: EscalationIn | None = None
    voice_after_min: int | None = Field(
        None,
        ge=1,
        le=1440,
        description="Call those who have not answered the SMS after this many minutes "
        "(Twilio Voice, when configured); those an escalation asks, after their own SMS and "
        "the escalation's voice_after_min when it has one",
    )


class NeedOut(BaseModel):
    qualification: str
    count: int
    yes: int = Field(description="Who said yes and hold this qualification, valid today")


class CalloutOut(BaseModel):
    id: int
    code: str = Field(description="Replies may start with it when several callouts are open")
    title: str
    message: str
    exercise: bool
    status: CalloutStatus
    centre: dict[str, Any] = Field(description="GeoJSON Point, [lon, lat]")
    radius_m: float
    area: dict[str, Any] | None
    organisation_ids: list[int]
    wanted: int
    thank_when_covered: bool
    created_by: str
    created_at: datetime
    sent_at: datetime | None
    stopped_at: datetime | None
    covered_at: datetime | None
    escalation: EscalationOut | None
    voice_after_min: int | None
    recipients_count: int = Field(description="Volunteers the callout asks (or would ask)")
    counts: dict[str, int] = Field(
        description="queued, sent, delivered, failed, yes, no, no_answer (and planned, cancelled)"
    )
    needs: list[NeedOut]
    version: int


PROVIDER_DESCRIPTION = (
    "The SMS provider it went (or goes) to: twilio or linkmobility; null: the local gateway, "
    "or not handed to a provider yet"
)


class NoticeOut(BaseModel):
    """A later message to the recipient: a follow-up or "need covered", and how it went."""

    kind: NoticeKind
    state: RecipientState
    provider: str | None = Field(None, description=PROVIDER_DESCRIPTION)


class VoiceCallOut(BaseModel):
    """The phone call to a recipient who had not answered the SMS (voice fallback)."""

    state: VoiceCallState
    key: str | None = Field(
        None, description="The first key pressed: 1 yes, 2 no (another: not understood)"
    )


class RecipientOut(BaseModel):
    id: int
    volunteer_id: int | None
    name: str | None
    mobile: str
    distance_m: float
    state: RecipientState
    error_code: str | None
    error_reason: str | None = Field(description="The provider's own words (English)")
    in_doubt: bool = Field(
        False,
        description="Sending, but its worker went quiet or the provider did not answer: it "
        "may have gone out, and is checked with the provider before any resend",
    )
    problem: SmsProblem | None = Field(
        None, description="Why it is not (yet) with the recipient, as the pages show it"
    )
    answer: Answer | None
    answered_at: datetime | None
    minutes_to_arrival: int | None
    ask_round: int = Field(description="0: asked when sent; 1: added by escalation")
    provider: str | None = Field(None, description=PROVIDER_DESCRIPTION)
    notices: list[NoticeOut] = Field(description="Follow-ups and thanks sent to them")
    call: VoiceCallOut | None = Field(
        None, description="The phone call, when one is due or was made (voice fallback)"
    )


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: Message = Field(description='To everyone who said yes, e.g. "Oppmøte ved ..."')


class NoticesQueued(BaseModel):
    callout_id: int
    queued: int = Field(description="Messages queued for the sender")


class CalloutTotals(BaseModel):
    callouts: int
    draft: int
    active: int
    stopped: int
    asked: int = Field(description="Recipients a message went (or goes) to")
    yes: int


class CalloutSummary(BaseModel):
    """Real callouts and exercises, always counted apart."""

    real: CalloutTotals
    exercise: CalloutTotals
