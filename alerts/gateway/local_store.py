"""The local gateway's messages in the `local_sms` table, so the demo can show them on a page.

`record` commits in a short transaction of its own, as a provider's acceptance is durable
before it answers: the worker records the result afterwards, and a worker killed between
the two finds the message again through `sent_to` when it reconciles.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from alerts.gateway.local_gateway import LocalMessage
from alerts.gateway.port import MessageStatus
from alerts.models import LocalSms
from beredskap.platform.db import declare_write_intent


class DatabaseLocalMessageStore:
    """A `LocalMessageStore` on the `local_sms` table; thread-safe (a session per call)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record(self, message: LocalMessage) -> LocalMessage:
        with self._sessions() as session:
            # Before the first statement: on SQLite the read below then holds the write lock,
            # so no other writer slips in between it and the insert.
            declare_write_intent(session)
            existing = self._by_reference(session, message.reference)
            if existing is not None:
                return existing
            session.add(
                LocalSms(
                    provider_id=message.provider_id,
                    reference=message.reference,
                    to=message.to,
                    body=message.body,
                    status=message.status.value,
                    created_at=message.created_at,
                )
            )
            try:
                session.commit()
            except IntegrityError:
                # Another sender recorded the same reference first: answer with its message.
                session.rollback()
                existing = self._by_reference(session, message.reference)
                if existing is None:
                    raise
                return existing
        return message

    def sent_to(self, to: str, since: datetime) -> list[LocalMessage]:
        with self._sessions() as session:
            rows = session.scalars(
                select(LocalSms)
                .where(LocalSms.to == to, LocalSms.created_at >= since)
                .order_by(LocalSms.created_at.desc(), LocalSms.id.desc())
            ).all()
            return [_message(row) for row in rows]

    def recent(self, limit: int = 200) -> list[LocalMessage]:
        """The newest messages, for the page that shows what would have been sent."""
        with self._sessions() as session:
            rows = session.scalars(
                select(LocalSms)
                .order_by(LocalSms.created_at.desc(), LocalSms.id.desc())
                .limit(limit)
            ).all()
            return [_message(row) for row in rows]

    @staticmethod
    def _by_reference(session: Session, reference: str) -> LocalMessage | None:
        row = session.scalars(select(LocalSms).where(LocalSms.reference == reference)).first()
        return _message(row) if row is not None else None


def _message(row: LocalSms) -> LocalMessage:
    return LocalMessage(
        provider_id=row.provider_id,
        reference=row.reference,
        to=row.to,
        body=row.body,
        created_at=row.created_at,
        status=MessageStatus.parse(row.status),
    )
