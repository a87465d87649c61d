"""Base layers from the configured tile URLs, and the hosts the pages must allow images from."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from urllib.parse import urlsplit

from folium import Map, TileLayer

from beredskap.register.settings import MapSettings


@dataclass(frozen=True)
class TileSource:
    """One base layer: a Leaflet URL template, its attribution (plain text) and its name."""

    url: str
    attribution: str
    max_zoom: int
    name: str


def tile_sources(
    settings: MapSettings, *, default_name: str, alternative_name: str
) -> list[TileSource]:
    """The configured base layers, the default first; names are already translated."""
    sources = [
        TileSource(
            settings.map_tiles_url,
            settings.map_tiles_attribution,
            settings.map_tiles_max_zoom,
            default_name,
        )
    ]
    if settings.map_alternative_tiles_url:
        sources.append(
            TileSource(
                settings.map_alternative_tiles_url,
                settings.map_alternative_tiles_attribution,
                settings.map_alternative_tiles_max_zoom,
                alternative_name,
            )
        )
    return sources


def add_base_layers(map_: Map, sources: list[TileSource]) -> None:
    """The first source is shown; the others are choices in the layer control."""
    for index, source in enumerate(sources):
        TileLayer(
            tiles=source.url,
            # Leaflet writes attributions as HTML: the configured text is shown as text.
            attr=escape(source.attribution),
            name=source.name,
            max_zoom=source.max_zoom,
            overlay=False,
            show=index == 0,
        ).add_to(map_)


def image_sources(sources: list[TileSource]) -> list[str]:
    """CSP host sources for the tiles: scheme and host of each absolute URL ('self' covers
    paths on this app); a `{s}` subdomain placeholder becomes a wildcard."""
    hosts: list[str] = []
    for source in sources:
        parts = urlsplit(source.url)
        if not parts.scheme:
            continue
        labels = parts.netloc.split(".")
        with_subdomain = [i for i, label in enumerate(labels) if "{s}" in label]
        if with_subdomain:  # CSP allows a wildcard only as the leftmost label
            labels = ["*", *labels[with_subdomain[-1] + 1 :]]
        entry = f"{parts.scheme}://{'.'.join(labels)}"
        if entry not in hosts:
            hosts.append(entry)
    return hosts
