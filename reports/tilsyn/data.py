"""What the evidence pack shows, read once per extraction: the agreements with their term,
review date, coverage (`readiness.service.agreements_readiness`, the one engine) and when
each was last exercised; the exercises of the last 24 months with who took part, their
written evaluation, lessons and follow-up actions; what has not been exercised within 24
months (organisations by `evaluation.overdue`, agreements and their tasks by the same rule);
and the plan's revisions.

"Exercised" is the rule of `exercises.evaluation.overdue`: a completed exercise that has
ended. An agreement is exercised when it took part in one by itself (as `overdue` counts
agreements never tested); a task, when one of the agreements holding it was.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from beredskap.platform.columns import NORWAY
from beredskap.register.agreements.models import Agreement, AgreementStatus
from beredskap.register.readiness.models import PlanRevision
from beredskap.register.readiness.revisions import NEWEST_FIRST
from beredskap.register.readiness.service import agreements_readiness, travel_of
from beredskap.register.small_counts import shown
from exercises.evaluation.overdue import (
    EXERCISE_INTERVAL,
    ActionOverdue,
    EvaluationOverdue,
    OrganisationOverdue,
    actions_overdue,
    evaluations_missing,
    organisations_not_exercised,
)
from exercises.models import (
    Exercise,
    ExerciseStatus,
    exercise_agreements,
    exercise_volunteers,
)
from exercises.queries import exercises_between
from reports.extraction import Extraction


def oslo_day(moment: datetime) -> date:
    return moment.astimezone(NORWAY).date()


@dataclass(frozen=True)
class AgreementEvidence:
    agreement_id: int
    organisation: str
    reference: str
    title: str
    status: AgreementStatus
    tasks: list[str]
    valid_from: date
    valid_until: date | None
    annual_review_on: date | None
    in_force: bool
    met: bool  # in force and every commitment met (`AgreementReadiness.met`)
    commitments: int
    commitments_met: int
    last_exercised_on: date | None

    def review_overdue(self, today: date) -> bool:
        return self.in_force and self.annual_review_on is not None and self.annual_review_on < today


@dataclass(frozen=True)
class ExerciseEvidence:
    exercise: Exercise  # with its observations and actions loaded
    organisations: list[str]
    agreements: list[str]  # "reference title (organisation)"
    invited_volunteers: int | None  # None: fewer than 3, withheld from the reader

    @property
    def held(self) -> bool:
        return self.exercise.status == ExerciseStatus.COMPLETED


@dataclass(frozen=True)
class TaskEvidence:
    task: str
    agreements: int  # agreements in force holding the task
    last_exercised_on: date | None


@dataclass(frozen=True)
class Evidence:
    on: date
    now: datetime
    since: datetime  # 24 months before `now`: the window of the record
    agreements: list[AgreementEvidence]
    exercises: list[ExerciseEvidence]  # newest first
    organisations_not_exercised: list[OrganisationOverdue]
    tasks: list[TaskEvidence]
    evaluations_missing: list[EvaluationOverdue]
    actions_overdue: list[ActionOverdue]
    revisions: list[PlanRevision]  # newest first

    def exercised_within(self, day: date | None) -> bool:
        return day is not None and day >= oslo_day(self.since)

    @property
    def agreements_not_exercised(self) -> list[AgreementEvidence]:
        """Agreements in force not exercised within 24 months, never exercised first."""
        late = [
            a
            for a in self.agreements
            if a.in_force and not self.exercised_within(a.last_exercised_on)
        ]
        return sorted(
            late,
            key=lambda a: (a.last_exercised_on or date.min, a.organisation.lower(), a.reference),
        )

    @property
    def tasks_not_exercised(self) -> list[TaskEvidence]:
        return [task for task in self.tasks if not self.exercised_within(task.last_exercised_on)]


def _last_exercised(session: Session, now: datetime) -> dict[int, date]:
    """Each agreement's last completed exercise's end (Oslo day)."""
    rows = session.execute(
        select(exercise_agreements.c.agreement_id, func.max(Exercise.ends_at))
        .join(Exercise, Exercise.id == exercise_agreements.c.exercise_id)
        .where(Exercise.status == ExerciseStatus.COMPLETED, Exercise.ends_at <= now)
        .group_by(exercise_agreements.c.agreement_id)
    ).all()
    return {agreement_id: oslo_day(ended) for agreement_id, ended in rows if ended is not None}


def agreements_evidence(
    session: Session, extraction: Extraction, now: datetime
) -> list[AgreementEvidence]:
    readiness = agreements_readiness(
        session, on=extraction.on, travel=travel_of(extraction.settings)
    )
    terms = {
        row.id: row
        for row in session.execute(
            select(Agreement.id, Agreement.valid_from, Agreement.annual_review_on)
        )
    }
    last = _last_exercised(session, now)
    found = [
        AgreementEvidence(
            agreement_id=item.agreement_id,
            organisation=item.organisation_name,
            reference=item.reference,
            title=item.title,
            status=item.status,
            tasks=list(item.tasks),
            valid_from=terms[item.agreement_id].valid_from,
            valid_until=item.valid_until,
            annual_review_on=terms[item.agreement_id].annual_review_on,
            in_force=item.in_force,
            met=item.met,
            commitments=len(item.lines),
            commitments_met=sum(1 for line in item.lines if line.met),
            last_exercised_on=last.get(item.agreement_id),
        )
        for item in readiness
    ]
    return sorted(found, key=lambda a: (a.organisation.lower(), a.reference))


def _tasks(agreements: list[AgreementEvidence]) -> list[TaskEvidence]:
    holders: dict[str, list[AgreementEvidence]] = defaultdict(list)
    for agreement in agreements:
        if agreement.in_force:
            for task in agreement.tasks:
                holders[task].append(agreement)
    found = []
    for task, held_by in holders.items():
        days = [a.last_exercised_on for a in held_by if a.last_exercised_on is not None]
        found.append(TaskEvidence(task, len(held_by), max(days) if days else None))
    return sorted(found, key=lambda t: (t.last_exercised_on or date.min, t.task))


def exercises_evidence(
    session: Session, extraction: Extraction, since: datetime, now: datetime
) -> list[ExerciseEvidence]:
    """Exercises that began in the window up to now (running ones included; planned ones
    ahead are not evidence), newest first."""
    statement = (
        exercises_between(since, now)
        .where(Exercise.starts_at >= since)
        .options(
            selectinload(Exercise.agreements).selectinload(Agreement.organisation),
            selectinload(Exercise.observations),
            selectinload(Exercise.actions),
        )
        .order_by(None)
        .order_by(Exercise.starts_at.desc(), Exercise.id.desc())
    )
    exercises = list(session.scalars(statement))
    invited = dict(
        session.execute(
            select(exercise_volunteers.c.exercise_id, func.count())
            .where(exercise_volunteers.c.exercise_id.in_([e.id for e in exercises]))
            .group_by(exercise_volunteers.c.exercise_id)
        ).all()
    )
    exact = extraction.exact_for(None)
    return [
        ExerciseEvidence(
            exercise=exercise,
            organisations=sorted((o.name for o in exercise.organisations), key=str.lower),
            agreements=[
                f"{a.reference} {a.title} ({a.organisation.name})"
                for a in sorted(exercise.agreements, key=lambda a: a.reference)
            ],
            invited_volunteers=shown(int(invited.get(exercise.id, 0)), exact=exact),
        )
        for exercise in exercises
    ]


def gather(session: Session, extraction: Extraction) -> Evidence:
    now = extraction.extracted_at
    since = now - EXERCISE_INTERVAL
    agreements = agreements_evidence(session, extraction, now)
    return Evidence(
        on=extraction.on,
        now=now,
        since=since,
        agreements=agreements,
        exercises=exercises_evidence(session, extraction, since, now),
        organisations_not_exercised=organisations_not_exercised(
            session, today=extraction.on, now=now
        ),
        tasks=_tasks(agreements),
        evaluations_missing=evaluations_missing(session, today=extraction.on, now=now),
        actions_overdue=actions_overdue(session, today=extraction.on),
        revisions=list(session.scalars(select(PlanRevision).order_by(*NEWEST_FIRST))),
    )
