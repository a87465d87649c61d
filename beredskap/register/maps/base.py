"""A new map with the configured base layers, a scale bar and no link out of the network."""

from __future__ import annotations

from folium import Map
from folium.elements import MacroElement
from folium.template import Template

from beredskap.register.maps.tiles import TileSource, add_base_layers

# Lillestrøm (the demo municipality) until the data says where to look.
DEFAULT_CENTRE = (59.955, 11.05)
DEFAULT_ZOOM = 10
# The whole of mainland Norway and Svalbard, for maps with data across the country.
NORWAY_BOUNDS = ((57.5, 4.0), (81.0, 32.0))


class AttributionPrefix(MacroElement):
    """Leaflet credits itself with a link to leafletjs.com: the credit stays, as text, since
    pages on a closed network link to nothing outside it."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.attributionControl.setPrefix({{ this.text|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str = "Leaflet") -> None:
        super().__init__()
        self._name = "AttributionPrefix"
        self.text = text


class MetricScale(MacroElement):
    """A scale bar in metres and kilometres only (folium's `control_scale` adds miles too)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.control.scale({imperial: false, maxWidth: 160}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


def new_map(
    sources: list[TileSource],
    *,
    centre: tuple[float, float] = DEFAULT_CENTRE,
    zoom: int = DEFAULT_ZOOM,
) -> Map:
    """A map with the base layers (the first shown) and a metric scale bar."""
    map_ = Map(location=list(centre), zoom_start=zoom, tiles=None, control_scale=False)
    add_base_layers(map_, sources)
    map_.add_child(MetricScale())
    map_.add_child(AttributionPrefix())
    return map_


def fit_to(map_: Map, points: list[tuple[float, float]], *, max_zoom: int = 14) -> None:
    """Show all the points (lat, lon), when there are any."""
    if not points:
        return
    lats = [lat for lat, _ in points]
    lons = [lon for _, lon in points]
    map_.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], max_zoom=max_zoom)
