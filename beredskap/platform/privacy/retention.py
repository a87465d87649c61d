"""Retention, enforced: personal data older than its period is erased or deleted, table by
table, as the models declare it (`retains(...)` in a table's `info`, beside the columns'
`personal(...)`), and the audit trail's copies of personal values are overwritten after theirs.

Two actions: `delete` for logs whose rows are nothing but the message (the local SMS log,
replies received, messages outside callouts), `erase` for rows that other figures count
(callout recipients and notices: the answer and its time stay, the number and text go).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, MetaData, Table, delete, func, or_, select, update
from sqlalchemy.orm import Session

from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.privacy.declaration import PersonalTable, personal_tables
from beredskap.platform.privacy.erasure import overwrite_personal, replacement
from beredskap.platform.settings import PlatformSettings

INFO_KEY = "retention"
ERASED = "erased"


class Period(enum.StrEnum):
    """The retention periods the settings name (`BEREDSKAP_RETENTION_<PERIOD>_DAYS`)."""

    CALLOUT = "callout"
    MESSAGE_LOG = "message_log"
    AUDIT_PERSONAL = "audit_personal"
    INACTIVE_VOLUNTEER = "inactive_volunteer"
    SECURITY_LOG = "security_log"  # web sessions and failed logins


class Action(enum.StrEnum):
    DELETE = "delete"
    ERASE = "erase"


@dataclass(frozen=True)
class Retains:
    period: Period
    anchor: str  # the column whose time the period runs from
    action: Action


def retains(period: Period, anchor: str, action: Action) -> dict[str, Any]:
    """A table's `info` (in `__table_args__`): how long its personal data is kept."""
    return {INFO_KEY: Retains(period, anchor, action)}


def schedule(settings: PlatformSettings) -> dict[Period, int]:
    """Days per period, from the settings."""
    return {period: int(getattr(settings, f"retention_{period.value}_days")) for period in Period}


@dataclass(frozen=True)
class Outcome:
    period: Period
    table: str
    action: Action
    rows: int


def _retained_tables(metadata: MetaData) -> Iterator[tuple[PersonalTable, Retains]]:
    for table in personal_tables(metadata):
        rule = table.table.info.get(INFO_KEY)
        if isinstance(rule, Retains):
            yield table, rule


def _not_yet_erased(columns: tuple[Column, ...]) -> Any:
    return or_(
        *(
            column.is_not(None) if column.nullable else column != replacement(column, ERASED)
            for column in columns
        )
    )


def _apply_table(
    session: Session, table: PersonalTable, rule: Retains, cutoff: datetime, dry_run: bool
) -> int:
    target: Table = table.table
    old = target.columns[rule.anchor] < cutoff
    if rule.action is Action.DELETE:
        if dry_run:
            return int(session.scalar(select(func.count()).select_from(target).where(old)) or 0)
        return session.execute(delete(target).where(old)).rowcount or 0
    pending = (old, _not_yet_erased(table.personal))
    if dry_run:
        return int(session.scalar(select(func.count()).select_from(target).where(*pending)) or 0)
    values = {column.name: replacement(column, ERASED) for column in table.personal}
    return session.execute(update(target).where(*pending).values(values)).rowcount or 0


def _apply_audit(session: Session, metadata: MetaData, cutoff: datetime, dry_run: bool) -> int:
    """Overwrite personal values in audit entries older than `cutoff`; entries changed."""
    tables = {table.table.name: table for table in personal_tables(metadata) if table.personal}
    changed = 0
    rows = session.execute(
        select(AuditEntry.id, AuditEntry.entity, AuditEntry.before, AuditEntry.after).where(
            AuditEntry.entity.in_(sorted(tables)), AuditEntry.occurred_at < cutoff
        )
    )
    for entry_id, entity, before, after in rows.all():
        table = tables[entity]
        new_before = overwrite_personal(before, table, ERASED)
        new_after = overwrite_personal(after, table, ERASED)
        if new_before is before and new_after is after:
            continue
        changed += 1
        if not dry_run:
            session.execute(
                update(AuditEntry)
                .where(AuditEntry.id == entry_id)
                .values(before=new_before, after=new_after)
            )
    return changed


def apply_retention(
    session: Session,
    metadata: MetaData,
    days: Mapping[Period, int],
    now: datetime,
    *,
    dry_run: bool = False,
) -> list[Outcome]:
    """Erase or delete what has outlived its period; with `dry_run`, count it only."""
    outcomes = []
    for table, rule in _retained_tables(metadata):
        cutoff = now - timedelta(days=days[rule.period])
        rows = _apply_table(session, table, rule, cutoff, dry_run)
        outcomes.append(Outcome(rule.period, table.table.name, rule.action, rows))
    cutoff = now - timedelta(days=days[Period.AUDIT_PERSONAL])
    audited = _apply_audit(session, metadata, cutoff, dry_run)
    outcomes.append(Outcome(Period.AUDIT_PERSONAL, AuditEntry.__tablename__, Action.ERASE, audited))
    return outcomes
