"""The calls in the database: which are due, claiming them, what became of them. Flushes,
never commits (the caller's transaction: `caller.py`, the webhooks).

Exactly once, as for SMS (`alerts.outbox`): a call is claimed `calling` and committed BEFORE
Twilio is asked; a row left `calling` longer than the lease (its worker died, or Twilio's
answer was lost) is looked up in Twilio's call list for its number since the attempt began,
and placed again only when it is not there. One row per recipient (unique), so two workers
scheduling at once make one call.

Who is called: an asked volunteer of an active callout, not yet covered, whose SMS went out
at least the callout's minutes ago and who has not answered, and who has not withdrawn
consent (checked when scheduled and again when claimed). The minutes: `voice_after_min` for
the first round; for those the escalation added (`CalloutRecipient.ask_round` 1, set by
`escalation.widen`) the escalation's own `escalate_voice_after_min`, or the callout's when it
has none, counted from their own SMS. No minutes: no call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from alerts.models import (
    REACHED_STATES,
    Callout,
    CalloutRecipient,
    CalloutStatus,
    VoiceCall,
    VoiceCallState,
)
from beredskap.platform.db import insert_unless_present
from beredskap.register.volunteers.models import Volunteer

MAX_ATTEMPTS = 3
# Twilio's CallStatus -> our state, for the statuses that end a call.
FINAL_STATUSES = {
    "completed": VoiceCallState.COMPLETED,
    "no-answer": VoiceCallState.NO_ANSWER,
    "busy": VoiceCallState.BUSY,
    "failed": VoiceCallState.FAILED,
    "canceled": VoiceCallState.FAILED,
}
ENDED_STATES = frozenset(FINAL_STATUSES.values()) | {VoiceCallState.CANCELLED}
CONSENT_WITHDRAWN = "consent_withdrawn"
ANSWERED_BY_SMS = "answered"
NOT_OPEN = "callout_closed"
# How long a placed call holds its number for the next call to it: ringing (at most 120 s,
# BEREDSKAP_VOICE_RING_TIMEOUT_S) and the keyed answer. Bounded, so a lost status callback
# delays the next call to the number only so long.
LINE_HELD = timedelta(minutes=3)


@dataclass(frozen=True)
class CallClaim:
    """A call a worker has claimed: whom to call, and what the call says."""

    call_id: int
    to: str
    attempt_started_at: datetime
    attempts: int


def calls_of(session: Session, recipient_ids: list[int]) -> dict[int, VoiceCall]:
    """The call to each of these recipients, if one was made or is to be (for the page)."""
    if not recipient_ids:
        return {}
    rows = session.scalars(select(VoiceCall).where(VoiceCall.recipient_id.in_(recipient_ids)))
    return {row.recipient_id: row for row in rows}


def _minutes_before_call() -> ColumnElement[int | None]:
    """The minutes after a recipient's SMS before their call (module docstring)."""
    return case(
        (
            CalloutRecipient.ask_round > 0,
            func.coalesce(Callout.escalate_voice_after_min, Callout.voice_after_min),
        ),
        else_=Callout.voice_after_min,
    )


def schedule_due(session: Session, *, now: datetime, limit: int = 500) -> int:
    """Queue a call for each recipient now due one (module docstring); how many.

    The time test is in the query, so recipients not yet due never fill the `limit` ahead
    of those that are: one `sent_at` bound per distinct number of minutes the open callouts
    use (a handful), which both backends compare without date arithmetic in SQL."""
    minutes = _minutes_before_call()
    open_callout = and_(Callout.status == CalloutStatus.ACTIVE, Callout.covered_at.is_(None))
    used: set[int] = set()
    for own, escalation in session.execute(
        select(Callout.voice_after_min, Callout.escalate_voice_after_min).where(open_callout)
    ):
        used.update(value for value in (own, escalation) if value is not None)
    if not used:
        return 0
    sent_long_enough_ago = or_(
        *(
            and_(minutes == value, CalloutRecipient.sent_at <= now - timedelta(minutes=value))
            for value in sorted(used)
        )
    )
    due = session.execute(
        select(CalloutRecipient.id, CalloutRecipient.callout_id, CalloutRecipient.mobile)
        .join(Callout, Callout.id == CalloutRecipient.callout_id)
        .join(Volunteer, Volunteer.id == CalloutRecipient.volunteer_id)
        .where(
            open_callout,
            CalloutRecipient.state.in_(REACHED_STATES),
            CalloutRecipient.sent_at.is_not(None),
            CalloutRecipient.answer.is_(None),
            Volunteer.sms_consent.is_(True),
            ~exists().where(VoiceCall.recipient_id == CalloutRecipient.id),
            sent_long_enough_ago,
        )
        .order_by(CalloutRecipient.id)
        .limit(limit)
    ).all()
    queued = 0
    for row in due:
        values = {
            "callout_id": row.callout_id,
            "recipient_id": row.id,
            "mobile": row.mobile,
            "state": VoiceCallState.QUEUED.value,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        if insert_unless_present(session, VoiceCall, values, unique=["recipient_id"]):
            queued += 1
    return queued


def claim_due(session: Session, *, now: datetime, limit: int, worker: str) -> list[CallClaim]:
    """Claim up to `limit` queued calls, marked `calling` by `worker`; those no longer to be
    made (answered meanwhile, consent withdrawn, callout closed or covered) are cancelled.

    One call at a time to a number: a call to a number with another call `calling`, or placed
    less than `LINE_HELD` ago and not ended, waits (asked by two callouts at once, the second
    call would find the line busy); so a call in doubt is the only one to its number that
    Twilio's list is searched for."""
    calling = aliased(VoiceCall)
    rows = session.execute(
        select(
            VoiceCall.id,
            VoiceCall.mobile,
            VoiceCall.attempts,
            CalloutRecipient.answer,
            Callout.status,
            Callout.covered_at,
            func.coalesce(Volunteer.sms_consent, False).label("consent"),
        )
        .join(CalloutRecipient, CalloutRecipient.id == VoiceCall.recipient_id)
        .join(Callout, Callout.id == VoiceCall.callout_id)
        .outerjoin(Volunteer, Volunteer.id == CalloutRecipient.volunteer_id)
        .where(
            VoiceCall.state == VoiceCallState.QUEUED,
            ~exists().where(
                calling.mobile == VoiceCall.mobile,
                or_(
                    calling.state == VoiceCallState.CALLING,
                    and_(
                        calling.state == VoiceCallState.PLACED,
                        calling.placed_at > now - LINE_HELD,
                    ),
                ),
            ),
        )
        .order_by(VoiceCall.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=VoiceCall)
    ).all()
    claims: list[CallClaim] = []
    claimed_numbers: set[str] = set()
    for row in rows:
        if row.mobile in claimed_numbers:
            continue  # its turn comes when this batch's call to the number is placed
        reason = None
        if not row.consent:
            reason = CONSENT_WITHDRAWN
        elif row.answer is not None:
            reason = ANSWERED_BY_SMS
        elif row.status != CalloutStatus.ACTIVE or row.covered_at is not None:
            reason = NOT_OPEN
        if reason is not None:
            _set(
                session,
                row.id,
                VoiceCallState.QUEUED,
                now,
                state=VoiceCallState.CANCELLED,
                error_code=reason,
                ended_at=now,
            )
            continue
        if _set(
            session,
            row.id,
            VoiceCallState.QUEUED,
            now,
            state=VoiceCallState.CALLING,
            attempts=row.attempts + 1,
            attempt_started_at=now,
            claimed_by=worker,
        ):
            claims.append(CallClaim(row.id, row.mobile, now, row.attempts + 1))
            claimed_numbers.add(row.mobile)
    return claims


def claim_in_doubt(
    session: Session, *, now: datetime, lease: timedelta, limit: int, worker: str
) -> list[CallClaim]:
    """Calls left `calling` (untouched) longer than `lease`: to be looked up in Twilio's list.
    `updated_at` becomes this check's own lease, so another worker does not check the same
    row at once; `attempt_started_at` stays (the time to search the list from)."""
    rows = session.execute(
        select(VoiceCall.id, VoiceCall.mobile, VoiceCall.attempts, VoiceCall.attempt_started_at)
        .where(
            VoiceCall.state == VoiceCallState.CALLING,
            VoiceCall.updated_at <= now - lease,
        )
        .order_by(VoiceCall.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=VoiceCall)
    ).all()
    for row in rows:
        _set(session, row.id, VoiceCallState.CALLING, now, claimed_by=worker)
    return [CallClaim(row.id, row.mobile, row.attempt_started_at, row.attempts) for row in rows]


def unheld_sids(session: Session, sids: list[str]) -> list[str]:
    """Of `sids` (Twilio's calls to a number), those no call of ours holds yet, in order: a
    call in doubt is matched only with a call no other row has claimed."""
    if not sids:
        return []
    held = set(session.scalars(select(VoiceCall.call_sid).where(VoiceCall.call_sid.in_(sids))))
    return [sid for sid in sids if sid not in held]


def record_placed(session: Session, call_id: int, call_sid: str, *, now: datetime) -> bool:
    """Twilio took the call. Only a row still `calling` (a status callback may be first:
    then it already holds the SID and a later state)."""
    return _set(
        session,
        call_id,
        VoiceCallState.CALLING,
        now,
        state=VoiceCallState.PLACED,
        call_sid=call_sid,
        placed_at=now,
        claimed_by=None,
    )


def record_refused(session: Session, call_id: int, code: str, *, now: datetime) -> bool:
    """Twilio refused the call (a bad number, our account): not placed, not tried again."""
    return _set(
        session,
        call_id,
        VoiceCallState.CALLING,
        now,
        state=VoiceCallState.FAILED,
        error_code=code[:32],
        ended_at=now,
        claimed_by=None,
    )


def record_unknown(session: Session, call_id: int, *, now: datetime) -> bool:
    """No answer from Twilio: the row stays `calling`, let go, to be reconciled."""
    return _set(session, call_id, VoiceCallState.CALLING, now, claimed_by=None)


def record_not_found(session: Session, claim: CallClaim, *, now: datetime) -> bool:
    """Reconciled: Twilio never took the call. Queued again, or failed after MAX_ATTEMPTS."""
    if claim.attempts >= MAX_ATTEMPTS:
        return record_refused(session, claim.call_id, "not_placed", now=now)
    return _set(
        session,
        claim.call_id,
        VoiceCallState.CALLING,
        now,
        state=VoiceCallState.QUEUED,
        attempt_started_at=None,
        claimed_by=None,
    )


def record_status(
    session: Session, call_id: int, call_sid: str, status: str, error_code: str, *, now: datetime
) -> bool:
    """A status callback: the SID learnt (it may come before the worker recorded it), and a
    final status ends the call. An ended call is never changed again."""
    call = session.get(VoiceCall, call_id, with_for_update=True)
    if call is None or call.state in ENDED_STATES:
        return False
    if call.call_sid is not None and call_sid and call.call_sid != call_sid:
        return False  # another attempt's call: not this row's
    if call.call_sid is None and call_sid:
        call.call_sid = call_sid
        call.placed_at = call.placed_at or now
    final = FINAL_STATUSES.get(status)
    if final is not None:
        call.state = final
        call.ended_at = now
        call.error_code = error_code[:32] or None
    elif call.state is VoiceCallState.CALLING:
        call.state = VoiceCallState.PLACED
    call.claimed_by = None
    call.updated_at = now
    session.flush()
    return True


def _set(
    session: Session, call_id: int, expected: VoiceCallState, now: datetime, **values: object
) -> bool:
    done = session.execute(
        update(VoiceCall)
        .where(and_(VoiceCall.id == call_id, VoiceCall.state == expected))
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount)
