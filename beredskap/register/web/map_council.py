"""What the council's map shows: counts per grid square from `beredskap.register.search.aggregates`,
their classes and the labels of the squares' popups. Counts only, never a person."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from babel.numbers import get_decimal_symbol
from babel.support import Translations
from jinja2 import Environment
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.platform.columns import today_in_norway
from beredskap.platform.web.i18n import FORMAT_LOCALES
from beredskap.register.inventory.models import Capability
from beredskap.register.maps.council import CountClass, GridSquare, by_value, count_classes
from beredskap.register.search import aggregates
from beredskap.register.volunteers.models import QualificationType
from beredskap.register.web.labels import enum_label
from beredskap.register.web.map_data import (
    LEGEND_COLOURS,
    PLURAL_SAMPLES,
    catalogue_name,
    popups,
)
from beredskap.register.web.map_forms import CouncilForm


@dataclass(frozen=True)
class ListedSquare:
    """One square of the map as a row of its table: the same counts as its popup."""

    number: int  # as the map names it ("Square 3"); the table's order
    lat: float  # its centre, for the reader to place it
    lon: float
    centre: str  # the centre in words: "59.968° N, 11.031° E"
    place: str | None  # the most important place name inside it, if any
    lines: int  # ready equipment lines
    equipment: list[tuple[str, int, int]]  # capability in words, lines, items: those with lines
    volunteers: int | None  # distinct qualified volunteers; None: fewer than the threshold
    qualifications: list[tuple[str, int | None]]  # qualification, count (None: withheld)


@dataclass(frozen=True)
class ListedTotals:
    """The table's totals. A withheld count is never added in: the exact sum less the shown
    counts would give it away; the reader is told how many squares hold fewer than the
    threshold instead."""

    lines: int
    equipment: list[tuple[str, int, int]]
    volunteers: int  # the shown counts added up
    withheld: int  # squares whose count of volunteers is withheld
    qualifications: list[tuple[str, int, int]]  # qualification, shown added up, withheld


@dataclass
class CouncilGrid:
    squares: list[GridSquare]  # in the table's order (`council.by_value`)
    classes: list[CountClass]
    legend: Markup
    cells: int
    qualification_codes: list[str] = field(default_factory=list)
    texts: dict[str, Any] = field(default_factory=dict)
    listed: list[ListedSquare] = field(default_factory=list)  # the squares the map draws
    totals: ListedTotals | None = None


def council_texts(
    translations: Translations, size_km: int, qualifications: list[str]
) -> dict[str, Any]:
    """The labels layers.js writes into a square's popup."""
    _ = translations.gettext
    return {
        "title": _("A square of %(size)s by %(size)s km") % {"size": size_km},
        "readyEquipment": _("Ready equipment"),
        "noEquipment": _("No ready equipment."),
        "capabilities": [enum_label(translations, capability) for capability in Capability],
        "kindHeader": _("Kind"),
        "linesHeader": _("Lines"),
        "itemsHeader": _("Items"),
        "volunteers": _("Volunteers with a valid qualification"),
        "qualifications": qualifications,
        "fewer": _("fewer than %(count)s") % {"count": aggregates.DEFAULT_SUPPRESS_BELOW},
        "inAll": _("In all"),
        # A square's name in words, for screen readers and the keyboard: its number in the
        # table, its ready lines and its volunteers.
        "square": _("Square %(number)s"),
        "lineCount": [
            translations.ngettext(
                "%(count)s line of ready equipment", "%(count)s lines of ready equipment", n
            )
            for n in PLURAL_SAMPLES
        ],
        "volunteerCount": [
            translations.ngettext("%(count)s volunteer", "%(count)s volunteers", n)
            for n in PLURAL_SAMPLES
        ],
        "fewerVolunteers": _("fewer than %(count)s volunteers")
        % {"count": aggregates.DEFAULT_SUPPRESS_BELOW},
        "inTable": _("The square in the table"),
    }


def council_grid(
    session: Session, form: CouncilForm, env: Environment, translations: Translations, language: str
) -> CouncilGrid:
    """Counts per square; raises aggregates.TooManyCellsError when the grid is too fine."""
    cells = aggregates.grid_cells(
        session,
        cell_m=form.cell_km * 1000,
        on=today_in_norway(),
        capability=form.capability,
        qualification_type_id=form.qualification.id if form.qualification else None,
    )
    names = sorted(
        ((q.code, catalogue_name(q, language)) for q in session.scalars(select(QualificationType))),
        key=lambda pair: pair[1].lower(),
    )
    pairs = []
    for cell in cells:
        if form.measure == "volunteers":
            value = cell.volunteer_total if cell.volunteers else 0
        else:
            value = sum(counts["lines"] for counts in cell.equipment.values())
        square = GridSquare(
            ring=cell.ring,
            value=value,
            equipment=cell.equipment,
            volunteers=cell.volunteers,
            volunteer_total=cell.volunteer_total,
        )
        pairs.append((square, cell))
    pairs.sort(key=lambda pair: by_value(pair[0]))  # stable: south-west first among equals
    squares = [square for square, _cell in pairs]
    classes = count_classes([square.value for square in squares if square.value])
    listed = listed_squares(
        [(square, cell.corner) for square, cell in pairs if square.value != 0],
        aggregates.cell_places(session, cell_m=form.cell_km * 1000),
        names,
        translations,
        language,
    )
    return CouncilGrid(
        squares=squares,
        classes=classes,
        legend=popups(env).council_legend(
            classes, form.measure, LEGEND_COLOURS, aggregates.DEFAULT_SUPPRESS_BELOW
        ),
        cells=len(cells),
        qualification_codes=[code for code, _label in names],
        texts=council_texts(translations, form.cell_km, [label for _code, label in names]),
        listed=listed,
        totals=listed_totals(listed, translations, [label for _code, label in names]),
    )


def listed_squares(
    squares: list[tuple[GridSquare, tuple[int, int]]],
    places: dict[tuple[int, int], str],
    qualifications: list[tuple[str, str]],
    translations: Translations,
    language: str,
) -> list[ListedSquare]:
    """The drawn squares (with their south-west corners), numbered in their order, as the
    table's rows; `qualifications`: (code, name) in the order the popups list them."""
    capabilities = [(cap.value, enum_label(translations, cap)) for cap in Capability]
    degrees = translations.gettext("%(lat)s° N, %(lon)s° E")
    decimal = get_decimal_symbol(FORMAT_LOCALES[language])
    listed = []
    for number, (square, corner) in enumerate(squares, start=1):
        corners = square.ring[:-1]
        lat = sum(lat for _lon, lat in corners) / len(corners)
        lon = sum(lon for lon, _lat in corners) / len(corners)
        volunteers = square.volunteer_total if square.volunteers else 0
        listed.append(
            ListedSquare(
                number=number,
                lat=lat,
                lon=lon,
                centre=degrees
                % {
                    "lat": f"{lat:.3f}".replace(".", decimal),
                    "lon": f"{lon:.3f}".replace(".", decimal),
                },
                place=places.get(corner),
                lines=sum(counts["lines"] for counts in square.equipment.values()),
                equipment=[
                    (label, counts["lines"], counts.get("quantity", 0))
                    for code, label in capabilities
                    if (counts := square.equipment.get(code)) and counts["lines"]
                ],
                volunteers=volunteers,
                qualifications=[
                    (label, square.volunteers[code])
                    for code, label in qualifications
                    if square.volunteers.get(code, 0) != 0
                ],
            )
        )
    return listed


def listed_totals(
    listed: list[ListedSquare], translations: Translations, qualifications: list[str]
) -> ListedTotals:
    """`qualifications`: the names, in the popups' order."""
    lines: dict[str, int] = {}
    items: dict[str, int] = {}
    shown: dict[str, int] = {}
    withheld: dict[str, int] = {}
    for square in listed:
        for label, count, quantity in square.equipment:
            lines[label] = lines.get(label, 0) + count
            items[label] = items.get(label, 0) + quantity
        for label, volunteers in square.qualifications:
            shown[label] = shown.get(label, 0) + (volunteers or 0)
            withheld[label] = withheld.get(label, 0) + (volunteers is None)
    capabilities = [enum_label(translations, cap) for cap in Capability]
    return ListedTotals(
        lines=sum(square.lines for square in listed),
        equipment=[(label, lines[label], items[label]) for label in capabilities if label in lines],
        volunteers=sum(square.volunteers or 0 for square in listed),
        withheld=sum(1 for square in listed if square.volunteers is None),
        qualifications=[
            (label, shown[label], withheld[label]) for label in qualifications if label in shown
        ],
    )
