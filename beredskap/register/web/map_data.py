"""What the map pages share: the popup and legend macros of the reader's language, the
legend's colours, and catalogue names in the reader's language."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

from beredskap.register.inventory.models import ResourceType
from beredskap.register.maps.council import SUPPRESSED_COLOUR
from beredskap.register.maps.legend import AGREEMENT_COLOUR, INCIDENT_COLOUR, VOLUNTEER_COLOUR
from beredskap.register.volunteers.models import QualificationType

LEGEND_COLOURS = {
    "agreement": AGREEMENT_COLOUR,
    "incident": INCIDENT_COLOUR,
    "volunteer": VOLUNTEER_COLOUR,
    "suppressed": SUPPRESSED_COLOUR,
}

# Both plural forms of a message, for layers.js to choose by count (nb and en: one or not).
PLURAL_SAMPLES = (1, 2)


def popups(env: Environment) -> Any:
    """The popup and legend macros (`templates/maps/popups.html`) of the reader's language."""
    return env.get_template("maps/popups.html").module


def catalogue_name(entry: ResourceType | QualificationType, language: str) -> str:
    """A resource or qualification type's name in the reader's language."""
    return entry.name_nb if language == "nb" else entry.name_en
