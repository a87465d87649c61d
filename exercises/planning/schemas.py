"""Pydantic shapes of planned exercises and their conflicts (no ORM here).

Times in: ISO 8601 with an offset, or naive meaning Europe/Oslo (`exercises.times.to_utc`).
Times out: UTC with its offset, and the same instant as Oslo wall time beside it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from alerts.callouts.schemas import Message, NeedIn, Wanted
from alerts.models import MAX_RADIUS_M
from beredskap.platform.api.geometry import AreaIn, PointIn
from beredskap.platform.api.types import LongText, Name, RefId, Version, not_null
from exercises.models import MAX_RRULE, ExerciseStatus, ExerciseType

# Reminders: minutes before the start, from one minute to 60 days; a handful at most.
MAX_REMINDER_OFFSET_MIN = 60 * 24 * 60
MAX_REMINDERS = 10
ReminderOffset = Annotated[int, Field(ge=1, le=MAX_REMINDER_OFFSET_MIN)]
Reason = Annotated[LongText, StringConstraints(max_length=500)]
RuleText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_RRULE)]
Ids = Annotated[list[RefId], Field(default_factory=list, max_length=500)]


FIRST_YEAR, LAST_YEAR = 2000, 2199


def _plausible(value: datetime | None) -> datetime | None:
    # Far years overflow when moved between time zones; no exercise is planned there.
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must be in the years {FIRST_YEAR} to {LAST_YEAR}")
    return value


Moment = Annotated[datetime, AfterValidator(_plausible)]


def _unique(values: list[int]) -> list[int]:
    return sorted(set(values))


class DrillIn(BaseModel):
    """What an alert drill's exercise callout asks; the SMS starts ØVELSE ØVELSE ØVELSE."""

    model_config = ConfigDict(extra="forbid")

    message: Message
    radius_m: float = Field(gt=0, le=MAX_RADIUS_M, allow_inf_nan=False)
    needs: list[NeedIn] = Field(min_length=1, max_length=20)
    wanted: Wanted | None = Field(None, description="How many in all; default the needs' sum")


class RecurrenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rrule: RuleText = Field(
        description="RFC 5545 RRULE in Europe/Oslo wall time, e.g. FREQ=MONTHLY;INTERVAL=3;"
        "BYDAY=1TU (every first Tuesday of the quarter); starts_at is DTSTART",
        examples=["FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU"],
    )


class ParticipantsIn(BaseModel):
    """When and who: what conflicts are checked on."""

    model_config = ConfigDict(extra="forbid")

    starts_at: Moment = Field(description="ISO 8601; without an offset it is Oslo time")
    ends_at: Moment = Field(description="ISO 8601; without an offset it is Oslo time")
    organisation_ids: Annotated[Ids, AfterValidator(_unique)]
    agreement_ids: Annotated[Ids, AfterValidator(_unique)]
    volunteer_ids: Annotated[Ids, AfterValidator(_unique)]
    site_ids: Annotated[Ids, AfterValidator(_unique)]


class ConflictQuery(ParticipantsIn):
    """Conflicts of a planned exercise without saving it (the form asks before saving)."""

    exercise_id: RefId | None = Field(
        None, description="The exercise being edited, left out of its own conflicts"
    )
    recurrence: RecurrenceIn | None = None


class ExerciseCreate(ParticipantsIn):
    title: Name
    type: ExerciseType
    scenario: LongText | None = None
    objectives: LongText | None = None
    place: PointIn | None = Field(None, description="GeoJSON point, {lat, lon} or UTM")
    area: AreaIn | None = Field(None, description="GeoJSON polygon of the exercise area")
    reminder_offsets_min: list[ReminderOffset] | None = Field(
        None,
        max_length=MAX_REMINDERS,
        description="Minutes before the start to remind participants; default from the "
        "settings, none for alert drills (often unannounced)",
    )
    drill: DrillIn | None = Field(None, description="Required for alert_drill, refused otherwise")
    recurrence: RecurrenceIn | None = None


class ExercisePatch(BaseModel):
    """Change a planned exercise; fields left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[Name | None, AfterValidator(not_null)] = None
    type: Annotated[ExerciseType | None, AfterValidator(not_null)] = None
    starts_at: Annotated[Moment | None, AfterValidator(not_null)] = None
    ends_at: Annotated[Moment | None, AfterValidator(not_null)] = None
    scenario: LongText | None = None
    objectives: LongText | None = None
    place: PointIn | None = None
    area: AreaIn | None = None
    organisation_ids: Annotated[list[RefId] | None, Field(max_length=500)] = None
    agreement_ids: Annotated[list[RefId] | None, Field(max_length=500)] = None
    volunteer_ids: Annotated[list[RefId] | None, Field(max_length=500)] = None
    site_ids: Annotated[list[RefId] | None, Field(max_length=500)] = None
    reminder_offsets_min: list[ReminderOffset] | None = Field(None, max_length=MAX_REMINDERS)
    drill: DrillIn | None = None
    version: Version | None = None


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason | None = None


class Ref(BaseModel):
    id: int
    name: str


class AgreementRef(BaseModel):
    id: int
    reference: str
    title: str
    organisation_id: int


class DrillOut(BaseModel):
    message: str
    radius_m: float
    needs: list[dict[str, Any]]
    wanted: int | None


class ExerciseOut(BaseModel):
    id: int
    title: str
    type: ExerciseType
    status: ExerciseStatus
    scenario: str | None
    objectives: str | None
    starts_at: datetime = Field(description="UTC")
    ends_at: datetime = Field(description="UTC")
    starts_at_local: datetime = Field(description="The same instant in Europe/Oslo")
    ends_at_local: datetime = Field(description="The same instant in Europe/Oslo")
    place: dict[str, Any] | None = Field(description="GeoJSON Point")
    area: dict[str, Any] | None = Field(description="GeoJSON MultiPolygon")
    organisations: list[Ref]
    agreements: list[AgreementRef]
    sites: list[Ref]
    volunteers: list[Ref] | None = Field(
        description="Invited volunteers the reader may see, by name (an organisation editor: "
        "its own organisations' members); null for the council, which reads people as counts"
    )
    volunteers_count: int | None = Field(
        description="Everyone invited; null: withheld, as it would give away the others"
    )
    volunteers_others: int | None = Field(
        description="Invited volunteers not named to the reader (0 for the roles that see "
        "everybody); null: fewer than 3, withheld from a reader who may not see these people"
    )
    withheld: list[str] = Field(
        default=[],
        description="The figures withheld from the reader (volunteers_count, volunteers_others)",
    )
    reminder_offsets_min: list[int]
    drill: DrillOut | None
    callout_id: int | None = Field(description="An alert drill's exercise callout, once started")
    series_id: int | None
    occurrence_start: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    evaluated_at: datetime | None
    created_by: str | None = Field(description="Who planned it; null for the council")
    created_at: datetime
    version: int


class OtherOut(BaseModel):
    """The exercise or callout a conflict is with."""

    kind: Literal["exercise", "callout"]
    id: int
    title: str
    starts_at: datetime | None
    ends_at: datetime | None = Field(description="None: a callout still running")


class ConflictOut(BaseModel):
    kind: Literal["organisation", "volunteer", "site", "callout"]
    what: str = Field(description="The organisation, volunteer or site (a name)")
    other: OtherOut
    occurrence_start: datetime | None = Field(
        None, description="For a recurring series: the occurrence that conflicts"
    )


class ConflictsOut(BaseModel):
    conflicts: list[ConflictOut]


class ExerciseSaved(ExerciseOut):
    """A created or changed exercise, with what it conflicts with (saving is not blocked)."""

    conflicts: list[ConflictOut]
    occurrence_ids: list[int] = Field(description="Every exercise made (one unless recurring)")
