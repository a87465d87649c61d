"""The map pages' GET forms: raw query parameters in, typed choices or messages per field out.

The pages read the parameters themselves (not through FastAPI's validation) so that bad input
shows the form again with a message in the reader's language, never a problem document.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from babel.support import Translations
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from beredskap.platform.digits import parse_digits
from beredskap.register.inventory.models import Capability, EquipmentStatus, ResourceType
from beredskap.register.search.aggregates import CELL_SIZES_M
from beredskap.register.search.service import Place
from beredskap.register.volunteers.models import QualificationType
from geo.crs import UnsupportedCrsError, to_wgs84
from geo.extent import OutsideNorwayError, check_lon_lat

MAX_PARAMETER_LENGTH = 40
NUMBER = re.compile(r"^[+-]?\d{1,9}(?:[.,]\d{1,12})?$")
UTM_ZONES = ("25832", "25833")
DEFAULT_RADIUS_KM = 10.0
MIN_RADIUS_KM, MAX_RADIUS_KM = 0.1, 500.0
# The council chooses among the grid's finer sizes: 1, 5 and 10 km.
COUNCIL_CELL_KM = tuple(size // 1000 for size in CELL_SIZES_M if size <= 10_000)
DEFAULT_CELL_KM = COUNCIL_CELL_KM[0]
MEASURES = ("equipment", "volunteers")
INCIDENT_FIELDS = (
    "lat", "lon", "east", "north", "epsg", "radius_km", "capability", "resource_type",
    "qualification",
)  # fmt: skip


@dataclass
class MapForm:
    """What was typed (kept for the form), and the messages by field name."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def status_code(self) -> int:
        return 422 if self.errors else 200


def _read(params: QueryParams, form: MapForm, translations: Translations, name: str) -> str:
    """A parameter as text ('' when absent); too long or control characters: a message."""
    text = params.get(name, "")
    if len(text) > MAX_PARAMETER_LENGTH * 5:
        text = text[: MAX_PARAMETER_LENGTH * 5]
    form.values[name] = text
    text = text.strip()
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        form.errors[name] = translations.gettext("contains characters that are not allowed")
        return ""
    if len(text) > MAX_PARAMETER_LENGTH:
        form.errors[name] = translations.gettext("at most %(count)s characters") % {
            "count": MAX_PARAMETER_LENGTH
        }
        return ""
    return text


def _number(text: str) -> float | None:
    if not NUMBER.match(text):
        return None
    return float(text.replace(",", "."))


def _choice(
    text: str, options: dict[str, Any], form: MapForm, name: str, translations: Translations
) -> Any:
    if not text:
        return None
    if text not in options:
        form.errors[name] = translations.gettext("choose one of the options")
        return None
    return options[text]


def _capability(text: str, form: MapForm, translations: Translations) -> Capability | None:
    options = {c.value: c for c in Capability}
    return _choice(text, options, form, "capability", translations)


def _catalogue_entry(
    session: Session, model: Any, text: str, form: MapForm, name: str, translations: Translations
) -> Any:
    if not text:
        return None
    type_id = parse_digits(text)
    found = session.get(model, type_id) if type_id is not None else None
    if found is None or not found.active:
        form.errors[name] = translations.gettext("choose one of the options")
        return None
    return found


@dataclass
class OverviewForm(MapForm):
    capability: Capability | None = None
    status: EquipmentStatus | None = None


def parse_overview(params: QueryParams, translations: Translations) -> OverviewForm:
    form = OverviewForm()
    form.capability = _capability(
        _read(params, form, translations, "capability"), form, translations
    )
    form.status = _choice(
        _read(params, form, translations, "status"),
        {s.value: s for s in EquipmentStatus},
        form,
        "status",
        translations,
    )
    return form


@dataclass
class IncidentForm(MapForm):
    submitted: bool = False
    place: Place | None = None
    radius_m: float = DEFAULT_RADIUS_KM * 1000
    capability: Capability | None = None
    resource_type: ResourceType | None = None
    qualification: QualificationType | None = None


def _place(form: IncidentForm, raw: dict[str, str], translations: Translations) -> Place | None:
    _ = translations.gettext
    numbers = {name: _number(raw[name]) for name in ("lat", "lon", "east", "north") if raw[name]}
    for name in numbers:
        if numbers[name] is None:
            form.errors[name] = _("enter a number, e.g. 59.95")
    if any(name in form.errors for name in ("lat", "lon", "east", "north")):
        return None
    try:
        if raw["lat"] or raw["lon"]:
            if not (raw["lat"] and raw["lon"]):
                missing = "lon" if raw["lat"] else "lat"
                form.errors[missing] = _("give both latitude and longitude")
                return None
            return Place(*check_lon_lat(numbers["lon"] or 0.0, numbers["lat"] or 0.0))
        if raw["east"] or raw["north"]:
            if not (raw["east"] and raw["north"]):
                missing = "north" if raw["east"] else "east"
                form.errors[missing] = _("give both east and north")
                return None
            if raw["epsg"] not in UTM_ZONES:
                form.errors["epsg"] = _("choose one of the options")
                return None
            lon, lat = to_wgs84(numbers["east"] or 0.0, numbers["north"] or 0.0, int(raw["epsg"]))
            return Place(*check_lon_lat(lon, lat))
    except (OutsideNorwayError, UnsupportedCrsError):
        field_name = "lat" if raw["lat"] else "east"
        form.errors[field_name] = _("the point is not in Norway")
        return None
    form.errors["lat"] = _("click the map, or enter a latitude and a longitude")
    return None


def parse_incident(
    params: QueryParams,
    session: Session,
    translations: Translations,
    number: Callable[[Any], str] = str,
) -> IncidentForm:
    """The point (lat/lon, or UTM east/north in zone 32 or 33), radius and needs."""
    _ = translations.gettext
    form = IncidentForm()
    raw = {name: _read(params, form, translations, name) for name in INCIDENT_FIELDS}
    form.submitted = any(raw.values()) or bool(form.errors)
    if not form.submitted:
        form.values |= {"radius_km": f"{DEFAULT_RADIUS_KM:g}", "epsg": UTM_ZONES[1]}
        return form
    form.values["epsg"] = raw["epsg"] or UTM_ZONES[1]
    form.values["radius_km"] = raw["radius_km"] or f"{DEFAULT_RADIUS_KM:g}"
    form.place = _place(form, raw, translations)
    if raw["radius_km"]:
        radius = _number(raw["radius_km"])
        if radius is None or not MIN_RADIUS_KM <= radius <= MAX_RADIUS_KM:
            form.errors["radius_km"] = _("enter a radius from %(low)s to %(high)s km") % {
                "low": number(MIN_RADIUS_KM),
                "high": number(MAX_RADIUS_KM),
            }
        else:
            form.radius_m = radius * 1000
    form.capability = _capability(raw["capability"], form, translations)
    form.resource_type = _catalogue_entry(
        session, ResourceType, raw["resource_type"], form, "resource_type", translations
    )
    form.qualification = _catalogue_entry(
        session, QualificationType, raw["qualification"], form, "qualification", translations
    )
    return form


@dataclass
class CouncilForm(MapForm):
    cell_km: int = DEFAULT_CELL_KM
    measure: str = MEASURES[0]
    capability: Capability | None = None
    qualification: QualificationType | None = None


def parse_council(params: QueryParams, session: Session, translations: Translations) -> CouncilForm:
    form = CouncilForm()
    cell = _choice(
        _read(params, form, translations, "cell_km"),
        {str(size): size for size in COUNCIL_CELL_KM},
        form,
        "cell_km",
        translations,
    )
    form.cell_km = cell or DEFAULT_CELL_KM
    measure = _choice(
        _read(params, form, translations, "measure"),
        {m: m for m in MEASURES},
        form,
        "measure",
        translations,
    )
    form.measure = measure or MEASURES[0]
    form.capability = _capability(
        _read(params, form, translations, "capability"), form, translations
    )
    form.qualification = _catalogue_entry(
        session,
        QualificationType,
        _read(params, form, translations, "qualification"),
        form,
        "qualification",
        translations,
    )
    return form


def active_resource_types(session: Session) -> list[ResourceType]:
    return list(session.scalars(select(ResourceType).where(ResourceType.active)))


def active_qualification_types(session: Session) -> list[QualificationType]:
    return list(session.scalars(select(QualificationType).where(QualificationType.active)))
