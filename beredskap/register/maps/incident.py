"""The duty officer's incident map: the point and radius, the matching equipment by site
(numbered as in the list beside the map), and volunteers' approximate home areas."""

from __future__ import annotations

from dataclasses import dataclass
from math import cos, radians

from folium import Circle, CircleMarker, FeatureGroup, LayerControl, Map

from beredskap.register.maps.base import fit_to, new_map
from beredskap.register.maps.legend import INCIDENT_COLOUR, VOLUNTEER_COLOUR, Legend
from beredskap.register.maps.points import MarkerGroup, feature, geojson_layer, point_row
from beredskap.register.maps.tiles import TileSource
from beredskap.register.volunteers.models import HOME_AREA_GRID_DEGREES

# A home area is a point snapped to a 0.005° grid: anyone in it lives within about 300 m of
# it. The circle says "about here", never an address.
METRES_PER_DEGREE = 111_320  # of latitude
HOME_AREA_RADIUS_M = round(HOME_AREA_GRID_DEGREES * METRES_PER_DEGREE * 0.75, -1)


@dataclass(frozen=True)
class Incident:
    lat: float
    lon: float
    radius_m: float


@dataclass(frozen=True)
class NumberedSite:
    number: int
    lat: float
    lon: float
    title: str
    popup: str


@dataclass(frozen=True)
class ApproximateHome:
    lat: float
    lon: float
    popup: str
    name: str  # the circle in words: whose home area, approximately


@dataclass(frozen=True)
class IncidentLayerNames:
    incident: str
    equipment: str
    volunteers: str


def build_incident_map(
    *,
    sources: list[TileSource],
    names: IncidentLayerNames,
    legend_html: str,
    incident: Incident | None,
    sites: list[NumberedSite],
    homes: list[ApproximateHome] | None,
) -> Map:
    """Without an incident, the municipality to click on; `homes` None: the reader may not
    see volunteers, so the layer is left out altogether."""
    map_ = new_map(sources)
    if incident is not None:
        place = FeatureGroup(name=names.incident).add_to(map_)
        radius = Circle(
            location=[incident.lat, incident.lon],
            radius=incident.radius_m,
            color=INCIDENT_COLOUR,
            weight=2,
            fill=True,
            fill_opacity=0.06,
        )
        point = CircleMarker(
            location=[incident.lat, incident.lon],
            radius=7,
            color="#ffffff",
            weight=2,
            fill=True,
            fill_color=INCIDENT_COLOUR,
            fill_opacity=1,
        )
        for shape in (radius, point):
            # No popup, nothing to do: drawn only (the form beside the map says where). folium
            # drops an `interactive` argument, so it is set among the options it writes.
            shape.options["interactive"] = False
            shape.add_to(place)
    if homes is not None:
        geojson_layer(
            [
                feature(
                    {"type": "Point", "coordinates": [round(home.lon, 6), round(home.lat, 6)]},
                    popup=home.popup,
                    name=home.name,
                    style={
                        "fill": True,
                        "color": VOLUNTEER_COLOUR,
                        "weight": 1,
                        "fillColor": VOLUNTEER_COLOUR,
                        "fillOpacity": 0.25,
                    },
                )
                for home in homes
            ],
            name=names.volunteers,
            marker=Circle(radius=HOME_AREA_RADIUS_M),
        ).add_to(map_)
    MarkerGroup(
        [
            point_row(
                site.lat,
                site.lon,
                label=str(site.number),
                title=site.title,
                popup=site.popup,
                css_class="map-pin--result",
            )
            for site in sites
        ],
        name=names.equipment,
    ).add_to(map_)
    map_.add_child(Legend(legend_html))
    LayerControl(collapsed=True).add_to(map_)
    if incident is not None:
        # The whole circle, and whatever was found (a search without radius may reach far).
        reach = incident.radius_m / METRES_PER_DEGREE
        reach_lon = reach / max(0.1, cos(radians(incident.lat)))
        corners = [
            (incident.lat - reach, incident.lon - reach_lon),
            (incident.lat + reach, incident.lon + reach_lon),
        ]
        fit_to(map_, corners + [(site.lat, site.lon) for site in sites], max_zoom=15)
    return map_
