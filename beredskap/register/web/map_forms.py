"""The map pages' GET forms, each declared once as a schema and read by the form toolkit.

The pages read the query themselves (not through FastAPI's validation) so that bad input
shows the form again with a message per field in the reader's language, never a problem
document. `beredskap.platform.web.forms.parse_form` reads each field on its own; the one rule
across fields, the incident's place, is `_place` here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

from babel.support import Translations
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError
from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.platform.errors import DomainValidationError, Param
from beredskap.platform.web.form_fields import decimal_number
from beredskap.platform.web.forms import Decimal, Form, Whole, among, parse_form
from beredskap.platform.web.i18n import N_
from beredskap.register.addresses.resolve import Located
from beredskap.register.addresses.search import MAX_QUERY
from beredskap.register.inventory.models import Capability, EquipmentStatus, ResourceType
from beredskap.register.search.aggregates import CELL_SIZES_M
from beredskap.register.search.service import Place
from beredskap.register.volunteers.models import QualificationType
from geo.crs import to_wgs84
from geo.errors import GeoError
from geo.extent import check_lon_lat

Schema = TypeVar("Schema", bound=BaseModel)
Entry = TypeVar("Entry", ResourceType, QualificationType)
NumberFormat = Callable[[Any], str]

MAX_PARAMETER_LENGTH = 40
# What a page keeps of a parameter to show it again.
KEPT_LENGTH = MAX_PARAMETER_LENGTH * 5
UTM_ZONES = ("25832", "25833")
DEFAULT_RADIUS_KM = 10.0
MIN_RADIUS_KM, MAX_RADIUS_KM = 0.1, 500.0
# The council chooses among the grid's finer sizes: 1, 5 and 10 km.
COUNCIL_CELL_KM = tuple(size // 1000 for size in CELL_SIZES_M if size <= 10_000)
DEFAULT_CELL_KM = COUNCIL_CELL_KM[0]
MEASURES = ("equipment", "volunteers")
CHOOSE = N_("choose one of the options")
COORDINATES = ("lat", "lon", "east", "north")


# The map parameters' types ------------------------------------------------------------------


def _parameter(value: Any) -> Any:
    """Every map parameter: stripped, no control characters, at most 40 characters; empty
    is None (checked before the type, so a long number says it is too long)."""
    if not isinstance(value, str):
        return value
    value = value.strip()
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise PydanticCustomError("control_characters", "contains characters that are not allowed")
    if len(value) > MAX_PARAMETER_LENGTH:
        raise PydanticCustomError(
            "string_too_long",
            "at most {max_length} characters",
            {"max_length": MAX_PARAMETER_LENGTH},
        )
    return value or None


def _address(value: Any) -> Any:
    """An address as typed: up to the search's 100 characters, not the coordinates' 40."""
    if not isinstance(value, str):
        return value
    value = value.strip()
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise PydanticCustomError("control_characters", "contains characters that are not allowed")
    if len(value) > MAX_QUERY:
        raise PydanticCustomError(
            "string_too_long", "at most {max_length} characters", {"max_length": MAX_QUERY}
        )
    return value or None


def _radius(value: Any, info: ValidationInfo) -> Any:
    """Kilometres from 0.1 to 500; anything else says the range in the reader's numbers
    (the page's number format comes in the validation context)."""
    km = decimal_number(value) if isinstance(value, str) else value
    if value is None or (km is not None and MIN_RADIUS_KM <= km <= MAX_RADIUS_KM):
        return km
    shown: NumberFormat = (info.context or {}).get("number") or str
    raise DomainValidationError(
        "radius_km",
        N_("enter a radius from %(low)s to %(high)s km"),
        low=shown(MIN_RADIUS_KM),
        high=shown(MAX_RADIUS_KM),
    )


def _cell_size(value: Any) -> Any:
    if value is not None and value not in COUNCIL_CELL_KM:
        raise PydanticCustomError("not_an_option", "choose one of the options")
    return value


Parameter = BeforeValidator(_parameter)
Number = Annotated[Decimal | None, Parameter]
# An id among the active entries of a catalogue (its ids handed to `parse_form` as context).
ChosenId = Annotated[Whole | None, Parameter]


class MapParameters(BaseModel):
    """What every map form's messages say: any unreadable id or size is not an option."""

    form_messages: ClassVar[dict[str, str]] = {
        "whole_number": CHOOSE,
        "decimal_number": N_("enter a number, e.g. 59.95"),
    }


class OverviewInput(MapParameters):
    capability: Annotated[
        Capability | None, Parameter, Field(title=N_("Equipment: capability"))
    ] = None
    status: Annotated[EquipmentStatus | None, Parameter, Field(title=N_("Equipment: status"))] = (
        None
    )


class IncidentInput(MapParameters):
    """The point (an address, lat/lon, or UTM east/north in zone 32 or 33), radius and
    needs."""

    address: Annotated[str | None, BeforeValidator(_address), Field(title=N_("Address"))] = None
    lat: Annotated[Number, Field(title=N_("Latitude"))] = None
    lon: Annotated[Number, Field(title=N_("Longitude"))] = None
    east: Annotated[Number, Field(title=N_("East"))] = None
    north: Annotated[Number, Field(title=N_("North"))] = None
    epsg: Annotated[Literal["25832", "25833"] | None, Parameter, Field(title=N_("UTM zone"))] = None
    radius_km: Annotated[
        float | None, BeforeValidator(_radius), Parameter, Field(title=N_("Radius (km)"))
    ] = None
    capability: Annotated[Capability | None, Parameter, Field(title=N_("Capability"))] = None
    resource_type: Annotated[
        ChosenId, among("resource_type_ids"), Field(title=N_("Type of equipment"))
    ] = None
    qualification: Annotated[
        ChosenId, among("qualification_ids"), Field(title=N_("Qualification"))
    ] = None


class CouncilInput(MapParameters):
    cell_km: Annotated[
        Whole | None, Parameter, AfterValidator(_cell_size), Field(title=N_("Square size"))
    ] = None
    measure: Annotated[
        Literal["equipment", "volunteers"] | None, Parameter, Field(title=N_("Colour by"))
    ] = None
    capability: Annotated[Capability | None, Parameter, Field(title=N_("Capability"))] = None
    qualification: Annotated[
        ChosenId, among("qualification_ids"), Field(title=N_("Qualification"))
    ] = None


# The forms as the pages use them -----------------------------------------------------------


@dataclass
class MapForm(Generic[Schema]):
    """The toolkit's form (what was typed, messages by field) and the typed choices."""

    form: Form[Schema]

    @property
    def values(self) -> dict[str, Any]:
        return self.form.values

    @property
    def errors(self) -> dict[str, str]:
        return self.form.errors

    @property
    def labels(self) -> dict[str, str]:
        return self.form.labels

    @property
    def summary(self) -> list[tuple[str, str, str]]:
        return self.form.summary

    @property
    def status_code(self) -> int:
        return 422 if self.form.errors else 200

    def add_error(self, name: str, code: str, **params: Param) -> None:
        self.form.add_error(name, code, **params)


def _read(
    schema: type[Schema],
    params: Mapping[str, Any],
    translations: Translations,
    number: NumberFormat,
    **context: Any,
) -> Form[Schema]:
    form = parse_form(
        schema, params, translations, number=number, context={"number": number, **context}
    )
    form.values = {name: str(value)[:KEPT_LENGTH] for name, value in form.values.items()}
    return form


@dataclass
class OverviewForm(MapForm[OverviewInput]):
    capability: Capability | None = None
    status: EquipmentStatus | None = None


def parse_overview(
    params: Mapping[str, Any], translations: Translations, number: NumberFormat = str
) -> OverviewForm:
    form = _read(OverviewInput, params, translations, number)
    return OverviewForm(form, form.fields.get("capability"), form.fields.get("status"))


@dataclass
class IncidentForm(MapForm[IncidentInput]):
    submitted: bool = False
    place: Place | None = None
    radius_m: float = DEFAULT_RADIUS_KM * 1000
    capability: Capability | None = None
    resource_type: ResourceType | None = None
    qualification: QualificationType | None = None


def parse_incident(
    params: Mapping[str, Any],
    translations: Translations,
    *,
    resource_types: Mapping[int, ResourceType],
    qualifications: Mapping[int, QualificationType],
    number: NumberFormat = str,
    locate: Callable[[str], Located] | None = None,
) -> IncidentForm:
    """The point, radius and needs; `resource_types` and `qualifications` are the active
    catalogue entries by id (those the form offers); `locate` finds a typed address's point
    when no coordinates are given (the address search)."""
    form = _read(
        IncidentInput,
        params,
        translations,
        number,
        resource_type_ids=set(resource_types),
        qualification_ids=set(qualifications),
    )
    result = IncidentForm(form)
    result.submitted = any(value.strip() for value in form.values.values()) or bool(form.errors)
    for name, default in (("radius_km", f"{DEFAULT_RADIUS_KM:g}"), ("epsg", UTM_ZONES[1])):
        form.values[name] = form.values.get(name, "").strip() or default
    if not result.submitted:
        return result
    address = form.fields.get("address")
    if locate is not None and form.values.get("address") and not _coordinates_typed(form):
        # An unreadable address has its message; none on the coordinates left empty.
        result.place = _address_place(form, address, locate) if address else None
    else:
        result.place = _place(form)
    typed = form.fields
    if typed.get("radius_km") is not None:
        result.radius_m = typed["radius_km"] * 1000
    result.capability = typed.get("capability")
    result.resource_type = resource_types.get(typed.get("resource_type") or 0)
    result.qualification = qualifications.get(typed.get("qualification") or 0)
    return result


def _place(form: Form[IncidentInput]) -> Place | None:
    """lat and lon, or east and north with a UTM zone: both of a pair or neither, inside
    Norway. An unreadable coordinate has its message already; none at all asks for one."""
    if any(name in form.errors for name in COORDINATES):
        return None
    if _given(form, "lat", "lon"):
        return _degrees(form)
    if _given(form, "east", "north"):
        return _utm(form)
    form.add_error("lat", N_("click the map, or enter a latitude and a longitude"))
    return None


def _coordinates_typed(form: Form[IncidentInput]) -> bool:
    return any(str(form.values.get(name) or "").strip() for name in COORDINATES)


def _address_place(
    form: Form[IncidentInput], address: str, locate: Callable[[str], Located]
) -> Place | None:
    """The address's point (shown in the coordinates' fields too), or its message."""
    located = locate(address)
    if located.found is None:
        form.add_error("address", located.code or "", **located.params)
        return None
    found = located.found
    form.values.update(lat=f"{found.lat:.6f}", lon=f"{found.lon:.6f}", address=found.label)
    return Place(found.lon, found.lat)


def read_place(form: Form[Any]) -> Place | None:
    """The place of any form with the fields lat, lon, east, north and epsg (the site and
    organisation forms), read as the incident map reads its point."""
    return _place(form)


def _degrees(form: Form[IncidentInput]) -> Place | None:
    if not _both(form, "lat", "lon", N_("give both latitude and longitude")):
        return None
    typed = form.fields
    return _in_norway(form, "lat", lambda: (typed["lon"], typed["lat"]))


def _utm(form: Form[IncidentInput]) -> Place | None:
    if not _both(form, "east", "north", N_("give both east and north")):
        return None
    typed = form.fields
    if typed.get("epsg") is None:
        form.add_error("epsg", CHOOSE)
        return None
    epsg = int(typed["epsg"])
    return _in_norway(form, "east", lambda: to_wgs84(typed["east"], typed["north"], epsg))


def _given(form: Form[IncidentInput], *names: str) -> bool:
    return any(form.fields.get(name) is not None for name in names)


def _both(form: Form[IncidentInput], first: str, second: str, code: str) -> bool:
    """Both of a pair given; else the missing one says so."""
    missing = [name for name in (first, second) if form.fields.get(name) is None]
    for name in missing:
        form.add_error(name, code)
    return not missing


def _in_norway(
    form: Form[IncidentInput], name: str, lon_lat: Callable[[], tuple[float, float]]
) -> Place | None:
    # A short message rather than geo's: the reader clicked or typed a point, not a CRS.
    try:
        return Place(*check_lon_lat(*lon_lat()))
    except GeoError:
        form.add_error(name, N_("the point is not in Norway"))
        return None


@dataclass
class CouncilForm(MapForm[CouncilInput]):
    cell_km: int = DEFAULT_CELL_KM
    measure: str = MEASURES[0]
    capability: Capability | None = None
    qualification: QualificationType | None = None


def parse_council(
    params: Mapping[str, Any],
    translations: Translations,
    *,
    qualifications: Mapping[int, QualificationType],
    number: NumberFormat = str,
) -> CouncilForm:
    form = _read(CouncilInput, params, translations, number, qualification_ids=set(qualifications))
    typed = form.fields
    return CouncilForm(
        form,
        cell_km=typed.get("cell_km") or DEFAULT_CELL_KM,
        measure=typed.get("measure") or MEASURES[0],
        capability=typed.get("capability"),
        qualification=qualifications.get(typed.get("qualification") or 0),
    )


def active_resource_types(session: Session) -> list[ResourceType]:
    return list(session.scalars(select(ResourceType).where(ResourceType.active)))


def active_qualification_types(session: Session) -> list[QualificationType]:
    return list(session.scalars(select(QualificationType).where(QualificationType.active)))


def by_id(entries: list[Entry]) -> dict[int, Entry]:
    """Catalogue entries by id: those a map form offers and accepts."""
    return {entry.id: entry for entry in entries}
