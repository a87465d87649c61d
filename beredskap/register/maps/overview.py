"""The overview map: organisations' bases, sites by kind, equipment per site, agreement areas.

Points travel as compact rows (`maps.rows`) and become Leaflet objects in the browser.
Equipment is one marker per site (its line count as label, its popup the counts per
capability group and status), clustered: a municipality's map stays light, and a country's
50,000 lines still come to a few thousand markers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from folium import LayerControl, Map

from beredskap.register.maps.base import fit_to, new_map
from beredskap.register.maps.legend import AGREEMENT_COLOUR, Legend, colour_of
from beredskap.register.maps.points import feature, geojson_layer
from beredskap.register.maps.rows import (
    CATEGORIES,
    ClusteredRowLayer,
    Row,
    RowLayer,
    category_index,
)
from beredskap.register.maps.tiles import TileSource

# Bases: larger, with a dark ring; sites: smaller, with a white one. Colour: the category.
BASE_STYLE = {"radius": 9, "color": "#1a1a1a", "weight": 3, "fillOpacity": 0.95}
SITE_STYLE = {"radius": 6, "color": "#ffffff", "weight": 1.5, "fillOpacity": 0.9}
CATEGORY_PALETTE = [colour_of(index) for index in range(len(CATEGORIES))]


def category_colour(category: str | None) -> str:
    """A category's colour on every map and legend (stable: the enum's order)."""
    return CATEGORY_PALETTE[category_index(category)]


@dataclass(frozen=True)
class MapArea:
    geometry: dict[str, Any]  # GeoJSON (Multi)Polygon in EPSG:4326
    popup: str  # safe HTML
    name: str  # what it is, in words (its name for screen readers and the keyboard)


@dataclass(frozen=True)
class OverviewLayerNames:
    """Layer names as the layer control shows them (translated by the page)."""

    bases: str
    sites: dict[str, str]  # site kind -> name, in the order the control lists them
    equipment: str
    agreement_areas: str


@dataclass(frozen=True)
class OverviewTexts:
    """The popups' labels for layers.js, translated by the page."""

    organisation: dict[str, Any]
    sites: dict[str, dict[str, Any]]  # by site kind
    equipment: dict[str, Any]


@dataclass(frozen=True)
class OverviewContent:
    bases: list[Row] = field(default_factory=list)  # maps.rows.organisation_row
    sites: dict[str, list[Row]] = field(default_factory=dict)  # site_row, by site kind
    equipment: list[Row] = field(default_factory=list)  # equipment_row
    agreement_areas: list[MapArea] = field(default_factory=list)


def build_overview_map(
    content: OverviewContent,
    *,
    sources: list[TileSource],
    names: OverviewLayerNames,
    texts: OverviewTexts,
    legend_html: str,
) -> Map:
    map_ = new_map(sources)
    areas = [
        feature(
            area.geometry,
            popup=area.popup,
            name=area.name,
            style={
                "fill": True,
                "color": AGREEMENT_COLOUR,
                "weight": 2,
                "fillColor": AGREEMENT_COLOUR,
                "fillOpacity": 0.05,
                "dashArray": "6 4",
            },
        )
        for area in content.agreement_areas
    ]
    geojson_layer(areas, name=names.agreement_areas).add_to(map_)
    palette = {"colours": CATEGORY_PALETTE}
    for kind, name in names.sites.items():
        site_texts = texts.sites[kind] | palette | {"style": SITE_STYLE}
        RowLayer("site", content.sites.get(kind, []), site_texts, name=name).add_to(map_)
    base_texts = texts.organisation | palette | {"style": BASE_STYLE}
    RowLayer("organisation", content.bases, base_texts, name=names.bases).add_to(map_)
    ClusteredRowLayer("equipment", content.equipment, texts.equipment, name=names.equipment).add_to(
        map_
    )
    map_.add_child(Legend(legend_html))
    LayerControl(collapsed=True).add_to(map_)
    rows = [*content.bases, *(row for rows in content.sites.values() for row in rows)]
    fit_to(map_, [(row[0], row[1]) for row in [*rows, *content.equipment]])
    return map_
