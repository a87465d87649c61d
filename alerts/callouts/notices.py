"""Later messages to those a callout asked: a follow-up to who said yes, and "the need is
covered" to those who said yes or have not answered (not to those who said no). Queued as
CalloutNotice rows for the worker. Flushes, never commits.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.orm import Session

from alerts import sms_texts
from alerts.callouts.service import yes_count, yes_per_need
from alerts.models import (
    REACHED_STATES,
    Answer,
    Callout,
    CalloutNeed,
    CalloutNotice,
    CalloutRecipient,
    CalloutStatus,
    NoticeKind,
    RecipientState,
)
from beredskap.platform.columns import utcnow
from beredskap.platform.errors import N_, ConflictError, DomainValidationError

_NEEDS_TOTAL = select(func.sum(CalloutNeed.count)).where(
    CalloutNeed.callout_id == bindparam("callout_id")
)


def _require_sent(callout: Callout) -> None:
    if callout.status == CalloutStatus.DRAFT:
        raise ConflictError(N_("the callout has not been sent"))


def follow_up(session: Session, callout: Callout, text: str) -> int:
    """Queue `text` to everyone who said yes ("Oppmøte ved ..."); how many it goes to."""
    _require_sent(callout)
    if not text.strip():
        raise DomainValidationError("message", N_("write the follow-up"))
    body = sms_texts.follow_up_message(
        text, code=callout.code, title=callout.title, exercise=callout.exercise
    )
    recipients = session.scalars(
        select(CalloutRecipient).where(
            CalloutRecipient.callout_id == callout.id, CalloutRecipient.answer == Answer.YES
        )
    ).all()
    if not recipients:
        raise ConflictError(N_("nobody has said yes yet"))
    for recipient in recipients:
        session.add(_notice(callout, recipient, NoticeKind.FOLLOW_UP, body))
    session.flush()
    return len(recipients)


def thank_others(session: Session, callout: Callout) -> int:
    """The need is covered: tell those asked who have not answered that they need not come,
    and those who said yes that it is covered; never those who said no. Cancel messages not
    yet sent and any pending escalation. Once per callout, however many call it at once."""
    _require_sent(callout)
    now = utcnow()
    # One conditional UPDATE decides who tells them, so two simultaneous last "JA" replies
    # cannot send the thanks twice.
    claimed = session.execute(
        update(Callout)
        .where(Callout.id == callout.id, Callout.covered_at.is_(None))
        .values(
            covered_at=now,
            escalation_due_at=None,
            version=Callout.version + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    session.expire(callout)
    if claimed != 1:
        raise ConflictError(N_("the others have already been told the need is covered"))
    session.execute(
        update(CalloutRecipient)
        .where(
            CalloutRecipient.callout_id == callout.id,
            CalloutRecipient.state == RecipientState.QUEUED,
        )
        .values(state=RecipientState.CANCELLED, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    texts = {
        None: sms_texts.covered_message(
            code=callout.code, title=callout.title, exercise=callout.exercise
        ),
        Answer.YES: sms_texts.covered_yes_message(
            code=callout.code, title=callout.title, exercise=callout.exercise
        ),
    }
    already_told = exists().where(
        CalloutNotice.recipient_id == CalloutRecipient.id,
        CalloutNotice.kind == NoticeKind.COVERED,
    )
    # Those who have not answered need not come, and those who said yes learn the need is
    # covered (and that they still come); those who said no asked for nothing more.
    others = session.scalars(
        select(CalloutRecipient).where(
            CalloutRecipient.callout_id == callout.id,
            CalloutRecipient.state.in_(REACHED_STATES),
            (CalloutRecipient.answer.is_(None)) | (CalloutRecipient.answer == Answer.YES),
            ~already_told,
        )
    ).all()
    for recipient in others:
        session.add(_notice(callout, recipient, NoticeKind.COVERED, texts[recipient.answer]))
    session.flush()
    return len(others)


# As many said yes as the callout wants in all (the count it names, else its needs' sum):
# what a yes must reach before the needs themselves are counted.
_ENOUGH_YES = select(
    select(func.count())
    .where(
        CalloutRecipient.callout_id == bindparam("callout_id"),
        CalloutRecipient.answer == Answer.YES,
    )
    .scalar_subquery()
    >= func.coalesce(
        Callout.wanted,
        select(func.sum(CalloutNeed.count))
        .where(CalloutNeed.callout_id == bindparam("callout_id"))
        .scalar_subquery(),
    )
).where(Callout.id == bindparam("callout_id"))


def may_be_covered(session: Session, callout_id: int) -> bool:
    """After a yes, cheaply: enough said yes in all for the need to be covered? Only then is
    the callout loaded and each need counted (`thank_others_if_covered`); most replies stop
    here, in one statement."""
    found = session.connection().execute(_ENOUGH_YES, {"callout_id": callout_id}).scalar()
    return bool(found)


def is_covered(session: Session, callout: Callout, on: date) -> bool:
    """Enough said yes: as many as wanted in all, and each need met."""
    wanted = callout.wanted
    if wanted is None:  # the sum of the needs, without loading them
        wanted = int(session.scalar(_NEEDS_TOTAL, {"callout_id": callout.id}) or 0)
    if yes_count(session, callout.id) < wanted:
        return False
    said_yes = yes_per_need(session, [callout.id], on)[callout.id]
    return all(said_yes.get(need.qualification_type_id, 0) >= need.count for need in callout.needs)


def thank_others_if_covered(session: Session, callout: Callout, on: date) -> int:
    """After a yes: if the callout wants it and the need is now covered, tell the others.
    How many were told (0 when not covered, not wanted, or done already)."""
    if (
        not callout.thank_when_covered
        or callout.status != CalloutStatus.ACTIVE
        or callout.covered_at is not None
        or not is_covered(session, callout, on)
    ):
        return 0
    try:
        return thank_others(session, callout)
    except ConflictError:  # another reply got there first
        return 0


def _notice(
    callout: Callout, recipient: CalloutRecipient, kind: NoticeKind, body: str
) -> CalloutNotice:
    return CalloutNotice(
        callout_id=callout.id,
        recipient_id=recipient.id,
        kind=kind,
        mobile=recipient.mobile,
        body=body,
        state=RecipientState.QUEUED,
    )
