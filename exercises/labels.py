"""Interface labels of the exercise enums, through the one gettext mechanism.

Kept in `exercises` (the core's `beredskap.register.web.labels` may not import it); pages pass the
translated labels to their templates.
"""

from __future__ import annotations

import enum
from typing import Any

from babel.support import Translations

from beredskap.platform.web.i18n import in_context
from exercises.models import ActionStatus, ExerciseStatus, ExerciseType

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
    ActionStatus: {
        ActionStatus.OPEN: in_context("action status", "Open"),
        ActionStatus.CLOSED: in_context("action status", "Closed"),
    },
}


def exercise_label(translations: Translations, value: enum.Enum) -> str:
    marked = LABELS[type(value)][value]
    return translations.pgettext(*marked)
