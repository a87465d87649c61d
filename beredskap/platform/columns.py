"""Column building blocks shared by the domain models: timestamps, versions, enums, points."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from geoalchemy2 import Geometry, WKBElement, WKTElement
from geoalchemy2.shape import to_shape
from shapely.geometry import MultiPolygon, Point, Polygon, mapping
from sqlalchemy import DateTime, Enum, Integer, TypeDecorator
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from beredskap.platform.contact_details import normalise_email, normalise_phone
from beredskap.platform.errors import N_, DomainValidationError
from beredskap.platform.geo_errors import geo_invalid
from geo.areas import InvalidAreaError, to_multipolygon
from geo.extent import OutsideNorwayError, check_lon_lat
from geo.srid import WGS84

E = TypeVar("E", bound=enum.Enum)


NORWAY = ZoneInfo("Europe/Oslo")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_in_norway() -> date:
    """The calendar day in Norway, which decides whether a qualification is still valid."""
    return datetime.now(NORWAY).date()


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back with its zone, on both backends.

    SQLite keeps no zone, so values come back naive there; they were written in UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, _dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, _dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Timestamped:
    """created_at / updated_at, set by the application in UTC."""

    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class Versioned:
    """Optimistic concurrency: every UPDATE checks and bumps `version`."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - declared_attr takes the class
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def apply_changes(record: Any, changes: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
    """Set each changed field in order; the model's validators refuse bad values by field."""
    items = changes.items() if isinstance(changes, Mapping) else changes
    for field, value in items:
        setattr(record, field, value)


def enum_type(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable enum: VARCHAR with a CHECK constraint on both backends, stored by value."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


def coerce_enum(enum_class: type[E], field: str, value: Any) -> E:
    """Accept an enum member or its value; refuse anything else with the allowed values."""
    if isinstance(value, enum_class):
        return value
    try:
        return enum_class(value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in enum_class)
        raise DomainValidationError(
            field, N_("%(value)s is not one of: %(allowed)s"), value=repr(value), allowed=allowed
        ) from None


def required_text(field: str, value: str | None, max_length: int) -> str:
    """Stripped text of 1..max_length characters, or a DomainValidationError."""
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise DomainValidationError(field, N_("expected text"))
    if not text:
        raise DomainValidationError(field, N_("is required"))
    if len(text) > max_length:
        raise DomainValidationError(field, N_("at most %(count)s characters"), count=max_length)
    return text


def optional_text(field: str, value: str | None, max_length: int) -> str | None:
    """Like required_text, but empty means None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return required_text(field, value, max_length)


_CATALOGUE_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")


def catalogue_code(field: str, value: str) -> str:
    """A stable machine code for catalogue entries: lower-case ASCII, digits and _."""
    code = required_text(field, value, 64)
    if not _CATALOGUE_CODE.fullmatch(code):
        raise DomainValidationError(
            field, N_("lower-case letters, digits and _ only, letter first")
        )
    return code


def coerce_email(field: str, value: str | None) -> str | None:
    """A normalised e-mail address, None for empty, or a DomainValidationError."""
    text = optional_text(field, value, 254)
    if text is None:
        return None
    try:
        return normalise_email(text)
    except DomainValidationError as error:
        raise error.at(field) from None


def coerce_contacts(field: str, value: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    """An ordered list of contact people ({name, role?, phone?, email?}), each checked; the
    order is the order of alerting (the first is the primary, the rest deputies)."""
    contacts: list[dict[str, str]] = []
    for index, contact in enumerate(value or []):
        where = f"{field}[{index}]"
        if not isinstance(contact, dict):
            raise DomainValidationError(
                where, N_("expected an object with name, role, phone, email")
            )
        cleaned = {"name": required_text(f"{where}.name", contact.get("name"), 200)}
        role = optional_text(f"{where}.role", contact.get("role"), 100)
        if role:
            cleaned["role"] = role
        if contact.get("phone"):
            try:
                cleaned["phone"] = normalise_phone(str(contact["phone"]))
            except DomainValidationError as error:
                raise error.at(f"{where}.phone") from None
        email = coerce_email(f"{where}.email", contact.get("email"))
        if email:
            cleaned["email"] = email
        contacts.append(cleaned)
    return contacts


def point_type() -> Geometry:
    """A WGS84 point column type with a spatial index (R-tree on SpatiaLite, GiST on PostGIS)."""
    return Geometry(geometry_type="POINT", srid=WGS84, spatial_index=True)


def coerce_point(field: str, value: Any) -> WKTElement | WKBElement | None:
    """Accept a shapely Point or a geometry element in EPSG:4326 inside Norway."""
    if value is None:
        return None
    if isinstance(value, (WKTElement, WKBElement)):
        if value.srid not in (WGS84, -1):
            raise DomainValidationError(
                field,
                N_("expected EPSG:%(expected)s, got EPSG:%(srid)s"),
                expected=WGS84,
                srid=value.srid,
            )
        shape = to_shape(value)
    elif isinstance(value, Point):
        shape = value
    else:
        raise DomainValidationError(field, N_("expected a point"))
    if not isinstance(shape, Point) or shape.is_empty:
        raise DomainValidationError(field, N_("expected a point"))
    try:
        lon, lat = check_lon_lat(shape.x, shape.y)
    except OutsideNorwayError as error:
        raise geo_invalid(field, error) from None
    if isinstance(value, Point):
        return WKTElement(f"POINT({lon!r} {lat!r})", srid=WGS84)
    return value


def area_type() -> Geometry:
    """A WGS84 MultiPolygon column type with a spatial index (agreement service areas)."""
    return Geometry(geometry_type="MULTIPOLYGON", srid=WGS84, spatial_index=True)


def coerce_area(field: str, value: Any) -> WKTElement | WKBElement | None:
    """Accept a GeoJSON Polygon/MultiPolygon dict, a shapely (Multi)Polygon or a stored element."""
    if value is None or isinstance(value, WKBElement):
        return value  # loaded from the database, already checked on the way in
    if isinstance(value, WKTElement):
        value = to_shape(value)
    if isinstance(value, (Polygon, MultiPolygon)):
        value = mapping(value)
    if not isinstance(value, dict):
        raise DomainValidationError(field, N_("expected a GeoJSON Polygon or MultiPolygon"))
    try:
        area = to_multipolygon(value)
    except InvalidAreaError as error:
        raise geo_invalid(field, error) from None
    return WKTElement(area.wkt, srid=WGS84)
