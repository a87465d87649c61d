"""Organisation and Site tables."""

from __future__ import annotations

import enum
import re
from datetime import date
from typing import Any

from geoalchemy2 import WKBElement
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from beredskap.platform.audit.models import Audited
from beredskap.platform.columns import (
    Timestamped,
    Versioned,
    coerce_email,
    coerce_enum,
    coerce_point,
    enum_type,
    optional_text,
    point_type,
    required_text,
)
from beredskap.platform.contact_details import normalise_phone
from beredskap.platform.db import Base
from beredskap.platform.errors import N_, DomainValidationError
from beredskap.platform.privacy.declaration import DataClass, personal
from beredskap.register.organisations.numbers import normalise_organisation_number


class OrganisationCategory(enum.StrEnum):
    FIRST_AID_CORPS = "first_aid_corps"  # hjelpekorps (Røde Kors, Norsk Folkehjelp)
    HEALTH_ASSOCIATION = "health_association"  # sanitetsforening
    RESCUE_DOGS = "rescue_dogs"  # redningshunder
    SEA_RESCUE = "sea_rescue"  # redningsselskap, sjøredning
    VOLUNTEER_CENTRE = "volunteer_centre"  # frivilligsentral
    SPORTS_CLUB = "sports_club"  # idrettslag
    SCOUTS = "scouts"  # speidergruppe
    HUNTERS_AND_ANGLERS = "hunters_and_anglers"  # jeger- og fiskerforening
    AMATEUR_RADIO = "amateur_radio"  # radioamatører (samband)
    MOTOR_CLUB = "motor_club"  # snøscooter-, ATV- og motorklubb
    FAITH_COMMUNITY = "faith_community"  # menighet, trossamfunn
    RESIDENTS_ASSOCIATION = "residents_association"  # velforening, grendelag
    UMBRELLA = "umbrella"  # paraplyorganisasjon
    OTHER = "other"


class SiteKind(enum.StrEnum):
    STORAGE = "storage"  # lager
    BASE = "base"  # base
    MUSTER_POINT = "muster_point"  # møtested
    SHELTER = "shelter"  # tilfluktssted / evakueringssted


_MUNICIPALITY_NUMBER = re.compile(r"\d{4}")
_POSTAL_CODE = re.compile(r"\d{4}")


def _postal_code(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not _POSTAL_CODE.fullmatch(value):
        raise DomainValidationError(
            "postal_code", N_("%(value)s is not a 4-digit postnummer"), value=repr(value)
        )
    return value


class Organisation(Audited, Versioned, Timestamped, Base):
    """A voluntary organisation the municipality can call on, or (`municipal`) one of the
    municipality's own services that owns sites and equipment."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_number: Mapped[str | None] = mapped_column(String(9), unique=True)
    category: Mapped[OrganisationCategory] = mapped_column(
        enum_type(OrganisationCategory, "category")
    )
    # The organisation's contact person: personal data, not a volunteer's (not erased with one).
    contact_24_7_name: Mapped[str | None] = mapped_column(
        String(200), info=personal(DataClass.IDENTITY)
    )
    contact_24_7_phone: Mapped[str | None] = mapped_column(
        String(20), info=personal(DataClass.CONTACT)
    )
    contact_24_7_email: Mapped[str | None] = mapped_column(
        String(254), info=personal(DataClass.CONTACT)
    )
    home_base: Mapped[WKBElement | None] = mapped_column(point_type())
    municipality_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    umbrella_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # One of the municipality's own services (brann og redning, teknisk drift, helse): an owner
    # of sites and equipment like an organisation, but not a voluntary one; shown apart.
    municipal: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # From Enhetsregisteret (`beredskap import brreg`, imports/brreg.py): the business address
    # (else the postal one), and whether the register says bankrupt, being dissolved or deleted.
    address: Mapped[str | None] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(4))
    postal_town: Mapped[str | None] = mapped_column(String(100))
    bankrupt: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    being_dissolved: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    deleted_from_registry_on: Mapped[date | None] = mapped_column(Date)
    # The day its editor (or the coordinator) last confirmed the record is current.
    confirmed_on: Mapped[date | None] = mapped_column(Date)

    umbrella_organisation: Mapped[Organisation | None] = relationship(remote_side=[id])
    sites: Mapped[list[Site]] = relationship(back_populates="organisation")

    @validates("name")
    def _validate_name(self, _key: str, value: str) -> str:
        return required_text("name", value, 200)

    @validates("contact_24_7_name")
    def _validate_contact_name(self, _key: str, value: str | None) -> str | None:
        return optional_text("contact_24_7_name", value, 200)

    @validates("contact_24_7_email")
    def _validate_contact_email(self, _key: str, value: str | None) -> str | None:
        return coerce_email("contact_24_7_email", value)

    @validates("organisation_number")
    def _validate_organisation_number(self, _key: str, value: str | None) -> str | None:
        if value is None or value == "":
            return None  # informal groups have none
        try:
            return normalise_organisation_number(value)
        except DomainValidationError as error:
            raise error.at("organisation_number") from None

    @validates("category")
    def _validate_category(self, _key: str, value: Any) -> OrganisationCategory:
        return coerce_enum(OrganisationCategory, "category", value)

    @validates("address", "postal_town")
    def _validate_address(self, key: str, value: str | None) -> str | None:
        return optional_text(key, value, 300 if key == "address" else 100)

    @validates("postal_code")
    def _validate_postal_code(self, _key: str, value: str | None) -> str | None:
        return _postal_code(value)

    @property
    def registry_warnings(self) -> list[str]:
        """What Enhetsregisteret says is wrong: bankrupt, being_dissolved, deleted."""
        flags = [("bankrupt", self.bankrupt), ("being_dissolved", self.being_dissolved)]
        found = [name for name, flagged in flags if flagged]
        return found + (["deleted"] if self.deleted_from_registry_on else [])

    @validates("contact_24_7_phone")
    def _validate_phone(self, _key: str, value: str | None) -> str | None:
        if not value:
            return None
        try:
            return normalise_phone(value)
        except DomainValidationError as error:
            raise error.at("contact_24_7_phone") from None

    @validates("home_base")
    def _validate_home_base(self, _key: str, value: Any) -> Any:
        return coerce_point("home_base", value)

    @validates("municipality_numbers")
    def _validate_municipalities(self, _key: str, value: list[str] | None) -> list[str]:
        numbers = list(value or [])
        for number in numbers:
            if not isinstance(number, str) or not _MUNICIPALITY_NUMBER.fullmatch(number):
                raise DomainValidationError(
                    "municipality_numbers",
                    N_("%(number)s is not a 4-digit kommunenummer"),
                    number=repr(number),
                )
        return sorted(set(numbers))


class Site(Audited, Versioned, Timestamped, Base):
    """A storage site, base, muster point or shelter: where equipment is kept or people meet.

    A site without an organisation is the municipality's own (for example shared storage
    offered to small organisations that lack it).
    """

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SiteKind] = mapped_column(enum_type(SiteKind, "kind"))
    location: Mapped[WKBElement] = mapped_column(point_type(), nullable=False)
    address: Mapped[str | None] = mapped_column(String(300))
    access_notes: Mapped[str | None] = mapped_column(Text)
    access_24_7: Mapped[bool] = mapped_column(Boolean, default=False)

    organisation: Mapped[Organisation | None] = relationship(back_populates="sites")

    @validates("name")
    def _validate_name(self, _key: str, value: str) -> str:
        return required_text("name", value, 200)

    @validates("address")
    def _validate_address(self, _key: str, value: str | None) -> str | None:
        return optional_text("address", value, 300)

    @validates("kind")
    def _validate_kind(self, _key: str, value: Any) -> SiteKind:
        return coerce_enum(SiteKind, "kind", value)

    @validates("location")
    def _validate_location(self, _key: str, value: Any) -> Any:
        if value is None:
            raise DomainValidationError("location", N_("a site needs a location"))
        return coerce_point("location", value)


class OrganisationCandidate(Base):
    """A voluntary organisation of the municipality in Enhetsregisteret (registered in
    Frivillighetsregisteret) that is not in the register yet: listed for the admin, made an
    organisation only on a click. Each `beredskap import brreg` refreshes the table."""

    __tablename__ = "organisation_candidates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_number: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_form: Mapped[str | None] = mapped_column(String(10))
    address: Mapped[str | None] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(4))
    postal_town: Mapped[str | None] = mapped_column(String(100))
