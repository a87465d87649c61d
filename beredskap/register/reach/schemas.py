"""The answer of GET /api/v1/reach: totals by capability and resource type, people by
qualification (counts of one or two withheld from readers who may not see those people),
the assumption used, and names only for the roles that may see them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from beredskap.register import small_counts
from beredskap.register.reach.query import Reach


class PointOut(BaseModel):
    lat: float
    lon: float
    address: str | None = Field(None, description="The address the point was found from")


class AssumptionOut(BaseModel):
    estimator: str = Field(description="How travel is estimated: straight_line")
    speed_kmh: float
    detour_factor: float
    default_mobilisation_minutes: int = Field(
        description="Used for organisations with no agreement in force stating a "
        "mobilisation time (BEREDSKAP_REACH_DEFAULT_MOBILISATION_MINUTES)"
    )
    radius_m: float = Field(
        description="The farthest straight-line distance anything can come from in the time "
        "(no mobilisation): the circle on the maps"
    )


class ResourceTypeOut(BaseModel):
    resource_type_id: int
    code: str
    name_nb: str
    name_en: str
    unit: str
    quantity: int = Field(description="Ready quantity that can be there in time")
    lines: int
    quantity_at_default_mobilisation: int = Field(
        description="Of the quantity, from organisations with no agreed mobilisation time"
    )


class CapabilityOut(BaseModel):
    capability: str
    lines: int
    resource_types: list[ResourceTypeOut]


class QualificationOut(BaseModel):
    qualification_type_id: int
    code: str
    name_nb: str
    name_en: str
    people: int | None = Field(description="None: fewer than 3, withheld from this reader")


class PersonOut(BaseModel):
    name: str
    organisations: list[str]
    qualifications: list[str] = Field(description="Codes of qualifications valid today")
    minutes: float | None = Field(
        None, description="Estimated arrival; only for roles that see home areas"
    )


class VolunteersOut(BaseModel):
    people: int | None = Field(
        description="Distinct qualified people in time; None: fewer than 3, withheld"
    )
    people_at_default_mobilisation: int | None
    home_unknown: int | None = Field(
        description="Callable, qualified people not counted: their home area is not registered"
    )
    fewer_than: int = Field(description="The threshold of withheld counts")
    qualifications: list[QualificationOut]


class ReachOut(BaseModel):
    on: date
    point: PointOut
    minutes: float
    assumption: AssumptionOut
    equipment: list[CapabilityOut] = Field(description="Capability groups, each by type")
    organisations_at_default_mobilisation: int
    volunteers: VolunteersOut
    people: list[PersonOut] | None = Field(
        None, description="Named, earliest first; None: this reader may not see names"
    )
    people_more: int = Field(0, description="Nameable people in time beyond the list")
    people_not_named: int | None = Field(
        None,
        description="People in time this reader may not name (counted above); None also "
        "when fewer than 3",
    )

    @classmethod
    def of(
        cls,
        found: Reach,
        *,
        point: PointOut,
        speed_kmh: float,
        detour_factor: float,
        estimator: str,
        exact: bool,
        with_minutes: bool,
    ) -> ReachOut:
        """`exact`: the reader may see counts of one or two people; `with_minutes`: each
        named person's estimated arrival (derived from their home area)."""

        def shown(count: int) -> int | None:
            return small_counts.shown(count, exact=exact)

        groups = [
            CapabilityOut(
                capability=capability.value,
                lines=sum(t.lines for t in found.types if t.capability == capability),
                resource_types=[
                    ResourceTypeOut(
                        resource_type_id=t.resource_type_id,
                        code=t.code,
                        name_nb=t.name_nb,
                        name_en=t.name_en,
                        unit=t.unit,
                        quantity=t.quantity,
                        lines=t.lines,
                        quantity_at_default_mobilisation=t.quantity_at_default,
                    )
                    for t in found.types
                    if t.capability == capability
                ],
            )
            for capability in found.capabilities
        ]
        people = None
        if found.named is not None:
            people = [
                PersonOut(
                    name=person.name,
                    organisations=person.organisations,
                    qualifications=person.qualifications,
                    minutes=round(person.minutes, 1) if with_minutes else None,
                )
                for person in found.named
            ]
        return cls(
            on=found.on,
            point=point,
            minutes=found.minutes,
            assumption=AssumptionOut(
                estimator=estimator,
                speed_kmh=speed_kmh,
                detour_factor=detour_factor,
                default_mobilisation_minutes=found.default_mobilisation_minutes,
                radius_m=round(found.radius_m, 1),
            ),
            equipment=groups,
            organisations_at_default_mobilisation=found.organisations_at_default,
            volunteers=VolunteersOut(
                people=shown(found.people),
                people_at_default_mobilisation=shown(found.people_at_default),
                home_unknown=shown(found.home_unknown),
                fewer_than=small_counts.SUPPRESS_BELOW,
                qualifications=[
                    QualificationOut(
                        qualification_type_id=q.qualification_type_id,
                        code=q.code,
                        name_nb=q.name_nb,
                        name_en=q.name_en,
                        people=shown(q.people),
                    )
                    for q in found.qualifications
                ],
            ),
            people=people,
            people_more=found.named_more if people is not None else 0,
            people_not_named=shown(found.not_named) if people is not None else None,
        )
