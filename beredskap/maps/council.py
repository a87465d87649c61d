"""The council's map: counts per grid cell, coloured by class (a choropleth). No people.

The page passes cells already aggregated (`beredskap.search.aggregates`); this module picks
the classes, colours the squares and draws them with the popups the page rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from folium import LayerControl, Map

from beredskap.maps.base import fit_to, new_map
from beredskap.maps.legend import Legend
from beredskap.maps.points import feature, geojson_layer
from beredskap.maps.tiles import TileSource

# ColorBrewer YlOrRd, light to dark: more is darker, which reads the same on print and screen.
SEQUENTIAL = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
SUPPRESSED_COLOUR = "#9e9e9e"
CLASSES = len(SEQUENTIAL)


@dataclass(frozen=True)
class CountClass:
    low: int
    high: int
    colour: str


@dataclass(frozen=True)
class GridSquare:
    ring: list[tuple[float, float]]  # lon, lat; closed
    value: int | None  # None: too few to show
    popup: str


def count_classes(values: list[int]) -> list[CountClass]:
    """Up to five classes at the quantiles of the positive values (no empty or repeated
    class), coloured across the whole palette."""
    ordered = sorted(value for value in values if value > 0)
    if not ordered:
        return []
    uppers: list[int] = []
    for step in range(1, CLASSES + 1):
        upper = ordered[min(len(ordered), ceil(step * len(ordered) / CLASSES)) - 1]
        if not uppers or upper > uppers[-1]:
            uppers.append(upper)
    count = len(uppers)
    colours = [SEQUENTIAL[round(i * (CLASSES - 1) / max(1, count - 1))] for i in range(count)]
    if count == 1:
        colours = [SEQUENTIAL[CLASSES // 2]]
    lows = [ordered[0], *(upper + 1 for upper in uppers[:-1])]
    return [
        CountClass(low, high, colour)
        for low, high, colour in zip(lows, uppers, colours, strict=True)
    ]


def class_colour(value: int, classes: list[CountClass]) -> str:
    for count_class in classes:
        if value <= count_class.high:
            return count_class.colour
    return classes[-1].colour if classes else SEQUENTIAL[-1]


def build_council_map(
    squares: list[GridSquare],
    *,
    sources: list[TileSource],
    layer_name: str,
    legend_html: str,
    classes: list[CountClass],
) -> Map:
    map_ = new_map(sources)
    features = []
    for square in squares:
        if square.value == 0:
            continue  # nothing of the chosen kind there: no square, as for an empty cell
        suppressed = square.value is None
        fill = SUPPRESSED_COLOUR if suppressed else class_colour(square.value or 0, classes)
        features.append(
            feature(
                {"type": "Polygon", "coordinates": [[[lon, lat] for lon, lat in square.ring]]},
                popup=square.popup,
                style={
                    "fill": True,
                    "color": "#5a5a5a",
                    "weight": 0.6,
                    "fillColor": fill,
                    "fillOpacity": 0.45 if suppressed else 0.7,
                    **({"dashArray": "3 3"} if suppressed else {}),
                },
            )
        )
    geojson_layer(features, name=layer_name).add_to(map_)
    map_.add_child(Legend(legend_html))
    LayerControl(collapsed=True).add_to(map_)
    drawn = [square for square in squares if square.value != 0] or squares
    fit_to(map_, [(lat, lon) for square in drawn for lon, lat in square.ring])
    return map_
