"""How an alert drill went: the figures of its exercise callout, counts only, no people.

Counting (who was asked, delivered, answered, said yes, answered within 5/15/30/60 minutes,
the same per organisation) is done in SQL with grouped conditional sums, the cut-off times
computed here and bound as parameters so both backends compare stored UTC timestamps the
same way. The timeline (first answer, when each need was met, the cumulative series for the
chart) is walked in Python over the answer times.

A recipient's answer is the last one received (a later reply replaces an earlier one), so
the timeline is that of final answers. Qualifications and organisations are those the
recipient held when asked (`alerts.callouts.held_when_asked`), so the figures stay when a
volunteer is purged or leaves; a recipient who belonged to no organisation counts under
"unknown" (organisation_id None).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, selectinload

from alerts.models import (
    Answer,
    Callout,
    CalloutNeed,
    CalloutRecipient,
    RecipientOrganisation,
    RecipientQualification,
    RecipientState,
)
from beredskap.platform.columns import NORWAY
from beredskap.register.organisations.models import Organisation
from exercises.models import Exercise

WITHIN_MINUTES = (5, 15, 30, 60)
# Not asked: still in a draft, or cancelled before it was sent.
NOT_ASKED = (RecipientState.PLANNED, RecipientState.CANCELLED)
# One final answer: when, whether it was yes, and whose (the recipient row's id).
Answered = tuple[datetime, bool, int]


@dataclass(frozen=True)
class AnsweredWithin:
    minutes: int
    answered: int | None  # None: withheld (fewer than 3, see `disclosure`)
    share: float | None  # of those asked; None when nobody was asked, or withheld
    withheld: bool = False


@dataclass(frozen=True)
class ResponseCounts:
    # A count is None only when withheld from the reader (`disclosure`): see `withheld`.
    asked: int | None
    delivered: int | None
    failed: int | None
    answered: int | None
    yes: int | None
    no: int | None
    first_answer_min: float | None
    within: list[AnsweredWithin]
    withheld: frozenset[str] = frozenset()  # the names of the figures withheld


@dataclass(frozen=True)
class OrganisationFigures:
    organisation_id: int | None  # None: unknown (a member of no organisation when asked)
    name: str | None
    counts: ResponseCounts


@dataclass(frozen=True)
class NeedFigures:
    qualification_type_id: int
    code: str
    name_nb: str
    name_en: str
    count: int
    yes: int | None  # who said yes and held the qualification, valid on the callout's day
    met_after_min: float | None  # when the yes count reached `count`; None: never (or withheld)
    withheld: bool = False


@dataclass(frozen=True)
class SeriesPoint:
    minute: float
    answers: int | None  # None: withheld, one or two (a gap in the chart)
    yes: int | None


@dataclass(frozen=True)
class DrillEvaluation:
    callout_id: int
    sent_at: datetime
    wanted: int
    counts: ResponseCounts
    needs: list[NeedFigures]
    all_needs_met_after_min: float | None
    wanted_reached_after_min: float | None
    by_organisation: list[OrganisationFigures]
    series: list[SeriesPoint]  # cumulative answers and yes, from 0 at the sending
    withheld: frozenset[str] = frozenset()  # drill-wide figures withheld from the reader


def _minutes(since: datetime, moment: datetime) -> float:
    return round((moment - since).total_seconds() / 60, 2)


def _count_columns(sent_at: datetime) -> list[ColumnElement[object]]:
    """The figures of one group: asked, delivered, failed, answered, yes, no, answered
    within each limit, and the first answer's time (aggregates with FILTER, both backends)."""
    asked = CalloutRecipient.state.not_in(NOT_ASKED)
    answered = and_(asked, CalloutRecipient.answer.is_not(None))
    return [
        func.count().filter(asked),
        func.count().filter(CalloutRecipient.state == RecipientState.DELIVERED),
        func.count().filter(CalloutRecipient.state == RecipientState.FAILED),
        func.count().filter(answered),
        func.count().filter(and_(asked, CalloutRecipient.answer == Answer.YES)),
        func.count().filter(and_(asked, CalloutRecipient.answer == Answer.NO)),
        *(
            func.count().filter(
                and_(answered, CalloutRecipient.answered_at <= sent_at + timedelta(minutes=limit))
            )
            for limit in WITHIN_MINUTES
        ),
        func.min(CalloutRecipient.answered_at).filter(answered),
    ]


def _counts_of(row: Sequence[Any], sent_at: datetime) -> ResponseCounts:
    asked, delivered, failed, answered, yes, no = (int(value or 0) for value in row[:6])
    within_counts = [int(value or 0) for value in row[6 : 6 + len(WITHIN_MINUTES)]]
    first = row[6 + len(WITHIN_MINUTES)]
    return ResponseCounts(
        asked=asked,
        delivered=delivered,
        failed=failed,
        answered=answered,
        yes=yes,
        no=no,
        first_answer_min=None if first is None else _minutes(sent_at, first),
        within=[
            AnsweredWithin(
                minutes=limit, answered=count, share=round(count / asked, 4) if asked else None
            )
            for limit, count in zip(WITHIN_MINUTES, within_counts, strict=True)
        ],
    )


def _overall(session: Session, callout: Callout, sent_at: datetime) -> ResponseCounts:
    row = session.execute(
        select(*_count_columns(sent_at)).where(CalloutRecipient.callout_id == callout.id)
    ).one()
    return _counts_of(row, sent_at)


def _by_organisation(
    session: Session, callout: Callout, sent_at: datetime
) -> list[OrganisationFigures]:
    """One group per organisation the recipients were members of when asked (a member of two
    counts in both), and one for the unknown; by name, unknown last."""
    rows = session.execute(
        select(Organisation.id, Organisation.name, *_count_columns(sent_at))
        .select_from(CalloutRecipient)
        .outerjoin(RecipientOrganisation, RecipientOrganisation.recipient_id == CalloutRecipient.id)
        .outerjoin(Organisation, Organisation.id == RecipientOrganisation.organisation_id)
        .where(CalloutRecipient.callout_id == callout.id)
        .group_by(Organisation.id, Organisation.name)
    ).all()
    figures = [
        OrganisationFigures(
            organisation_id=row[0], name=row[1], counts=_counts_of(row[2:], sent_at)
        )
        for row in rows
    ]
    return sorted(figures, key=lambda item: (item.name is None, (item.name or "").lower()))


def _answer_times(session: Session, callout: Callout) -> list[Answered]:
    """(answered_at, said yes, recipient id) of every answer of someone asked, in time order."""
    rows = session.execute(
        select(CalloutRecipient.answered_at, CalloutRecipient.answer, CalloutRecipient.id)
        .where(
            CalloutRecipient.callout_id == callout.id,
            CalloutRecipient.state.not_in(NOT_ASKED),
            CalloutRecipient.answer.is_not(None),
            CalloutRecipient.answered_at.is_not(None),
        )
        .order_by(CalloutRecipient.answered_at, CalloutRecipient.id)
    ).all()
    return [
        (answered_at, answer == Answer.YES, recipient) for answered_at, answer, recipient in rows
    ]


def _holders(session: Session, callout: Callout, day: date) -> dict[int, set[int]]:
    """Per needed qualification type: which recipients who said yes held it when asked, valid
    on the day."""
    holders: dict[int, set[int]] = {need.qualification_type_id: set() for need in callout.needs}
    for type_id, recipient_id in session.execute(
        select(CalloutNeed.qualification_type_id, RecipientQualification.recipient_id)
        .join(
            CalloutRecipient,
            and_(
                CalloutRecipient.callout_id == CalloutNeed.callout_id,
                CalloutRecipient.answer == Answer.YES,
            ),
        )
        .join(
            RecipientQualification,
            and_(
                RecipientQualification.recipient_id == CalloutRecipient.id,
                RecipientQualification.qualification_type_id == CalloutNeed.qualification_type_id,
                RecipientQualification.valid_on(day),
            ),
        )
        .where(CalloutNeed.callout_id == callout.id)
    ):
        holders[int(type_id)].add(int(recipient_id))
    return holders


def _reached_after(
    answers: list[Answered],
    sent_at: datetime,
    target: int,
    counts: Callable[[bool, int], bool],
) -> float | None:
    """Minutes after sending at which the answers that `counts` reached `target`."""
    seen = 0
    for answered_at, said_yes, recipient in answers:
        if counts(said_yes, recipient):
            seen += 1
            if seen >= target:
                return _minutes(sent_at, answered_at)
    return None


def _series(answers: list[Answered], sent_at: datetime) -> list[SeriesPoint]:
    points = [SeriesPoint(0.0, 0, 0)]
    yes = 0
    for total, (answered_at, said_yes, _recipient) in enumerate(answers, start=1):
        yes += said_yes
        points.append(SeriesPoint(max(0.0, _minutes(sent_at, answered_at)), total, yes))
    return points


def evaluate_drill(session: Session, exercise: Exercise) -> DrillEvaluation | None:
    """The figures of the exercise's callout; None when it has none or it was never sent."""
    if exercise.callout_id is None:
        return None
    callout = session.scalars(
        select(Callout)
        .where(Callout.id == exercise.callout_id)
        .options(selectinload(Callout.needs).selectinload(CalloutNeed.qualification_type))
    ).one_or_none()
    if callout is None or callout.sent_at is None:
        return None
    sent_at = callout.sent_at
    day = sent_at.astimezone(NORWAY).date()
    answers = _answer_times(session, callout)
    holders = _holders(session, callout, day)
    needs = [
        NeedFigures(
            qualification_type_id=need.qualification_type_id,
            code=need.qualification_type.code,
            name_nb=need.qualification_type.name_nb,
            name_en=need.qualification_type.name_en,
            count=need.count,
            yes=len(holders[need.qualification_type_id]),
            met_after_min=_reached_after(
                answers,
                sent_at,
                need.count,
                lambda said_yes, recipient, who=holders[need.qualification_type_id]: (
                    said_yes and recipient in who
                ),
            ),
        )
        for need in callout.needs
    ]
    met_times = [need.met_after_min for need in needs]
    all_met = (
        max(time for time in met_times if time is not None)
        if needs and all(time is not None for time in met_times)
        else None
    )
    wanted = callout.wanted_total
    return DrillEvaluation(
        callout_id=callout.id,
        sent_at=sent_at,
        wanted=wanted,
        counts=_overall(session, callout, sent_at),
        needs=needs,
        all_needs_met_after_min=all_met,
        wanted_reached_after_min=_reached_after(
            answers, sent_at, wanted, lambda said_yes, _recipient: said_yes
        )
        if wanted
        else None,
        by_organisation=_by_organisation(session, callout, sent_at),
        series=_series(answers, sent_at),
    )
