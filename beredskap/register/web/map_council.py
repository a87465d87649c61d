"""What the council's map shows: counts per grid square from `beredskap.register.search.aggregates`,
their classes and the labels of the squares' popups. Counts only, never a person."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from babel.support import Translations
from jinja2 import Environment
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.platform.columns import today_in_norway
from beredskap.register.inventory.models import Capability
from beredskap.register.maps.council import CountClass, GridSquare, count_classes
from beredskap.register.search import aggregates
from beredskap.register.volunteers.models import QualificationType
from beredskap.register.web.labels import enum_label
from beredskap.register.web.map_data import LEGEND_COLOURS, catalogue_name, popups
from beredskap.register.web.map_forms import CouncilForm


@dataclass
class CouncilGrid:
    squares: list[GridSquare]
    classes: list[CountClass]
    legend: Markup
    cells: int
    qualification_codes: list[str] = field(default_factory=list)
    texts: dict[str, Any] = field(default_factory=dict)


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
    squares = []
    for cell in cells:
        if form.measure == "volunteers":
            value = cell.volunteer_total if cell.volunteers else 0
        else:
            value = sum(counts["lines"] for counts in cell.equipment.values())
        squares.append(
            GridSquare(
                ring=cell.ring,
                value=value,
                equipment=cell.equipment,
                volunteers=cell.volunteers,
                volunteer_total=cell.volunteer_total,
            )
        )
    classes = count_classes([square.value for square in squares if square.value])
    return CouncilGrid(
        squares=squares,
        classes=classes,
        legend=popups(env).council_legend(
            classes, form.measure, LEGEND_COLOURS, aggregates.DEFAULT_SUPPRESS_BELOW
        ),
        cells=len(cells),
        qualification_codes=[code for code, _label in names],
        texts=council_texts(translations, form.cell_km, [label for _code, label in names]),
    )


def empty_grid(form: CouncilForm, env: Environment) -> CouncilGrid:
    """No squares (the choice asked for too many): the map and legend say so."""
    legend = popups(env).council_legend(
        [], form.measure, LEGEND_COLOURS, aggregates.DEFAULT_SUPPRESS_BELOW
    )
    return CouncilGrid(squares=[], classes=[], legend=legend, cells=0, texts={"qualifications": []})
