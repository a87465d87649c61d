"""What an exercise's evaluation report holds, gathered once for the page and the PDF.

The facts of the exercise, who took part as organisations and agreements (names only; the
invited volunteers as a number), the drill's figures, and the lessons learned.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import format_decimal, format_percent
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from beredskap.register.agreements.models import Agreement
from beredskap.register.small_counts import shown
from exercises.evaluation.disclosure import SeesExact, as_seen
from exercises.evaluation.figures import DrillEvaluation, evaluate_drill
from exercises.models import Exercise, FollowUpAction, Observation, exercise_volunteers

NONE = "\u2013"  # an en dash where there is no value


@dataclass(frozen=True)
class AgreementLine:
    reference: str
    title: str
    organisation: str


@dataclass(frozen=True)
class Report:
    exercise: Exercise
    organisations: list[str]
    agreements: list[AgreementLine]
    invited_volunteers: int | None  # None: fewer than 3, withheld from the reader
    drill: DrillEvaluation | None
    observations: list[Observation]
    actions: list[FollowUpAction]


def build_report(session: Session, exercise: Exercise, sees_exact: SeesExact) -> Report:
    """The report as the reader may see it: `sees_exact` (`Principal.sees_small_counts_of`)
    says whose small counts of people it reads exactly (`disclosure`)."""
    agreements = session.scalars(
        select(Agreement)
        .where(Agreement.id.in_([agreement.id for agreement in exercise.agreements]))
        .options(selectinload(Agreement.organisation))
        .order_by(Agreement.reference)
    ).all()
    drill = evaluate_drill(session, exercise)
    invited = session.scalar(
        select(func.count()).where(exercise_volunteers.c.exercise_id == exercise.id)
    )
    return Report(
        exercise=exercise,
        organisations=sorted(
            (organisation.name for organisation in exercise.organisations), key=str.lower
        ),
        agreements=[
            AgreementLine(agreement.reference, agreement.title, agreement.organisation.name)
            for agreement in agreements
        ],
        invited_volunteers=shown(int(invited or 0), exact=sees_exact(None)),
        drill=None if drill is None else as_seen(drill, sees_exact),
        observations=list(exercise.observations),
        actions=list(exercise.actions),
    )


def minutes_text(value: float | None, locale: str = "en_GB") -> str:
    """Minutes with at most one decimal in the reader's language ("2,5" in bokmål, "2.5" in
    English: never a point beside commas), or a dash for never."""
    if value is None:
        return NONE
    return format_decimal(round(value, 1), format="#,##0.#", locale=locale)


def share_text(value: float | None, locale: str = "en_GB") -> str:
    return NONE if value is None else format_percent(value, format="#,##0 %", locale=locale)
