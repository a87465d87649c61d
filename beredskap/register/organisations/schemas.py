"""Pydantic shapes of organisations and sites in the API (no ORM here)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from beredskap.platform.api.geometry import PointIn, point_out
from beredskap.platform.api.types import Email, LongText, Name, Phone, RefId, ShortText, Version
from beredskap.platform.auth.service import Principal
from beredskap.register.organisations.models import (
    Organisation,
    OrganisationCategory,
    Site,
    SiteKind,
)

MunicipalityNumber = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
OrganisationNumber = Annotated[str, StringConstraints(max_length=20)]
GeoJson = dict[str, Any]


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    organisation_number: OrganisationNumber | None = Field(
        None, description="9 digits with a modulus-11 check digit; none for informal groups"
    )
    category: OrganisationCategory
    contact_24_7_name: Name | None = None
    contact_24_7_phone: Phone | None = None
    contact_24_7_email: Email | None = None
    home_base: PointIn | None = None
    municipality_numbers: list[MunicipalityNumber] = Field(default_factory=list, max_length=60)
    umbrella_organisation_id: RefId | None = None
    active: bool = True
    municipal: bool = Field(
        False, description="One of the municipality's own services, not a voluntary organisation"
    )


class OrganisationPatch(BaseModel):
    """The fields to change; `version` (or If-Match) guards against overwriting others."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    organisation_number: OrganisationNumber | None = None
    category: OrganisationCategory | None = None
    contact_24_7_name: Name | None = None
    contact_24_7_phone: Phone | None = None
    contact_24_7_email: Email | None = None
    home_base: PointIn | None = None
    municipality_numbers: list[MunicipalityNumber] | None = Field(None, max_length=60)
    umbrella_organisation_id: RefId | None = None
    active: bool | None = None
    municipal: bool | None = Field(None, description="Changed by an admin only")
    version: Version | None = None


class OrganisationOut(BaseModel):
    id: int
    name: str
    organisation_number: str | None
    category: OrganisationCategory
    contact_24_7_name: str | None = Field(description="Hidden from the council")
    contact_24_7_phone: str | None = Field(description="Hidden from the council")
    contact_24_7_email: str | None = Field(description="Hidden from the council")
    home_base: GeoJson | None = Field(description="GeoJSON Point, [lon, lat]")
    municipality_numbers: list[str]
    umbrella_organisation_id: int | None
    active: bool
    municipal: bool = Field(description="One of the municipality's own services")
    confirmed_on: date | None = Field(
        description="The day its editor last confirmed the record is current (none: never)"
    )
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, organisation: Organisation, principal: Principal) -> OrganisationOut:
        contacts = principal.sees_contact_details
        return cls(
            id=organisation.id,
            name=organisation.name,
            organisation_number=organisation.organisation_number,
            category=organisation.category,
            contact_24_7_name=organisation.contact_24_7_name if contacts else None,
            contact_24_7_phone=organisation.contact_24_7_phone if contacts else None,
            contact_24_7_email=organisation.contact_24_7_email if contacts else None,
            home_base=point_out(organisation.home_base),
            municipality_numbers=list(organisation.municipality_numbers or []),
            umbrella_organisation_id=organisation.umbrella_organisation_id,
            active=organisation.active,
            municipal=organisation.municipal,
            confirmed_on=organisation.confirmed_on,
            version=organisation.version,
            created_at=organisation.created_at,
            updated_at=organisation.updated_at,
        )


class SiteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_id: RefId | None = Field(
        None, description="None for the municipality's own sites (admins only)"
    )
    name: Name
    kind: SiteKind
    location: PointIn
    address: ShortText | None = None
    access_notes: LongText | None = None
    access_24_7: bool = False


class SitePatch(BaseModel):
    """A site stays with its organisation (its equipment belongs there too)."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    kind: SiteKind | None = None
    location: PointIn | None = None
    address: ShortText | None = None
    access_notes: LongText | None = None
    access_24_7: bool | None = None
    version: Version | None = None


class SiteOut(BaseModel):
    id: int
    organisation_id: int | None
    name: str
    kind: SiteKind
    location: GeoJson | None = Field(description="GeoJSON Point, [lon, lat]")
    address: str | None
    access_notes: str | None = Field(description="Key holder and access; hidden from the council")
    access_24_7: bool
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, site: Site, principal: Principal) -> SiteOut:
        return cls(
            id=site.id,
            organisation_id=site.organisation_id,
            name=site.name,
            kind=site.kind,
            location=point_out(site.location),
            address=site.address,
            access_notes=site.access_notes if principal.sees_contact_details else None,
            access_24_7=site.access_24_7,
            version=site.version,
            created_at=site.created_at,
            updated_at=site.updated_at,
        )
