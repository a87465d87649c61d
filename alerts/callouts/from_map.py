"""The incident map's equipment filter carried into a new callout.

A callout asks people, not equipment: "boats within 20 km" on the incident map becomes the
organisations that hold a ready boat there, chosen in the form's organisations, so only their
members are asked (the officer sees the choice and may change it). The point, radius and
qualification come as the form's own fields; the filter is looked up again here, never
trusted from the link.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from babel.support import Translations
from sqlalchemy.orm import Session

from alerts.models import MAX_RADIUS_M
from beredskap.platform.digits import parse_digits
from beredskap.platform.web.form_fields import decimal_number
from beredskap.register.inventory.models import Capability, ResourceType
from beredskap.register.search.service import Place, ready_equipment_near
from beredskap.register.web.labels import enum_label
from beredskap.register.web.map_data import catalogue_name
from geo.extent import OutsideNorwayError, check_lon_lat

# Ready lines looked at to find their organisations: far more than the incident map lists.
LINES_LOOKED_AT = 2000


@dataclass(frozen=True)
class MapFilter:
    """What the incident map filtered by, in words, and who holds it ready in the radius."""

    capability: str  # the value carried in the form ("" for none)
    resource_type: str  # the resource type's id as text ("" for none)
    what: str  # "Båt" or "Transport", in the reader's language
    organisation_ids: list[int] = field(default_factory=list)  # nearest first


def map_filter(
    session: Session,
    values: Mapping[str, object],
    translations: Translations,
    language: str,
) -> MapFilter | None:
    """The filter named in the form's values, or None when none (or nothing known) is named.
    Organisations are found only when the point and radius read as numbers."""
    capability = _capability(str(values.get("capability") or ""))
    resource_type = _resource_type(session, str(values.get("resource_type") or ""))
    if capability is None and resource_type is None:
        return None
    what = (
        catalogue_name(resource_type, language)
        if resource_type is not None
        else enum_label(translations, capability)  # type: ignore[arg-type]
    )
    lat, lon = (decimal_number(str(values.get(name) or "")) for name in ("lat", "lon"))
    radius_km = decimal_number(str(values.get("radius_km") or ""))
    holders: list[int] = []
    if (
        lat is not None
        and lon is not None
        and radius_km is not None
        and 0 < radius_km * 1000 <= MAX_RADIUS_M
    ):
        try:
            lon, lat = check_lon_lat(lon, lat)
            lines = ready_equipment_near(
                session,
                Place(lon=lon, lat=lat),
                radius_m=radius_km * 1000,
                limit=LINES_LOOKED_AT,
                capability=capability if resource_type is None else None,
                resource_type_id=resource_type.id if resource_type is not None else None,
            )
        except OutsideNorwayError:  # the form says why at its fields
            lines = []
        for line in lines:
            if line.organisation_id not in holders:
                holders.append(line.organisation_id)
    return MapFilter(
        capability=capability.value if capability is not None else "",
        resource_type=str(resource_type.id) if resource_type is not None else "",
        what=what,
        organisation_ids=holders,
    )


def _capability(text: str) -> Capability | None:
    try:
        return Capability(text.strip())
    except ValueError:
        return None


def _resource_type(session: Session, text: str) -> ResourceType | None:
    key = parse_digits(text, max_digits=9)
    if key is None:
        return None
    found = session.get(ResourceType, key)
    return found if found is not None and found.active else None
