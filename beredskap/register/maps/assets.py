"""Leaflet and its plugins from the app's own static files, never from a CDN.

folium names CDN URLs in `default_js`/`default_css` on `folium.Map` and on each plugin. Closed
municipal networks reach no CDN, so every element that loads assets gets the local files
(fetched from the npm registry at build time by `scripts/fetch_map_assets.py`), and an
element this module does not know is refused rather than left pointing at the internet.
jQuery, Bootstrap, awesome-markers and Font Awesome are left out: nothing here uses them.
"""

from __future__ import annotations

from branca.element import Element
from folium import Map
from folium.elements import JSCSSMixin
from folium.plugins import MarkerCluster

from beredskap.register.maps.rows import ClusteredRowLayer, RowLayer

VENDOR_URL = "/static/vendor"
MAPS_URL = "/static/maps"

Links = list[tuple[str, str]]

LEAFLET_JS: Links = [("leaflet", f"{VENDOR_URL}/leaflet/leaflet.js")]
LEAFLET_CSS: Links = [
    ("leaflet_css", f"{VENDOR_URL}/leaflet/leaflet.css"),
    ("beredskap_maps_css", f"{MAPS_URL}/maps.css"),
]
ROW_LAYERS_JS: Links = [("beredskap_layers_js", f"{MAPS_URL}/layers.js")]
MARKER_CLUSTER_JS: Links = [
    ("markerclusterjs", f"{VENDOR_URL}/leaflet.markercluster/leaflet.markercluster.js")
]
MARKER_CLUSTER_CSS: Links = [
    ("markerclustercss", f"{VENDOR_URL}/leaflet.markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", f"{VENDOR_URL}/leaflet.markercluster/MarkerCluster.Default.css"),
]

# The local files of each folium class that loads assets (subclasses included; the first
# match counts, so a subclass comes before its base).
LOCAL_ASSETS: dict[type[JSCSSMixin], tuple[Links, Links]] = {
    Map: (LEAFLET_JS, LEAFLET_CSS),
    MarkerCluster: (MARKER_CLUSTER_JS, MARKER_CLUSTER_CSS),
    ClusteredRowLayer: (MARKER_CLUSTER_JS + ROW_LAYERS_JS, MARKER_CLUSTER_CSS),
    RowLayer: (ROW_LAYERS_JS, []),
}


class UnservedAssetsError(ValueError):
    """A map element would load files the app does not serve."""


def _local_assets_of(element: JSCSSMixin) -> tuple[Links, Links]:
    for cls, links in LOCAL_ASSETS.items():
        if isinstance(element, cls):
            return links
    raise UnservedAssetsError(
        f"{type(element).__name__} loads {element.default_js + element.default_css}; "
        "vendor its files (scripts/map-assets.lock.json) and list them in LOCAL_ASSETS"
    )


def _walk(element: Element) -> list[Element]:
    found = [element]
    for child in element._children.values():
        found.extend(_walk(child))
    return found


def use_local_assets(map_: Map) -> None:
    """Point the map and every plugin in it at the app's own copies (per instance)."""
    for element in _walk(map_):
        if isinstance(element, JSCSSMixin):
            js, css = _local_assets_of(element)
            element.default_js = list(js)
            element.default_css = list(css)
