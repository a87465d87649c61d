"""Pydantic shapes of an exercise's evaluation, its lessons learned and what is overdue.

Counts and organisation names only: no volunteer appears in any of them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from beredskap.platform.api.types import LongText, Name, RefId, Version, not_null
from exercises.models import ActionStatus, ExerciseStatus, ExerciseType

Text = Annotated[LongText, StringConstraints(min_length=1, strip_whitespace=True)]
Owner = Annotated[Name, StringConstraints(min_length=1, strip_whitespace=True)]
WITHHELD = "null: fewer than 3, withheld from a reader who may not see these people"


class AnsweredWithinOut(BaseModel):
    minutes: int
    answered: int | None = Field(
        description="Answered (yes or no) within this many minutes of sending; " + WITHHELD
    )
    share: float | None = Field(
        description="Of those asked, 0-1; null when nobody was asked, or withheld"
    )
    withheld: bool = False


class ResponseCountsOut(BaseModel):
    """A group's counts; to a reader who may not see its people, a count of one or two is
    null, and so is what would give it away (listed in `withheld`)."""

    asked: int | None = Field(
        description="Recipients the message went to (not a draft, not cancelled); " + WITHHELD
    )
    delivered: int | None = Field(description="Delivery confirmed by the carrier; " + WITHHELD)
    failed: int | None
    answered: int | None
    yes: int | None
    no: int | None
    first_answer_min: float | None = Field(
        description="Minutes from sending to the first answer; null: none, or withheld"
    )
    within: list[AnsweredWithinOut]
    withheld: list[str] = Field(default=[], description="The figures withheld from the reader")


class OrganisationFiguresOut(BaseModel):
    organisation_id: int | None = Field(description="null: unknown (volunteer deleted or in none)")
    name: str | None
    counts: ResponseCountsOut


class NeedFiguresOut(BaseModel):
    qualification: str = Field(description="The qualification type's code")
    count: int = Field(description="How many the callout needed")
    yes: int | None = Field(
        description="Who said yes and held it, valid on the day of the drill; " + WITHHELD
    )
    met_after_min: float | None = Field(
        description="Minutes until the need was met; null: never, or withheld"
    )
    withheld: bool = False


class SeriesPointOut(BaseModel):
    minute: float
    answers: int | None = Field(description="null: one or two, withheld")
    yes: int | None = Field(description="null: one or two, withheld")


class DrillFiguresOut(BaseModel):
    callout_id: int
    sent_at: datetime
    wanted: int
    counts: ResponseCountsOut
    needs: list[NeedFiguresOut]
    all_needs_met_after_min: float | None
    wanted_reached_after_min: float | None
    by_organisation: list[OrganisationFiguresOut]
    series: list[SeriesPointOut] = Field(description="Cumulative answers and yes over minutes")
    withheld: list[str] = Field(
        default=[], description="Drill-wide figures withheld from the reader (times, series)"
    )


class EvaluationOut(BaseModel):
    exercise_id: int
    title: str
    type: ExerciseType
    status: ExerciseStatus
    starts_at: datetime
    ends_at: datetime
    evaluated_at: datetime | None
    evaluation_summary: str | None
    drill: DrillFiguresOut | None = Field(
        description="The alert drill's callout figures; null for other exercises or unsent"
    )
    observations: int
    open_actions: int
    closed_actions: int
    version: int = Field(description="The exercise's version (for If-Match on the evaluation)")


class EvaluationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: Text = Field(description="What the evaluation found")
    version: Version | None = None


class ObservationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text


class ObservationOut(BaseModel):
    id: int
    exercise_id: int
    text: str
    created_at: datetime
    version: int


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Text
    owner: Owner = Field(description="Who sees to it (a role or a name)")
    due_on: date
    observation_id: RefId | None = Field(None, description="One of this exercise's observations")


class ActionPatch(BaseModel):
    """Close (with a note) or reopen; change owner, due date, description or observation."""

    model_config = ConfigDict(extra="forbid")

    status: ActionStatus | None = None
    closing_note: LongText | None = None
    description: Text | None = None
    owner: Owner | None = None
    due_on: date | None = None
    observation_id: RefId | None = Field(None, description="null unlinks the observation")
    version: Version | None = None

    @field_validator("status", "description", "owner", "due_on", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return not_null(value)


class ActionOut(BaseModel):
    id: int
    exercise_id: int
    observation_id: int | None
    description: str
    owner: str
    due_on: date
    status: ActionStatus
    closed_at: datetime | None
    closing_note: str | None
    overdue: bool = Field(description="Open and past its due date")
    version: int


class OrganisationOverdueOut(BaseModel):
    organisation_id: int
    name: str
    last_exercised_on: date | None = Field(description="null: never exercised")
    due_on: date
    days_overdue: int


class AgreementUntestedOut(BaseModel):
    agreement_id: int
    reference: str
    title: str
    organisation_name: str
    valid_from: date
    commitments: int
    days_in_force: int


class EvaluationOverdueOut(BaseModel):
    exercise_id: int
    title: str
    type: ExerciseType
    ended_on: date
    due_on: date
    days_overdue: int


class ActionOverdueOut(BaseModel):
    action_id: int
    exercise_id: int
    exercise_title: str
    description: str
    owner: str
    due_on: date
    days_overdue: int


class OverdueOut(BaseModel):
    today: date
    organisations_not_exercised: list[OrganisationOverdueOut] = Field(
        description="Agreement in force, no completed exercise in the last 24 months"
    )
    agreements_never_tested: list[AgreementUntestedOut]
    evaluations_missing: list[EvaluationOverdueOut] = Field(
        description="Completed, ended over 30 days ago, not evaluated"
    )
    actions_overdue: list[ActionOverdueOut]
