"""What is overdue: the regulation asks that preparedness be exercised at least every second
year and that exercises be evaluated.

- organisations with an agreement in force today not exercised in the last 24 months (took
  part in a completed exercise that ended since, directly or through one of its agreements);
- agreements in force whose capacities were never tested (never in a completed exercise);
- completed exercises not evaluated 30 days after they ended;
- follow-up actions still open after their due date.

Each with what is needed to act: when last exercised (or never), when it fell due and how
many days ago. "Today" and "now" are parameters, so tests travel in time by passing them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import Subquery, func, select, union_all
from sqlalchemy.orm import Session

from alerts.callouts.planning import in_force
from beredskap.platform.columns import NORWAY
from beredskap.register.agreements.models import Agreement, Commitment
from beredskap.register.organisations.models import Organisation
from exercises.models import (
    ActionStatus,
    Exercise,
    ExerciseStatus,
    ExerciseType,
    FollowUpAction,
    exercise_agreements,
    exercise_organisations,
)

EXERCISE_INTERVAL = relativedelta(months=24)
EVALUATION_WITHIN = timedelta(days=30)


@dataclass(frozen=True)
class OrganisationOverdue:
    organisation_id: int
    name: str
    last_exercised_on: date | None  # None: never
    due_on: date  # last exercised (or its first agreement in force began) + 24 months
    days_overdue: int  # 0 while not yet past due


@dataclass(frozen=True)
class AgreementUntested:
    agreement_id: int
    reference: str
    title: str
    organisation_name: str
    valid_from: date
    commitments: int
    days_in_force: int


@dataclass(frozen=True)
class EvaluationOverdue:
    exercise_id: int
    title: str
    type: ExerciseType
    ended_on: date
    due_on: date
    days_overdue: int


@dataclass(frozen=True)
class ActionOverdue:
    action_id: int
    exercise_id: int
    exercise_title: str
    description: str
    owner: str
    due_on: date
    days_overdue: int


@dataclass(frozen=True)
class Overdue:
    today: date
    organisations: list[OrganisationOverdue]
    agreements: list[AgreementUntested]
    evaluations: list[EvaluationOverdue]
    actions: list[ActionOverdue]


def _oslo_day(moment: datetime) -> date:
    return moment.astimezone(NORWAY).date()


def _participation() -> Subquery:
    """(organisation id, exercise id) of every organisation that took part in an exercise,
    by name or through one of its agreements."""
    direct = select(
        exercise_organisations.c.organisation_id.label("organisation_id"),
        exercise_organisations.c.exercise_id.label("exercise_id"),
    )
    by_agreement = select(
        Agreement.organisation_id.label("organisation_id"),
        exercise_agreements.c.exercise_id.label("exercise_id"),
    ).join(Agreement, Agreement.id == exercise_agreements.c.agreement_id)
    return union_all(direct, by_agreement).subquery("participation")


def organisations_not_exercised(
    session: Session, *, today: date, now: datetime
) -> list[OrganisationOverdue]:
    cutoff = now - EXERCISE_INTERVAL
    took_part = _participation()
    last_exercised = (
        select(took_part.c.organisation_id, func.max(Exercise.ends_at).label("last_ended"))
        .join(Exercise, Exercise.id == took_part.c.exercise_id)
        .where(Exercise.status == ExerciseStatus.COMPLETED, Exercise.ends_at <= now)
        .group_by(took_part.c.organisation_id)
        .subquery("last_exercised")
    )
    rows = session.execute(
        select(
            Organisation.id,
            Organisation.name,
            last_exercised.c.last_ended,
            func.min(Agreement.valid_from),
        )
        .join(Agreement, Agreement.organisation_id == Organisation.id)
        .outerjoin(last_exercised, last_exercised.c.organisation_id == Organisation.id)
        .where(
            in_force(today),
            (last_exercised.c.last_ended.is_(None)) | (last_exercised.c.last_ended < cutoff),
        )
        .group_by(Organisation.id, Organisation.name, last_exercised.c.last_ended)
    ).all()
    found = []
    for organisation_id, name, last_ended, first_in_force in rows:
        last_on = None if last_ended is None else _oslo_day(last_ended)
        due_on = (last_on or first_in_force) + EXERCISE_INTERVAL
        found.append(
            OrganisationOverdue(
                organisation_id=organisation_id,
                name=name,
                last_exercised_on=last_on,
                due_on=due_on,
                days_overdue=max(0, (today - due_on).days),
            )
        )
    return sorted(found, key=lambda item: (-item.days_overdue, item.name.lower()))


def agreements_never_tested(session: Session, *, today: date) -> list[AgreementUntested]:
    tested = (
        select(exercise_agreements.c.agreement_id)
        .join(Exercise, Exercise.id == exercise_agreements.c.exercise_id)
        .where(Exercise.status == ExerciseStatus.COMPLETED)
    )
    commitments = (
        select(Commitment.agreement_id, func.count().label("count"))
        .group_by(Commitment.agreement_id)
        .subquery("commitment_counts")
    )
    rows = session.execute(
        select(
            Agreement.id,
            Agreement.reference,
            Agreement.title,
            Organisation.name,
            Agreement.valid_from,
            func.coalesce(commitments.c.count, 0),
        )
        .join(Organisation, Organisation.id == Agreement.organisation_id)
        .outerjoin(commitments, commitments.c.agreement_id == Agreement.id)
        .where(in_force(today), Agreement.id.not_in(tested))
        .order_by(Agreement.valid_from, Agreement.reference)
    ).all()
    return [
        AgreementUntested(
            agreement_id=agreement_id,
            reference=reference,
            title=title,
            organisation_name=organisation,
            valid_from=valid_from,
            commitments=int(count),
            days_in_force=(today - valid_from).days,
        )
        for agreement_id, reference, title, organisation, valid_from, count in rows
    ]


def evaluations_missing(session: Session, *, today: date, now: datetime) -> list[EvaluationOverdue]:
    rows = session.scalars(
        select(Exercise)
        .where(
            Exercise.status == ExerciseStatus.COMPLETED,
            Exercise.evaluated_at.is_(None),
            Exercise.ends_at < now - EVALUATION_WITHIN,
        )
        .order_by(Exercise.ends_at, Exercise.id)
    ).all()
    found = []
    for exercise in rows:
        due_on = _oslo_day(exercise.ends_at + EVALUATION_WITHIN)
        found.append(
            EvaluationOverdue(
                exercise_id=exercise.id,
                title=exercise.title,
                type=exercise.type,
                ended_on=_oslo_day(exercise.ends_at),
                due_on=due_on,
                days_overdue=max(0, (today - due_on).days),
            )
        )
    return found


def actions_overdue(session: Session, *, today: date) -> list[ActionOverdue]:
    rows = session.execute(
        select(FollowUpAction, Exercise.title)
        .join(Exercise, Exercise.id == FollowUpAction.exercise_id)
        .where(FollowUpAction.status == ActionStatus.OPEN, FollowUpAction.due_on < today)
        .order_by(FollowUpAction.due_on, FollowUpAction.id)
    ).all()
    return [
        ActionOverdue(
            action_id=action.id,
            exercise_id=action.exercise_id,
            exercise_title=title,
            description=action.description,
            owner=action.owner,
            due_on=action.due_on,
            days_overdue=(today - action.due_on).days,
        )
        for action, title in rows
    ]


def overdue(session: Session, *, today: date, now: datetime) -> Overdue:
    return Overdue(
        today=today,
        organisations=organisations_not_exercised(session, today=today, now=now),
        agreements=agreements_never_tested(session, today=today),
        evaluations=evaluations_missing(session, today=today, now=now),
        actions=actions_overdue(session, today=today),
    )
