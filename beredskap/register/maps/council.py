"""The council's map: counts per grid cell, coloured by class (a choropleth). No people.

The page passes cells already aggregated (`beredskap.register.search.aggregates`); this module picks
the classes and colours, and hands the squares to layers.js as compact rows (a national grid
of 1 km squares holds thousands): corners, value, colour, and the counts its popup lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil
from typing import Any

from folium import LayerControl, Map

from beredskap.register.maps.base import fit_to, new_map
from beredskap.register.maps.legend import Legend
from beredskap.register.maps.rows import CAPABILITIES, Row, RowLayer, flat_counts
from beredskap.register.maps.tiles import TileSource

# ColorBrewer YlOrRd, light to dark: more is darker, which reads the same on print and screen.
SEQUENTIAL = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
SUPPRESSED_COLOUR = "#9e9e9e"
PALETTE = [*SEQUENTIAL, SUPPRESSED_COLOUR]
SUPPRESSED = len(SEQUENTIAL)  # the suppressed colour's place in PALETTE
CLASSES = len(SEQUENTIAL)
SQUARE_STYLE = {"color": "#5a5a5a", "weight": 0.6, "fillOpacity": 0.7}


@dataclass(frozen=True)
class CountClass:
    low: int
    high: int
    colour: str


@dataclass(frozen=True)
class GridSquare:
    ring: list[tuple[float, float]]  # lon, lat; closed
    value: int | None  # what colours it; None: too few to show
    equipment: dict[str, dict[str, int]] = field(default_factory=dict)  # by capability
    volunteers: dict[str, int | None] = field(default_factory=dict)  # by qualification code
    volunteer_total: int | None = None


def drawn(squares: list[GridSquare]) -> list[GridSquare]:
    """The squares the map draws, in their order (their numbers): those with something of
    what they count, or a count withheld; a value of 0 has nothing of the kind."""
    return [square for square in squares if square.value != 0]


def by_value(square: GridSquare) -> tuple[int, int]:
    """Sort key: the most first, then withheld counts (fewer than the threshold), then none."""
    if square.value is None:
        return (1, 0)
    return (0, -square.value) if square.value else (2, 0)


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


def square_row(square: GridSquare, classes: list[CountClass], qualifications: list[str]) -> Row:
    """[corners as [lat, lon], value, colour, counts by capability, volunteers by qualification
    (null: suppressed), volunteers in all]; the ring's closing corner is left out."""
    if square.value is None:
        colour = SUPPRESSED
    else:
        colour = PALETTE.index(class_colour(square.value, classes))
    corners = [[round(lat, 5), round(lon, 5)] for lon, lat in square.ring[:-1]]
    volunteers = [square.volunteers.get(code, 0) for code in qualifications]
    return [
        corners,
        square.value,
        colour,
        flat_counts(square.equipment, CAPABILITIES),
        volunteers,
        square.volunteer_total,
    ]


def build_council_map(
    squares: list[GridSquare],
    *,
    sources: list[TileSource],
    layer_name: str,
    legend_html: str,
    classes: list[CountClass],
    qualifications: list[str],
    texts: dict[str, Any],
) -> Map:
    """`squares` in the order of the page's table (`by_value`); `qualifications`: the codes in
    the order `texts['qualifications']` names them."""
    map_ = new_map(sources)
    shown = drawn(squares)  # in the table's order: a row's place is the square's number
    rows = [square_row(square, classes, qualifications) for square in shown]
    layer_texts = texts | {"colours": PALETTE, "style": SQUARE_STYLE, "suppressed": SUPPRESSED}
    RowLayer("cell", rows, layer_texts, name=layer_name).add_to(map_)
    map_.add_child(Legend(legend_html))
    LayerControl(collapsed=True).add_to(map_)
    fit_to(map_, [(lat, lon) for square in shown or squares for lon, lat in square.ring])
    return map_
