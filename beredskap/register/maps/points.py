"""Small layers with popups the page rendered (translated, escaped HTML): labelled markers
and GeoJSON. For the incident's results, agreement areas and the council's squares; the
overview's thousands of points use the lighter `maps.rows`.

A marker row is `[lat, lon, label, title, popup_html, css_class]`: a short label (its number
in the list beside the map), a title for hover and screen readers, and the popup. Labels and
titles are set as text, never as HTML. GeoJSON layers take each feature's popup, Leaflet
path style and name (for screen readers and the keyboard) from its properties.
"""

from __future__ import annotations

from typing import Any

from folium import CircleMarker, GeoJson
from folium.map import Layer
from folium.template import Template
from folium.utilities import JsCode

PointRow = list[Any]

MARKER_FROM_ROW = """function (row) {
    var label = document.createElement("span");
    label.textContent = row[2];
    var marker = L.marker([row[0], row[1]], {
        icon: L.divIcon({
            className: "map-pin " + row[5],
            html: label,
            iconSize: [30, 30],
            iconAnchor: [15, 15],
            popupAnchor: [0, -14]
        }),
        title: row[3],
        alt: row[3],
        riseOnHover: true
    });
    marker.bindPopup(row[4], {maxWidth: 320});
    return marker;
}"""

BIND_POPUP = JsCode(
    """function (feature, layer) {
        if (feature.properties.popup) {
            layer.bindPopup(feature.properties.popup, {maxWidth: 320});
        }
    }"""
)


def point_row(
    lat: float, lon: float, *, label: str, title: str, popup: str, css_class: str
) -> PointRow:
    return [round(lat, 6), round(lon, 6), label, title, str(popup), css_class]


class MarkerGroup(Layer):
    """Labelled markers in a plain feature group, for a handful of points."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function () {
                var callback = {{ this.callback }};
                var data = {{ this.data|tojson }};
                var group = L.featureGroup();
                for (var i = 0; i < data.length; i++) {
                    callback(data[i]).addTo(group);
                }
                return group;
            })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[PointRow], *, name: str, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "MarkerGroup"
        self.data = rows
        self.callback = MARKER_FROM_ROW


def geojson_layer(
    features: list[dict[str, Any]],
    *,
    name: str,
    show: bool = True,
    marker: CircleMarker | None = None,
) -> GeoJson:
    """A GeoJSON layer; each feature's `properties.style` (Leaflet path options) styles it and
    `properties.popup` (safe HTML) is its popup."""
    return GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        show=show,
        marker=marker,
        on_each_feature=BIND_POPUP,
    )


def feature(
    geometry: dict[str, Any], *, popup: str, style: dict[str, Any], name: str
) -> dict[str, Any]:
    """`name`: what the shape is, in words; map_a11y.js makes a shape with a popup a button
    of that name, opened by Enter or Space."""
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"popup": str(popup), "style": style, "name": name},
    }
