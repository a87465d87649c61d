"""The demo's exercises, on both backends: added after the demo register, every kind shown,
and the pages' queries work on them (the held drill's figures, what is overdue)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.platform.columns import NORWAY, today_in_norway, utcnow
from beredskap.register.seed.demo import seed_demo
from exercises.demo import seed_exercises
from exercises.evaluation.figures import evaluate_drill
from exercises.evaluation.overdue import overdue
from exercises.models import ActionStatus, Exercise, ExerciseStatus, ExerciseType


def test_the_demo_exercises_show_every_part_of_the_exercise_pages(session: Session) -> None:
    seed_demo(session)
    summary = seed_exercises(session)
    exercises = session.scalars(select(Exercise).order_by(Exercise.starts_at)).all()
    assert summary.exercises == len(exercises) >= 6
    statuses = Counter(exercise.status for exercise in exercises)
    assert statuses[ExerciseStatus.COMPLETED] == 2 and statuses[ExerciseStatus.CANCELLED] == 1
    series = [exercise for exercise in exercises if exercise.series_id is not None]
    assert len(series) >= 4 and {exercise.type for exercise in series} == {ExerciseType.ALERT_DRILL}
    # Every quarter's drill at 18:00 Oslo time, summer and winter.
    assert {exercise.starts_at.astimezone(NORWAY).hour for exercise in series} == {18}

    drill = next(e for e in exercises if e.callout_id is not None)
    figures = evaluate_drill(session, drill)
    assert figures is not None
    counts = figures.counts
    assert counts.asked == summary.drill_recipients > 0
    assert 0 < counts.answered <= counts.delivered <= counts.asked

    found = overdue(session, today=today_in_norway(), now=utcnow())
    assert [item.exercise_id for item in found.evaluations] == [drill.id]
    assert len(found.actions) == 1
    tabletop = next(e for e in exercises if e.type is ExerciseType.TABLETOP)
    assert {action.status for action in tabletop.actions} == {
        ActionStatus.OPEN,
        ActionStatus.CLOSED,
    }
    assert tabletop.evaluated_at is not None
    assert all(e.ends_at > e.starts_at for e in exercises)
    assert drill.ends_at < utcnow() - timedelta(days=30)
