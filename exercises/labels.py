"""Interface labels of the exercise enums, translated through the web catalogs."""

from __future__ import annotations

import enum
from typing import Any

from babel.support import Translations

from beredskap.web.i18n import in_context
from exercises.models import ExerciseStatus, ExerciseType

LABELS: dict[type[enum.Enum], dict[Any, tuple[str, str]]] = {
    ExerciseType: {
        ExerciseType.ALERT_DRILL: in_context("exercise type", "Alert drill"),
        ExerciseType.TABLETOP: in_context("exercise type", "Tabletop exercise"),
        ExerciseType.FUNCTIONAL: in_context("exercise type", "Functional exercise"),
        ExerciseType.FULL_SCALE: in_context("exercise type", "Full-scale exercise"),
    },
    ExerciseStatus: {
        ExerciseStatus.PLANNED: in_context("exercise status", "Planned"),
        ExerciseStatus.RUNNING: in_context("exercise status", "Running"),
        ExerciseStatus.COMPLETED: in_context("exercise status", "Completed"),
        ExerciseStatus.CANCELLED: in_context("exercise status", "Cancelled"),
    },
}


def exercise_label(translations: Translations, value: ExerciseType | ExerciseStatus) -> str:
    """The label of an exercise type or status in the catalog's language."""
    context, message = LABELS[type(value)][value]
    return str(translations.pgettext(context, message))
