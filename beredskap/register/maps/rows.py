"""Compact rows for the overview's point layers, drawn in the browser by
`web/static/maps/layers.js` (one Leaflet object per row, popups built when opened).

A row is a JSON array, its positions fixed here and in layers.js: far lighter than GeoJSON
with ready-made popup HTML (which JSON escaping inside a script roughly doubles), and cheap
to write for thousands of sites. Texts (labels, plural forms) travel once per layer.
"""

from __future__ import annotations

from typing import Any

from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

from beredskap.register.inventory.models import Capability, EquipmentStatus
from beredskap.register.organisations.models import OrganisationCategory

Row = list[Any]
CATEGORIES = list(OrganisationCategory)
CAPABILITIES = list(Capability)
STATUSES = list(EquipmentStatus)


def _coordinates(lat: float, lon: float) -> Row:
    return [round(lat, 6), round(lon, 6)]


def category_index(category: str | None) -> int:
    """The category's position (colour and label); unknown or none: 'other'."""
    try:
        return CATEGORIES.index(OrganisationCategory(category or OrganisationCategory.OTHER))
    except ValueError:
        return CATEGORIES.index(OrganisationCategory.OTHER)


def organisation_row(
    lat: float,
    lon: float,
    *,
    category: str,
    id: int,
    name: str,
    organisation_number: str | None,
    site_count: int,
    contact: tuple[str | None, str | None, str | None] | None,
    municipal: bool = False,
) -> Row:
    row = [*_coordinates(lat, lon), category_index(category), id, name]
    row += [organisation_number, site_count, 1 if municipal else 0]
    if contact is not None and any(contact):
        row += list(contact)
    return row


def site_row(
    lat: float,
    lon: float,
    *,
    category: str | None,
    name: str,
    address: str | None,
    access_24_7: bool,
    organisation_id: int | None,
    organisation: str | None,
    municipal: bool = False,
) -> Row:
    return [
        *_coordinates(lat, lon),
        category_index(category),
        name,
        address,
        1 if access_24_7 else 0,
        organisation_id,
        organisation,
        1 if municipal else 0,
    ]


def flat_counts(counts: dict[str, dict[str, int]], members: list[Any]) -> list[int]:
    """Lines and items of each member, in the members' order: [l, q, l, q, ...]."""
    flat: list[int] = []
    for member in members:
        found = counts.get(member.value, {})
        flat += [int(found.get("lines", 0)), int(found.get("quantity", 0))]
    return flat


def equipment_row(
    lat: float,
    lon: float,
    *,
    lines: int,
    site_name: str,
    organisation_id: int | None,
    organisation: str | None,
    by_capability: dict[str, dict[str, int]],
    by_status: dict[str, dict[str, int]],
    overdue: dict[str, int] | None = None,
    municipal: bool = False,
) -> Row:
    """Counts in the enums' order, lines and items for each: [l, q, l, q, ...]; then the
    lines and items past their inspection date, shown beside the statuses (None: not
    counted, so the popup claims nothing about inspections)."""
    return [
        *_coordinates(lat, lon),
        lines,
        site_name,
        organisation_id,
        organisation,
        flat_counts(by_capability, CAPABILITIES),
        flat_counts(by_status, STATUSES),
        None
        if overdue is None
        else [int(overdue.get("lines", 0)), int(overdue.get("quantity", 0))],
        1 if municipal else 0,
    ]


class RowLayer(JSCSSMixin, Layer):
    """A layer of `kind` ('organisation', 'site', 'equipment' or 'cell') made from rows in
    the browser; `texts` are its translated labels (and, for shapes, colours and style)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = beredskapMaps.layer(
                {{ this.kind|tojson }},
                {{ this.rows|tojson }},
                {{ this.texts|tojson }},
                {{ this.group() }}
            );
        {% endmacro %}
        """
    )

    def __init__(
        self, kind: str, rows: list[Row], texts: dict[str, Any], *, name: str, show: bool = True
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "RowLayer"
        self.kind = kind
        self.rows = rows
        self.texts = texts

    def group(self) -> str:
        return "L.featureGroup()"


class ClusteredRowLayer(RowLayer):
    """The same, in a marker cluster group (Leaflet.markercluster)."""

    def group(self) -> str:
        return "L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 50})"
