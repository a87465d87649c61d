"""What `GET /api/v1/readiness` answers: every agreement's lines and forecast, with counts of
people withheld ("fewer than 3", null) from a reader who may not see those people.

Built with `model_construct` from figures computed here (14,000 models for 1,000
agreements): validating what the code itself made cost a third of the answer's time."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from beredskap.register.agreements.models import AgreementStatus
from beredskap.register.readiness.coverage import (
    AgreementReadiness,
    Forecast,
    ForecastShort,
    Line,
    Reason,
)
from beredskap.register.readiness.travel import TravelAssumption
from beredskap.register.small_counts import shown


class ReadinessLineOut(BaseModel):
    commitment_id: int
    resource_type_id: int | None
    qualification_type_id: int | None
    code: str
    name_nb: str
    name_en: str
    committed: int
    counted: int | None = Field(
        description="What counts on the day; null: one or two people, withheld"
    )
    held: int | None = Field(description="Everything of the type held, counted or not")
    shortfall: int | None
    met: bool
    not_counted: dict[Reason, int | None] = Field(
        description="For each reason, how many items or people do not count (null: withheld)"
    )
    travel_checked: bool = Field(
        description="False when the agreement commits a mobilisation time but the "
        "organisation has no muster site: members were counted without judging distance"
    )


class ForecastShortOut(BaseModel):
    commitment_id: int
    code: str
    committed: int
    counted: int | None
    lost_to_expiry: int | None
    lost_to_inspection: int


class ForecastOut(BaseModel):
    days: int
    on: date
    met: bool
    agreement_ends: bool
    short: list[ForecastShortOut]


class AgreementReadinessOut(BaseModel):
    agreement_id: int
    reference: str
    title: str
    organisation_id: int
    organisation_name: str
    status: AgreementStatus
    tasks: list[str]
    valid_until: date | None
    in_force: bool = Field(description="Active, and the day lies in its term")
    met: bool = Field(description="In force and every commitment met")
    mobilisation_minutes: int | None
    lines: list[ReadinessLineOut]
    forecast: list[ForecastOut]

    @classmethod
    def of(cls, item: AgreementReadiness, *, exact: bool) -> AgreementReadinessOut:
        return cls.model_construct(
            agreement_id=item.agreement_id,
            reference=item.reference,
            title=item.title,
            organisation_id=item.organisation_id,
            organisation_name=item.organisation_name,
            status=item.status,
            tasks=item.tasks,
            valid_until=item.valid_until,
            in_force=item.in_force,
            met=item.met,
            mobilisation_minutes=item.mobilisation_minutes,
            lines=[_line(line, exact) for line in item.lines],
            forecast=[_forecast(entry, item.lines, exact) for entry in item.forecast],
        )


class TravelOut(BaseModel):
    speed_kmh: float
    detour_factor: float


class ReadinessOut(BaseModel):
    on: date = Field(description="The day judged (today, Norwegian time, unless asked)")
    travel: TravelOut = Field(description="The assumption behind mobilisation distances")
    total: int
    met: int
    agreements: list[AgreementReadinessOut] = Field(description="Worst first")

    @classmethod
    def of(
        cls,
        items: list[AgreementReadiness],
        *,
        on: date,
        travel: TravelAssumption,
        exact_for: set[int],
    ) -> ReadinessOut:
        return cls.model_construct(
            on=on,
            travel=TravelOut.model_construct(
                speed_kmh=travel.speed_kmh, detour_factor=travel.detour_factor
            ),
            total=len(items),
            met=sum(1 for item in items if item.met),
            agreements=[
                AgreementReadinessOut.of(item, exact=item.organisation_id in exact_for)
                for item in items
            ],
        )


def _count(value: int, people: bool, exact: bool) -> int | None:
    return shown(value, exact=exact or not people)


def _line(line: Line, exact: bool) -> ReadinessLineOut:
    counted = _count(line.counted, line.people, exact)
    return ReadinessLineOut.model_construct(
        commitment_id=line.commitment_id,
        resource_type_id=line.resource_type_id,
        qualification_type_id=line.qualification_type_id,
        code=line.code,
        name_nb=line.name_nb,
        name_en=line.name_en,
        committed=line.committed,
        counted=counted,
        held=_count(line.held, line.people, exact),
        shortfall=None if counted is None else line.shortfall,
        met=line.met,
        not_counted={
            reason: _count(amount, line.people, exact)
            for reason, amount in sorted(line.not_counted.items())
        },
        travel_checked=not line.travel_unchecked,
    )


def _forecast(entry: Forecast, lines: list[Line], exact: bool) -> ForecastOut:
    people = {line.commitment_id: line.people for line in lines}

    def short(item: ForecastShort) -> ForecastShortOut:
        is_people = people.get(item.commitment_id, False)
        return ForecastShortOut.model_construct(
            commitment_id=item.commitment_id,
            code=item.code,
            committed=item.committed,
            counted=_count(item.counted, is_people, exact),
            lost_to_expiry=_count(item.lost_to_expiry, is_people, exact),
            lost_to_inspection=item.lost_to_inspection,
        )

    return ForecastOut.model_construct(
        days=entry.days,
        on=entry.on,
        met=entry.met,
        agreement_ends=entry.agreement_ends,
        short=[short(item) for item in entry.short],
    )
