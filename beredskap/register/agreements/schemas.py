"""Pydantic shapes of preparedness agreements, their commitments and coverage (no ORM here)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from beredskap.platform.api.geometry import AreaIn, area_out
from beredskap.platform.api.types import (
    Code,
    Email,
    LongText,
    Name,
    Phone,
    RefId,
    ShortText,
    Version,
    not_null,
)
from beredskap.platform.auth.service import Principal
from beredskap.register.agreements.models import (
    MAX_COMMITTED,
    Agreement,
    AgreementStatus,
    AgreementTask,
)

ContactRole = Annotated[ShortText, StringConstraints(max_length=100)]
NoticeDays = Annotated[int, Field(ge=0, le=3650)]
MobilisationMinutes = Annotated[int, Field(ge=0, le=10080, description="At most one week")]
AlertOrder = Annotated[int, Field(ge=1, le=999)]
Committed = Annotated[int, Field(ge=1, le=MAX_COMMITTED, description="Items, or volunteers")]
MAX_COMMITMENTS = 100
MAX_CONTACTS = 20


class Contact(BaseModel):
    """A contact person for the agreement (hidden from the council)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    role: ContactRole | None = None
    phone: Phone | None = None
    email: Email | None = None


class CommitmentIn(BaseModel):
    """A quantity of a resource type, or a number of volunteers with a qualification."""

    model_config = ConfigDict(extra="forbid")

    resource_type_id: RefId | None = None
    qualification_type_id: RefId | None = None
    quantity: Committed

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> CommitmentIn:
        if (self.resource_type_id is None) == (self.qualification_type_id is None):
            raise ValueError("give exactly one of resource_type_id and qualification_type_id")
        return self


class AgreementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_id: RefId
    reference: Code = Field(description="The case number (saksnummer); unique")
    title: Name
    status: AgreementStatus = AgreementStatus.DRAFT
    valid_from: date
    valid_until: date | None = Field(None, description="None: until terminated")
    notice_period_days: NoticeDays | None = None
    annual_review_on: date | None = None
    tasks: list[AgreementTask] = Field(default_factory=list, max_length=len(AgreementTask))
    committed_mobilisation_minutes: MobilisationMinutes | None = None
    callout_route: LongText | None = None
    alert_order: AlertOrder | None = Field(
        None, description="Place in the varslingsliste among the agreements for a task; 1 first"
    )
    contacts: list[Contact] = Field(
        default_factory=list,
        max_length=MAX_CONTACTS,
        description="In order of alerting: the first is the primary contact, the rest deputies",
    )
    document_reference: ShortText | None = None
    payment_terms: LongText | None = None
    insurance_terms: LongText | None = None
    exercise_duty: LongText | None = None
    police_rescue_precedence: bool = True
    service_area: AreaIn | None = Field(
        None, description="Where the organisation serves: GeoJSON (Multi)Polygon, [lon, lat]"
    )
    commitments: list[CommitmentIn] = Field(default_factory=list, max_length=MAX_COMMITMENTS)

    @field_validator("valid_until")
    @classmethod
    def _not_before_valid_from(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("valid_from")
        if value is not None and start is not None and value < start:
            raise ValueError("must not be before valid_from")
        return value


class AgreementPatch(BaseModel):
    """The fields to change; `commitments` replaces the whole list."""

    model_config = ConfigDict(extra="forbid")

    organisation_id: RefId | None = None
    reference: Code | None = None
    title: Name | None = None
    status: AgreementStatus | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    notice_period_days: NoticeDays | None = None
    annual_review_on: date | None = None
    tasks: list[AgreementTask] | None = Field(None, max_length=len(AgreementTask))
    committed_mobilisation_minutes: MobilisationMinutes | None = None
    callout_route: LongText | None = None
    alert_order: AlertOrder | None = None
    contacts: list[Contact] | None = Field(None, max_length=MAX_CONTACTS)
    document_reference: ShortText | None = None
    payment_terms: LongText | None = None
    insurance_terms: LongText | None = None
    exercise_duty: LongText | None = None
    police_rescue_precedence: bool | None = None
    service_area: AreaIn | None = Field(None, description="null removes the area")
    commitments: list[CommitmentIn] | None = Field(None, max_length=MAX_COMMITMENTS)
    version: Version | None = None

    @field_validator(
        "organisation_id",
        "reference",
        "title",
        "status",
        "valid_from",
        "tasks",
        "contacts",
        "police_rescue_precedence",
        "commitments",
        mode="before",
    )
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return not_null(value)


class ContactOut(BaseModel):
    name: str
    role: str | None = None
    phone: str | None = None
    email: str | None = None


class CommitmentOut(BaseModel):
    id: int
    resource_type_id: int | None
    qualification_type_id: int | None
    quantity: int


class AgreementOut(BaseModel):
    id: int
    organisation_id: int
    reference: str
    title: str
    status: AgreementStatus
    valid_from: date
    valid_until: date | None
    notice_period_days: int | None
    annual_review_on: date | None
    tasks: list[AgreementTask]
    committed_mobilisation_minutes: int | None
    callout_route: str | None
    alert_order: int | None
    contacts: list[ContactOut] = Field(description="Empty for the council")
    document_reference: str | None
    payment_terms: str | None
    insurance_terms: str | None
    exercise_duty: str | None
    police_rescue_precedence: bool
    service_area: dict[str, Any] | None = Field(description="GeoJSON MultiPolygon, [lon, lat]")
    commitments: list[CommitmentOut]
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, agreement: Agreement, principal: Principal) -> AgreementOut:
        fields = {
            name: getattr(agreement, name)
            for name in cls.model_fields
            if name not in ("contacts", "commitments", "tasks", "service_area")
        }
        contacts = (agreement.contacts or []) if principal.sees_contact_details else []
        return cls(
            **fields,
            tasks=[AgreementTask(task) for task in agreement.tasks or []],
            service_area=area_out(agreement.service_area),
            contacts=[ContactOut(**contact) for contact in contacts],
            commitments=[
                CommitmentOut.model_validate(commitment, from_attributes=True)
                for commitment in sorted(agreement.commitments, key=lambda c: c.id)
            ],
        )


class CoverageLine(BaseModel):
    """One commitment: what was promised against what is registered now."""

    commitment_id: int
    resource_type_id: int | None
    qualification_type_id: int | None
    code: str = Field(description="The resource or qualification type's code")
    committed: int
    registered: int | None = Field(
        description="Ready equipment held by the organisation (sum of quantities), or active "
        "members with the qualification valid on the day and consent to SMS callout; null: "
        "one or two members, withheld from a reader who may not see them (fewer than 3)"
    )
    shortfall: int | None = Field(description="null when `registered` is withheld")
    met: bool


class CoverageOut(BaseModel):
    agreement_id: int
    organisation_id: int
    reference: str
    status: AgreementStatus
    on: date = Field(description="The day qualifications are judged on (today, Norwegian time)")
    met: bool = Field(description="Every commitment is met")
    lines: list[CoverageLine]
