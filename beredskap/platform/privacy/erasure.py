"""Erasing a person: every declared personal value in the rows that identify them is
overwritten (texts emptied, numbers and addresses replaced by the pseudonym, optional values
cleared), in every table and in the audit trail's before/after copies. Rows themselves stay,
so counts, answer times and who-changed-what-when stay true: the person becomes
`volunteer#<id>`.

Core UPDATEs, not the ORM: a callout to hundreds must not load hundreds of objects, and the
audit listener must not copy the values being erased into new audit rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, MetaData, String, Text, or_, select, update
from sqlalchemy.orm import Session

from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.privacy.declaration import PersonalTable, personal_tables

PSEUDONYM_PREFIX = "volunteer#"


@dataclass(frozen=True)
class Subject:
    """A person to erase: their id and the values that identify them elsewhere."""

    id: int
    keys: Mapping[str, Any]  # SUBJECT_ID, MOBILE, EMAIL -> value (None where unknown)

    @property
    def pseudonym(self) -> str:
        return f"{PSEUDONYM_PREFIX}{self.id}"


def is_pseudonym(value: str) -> bool:
    return value.startswith(PSEUDONYM_PREFIX)


def replacement(column: Column, pseudonym: str) -> Any:
    """What an erased value becomes: nothing where the column allows it, else an empty text
    or the pseudonym."""
    if column.nullable:
        return None
    if isinstance(column.type, Text):
        return ""
    if isinstance(column.type, String):
        return pseudonym[: column.type.length or len(pseudonym)]
    raise TypeError(f"{column} is personal data, NOT NULL and neither text nor a string")


def _replacement(column: Column, subject: Subject) -> Any:
    return replacement(column, subject.pseudonym)


def matching(table: PersonalTable, subject: Subject) -> list[Any]:
    """Conditions finding the subject's rows in `table` (any of them)."""
    return [
        column == subject.keys[key]
        for column, keys in table.links
        for key in keys
        if subject.keys.get(key) is not None
    ]


def erase_rows(session: Session, metadata: MetaData, subject: Subject) -> dict[str, int]:
    """Overwrite the subject's personal values in every declared table; rows per table."""
    erased: dict[str, int] = {}
    for table in personal_tables(metadata):
        conditions = matching(table, subject)
        if not conditions or not table.personal:
            continue
        values = {column.name: _replacement(column, subject) for column in table.personal}
        result = session.execute(update(table.table).where(or_(*conditions)).values(values))
        erased[table.table.name] = result.rowcount or 0
    erased["audit_log"] = erase_audit_copies(session, metadata, subject)
    return erased


def overwrite_personal(
    values: dict[str, Any] | None, table: PersonalTable, pseudonym: str
) -> dict[str, Any] | None:
    """An audit copy (`before` or `after`) with `table`'s personal values replaced; the same
    object when none is left to replace."""
    if not values:
        return values
    columns = {column.key: column for column in table.personal}
    changed = {
        key: replacement(columns[key], pseudonym)
        for key, value in values.items()
        if key in columns and value != replacement(columns[key], pseudonym)
    }
    return values | changed if changed else values


def _about(values: dict[str, Any] | None, table: PersonalTable, subject: Subject) -> bool:
    return bool(values) and any(
        values.get(column.key) == subject.keys.get(key)
        for column, keys in table.links
        for key in keys
        if subject.keys.get(key) is not None
    )


def erase_audit_copies(session: Session, metadata: MetaData, subject: Subject) -> int:
    """Overwrite the subject's personal values kept in audit entries (who changed what and
    when stays)."""
    changed = 0
    for table in personal_tables(metadata):
        if not table.personal or not table.links:
            continue
        query = select(AuditEntry.id, AuditEntry.before, AuditEntry.after).where(
            AuditEntry.entity == table.table.name
        )
        # The subject's own table: its entries are found by id (an update's diff holds only
        # what changed, not the id).
        own = table.keyed_by_subject
        if own:
            query = query.where(AuditEntry.entity_id == str(subject.id))
        for entry_id, before, after in session.execute(query).all():
            if not (own or _about(before, table, subject) or _about(after, table, subject)):
                continue
            new_before = overwrite_personal(before, table, subject.pseudonym)
            new_after = overwrite_personal(after, table, subject.pseudonym)
            if new_before is not before or new_after is not after:
                session.execute(
                    update(AuditEntry)
                    .where(AuditEntry.id == entry_id)
                    .values(before=new_before, after=new_after)
                )
                changed += 1
    return changed
