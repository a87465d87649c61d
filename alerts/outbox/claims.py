"""The SMS outbox: claiming due messages (what became of them: `recording.py`).

Three outbox tables are served: callout messages (`CalloutRecipient`, queued, of an active
callout whose need is not yet covered), later notices (`CalloutNotice`), and messages outside
any callout (`OutgoingMessage`: exercise reminders, by SMS or e-mail; `Claim.channel` says
which gateway the worker hands it to). No gateway is called here and nothing is committed:
the worker commits each step, and it commits a claim BEFORE it calls the gateway, so a
message is never sent without a trace in the database.

Order (`claim_due`): first messages of real callouts, then their notices, then first messages
of exercise callouts, then theirs, then everything else. Among callouts of a kind the free
places are shared out evenly, the older callout first with what does not divide, so a
small callout sent after a big one starts at once instead of waiting for the big one's
queue. Within a callout, in id order (nearest first, as planned).

Claiming is safe with any number of workers: on PostgreSQL the due rows are read with
`FOR UPDATE SKIP LOCKED`, so each goes to one worker; on SQLite the worker's transaction
takes the database's single write lock up front (`BEGIN IMMEDIATE`), so claims cannot
interleave there either. A claimed row is `sending`, with `attempts` counted,
`attempt_started_at` set and `claimed_by` naming the worker: the marks that let a row left in
flight be reconciled with the provider's message list (`claim_stale`, `record_reconciled`)
before any resend, as soon as its claim is in doubt (`worker_status.claim_in_doubt`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, case, exists, or_, select, update
from sqlalchemy.orm import Session

from alerts import sms_texts
from alerts.models import (
    Callout,
    CalloutNotice,
    CalloutRecipient,
    CalloutStatus,
    MessageChannel,
    OutgoingMessage,
    RecipientState,
)
from alerts.outbox.references import OUTBOX_TABLES, OutboxTable, reference_of
from alerts.outbox.worker_status import STALE_AFTER, claim_in_doubt
from beredskap.platform.privacy.erasure import is_pseudonym
from beredskap.register.volunteers.models import Volunteer

# The error code of a message not sent because its recipient had withdrawn consent.
CONSENT_WITHDRAWN = "consent_withdrawn"


@dataclass(frozen=True)
class Claim:
    """One message a worker has claimed: what to send, and which attempt of which row."""

    table: OutboxTable
    row_id: int
    reference: str
    to: str
    body: str
    attempts: int  # counting this attempt: identifies it when the result is recorded
    attempt_started_at: datetime
    channel: MessageChannel = MessageChannel.SMS
    subject: str | None = None  # e-mail only
    claimed_by: str | None = None  # a stale claim: the worker that held it (None: let go)
    # The SMS provider this attempt goes (went) to; None for e-mail and older rows.
    provider: str | None = None


@dataclass(frozen=True)
class _Due:
    """An active callout with queued messages: its id and the text its messages carry."""

    callout_id: int
    exercise: bool
    body: str


def claim_due(
    session: Session, *, now: datetime, limit: int, worker: str, provider: str | None = None
) -> list[Claim]:
    """Claim up to `limit` due messages in the order of the module docstring and mark them
    `sending` by `worker`, to go to the SMS `provider` (recorded on each SMS row with the
    claim, before any provider is called: `alerts.gateway.failover`)."""
    claims: list[Claim] = []
    callouts = _callouts_with_queued(session)
    for exercise in (False, True):
        kind = [callout for callout in callouts if callout.exercise is exercise]
        claims += _claim_fairly(session, kind, now, limit - len(claims), worker, provider)
        claims += _claim(
            session,
            CalloutNotice,
            {"exercise": exercise},
            now,
            limit - len(claims),
            worker,
            provider=provider,
        )
    claims += _claim(
        session, OutgoingMessage, {}, now, limit - len(claims), worker, provider=provider
    )
    return claims


def claim_stale(
    session: Session,
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
    stale_after: timedelta = STALE_AFTER,
    check_lease: timedelta = timedelta(seconds=60),
) -> list[Claim]:
    """Claim `sending` rows whose claim is in doubt (`worker_status.claim_in_doubt`), for
    reconciliation, whatever their callout's status: a stopped or covered callout's rows
    settle too.

    The row stays `sending` with its `attempt_started_at` (the time to search the provider's
    list from) and its `claimed_by` (whether that worker is known dead decides how soon a
    message not in the list may be sent again); `next_attempt_at` becomes the reconciler's
    own lease, so another worker does not check the same row at once, and one that dies
    checking is redone.
    """
    claims: list[Claim] = []
    for table in OUTBOX_TABLES:
        if len(claims) >= limit:
            break
        statement = _stale_select(table).where(
            table.state == RecipientState.SENDING,
            or_(table.next_attempt_at.is_(None), table.next_attempt_at <= now),
            claim_in_doubt(
                table.claimed_by,
                table.attempt_started_at,
                now=now,
                lease=lease,
                stale_after=stale_after,
            ),
        )
        found = _read(session, table, statement, limit - len(claims))
        if found:
            taken = _guarded_update(
                session,
                table,
                [claim.row_id for claim in found],
                (
                    table.state == RecipientState.SENDING,
                    or_(table.next_attempt_at.is_(None), table.next_attempt_at <= now),
                ),
                {"next_attempt_at": now + check_lease},
            )
            claims += [claim for claim in found if claim.row_id in taken]
    session.flush()
    return claims


def release(session: Session, claims: Sequence[Claim], *, worker: str) -> int:
    """Give back claims whose message was never handed to the gateway: queued again, as if
    never claimed. Only rows still `sending` by `worker`; how many."""
    released = 0
    for table in OUTBOX_TABLES:
        ids = [claim.row_id for claim in claims if claim.table is table]
        if ids:
            released += (
                session.connection()
                .execute(_RELEASE_STATEMENTS[table], {"ids": ids, "worker": worker})
                .rowcount
            )
    return released


# -- helpers ---------------------------------------------------------------------------------


_CALLOUTS_WITH_QUEUED = (
    select(Callout.id, Callout.exercise, Callout.message, Callout.code)
    .where(
        Callout.status == CalloutStatus.ACTIVE,
        Callout.covered_at.is_(None),
        exists().where(
            CalloutRecipient.callout_id == Callout.id,
            CalloutRecipient.state == RecipientState.QUEUED,
        ),
    )
    .order_by(Callout.exercise, Callout.sent_at, Callout.id)
)


def _callouts_with_queued(session: Session) -> list[_Due]:
    """Active callouts not yet covered that hold queued messages: real first, then
    exercises, each oldest first."""
    rows = session.connection().execute(_CALLOUTS_WITH_QUEUED).all()
    return [
        _Due(
            int(row.id),
            bool(row.exercise),
            sms_texts.callout_message(row.message, code=row.code, exercise=bool(row.exercise)),
        )
        for row in rows
    ]


def _claim_fairly(
    session: Session,
    callouts: list[_Due],
    now: datetime,
    room: int,
    worker: str,
    provider: str | None = None,
) -> list[Claim]:
    """`room` places shared out evenly among `callouts` (see the module docstring)."""
    claims: list[Claim] = []
    waiting = list(callouts)
    while room > 0 and waiting:
        share = -(-room // len(waiting))  # ceiling: the older ones take what does not divide
        more = []
        for callout in waiting:
            wanted = min(share, room)
            if wanted <= 0:
                break
            got = _claim(
                session,
                CalloutRecipient,
                {"callout_id": callout.callout_id},
                now,
                wanted,
                worker,
                callout.body,
                provider,
            )
            claims += got
            room -= len(got)
            if len(got) == wanted:
                more.append(callout)
        waiting = more
    return claims


def _due(table: OutboxTable, now: Any) -> Select[Any]:
    return _columns(table).where(
        table.state == RecipientState.QUEUED,
        or_(table.next_attempt_at.is_(None), table.next_attempt_at <= now),
    )


def _columns(table: OutboxTable) -> Select[Any]:
    """The row's id, number, attempts, attempt start and claimer, and its body if stored."""
    common = (table.id, table.attempts, table.attempt_started_at, table.claimed_by, table.provider)
    if table is CalloutRecipient:
        return select(*common, CalloutRecipient.mobile)
    if table is OutgoingMessage:
        return select(
            *common,
            OutgoingMessage.to.label("mobile"),
            OutgoingMessage.body,
            OutgoingMessage.channel,
            OutgoingMessage.subject,
        )
    return select(*common, CalloutNotice.mobile, CalloutNotice.body)


def _stale_select(table: OutboxTable) -> Select[Any]:
    """As `_columns`, with a callout message's text (of a callout in any status)."""
    if table is not CalloutRecipient:
        return _columns(table)
    return (
        _columns(table)
        .add_columns(Callout.message, Callout.code, Callout.exercise)
        .join(Callout, Callout.id == CalloutRecipient.callout_id)
    )


def _read(
    session: Session,
    table: OutboxTable,
    statement: Select[Any],
    limit: int,
    body: str | None = None,
) -> list[Claim]:
    rows = session.execute(
        statement.order_by(table.id).limit(limit).with_for_update(skip_locked=True, of=table)
    ).all()
    return _claims_of(table, rows, body)


def _claims_of(table: OutboxTable, rows: Sequence[Any], body: str | None) -> list[Claim]:
    other = table is OutgoingMessage
    claims = []
    for row in rows:
        text = body
        if text is None:
            mapping = row._mapping
            text = (
                sms_texts.callout_message(
                    mapping["message"], code=mapping["code"], exercise=bool(mapping["exercise"])
                )
                if "message" in mapping
                else mapping["body"]
            )
        claims.append(
            Claim(
                table=table,
                row_id=row.id,
                reference=reference_of(table, row.id),
                to=row.mobile,
                body=text,
                attempts=row.attempts,
                attempt_started_at=row.attempt_started_at,
                channel=MessageChannel(row.channel) if other else MessageChannel.SMS,
                subject=row.subject if other else None,
                claimed_by=row.claimed_by,
                provider=row.provider,
            )
        )
    return claims


def _due_statement(table: OutboxTable) -> Select[Any]:
    """A table's due rows in id order, at most `limit`, locked and skipped if locked."""
    statement = _due(table, bindparam("now"))
    if table is CalloutRecipient:
        statement = statement.where(CalloutRecipient.callout_id == bindparam("callout_id"))
    elif table is CalloutNotice:
        statement = statement.where(
            CalloutNotice.callout_id.in_(
                select(Callout.id).where(Callout.exercise == bindparam("exercise"))
            )
        )
    return (
        statement.order_by(table.id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True, of=table)
    )


def _claim_statement(table: OutboxTable) -> Any:
    provider: Any = bindparam("provider")
    if table is OutgoingMessage:  # e-mail goes to no SMS provider
        provider = case((OutgoingMessage.channel == MessageChannel.SMS, provider), else_=None)
    return (
        update(table)
        .where(table.id.in_(bindparam("ids", expanding=True)), table.state == RecipientState.QUEUED)
        .values(
            state=RecipientState.SENDING,
            attempts=table.attempts + 1,
            attempt_started_at=bindparam("now"),
            next_attempt_at=None,
            claimed_by=bindparam("worker"),
            provider=provider,
            updated_at=bindparam("now"),
        )
        .returning(table.id)
        .execution_options(synchronize_session=False)
    )


def _release_statement(table: OutboxTable) -> Any:
    return (
        update(table)
        .where(
            table.id.in_(bindparam("ids", expanding=True)),
            table.state == RecipientState.SENDING,
            table.claimed_by == bindparam("worker"),
        )
        .values(
            state=RecipientState.QUEUED,
            attempts=table.attempts - 1,
            attempt_started_at=None,
            claimed_by=None,
            provider=None,
        )
    )


def _withdrawn_statement(address: Any) -> Any:
    """The numbers (or e-mail addresses), among those given, of volunteers who have withdrawn
    their consent (a STOP, or staff on their word)."""
    return select(address).where(
        address.in_(bindparam("addresses", expanding=True)), Volunteer.sms_consent.is_(False)
    )


def _cancel_statement(table: OutboxTable) -> Any:
    return (
        update(table)
        .where(table.id.in_(bindparam("ids", expanding=True)), table.state == RecipientState.QUEUED)
        .values(
            state=RecipientState.CANCELLED,
            error_code=CONSENT_WITHDRAWN,
            error_reason="consent withdrawn before it was sent",
            next_attempt_at=None,
            updated_at=bindparam("now"),
        )
        .execution_options(synchronize_session=False)
    )


# Built once with bound parameters: a worker claims every few milliseconds, and building and
# cache-keying these statements cost more than running them.
_WITHDRAWN = {
    MessageChannel.SMS: _withdrawn_statement(Volunteer.mobile),  # unique: indexed
    MessageChannel.EMAIL: _withdrawn_statement(Volunteer.email),  # reminders only
}
_CANCEL_STATEMENTS = {table: _cancel_statement(table) for table in OUTBOX_TABLES}
_DUE_STATEMENTS = {table: _due_statement(table) for table in OUTBOX_TABLES}
_CLAIM_STATEMENTS = {table: _claim_statement(table) for table in OUTBOX_TABLES}
_RELEASE_STATEMENTS = {table: _release_statement(table) for table in OUTBOX_TABLES}


def _claim(
    session: Session,
    table: OutboxTable,
    parameters: dict[str, Any],
    now: datetime,
    limit: int,
    worker: str,
    body: str | None = None,
    provider: str | None = None,
) -> list[Claim]:
    """Claim up to `limit` due rows of `table` (`parameters`: the callout or the kind), to go
    to `provider` if SMS."""
    if limit <= 0:
        return []
    # On the connection, not the session: these are Core statements, and the ORM's execution
    # layer around them cost as much as running them.
    connection = session.connection()
    rows = connection.execute(
        _DUE_STATEMENTS[table], {**parameters, "now": now, "limit": limit}
    ).all()
    found = _claims_of(table, rows, body)
    if not found:
        return []
    found = _without_withdrawn_consent(connection, table, found, now)
    if not found:
        return []
    taken = set(
        connection.scalars(
            _CLAIM_STATEMENTS[table],
            {
                "ids": [claim.row_id for claim in found],
                "now": now,
                "worker": worker,
                "provider": provider,
            },
        )
    )
    return [
        replace(
            claim,
            attempts=claim.attempts + 1,
            attempt_started_at=now,
            claimed_by=worker,
            provider=provider if claim.channel is MessageChannel.SMS else None,
        )
        for claim in found
        if claim.row_id in taken
    ]


def _without_withdrawn_consent(
    connection: Any, table: OutboxTable, found: list[Claim], now: datetime
) -> list[Claim]:
    """Consent is checked when a message is sent, whatever queued it and whenever: a row
    for someone who has withdrawn it since is cancelled, not sent (a notice queued after a
    STOP, a reminder, an escalation), and so is one for someone erased meanwhile. One
    indexed lookup of the batch's addresses."""
    # An erased person's queued messages carry the pseudonym instead of an address.
    withdrawn: set[str] = {claim.to for claim in found if is_pseudonym(claim.to)}
    for channel, statement in _WITHDRAWN.items():
        addresses = sorted({claim.to for claim in found if claim.channel is channel})
        if addresses:
            withdrawn.update(connection.scalars(statement, {"addresses": addresses}))
    if not withdrawn:
        return found
    connection.execute(
        _CANCEL_STATEMENTS[table],
        {"ids": [claim.row_id for claim in found if claim.to in withdrawn], "now": now},
    )
    return [claim for claim in found if claim.to not in withdrawn]


def _guarded_update(
    session: Session,
    table: OutboxTable,
    ids: list[int],
    still: tuple[ColumnElement[bool], ...],
    values: dict[str, Any],
) -> set[int]:
    """Update the rows that still qualify; their ids. The rows are locked (PostgreSQL) or
    the database is (SQLite), so this is all of them: the condition is a second guard,
    should a caller ever claim in a transaction that did not declare its write intent."""
    return set(
        session.scalars(
            update(table)
            .where(table.id.in_(ids), *still)
            .values(**values)
            .returning(table.id)
            .execution_options(synchronize_session=False)
        )
    )
