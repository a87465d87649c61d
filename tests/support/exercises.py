"""Exercises and a finished alert drill with known reply times, made with the ORM.

The drill: 10 recipients, sent at T; answers at T+2 (yes), 4 (no), 4 (yes), 9 (no), 14 (yes),
31 (yes), 61 (yes, a volunteer since deleted); one delivered never answers, one failed, one
sent without a receipt never answers. Two organisations (one volunteer in both), two needs
(first aid x2, boat licence x1), 4 wanted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shapely.geometry import Point
from sqlalchemy.orm import Session

from alerts.callouts.held_when_asked import record_what_recipients_held
from alerts.models import Answer, Callout, CalloutNeed, CalloutRecipient, CalloutStatus
from alerts.models import RecipientState as State
from beredskap.platform.columns import utcnow
from beredskap.register.organisations.models import Organisation
from beredskap.register.volunteers.models import Membership
from exercises.models import Exercise, ExerciseStatus, ExerciseType
from tests.support.callouts import LILLESTROM, at, qualification, volunteer

DRILL_TITLE = "Varslingsøvelse Nitelva - ærlig, øvd, på tide"


def exercise(
    session: Session,
    *,
    title: str = "Diskusjonsøvelse flom",
    type: ExerciseType = ExerciseType.TABLETOP,
    status: ExerciseStatus = ExerciseStatus.COMPLETED,
    starts_at: datetime | None = None,
    hours: float = 2,
    organisations: list[Organisation] | None = None,
    **fields: object,
) -> Exercise:
    start = starts_at or utcnow().replace(microsecond=0) - timedelta(days=3)
    made = Exercise(
        title=title,
        type=type,
        status=status,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        created_by="test",
        **fields,
    )
    made.organisations = list(organisations or [])
    session.add(made)
    session.flush()
    return made


@dataclass
class Drill:
    exercise: Exercise
    callout: Callout
    sent_at: datetime


# (number, organisations "own"/"other", qualifications, state, answer, minutes after sending)
_RECIPIENTS: list[tuple[int, tuple[str, ...], list[str], State, Answer | None, int | None]] = [
    (1, ("own",), ["first_aid"], State.DELIVERED, Answer.YES, 2),
    (2, ("own",), [], State.DELIVERED, Answer.NO, 4),
    (3, ("other",), ["boat_licence"], State.DELIVERED, Answer.YES, 4),
    (4, ("own",), ["first_aid"], State.DELIVERED, Answer.NO, 9),
    (5, ("other",), ["first_aid"], State.DELIVERED, Answer.YES, 14),
    (6, ("own", "other"), ["first_aid"], State.DELIVERED, Answer.YES, 31),
    (7, (), [], State.DELIVERED, Answer.YES, 61),  # the volunteer was deleted
    (8, ("own",), ["first_aid"], State.DELIVERED, None, None),
    (9, ("other",), [], State.FAILED, None, None),
    (10, ("own",), ["first_aid"], State.SENT, None, None),
]


def finished_drill(session: Session, own: Organisation, other: Organisation) -> Drill:
    sent_at = utcnow().replace(second=0, microsecond=0) - timedelta(days=2)
    callout = Callout(
        code="Ø7",
        title=DRILL_TITLE,
        message="Varslingsøvelse. Svar JA eller NEI.",
        exercise=True,
        status=CalloutStatus.STOPPED,
        centre=Point(*LILLESTROM),
        radius_m=10_000,
        wanted=4,
        created_by="test",
        sent_at=sent_at,
        stopped_at=sent_at + timedelta(hours=2),
    )
    callout.needs = [
        CalloutNeed(qualification_type=qualification(session, "first_aid"), count=2),
        CalloutNeed(qualification_type=qualification(session, "boat_licence"), count=1),
    ]
    organisations = {"own": own, "other": other}
    for number, member_of, codes, state, answer, minutes in _RECIPIENTS:
        person = None
        if member_of:
            first, *more = (organisations[name] for name in member_of)
            person = volunteer(session, 50 + number, at(0, 100 * number), codes, first)
            person.memberships.extend(Membership(organisation=extra) for extra in more)
        callout.recipients.append(
            CalloutRecipient(
                volunteer=person,
                mobile=f"+4477009005{number:02d}",
                distance_m=100.0 * number,
                state=state,
                answer=answer,
                answered_at=None if minutes is None else sent_at + timedelta(minutes=minutes),
            )
        )
    session.add(callout)
    session.flush()
    record_what_recipients_held(session, callout.id)
    drill = exercise(
        session,
        title=DRILL_TITLE,
        type=ExerciseType.ALERT_DRILL,
        starts_at=sent_at,
        organisations=[own, other],
        callout_id=callout.id,
    )
    return Drill(drill, callout, sent_at)
