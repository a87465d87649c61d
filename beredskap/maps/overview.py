"""The overview map: organisations' bases, sites by kind, equipment per site, agreement areas.

Equipment is drawn one marker per site (its line count as label, its popup listing the
counts per capability group and status), clustered: a municipality's map stays light and a
country's 50,000 lines still come to a few thousand markers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from folium import CircleMarker, LayerControl, Map

from beredskap.maps.base import fit_to, new_map
from beredskap.maps.legend import AGREEMENT_COLOUR, Legend, colour_of
from beredskap.maps.points import (
    PointRow,
    clustered_markers,
    feature,
    geojson_layer,
    point_row,
)
from beredskap.maps.tiles import TileSource
from beredskap.organisations.models import OrganisationCategory

CATEGORY_ORDER = list(OrganisationCategory)
BASE_RADIUS_PX = 9
SITE_RADIUS_PX = 6


def category_colour(category: str) -> str:
    """A category's colour on every map and legend (stable: the enum's order)."""
    try:
        return colour_of(CATEGORY_ORDER.index(OrganisationCategory(category)))
    except ValueError:
        return colour_of(len(CATEGORY_ORDER) - 1)


@dataclass(frozen=True)
class MapPoint:
    """A place on the map with its popup (safe HTML) and the category that colours it."""

    lat: float
    lon: float
    title: str
    popup: str
    category: str


@dataclass(frozen=True)
class EquipmentSite:
    lat: float
    lon: float
    lines: int
    title: str
    popup: str


@dataclass(frozen=True)
class MapArea:
    geometry: dict[str, Any]  # GeoJSON (Multi)Polygon in EPSG:4326
    popup: str


@dataclass(frozen=True)
class OverviewLayerNames:
    """Layer names as the layer control shows them (translated by the page)."""

    bases: str
    sites: dict[str, str]  # site kind -> name, in the order the control lists them
    equipment: str
    agreement_areas: str


@dataclass(frozen=True)
class OverviewContent:
    bases: list[MapPoint] = field(default_factory=list)
    sites: dict[str, list[MapPoint]] = field(default_factory=dict)  # by site kind
    equipment: list[EquipmentSite] = field(default_factory=list)
    agreement_areas: list[MapArea] = field(default_factory=list)


def _point_feature(point: MapPoint, *, base: bool) -> dict[str, Any]:
    colour = category_colour(point.category)
    style = (
        {"fill": True, "color": "#1a1a1a", "weight": 3, "fillColor": colour, "fillOpacity": 0.95}
        if base
        else {
            "fill": True,
            "color": "#ffffff",
            "weight": 1.5,
            "fillColor": colour,
            "fillOpacity": 0.9,
        }
    )
    return feature(
        {"type": "Point", "coordinates": [round(point.lon, 6), round(point.lat, 6)]},
        popup=point.popup,
        style=style,
    )


def _equipment_rows(sites: list[EquipmentSite]) -> list[PointRow]:
    return [
        point_row(
            site.lat,
            site.lon,
            label=str(site.lines),
            title=site.title,
            popup=site.popup,
            css_class="map-pin--equipment",
        )
        for site in sites
    ]


def build_overview_map(
    content: OverviewContent,
    *,
    sources: list[TileSource],
    names: OverviewLayerNames,
    legend_html: str,
) -> Map:
    map_ = new_map(sources)
    areas = [
        feature(
            area.geometry,
            popup=area.popup,
            style={
                "fill": True,
                "color": AGREEMENT_COLOUR,
                "weight": 2,
                "fillColor": AGREEMENT_COLOUR,
                "fillOpacity": 0.12,
                "dashArray": "6 4",
            },
        )
        for area in content.agreement_areas
    ]
    geojson_layer(areas, name=names.agreement_areas).add_to(map_)
    for kind, name in names.sites.items():
        points = content.sites.get(kind, [])
        geojson_layer(
            [_point_feature(point, base=False) for point in points],
            name=name,
            marker=CircleMarker(radius=SITE_RADIUS_PX),
        ).add_to(map_)
    geojson_layer(
        [_point_feature(point, base=True) for point in content.bases],
        name=names.bases,
        marker=CircleMarker(radius=BASE_RADIUS_PX),
    ).add_to(map_)
    clustered_markers(_equipment_rows(content.equipment), name=names.equipment).add_to(map_)
    map_.add_child(Legend(legend_html))
    LayerControl(collapsed=True).add_to(map_)
    everything = [
        (point.lat, point.lon)
        for point in [*content.bases, *(p for ps in content.sites.values() for p in ps)]
    ] + [(site.lat, site.lon) for site in content.equipment]
    fit_to(map_, everything)
    return map_
