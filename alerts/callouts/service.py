"""Planning a callout: who would be asked, and the draft that records it. Flushes, never commits.

Who is asked: active volunteers who consent to SMS, are not marked unavailable, have a home
area within the radius (and the area, if given), hold at least one needed qualification
valid on the day, and, if organisations are named, belong to one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from geoalchemy2.shape import to_shape
from shapely.geometry import MultiPolygon, Point
from sqlalchemy import and_, bindparam, delete, exists, func, insert, select, update
from sqlalchemy.orm import Session, selectinload

from alerts.callouts.held_when_asked import record_what_recipients_held
from alerts.inbound.replies import callout_code_for
from alerts.models import (
    OPEN_STATUSES,
    Answer,
    Callout,
    CalloutNeed,
    CalloutNotice,
    CalloutRecipient,
    CalloutStatus,
    RecipientQualification,
    RecipientState,
)
from alerts.outbox.worker_status import DEFAULT_LEASE, claim_in_doubt
from beredskap.platform.columns import utcnow
from beredskap.platform.errors import N_, ConflictError, DomainValidationError, NotFoundError
from beredskap.register.readiness.ready import volunteer_callable
from beredskap.register.volunteers.models import (
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)
from geo.sql import distance_metres, inside_area, point, within_metres

# One callout asks at most this many (BEREDSKAP_CALLOUT_MAX_RECIPIENTS sets the limit the
# routes, pages, worker and scheduler pass): more is likely a mistake in the criteria.
MAX_RECIPIENTS = 20_000
# Rows per statement when a callout's recipients are written in bulk (well under SQLite's
# and PostgreSQL's limits on bound parameters).
_CHUNK = 1_000


@dataclass(frozen=True)
class Need:
    qualification_type_id: int
    count: int


def qualification_ids_by_code(session: Session, codes: list[str]) -> dict[str, int]:
    """The catalogue ids of qualification codes; an unknown code is a 422 on `needs`."""
    found = dict(
        session.execute(
            select(QualificationType.code, QualificationType.id).where(
                QualificationType.code.in_(codes)
            )
        ).all()
    )
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise DomainValidationError(
            "needs", N_("unknown qualification %(qualification)s"), qualification=repr(unknown[0])
        )
    return {str(code): int(type_id) for code, type_id in found.items()}


def eligible_volunteers(
    session: Session,
    *,
    centre: Point,
    radius_m: float,
    qualification_type_ids: list[int],
    on: date,
    area: MultiPolygon | None = None,
    organisation_ids: list[int] | None = None,
    max_recipients: int = MAX_RECIPIENTS,
) -> list[tuple[int, str, float]]:
    """(volunteer id, mobile, distance in metres) of everyone the callout would ask, nearest
    first; more than `max_recipients` is a 422 on the radius."""
    here = point(centre.x, centre.y)
    distance = distance_metres(Volunteer.home_area, here)
    qualified = exists().where(
        VolunteerQualification.volunteer_id == Volunteer.id,
        VolunteerQualification.qualification_type_id.in_(qualification_type_ids),
        VolunteerQualification.valid_on(on),
    )
    statement = select(Volunteer.id, Volunteer.mobile, distance).where(
        volunteer_callable(),
        within_metres(Volunteer.home_area, here, radius_m),
        qualified,
    )
    if area is not None:
        statement = statement.where(inside_area(Volunteer.home_area, area.wkt))
    if organisation_ids:
        statement = statement.where(
            exists().where(
                and_(
                    Membership.volunteer_id == Volunteer.id,
                    Membership.organisation_id.in_(organisation_ids),
                )
            )
        )
    rows = session.execute(
        statement.order_by(distance, Volunteer.id).limit(max_recipients + 1)
    ).all()
    if len(rows) > max_recipients:
        raise DomainValidationError(
            "radius_m",
            N_("more than %(count)s volunteers match; narrow the radius, area or needs"),
            count=max_recipients,
        )
    return [(int(row[0]), str(row[1]), float(row[2])) for row in rows]


def _free_code(session: Session) -> str:
    """The next callout code not used by an open callout."""
    used = set(session.scalars(select(Callout.code).where(Callout.status.in_(OPEN_STATUSES))))
    start = int(session.scalar(select(func.count()).select_from(Callout)) or 0)
    for offset in range(2_000):
        code = callout_code_for(start + offset)
        if code not in used:
            return code
    raise ConflictError(N_("every callout code is in use by an open callout; stop some first"))


def create_draft(
    session: Session,
    *,
    fields: dict[str, Any],
    needs: list[Need],
    on: date,
    actor: str,
    max_recipients: int = MAX_RECIPIENTS,
) -> Callout:
    """A draft callout with the volunteers it would ask as planned recipients (written in
    bulk: a callout may ask tens of thousands)."""
    if not needs:
        raise DomainValidationError("needs", N_("say what is needed: at least one qualification"))
    callout = Callout(**fields, code=_free_code(session), created_by=actor)
    for need in needs:
        callout.needs.append(
            CalloutNeed(qualification_type_id=need.qualification_type_id, count=need.count)
        )
    centre: Point = fields["centre"]
    area = fields.get("area")
    asked = eligible_volunteers(
        session,
        centre=centre,
        radius_m=fields["radius_m"],
        qualification_type_ids=[need.qualification_type_id for need in needs],
        on=on,
        area=area if isinstance(area, MultiPolygon) else None,
        organisation_ids=fields.get("organisation_ids") or None,
        max_recipients=max_recipients,
    )
    session.add(callout)
    session.flush()
    insert_recipients(session, callout, asked, RecipientState.PLANNED)
    return callout


def insert_recipients(
    session: Session,
    callout: Callout,
    asked: list[tuple[int, str, float]],
    state: RecipientState,
    ask_round: int = 0,
) -> None:
    """Recipient rows for (volunteer id, mobile, distance), by Core inserts in chunks."""
    now = utcnow()
    rows = [
        {
            "callout_id": callout.id,
            "volunteer_id": volunteer_id,
            "mobile": mobile,
            "distance_m": distance,
            "state": state,
            "attempts": 0,
            "ask_round": ask_round,
            "created_at": now,
            "updated_at": now,
        }
        for volunteer_id, mobile, distance in asked
    ]
    for start in range(0, len(rows), _CHUNK):
        session.execute(insert(CalloutRecipient), rows[start : start + _CHUNK])
    record_what_recipients_held(session, callout.id, ask_round)
    session.expire(callout, ["recipients"])


def get_callout(session: Session, callout_id: int) -> Callout:
    callout = session.scalars(
        select(Callout)
        .where(Callout.id == callout_id)
        .options(selectinload(Callout.needs).selectinload(CalloutNeed.qualification_type))
    ).first()
    if callout is None:
        raise NotFoundError("callout", callout_id)
    return callout


_YES_COUNT = select(func.count()).where(
    CalloutRecipient.callout_id == bindparam("callout_id"), CalloutRecipient.answer == "yes"
)


def yes_count(session: Session, callout_id: int) -> int:
    return int(session.scalar(_YES_COUNT, {"callout_id": callout_id}) or 0)


def send(
    session: Session, callout: Callout, *, on: date, max_recipients: int = MAX_RECIPIENTS
) -> Callout:
    """Confirm a draft: ask whoever qualifies now (consent and availability may have changed
    since it was planned) by queueing one recipient row each for the worker. Set-based: a
    draft of 20,000 is confirmed in a few statements per thousand rows."""
    if callout.status != CalloutStatus.DRAFT:
        raise ConflictError(
            N_("the callout is %(status)s; only a draft can be sent"),
            status=callout.status.value,
        )
    area = to_shape(callout.area) if callout.area is not None else None
    current = {
        volunteer_id: (mobile, distance)
        for volunteer_id, mobile, distance in eligible_volunteers(
            session,
            centre=to_shape(callout.centre),
            radius_m=callout.radius_m,
            qualification_type_ids=[need.qualification_type_id for need in callout.needs],
            on=on,
            area=area if isinstance(area, MultiPolygon) else None,
            organisation_ids=list(callout.organisation_ids or []) or None,
            max_recipients=max_recipients,
        )
    }
    if not current:
        raise ConflictError(N_("nobody qualifies now: widen the radius or change the needs"))
    planned = dict(
        session.execute(
            select(CalloutRecipient.volunteer_id, CalloutRecipient.id).where(
                CalloutRecipient.callout_id == callout.id
            )
        ).all()
    )
    gone = [row_id for volunteer_id, row_id in planned.items() if volunteer_id not in current]
    for start in range(0, len(gone), _CHUNK):
        session.execute(
            delete(CalloutRecipient)
            .where(CalloutRecipient.id.in_(gone[start : start + _CHUNK]))
            .execution_options(synchronize_session=False)
        )
    now = utcnow()
    kept = [
        {"row_id": row_id, "mobile": current[volunteer_id][0], "distance": current[volunteer_id][1]}
        for volunteer_id, row_id in planned.items()
        if volunteer_id in current
    ]
    queue = (
        update(CalloutRecipient)
        .where(CalloutRecipient.id == bindparam("row_id"))
        .values(
            mobile=bindparam("mobile"),
            distance_m=bindparam("distance"),
            state=RecipientState.QUEUED,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    for start in range(0, len(kept), _CHUNK):
        session.connection().execute(queue, kept[start : start + _CHUNK])
    insert_recipients(
        session,
        callout,
        [
            (volunteer_id, mobile, distance)
            for volunteer_id, (mobile, distance) in current.items()
            if volunteer_id not in planned
        ],
        RecipientState.QUEUED,
    )
    callout.status = CalloutStatus.ACTIVE
    callout.sent_at = utcnow()
    if callout.escalate_after_min is not None:
        callout.escalation_due_at = callout.sent_at + timedelta(minutes=callout.escalate_after_min)
    session.flush()
    return callout


def stop(session: Session, callout: Callout) -> Callout:
    """End a callout: nothing more is sent (queued messages are cancelled); answers that
    still come are recorded and answered politely."""
    if callout.status == CalloutStatus.STOPPED:
        raise ConflictError(N_("the callout is already stopped"))
    now = utcnow()
    session.execute(
        update(CalloutRecipient)
        .where(
            CalloutRecipient.callout_id == callout.id,
            CalloutRecipient.state.in_((RecipientState.PLANNED, RecipientState.QUEUED)),
        )
        .values(state=RecipientState.CANCELLED, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.expire(callout, ["recipients"])
    callout.status = CalloutStatus.STOPPED
    callout.stopped_at = now
    callout.escalation_due_at = None
    session.flush()
    return callout


def discard(session: Session, callout: Callout, *, version: int) -> None:
    """Delete a draft and the volunteers it would have asked, as the officer saw it
    (`version`); nothing was ever sent for it. A sent callout is stopped, never discarded
    (its messages and answers are the record); a draft changed meanwhile is refused. The
    callout's deletion is in the audit trail (its before); its planned rows go set-based
    (their qualifications and organisations by ON DELETE CASCADE)."""
    if callout.status != CalloutStatus.DRAFT:
        raise ConflictError(
            N_("the callout is %(status)s; only a draft can be discarded"),
            status=callout.status.value,
        )
    if callout.version != version:
        raise ConflictError(N_("the draft was changed meanwhile; look at it again"))
    session.execute(
        delete(CalloutRecipient)
        .where(CalloutRecipient.callout_id == callout.id)
        .execution_options(synchronize_session=False)
    )
    session.expire(callout, ["recipients"])
    session.delete(callout)
    session.flush()


# Figures for many callouts at once (the list pages): a few grouped queries, not one per row.


@dataclass(frozen=True)
class CalloutFigures:
    counts: dict[str, int]
    yes_per_need: dict[int, int]  # qualification type id -> who said yes and hold it


def _counts_from(
    states: dict[str, int], answers: dict[str, int], in_doubt: int = 0, opted_out: int = 0
) -> dict[str, int]:
    total = sum(states.values())
    yes, no = answers.get("yes", 0), answers.get("no", 0)
    return {
        "recipients": total,
        "planned": states.get("planned", 0),
        # Waiting for the provider, or being handed to it now.
        "queued": states.get("queued", 0) + states.get("sending", 0) - in_doubt,
        # Handed over perhaps: the worker that tried has gone quiet or the provider did not
        # answer; settled against the provider's list before anything is sent again.
        "in_doubt": in_doubt,
        "sent": states.get("sent", 0),
        "delivered": states.get("delivered", 0),
        "failed": states.get("failed", 0),
        "cancelled": states.get("cancelled", 0),
        "yes": yes,
        "no": no,
        # Not answered and has since withdrawn consent (STOP): not waited for as "no answer".
        "opted_out": opted_out,
        "no_answer": total - yes - no - opted_out,
    }


def yes_per_need(session: Session, callout_ids: list[int], on: date) -> dict[int, dict[int, int]]:
    """Per callout and needed qualification type: how many who said yes held it when asked,
    valid on the day (one grouped query; a need nobody meets is absent)."""
    said_yes: dict[int, dict[int, int]] = {callout_id: {} for callout_id in callout_ids}
    for callout_id, type_id, count in session.execute(
        select(
            CalloutNeed.callout_id,
            CalloutNeed.qualification_type_id,
            func.count(func.distinct(CalloutRecipient.id)),
        )
        .join(
            CalloutRecipient,
            and_(
                CalloutRecipient.callout_id == CalloutNeed.callout_id,
                CalloutRecipient.answer == "yes",
            ),
        )
        .join(
            RecipientQualification,
            and_(
                RecipientQualification.recipient_id == CalloutRecipient.id,
                RecipientQualification.qualification_type_id == CalloutNeed.qualification_type_id,
                RecipientQualification.valid_on(on),
            ),
        )
        .where(CalloutNeed.callout_id.in_(callout_ids))
        .group_by(CalloutNeed.callout_id, CalloutNeed.qualification_type_id)
    ):
        said_yes[callout_id][int(type_id)] = int(count)
    return said_yes


def figures_for(
    session: Session,
    callout_ids: list[int],
    on: date,
    *,
    now: datetime | None = None,
    lease: timedelta = DEFAULT_LEASE,
) -> dict[int, CalloutFigures]:
    """Counts and yes per need of several callouts in five grouped queries."""
    if not callout_ids:
        return {}
    moment = now or utcnow()
    doubtful: dict[int, int] = dict(
        session.execute(
            select(CalloutRecipient.callout_id, func.count())
            .where(
                CalloutRecipient.callout_id.in_(callout_ids),
                CalloutRecipient.state == RecipientState.SENDING,
                claim_in_doubt(
                    CalloutRecipient.claimed_by,
                    CalloutRecipient.attempt_started_at,
                    now=moment,
                    lease=lease,
                ),
            )
            .group_by(CalloutRecipient.callout_id)
        ).all()
    )
    states: dict[int, dict[str, int]] = {callout_id: {} for callout_id in callout_ids}
    answers: dict[int, dict[str, int]] = {callout_id: {} for callout_id in callout_ids}
    for callout_id, state, count in session.execute(
        select(CalloutRecipient.callout_id, CalloutRecipient.state, func.count())
        .where(CalloutRecipient.callout_id.in_(callout_ids))
        .group_by(CalloutRecipient.callout_id, CalloutRecipient.state)
    ):
        states[callout_id][RecipientState(state).value] = int(count)
    for callout_id, answer, count in session.execute(
        select(CalloutRecipient.callout_id, CalloutRecipient.answer, func.count())
        .where(CalloutRecipient.callout_id.in_(callout_ids), CalloutRecipient.answer.is_not(None))
        .group_by(CalloutRecipient.callout_id, CalloutRecipient.answer)
    ):
        answers[callout_id][Answer(answer).value] = int(count)
    opted_out: dict[int, int] = dict(
        session.execute(
            select(CalloutRecipient.callout_id, func.count())
            .where(
                CalloutRecipient.callout_id.in_(callout_ids),
                CalloutRecipient.answer.is_(None),
                CalloutRecipient.volunteer_id.in_(
                    select(Volunteer.id).where(Volunteer.sms_consent.is_(False))
                ),
            )
            .group_by(CalloutRecipient.callout_id)
        ).all()
    )
    said_yes = yes_per_need(session, callout_ids, on)
    return {
        callout_id: CalloutFigures(
            _counts_from(
                states[callout_id],
                answers[callout_id],
                doubtful.get(callout_id, 0),
                opted_out.get(callout_id, 0),
            ),
            said_yes[callout_id],
        )
        for callout_id in callout_ids
    }


def callouts_query(*, status: CalloutStatus | None = None, exercise: bool | None = None) -> Any:
    """Callouts with their needs (and the needs' qualifications), optionally filtered."""
    statement = select(Callout).options(
        selectinload(Callout.needs).selectinload(CalloutNeed.qualification_type)
    )
    if status is not None:
        statement = statement.where(Callout.status == status)
    if exercise is not None:
        statement = statement.where(Callout.exercise.is_(exercise))
    return statement


def totals_real_and_exercise(session: Session) -> dict[str, dict[str, int]]:
    """Callouts per status and people asked and yes, real and exercise counted apart."""
    totals = {
        kind: {"callouts": 0, "draft": 0, "active": 0, "stopped": 0, "asked": 0, "yes": 0}
        for kind in ("real", "exercise")
    }
    for exercise, status, count in session.execute(
        select(Callout.exercise, Callout.status, func.count()).group_by(
            Callout.exercise, Callout.status
        )
    ):
        kind = totals["exercise" if exercise else "real"]
        kind[CalloutStatus(status).value] += int(count)
        kind["callouts"] += int(count)
    asked = CalloutRecipient.state.not_in((RecipientState.PLANNED, RecipientState.CANCELLED))
    for exercise, asked_count, yes in session.execute(
        select(
            Callout.exercise,
            func.count(CalloutRecipient.id).filter(asked),
            func.count(CalloutRecipient.id).filter(CalloutRecipient.answer == "yes"),
        )
        .join(CalloutRecipient, CalloutRecipient.callout_id == Callout.id)
        .group_by(Callout.exercise)
    ):
        kind = totals["exercise" if exercise else "real"]
        kind["asked"], kind["yes"] = int(asked_count), int(yes)
    return totals


def notices_of(session: Session, recipient_ids: list[int]) -> dict[int, list[CalloutNotice]]:
    """The later messages (follow-up, covered) each recipient got, oldest first."""
    found: dict[int, list[CalloutNotice]] = {recipient_id: [] for recipient_id in recipient_ids}
    if not recipient_ids:
        return found
    for notice in session.scalars(
        select(CalloutNotice)
        .where(CalloutNotice.recipient_id.in_(recipient_ids))
        .order_by(CalloutNotice.id)
    ):
        found[notice.recipient_id].append(notice)
    return found
