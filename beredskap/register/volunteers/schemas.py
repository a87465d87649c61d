"""Pydantic shapes of qualification types and volunteers in the API (no ORM here)."""

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
)

from beredskap.platform.api.geometry import PointIn, point_out
from beredskap.platform.api.types import (
    Code,
    Email,
    Name,
    Phone,
    RefId,
    ShortText,
    Version,
    not_null,
)
from beredskap.register.volunteers.models import Availability, QualificationType, Volunteer

MembershipRole = Annotated[ShortText, StringConstraints(max_length=100)]
ValidityMonths = Annotated[int, Field(ge=1, le=600, description="None: does not expire")]
GeoJson = dict[str, Any]
MAX_MEMBERSHIPS = 50
MAX_QUALIFICATIONS = 100


class QualificationTypeCreate(BaseModel):
    """A new catalogue entry; `shipped` is set by the migrations only."""

    model_config = ConfigDict(extra="forbid")

    code: Code = Field(description="Lower-case letters, digits and _, letter first")
    name_nb: Name
    name_en: Name
    validity_months: ValidityMonths | None = None
    active: bool = True


class QualificationTypePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code | None = None
    name_nb: Name | None = None
    name_en: Name | None = None
    validity_months: ValidityMonths | None = None
    active: bool | None = None
    version: Version | None = None

    @field_validator("code", "name_nb", "name_en", "active", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return not_null(value)


class QualificationTypeOut(BaseModel):
    id: int
    code: str
    name_nb: str
    name_en: str
    validity_months: int | None
    shipped: bool = Field(description="Part of the shipped catalogue (read-only)")
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, qualification_type: QualificationType) -> QualificationTypeOut:
        return cls.model_validate(qualification_type, from_attributes=True)


class MembershipIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_id: RefId
    role: MembershipRole | None = Field(None, description="e.g. lagleder, mannskap")


class QualificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    qualification_type_id: RefId
    obtained_on: date | None = None
    expires_on: date | None = Field(None, description="None: does not expire")

    @field_validator("expires_on")
    @classmethod
    def _not_before_obtained(cls, value: date | None, info: ValidationInfo) -> date | None:
        obtained = info.data.get("obtained_on")
        if value is not None and obtained is not None and value < obtained:
            raise ValueError("must not be before obtained_on")
        return value


class VolunteerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: Name
    mobile: Phone = Field(description="A mobile number; +47 is assumed without a country code")
    email: Email | None = None
    home_area: PointIn | None = Field(None, description="Stored snapped to a ~500 m grid")
    availability: Availability = Availability.AVAILABLE
    sms_consent: bool = False
    active: bool = True
    memberships: list[MembershipIn] = Field(default_factory=list, max_length=MAX_MEMBERSHIPS)
    qualifications: list[QualificationIn] = Field(
        default_factory=list, max_length=MAX_QUALIFICATIONS
    )


class VolunteerPatch(BaseModel):
    """The fields to change; `memberships` or `qualifications` replace the whole list."""

    model_config = ConfigDict(extra="forbid")

    full_name: Name | None = None
    mobile: Phone | None = None
    email: Email | None = None
    home_area: PointIn | None = None
    availability: Availability | None = None
    sms_consent: bool | None = None
    active: bool | None = None
    memberships: list[MembershipIn] | None = Field(None, max_length=MAX_MEMBERSHIPS)
    qualifications: list[QualificationIn] | None = Field(None, max_length=MAX_QUALIFICATIONS)
    version: Version | None = None

    @field_validator(
        "full_name",
        "mobile",
        "availability",
        "sms_consent",
        "active",
        "memberships",
        "qualifications",
        mode="before",
    )
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return not_null(value)


class MembershipOut(BaseModel):
    organisation_id: int
    role: str | None


class QualificationOut(BaseModel):
    qualification_type_id: int
    obtained_on: date | None
    expires_on: date | None


class VolunteerOut(BaseModel):
    id: int
    full_name: str
    mobile: str | None = Field(description="E.164; null for roles without personal data")
    email: str | None = Field(description="Null for roles without personal data")
    home_area: GeoJson | None = Field(
        description="GeoJSON Point on a coarse grid; null for roles without personal data"
    )
    availability: Availability
    sms_consent: bool
    sms_consent_changed_at: datetime | None
    active: bool
    contact_verified_on: date | None = Field(
        description="When the volunteer last confirmed by SMS that the number reaches them; "
        "null if never, or for roles without personal data"
    )
    contact_failed_on: date | None = Field(
        description="When a message to the number last failed for good (cleared by a "
        "confirmation); null if not, or for roles without personal data"
    )
    memberships: list[MembershipOut]
    qualifications: list[QualificationOut]
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, volunteer: Volunteer, *, personal: bool) -> VolunteerOut:
        """The volunteer as a reader sees it: `personal` (`Principal.sees_personal_data`) adds
        mobile, e-mail, home area and whether the number reaches them."""
        memberships = sorted(volunteer.memberships, key=lambda m: m.organisation_id)
        qualifications = sorted(volunteer.qualifications, key=lambda q: q.qualification_type_id)
        return cls(
            id=volunteer.id,
            full_name=volunteer.full_name,
            mobile=volunteer.mobile if personal else None,
            email=volunteer.email if personal else None,
            home_area=point_out(volunteer.home_area) if personal else None,
            availability=volunteer.availability,
            sms_consent=volunteer.sms_consent,
            sms_consent_changed_at=volunteer.sms_consent_changed_at,
            active=volunteer.active,
            contact_verified_on=volunteer.contact_verified_on if personal else None,
            contact_failed_on=volunteer.contact_failed_on if personal else None,
            memberships=[
                MembershipOut(organisation_id=m.organisation_id, role=m.role) for m in memberships
            ],
            qualifications=[
                QualificationOut(
                    qualification_type_id=q.qualification_type_id,
                    obtained_on=q.obtained_on,
                    expires_on=q.expires_on,
                )
                for q in qualifications
            ],
            version=volunteer.version,
            created_at=volunteer.created_at,
            updated_at=volunteer.updated_at,
        )
