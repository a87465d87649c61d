"""The reach panel of the council map and the incident map: for a point and a number of
minutes, what can be there (`beredskap.register.reach`), as a table (the map's text
alternative) and a circle on the map (static/maps/reach.js).

The council map has a form of its own (an address through the place search, or a point
clicked on the map, and the minutes); the incident map adds the minutes to its own form and
uses the incident's point. Coordinates win over an address typed beside them, as on the
incident map. The reader sees what the API would give them: counts, names only for roles that
may see people.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from babel.support import Translations
from sqlalchemy.orm import Session

from beredskap.platform.auth.service import Principal
from beredskap.platform.errors import N_, DomainValidationError
from beredskap.register.inventory.models import Capability
from beredskap.register.reach.schemas import ReachOut
from beredskap.register.reach.service import (
    DEFAULT_MINUTES,
    Where,
    check_minutes,
    reach_for,
    where_of,
)
from beredskap.register.web.labels import enum_label

FIELDS = ("address", "lat", "lon", "minutes")
KEPT_LENGTH = 100
LABELS = {
    "address": N_("Address"),
    "lat": N_("Latitude"),
    "lon": N_("Longitude"),
    "minutes": N_("Within (minutes)"),
}


@dataclass
class TypeRow:
    name: str
    capability: str
    quantity: int
    unit: str
    lines: int
    at_default: int


@dataclass
class QualificationRow:
    name: str
    people: int | None


@dataclass
class ReachPanel:
    """The form's values and errors, and the answer when there is one."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    asked: bool = False
    result: ReachOut | None = None
    types: list[TypeRow] = field(default_factory=list)
    qualifications: list[QualificationRow] = field(default_factory=list)
    qualification_names: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> list[tuple[str, str, str]]:
        """(field, label, message) of each error, for the error summary."""
        return [(name, self.labels[name], message) for name, message in self.errors.items()]

    @property
    def lines(self) -> int:
        return sum(row.lines for row in self.types)


def _number(text: str) -> float | None:
    """A number as typed in either language (30, 7,5, 59.95); None when unreadable."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _error(
    error: DomainValidationError, translations: Translations, number: Callable[[int], str]
) -> str:
    return error.translated(translations, number)


def read_panel(
    session: Session,
    principal: Principal,
    settings: Any,
    params: Mapping[str, str],
    translations: Translations,
    language: str,
    number: Callable[[int], str],
    *,
    place: Where | None = None,
    what: str,
) -> ReachPanel:
    """The panel for a page's query. `place`: the point is given (the incident map's);
    otherwise the panel reads its own address or lat and lon."""
    values = {name: str(params.get(name, ""))[:KEPT_LENGTH] for name in FIELDS}
    panel = ReachPanel(
        values=values,
        labels={name: translations.gettext(label) for name, label in LABELS.items()},
        asked=bool(values["minutes"].strip()),
    )
    if not panel.asked:
        values["minutes"] = values["minutes"] or f"{DEFAULT_MINUTES:.0f}"
        return panel
    minutes = None
    typed = _number(values["minutes"])
    if typed is None:
        panel.errors["minutes"] = translations.gettext(N_("enter a number of minutes, e.g. 30"))
    else:
        try:
            minutes = check_minutes(typed)
        except DomainValidationError as error:
            panel.errors["minutes"] = _error(error, translations, number)
    where = place
    if where is None:
        where = _where(session, values, panel, translations, number)
    if minutes is None or where is None or panel.errors:
        return panel
    result = reach_for(session, principal, settings, where, minutes, what=what)
    panel.result = result
    panel.types = [
        TypeRow(
            name=item.name_nb if language == "nb" else item.name_en,
            capability=enum_label(translations, Capability(group.capability)),
            quantity=item.quantity,
            unit=item.unit,
            lines=item.lines,
            at_default=item.quantity_at_default_mobilisation,
        )
        for group in result.equipment
        for item in group.resource_types
    ]
    panel.qualifications = [
        QualificationRow(q.name_nb if language == "nb" else q.name_en, q.people)
        for q in result.volunteers.qualifications
    ]
    panel.qualification_names = {
        q.code: (q.name_nb if language == "nb" else q.name_en)
        for q in result.volunteers.qualifications
    }
    return panel


def unasked_panel(params: Mapping[str, str], translations: Translations) -> ReachPanel:
    """The panel before there is a point to ask about: the minutes as typed (or the default)."""
    values = {name: str(params.get(name, ""))[:KEPT_LENGTH] for name in FIELDS}
    values["minutes"] = values["minutes"].strip() or f"{DEFAULT_MINUTES:.0f}"
    return ReachPanel(
        values=values, labels={name: translations.gettext(label) for name, label in LABELS.items()}
    )


def _where(
    session: Session,
    values: dict[str, str],
    panel: ReachPanel,
    translations: Translations,
    number: Callable[[int], str],
) -> Where | None:
    """The panel's own point: lat and lon when typed (they win over the address), else the
    address."""
    lat_text, lon_text = values["lat"].strip(), values["lon"].strip()
    lat = lon = None
    if lat_text or lon_text:
        for name, text in (("lat", lat_text), ("lon", lon_text)):
            value = _number(text) if text else None
            if value is None:
                panel.errors[name] = translations.gettext(N_("enter a number, e.g. 59.95"))
            elif name == "lat":
                lat = value
            else:
                lon = value
        if panel.errors:
            return None
    elif not values["address"].strip():
        panel.errors["address"] = translations.gettext(
            N_("give an address, or click the map or enter latitude and longitude")
        )
        return None
    typed_address = values["address"].strip()
    try:
        where = where_of(
            session, lat=lat, lon=lon, address=None if lat is not None else typed_address
        )
    except DomainValidationError as error:
        panel.errors[error.field if error.field in FIELDS else "lat"] = _error(
            error, translations, number
        )
        return None
    if lat is not None and typed_address:
        # The place search's choice fills the coordinates and keeps its label in the field
        # (a click on the map empties it): name the point by it.
        return Where(where.lon, where.lat, typed_address)
    return where
