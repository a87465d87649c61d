"""Demo exercises for `beredskap demo`: a year of drills in the demo municipality.

Added after the core's demo register (organisations, agreements, volunteers), through the
ORM so it is validated and audited like the rest. It shows every part of the exercise pages:
an alert drill held six weeks ago whose evaluation is still missing (with answers spread over
an hour, so the report's chart has a shape), an evaluated tabletop exercise with its lessons
(one action still open and overdue), a cancelled exercise, planned ones in the coming weeks,
and a quarterly alert drill series.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from shapely.geometry import Point
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.callouts.held_when_asked import record_what_recipients_held
from alerts.inbound.replies import callout_code_for
from alerts.models import (
    Answer,
    Callout,
    CalloutNeed,
    CalloutRecipient,
    CalloutStatus,
    RecipientState,
)
from beredskap.platform.columns import NORWAY, utcnow
from beredskap.register.agreements.models import Agreement, AgreementStatus
from beredskap.register.organisations.models import Organisation, Site
from beredskap.register.volunteers.models import Membership, QualificationType, Volunteer
from exercises.models import (
    ActionStatus,
    Exercise,
    ExerciseStatus,
    ExerciseType,
    FollowUpAction,
    Observation,
)
from exercises.planning.schemas import ExerciseCreate
from exercises.planning.service import create_exercises

ACTOR = "seed demo"
# Lillestrøm sentrum, where the demo's drills are held.
DRILL_PLACE = Point(11.0496, 59.9560)
DRILL_RADIUS_M = 15_000
DRILL_MESSAGE = (
    "Varslingsøvelse: kan du møte ved Lillestrøm stasjon innen 30 min? Svar JA 20 / NEI."
)
QUARTERLY_RULE = "FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU"


@dataclass(frozen=True)
class DemoExercises:
    exercises: int
    drill_recipients: int

    def __str__(self) -> str:
        return f"{self.exercises} exercises ({self.drill_recipients} asked in the past drill)"


def _oslo(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=NORWAY)


def _exercise(session: Session, **fields: object) -> Exercise:
    made = Exercise(created_by=ACTOR, **fields)
    session.add(made)
    return made


def _past_drill(
    session: Session, organisations: list[Organisation], rng: random.Random, day: date
) -> tuple[Exercise, int]:
    """A held alert drill: its exercise callout with answers over the first hour."""
    sent_at = _oslo(day, 18)
    first_aid = session.scalar(
        select(QualificationType).where(QualificationType.code == "first_aid")
    )
    callout = Callout(
        code=callout_code_for(900 + rng.randrange(50)),
        title="Varslingsøvelse Nitelva",
        message=DRILL_MESSAGE,
        exercise=True,
        status=CalloutStatus.STOPPED,
        centre=DRILL_PLACE,
        radius_m=DRILL_RADIUS_M,
        organisation_ids=[organisation.id for organisation in organisations],
        wanted=12,
        created_by="scheduler",
        sent_at=sent_at,
        stopped_at=sent_at + timedelta(hours=2),
    )
    if first_aid is not None:
        callout.needs = [CalloutNeed(qualification_type=first_aid, count=8)]
    members = session.scalars(
        select(Volunteer)
        .where(
            Volunteer.id.in_(
                select(Membership.volunteer_id).where(
                    Membership.organisation_id.in_([o.id for o in organisations])
                )
            ),
            Volunteer.sms_consent.is_(True),
            Volunteer.active.is_(True),
        )
        .order_by(Volunteer.id)
        .limit(40)
    ).all()
    for index, person in enumerate(members):
        draw = rng.random()
        failed = draw < 0.05
        state = RecipientState.FAILED if failed else RecipientState.DELIVERED
        answer, minutes = None, None
        if state is RecipientState.DELIVERED and draw < 0.85:
            minutes = min(int(rng.expovariate(1 / 9)) + 1, 90)
            answer = Answer.YES if rng.random() < 0.6 else Answer.NO
        callout.recipients.append(
            CalloutRecipient(
                volunteer=person,
                mobile=person.mobile,
                distance_m=250.0 * (index + 1),
                state=state,
                attempts=1,
                sent_at=sent_at,
                delivered_at=sent_at + timedelta(seconds=20)
                if state is not RecipientState.FAILED
                else None,
                error_reason="unknown subscriber" if state is RecipientState.FAILED else None,
                answer=answer,
                answered_at=None if minutes is None else sent_at + timedelta(minutes=minutes),
                minutes_to_arrival=20 if answer is Answer.YES else None,
            )
        )
    session.add(callout)
    session.flush()
    record_what_recipients_held(session, callout.id)
    drill = _exercise(
        session,
        title="Varslingsøvelse Nitelva",
        type=ExerciseType.ALERT_DRILL,
        scenario="Flom i Nitelva; kommunen trenger mannskap til sandsekking og evakuering.",
        objectives="Halvparten av de spurte svarer innen 15 minutter; 8 med førstehjelp møter.",
        starts_at=sent_at,
        ends_at=sent_at + timedelta(hours=2),
        place=DRILL_PLACE,
        status=ExerciseStatus.COMPLETED,
        drill_message=DRILL_MESSAGE,
        drill_radius_m=DRILL_RADIUS_M,
        drill_needs=[{"qualification": "first_aid", "count": 8}],
        drill_wanted=12,
        callout_id=callout.id,
    )
    drill.organisations = list(organisations)
    return drill, len(members)


def _evaluated_tabletop(session: Session, organisations: list[Organisation], day: date) -> None:
    starts = _oslo(day, 9)
    tabletop = _exercise(
        session,
        title="Diskusjonsøvelse: langvarig strømbrudd",
        type=ExerciseType.TABLETOP,
        scenario="Strømmen er borte i tre døgn i januar; mobilnettet faller ut etter fire timer.",
        objectives="Avklare hvem som drifter evakuerte- og pårørendesenteret, og hvordan.",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        status=ExerciseStatus.COMPLETED,
        evaluated_at=starts + timedelta(days=12),
        evaluation_summary="Rollefordelingen var klar; reservestrøm og samband må følges opp.",
    )
    tabletop.organisations = list(organisations)
    generator = Observation(
        text="Ingen visste hvor nøkkelen til aggregatet på Kjeller ligger.", created_by=ACTOR
    )
    radio = Observation(text="Nødnett-terminalene var ikke ladet.", created_by=ACTOR)
    tabletop.observations = [generator, radio]
    tabletop.actions = [
        FollowUpAction(
            description="Nøkkelliste for alle aggregater i beredskapslageret",
            owner="Beredskapskoordinator",
            due_on=day + timedelta(days=45),
        ),
        FollowUpAction(
            description="Rutine for lading av terminaler hver måned",
            owner="Lagleder, Røde Kors",
            due_on=day + timedelta(days=30),
            status=ActionStatus.CLOSED,
            closed_at=starts + timedelta(days=20),
            closing_note="Lagt inn i månedlig sjekkliste.",
        ),
    ]


def seed_exercises(session: Session, *, today: date | None = None) -> DemoExercises:
    """Add the demo exercises (the caller commits); needs the demo register in place."""
    rng = random.Random(6)
    today = today or utcnow().astimezone(NORWAY).date()
    # Ids in a subquery rather than DISTINCT rows: PostgreSQL cannot compare JSON columns.
    with_agreements = session.scalars(
        select(Organisation)
        .where(
            Organisation.id.in_(
                select(Agreement.organisation_id).where(Agreement.status == AgreementStatus.ACTIVE)
            )
        )
        .order_by(Organisation.id)
    ).all()
    organisations = list(with_agreements[:3]) or list(
        session.scalars(select(Organisation).order_by(Organisation.id).limit(3))
    )
    _drill, asked = _past_drill(session, organisations[:2], rng, today - timedelta(days=42))
    _evaluated_tabletop(session, organisations, today - timedelta(days=120))

    cancelled_day = today + timedelta(days=10)
    cancelled = _exercise(
        session,
        title="Søk etter savnet person, Sørum",
        type=ExerciseType.FUNCTIONAL,
        starts_at=_oslo(cancelled_day, 10),
        ends_at=_oslo(cancelled_day, 15),
        status=ExerciseStatus.CANCELLED,
        cancelled_at=utcnow(),
        cancel_reason="Flyttet til våren: for få mannskaper i helgen.",
    )
    cancelled.organisations = organisations[:1]

    sites = session.scalars(select(Site).order_by(Site.id).limit(2)).all()
    agreements = session.scalars(
        select(Agreement.id)
        .where(Agreement.organisation_id.in_([o.id for o in organisations]))
        .order_by(Agreement.id)
        .limit(2)
    ).all()
    organisation_ids = [organisation.id for organisation in organisations]
    place = {"lat": DRILL_PLACE.y, "lon": DRILL_PLACE.x}
    full_scale_day = today + timedelta(days=24)
    plan = [
        ExerciseCreate(
            title="Fullskalaøvelse: evakuering av Lillestrøm sentrum",
            type=ExerciseType.FULL_SCALE,
            scenario="Gasslekkasje ved Lillestrøm stasjon; 2 000 personer evakueres til "
            "Nitelvhallen.",
            objectives="Evakuert på 90 minutter; pårørendetelefonen åpen på 30.",
            starts_at=_oslo(full_scale_day, 9),
            ends_at=_oslo(full_scale_day, 16),
            place=place,
            organisation_ids=organisation_ids,
            agreement_ids=list(agreements),
            site_ids=[site.id for site in sites],
            reminder_offsets_min=[10080, 1440],
        ),
        # Every first Tuesday of the quarter at 18:00 (Oslo wall time, summer and winter).
        ExerciseCreate(
            title="Kvartalsvis varslingsøvelse",
            type=ExerciseType.ALERT_DRILL,
            starts_at=_oslo(today + timedelta(days=1), 18),
            ends_at=_oslo(today + timedelta(days=1), 19),
            place=place,
            organisation_ids=organisation_ids[:2],
            drill={
                "message": DRILL_MESSAGE,
                "radius_m": DRILL_RADIUS_M,
                "needs": [{"qualification": "first_aid", "count": 8}],
                "wanted": 12,
            },
            recurrence={"rrule": QUARTERLY_RULE},
        ),
    ]
    for body in plan:
        create_exercises(session, body, actor=ACTOR, default_offsets=(), now=utcnow())
    session.flush()
    total = session.scalar(select(func.count()).select_from(Exercise)) or 0
    return DemoExercises(exercises=total, drill_recipients=asked)
