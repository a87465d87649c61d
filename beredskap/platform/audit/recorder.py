"""Writes audit entries for every flushed insert, update and delete of an `Audited` model.

Installed once on SQLAlchemy's `Session` class, so every ORM session of the process is
audited, whichever factory made it, and no endpoint, CLI command or job writes audit rows
by hand. The actor comes from `session.info["actor"]` (set by whoever opens the unit of
work). Bulk Core statements bypass the ORM and so this recorder; only the benchmark seeder
uses them, and it writes one summary entry itself.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from typing import Any

from geoalchemy2 import WKBElement, WKTElement
from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import NO_VALUE

from beredskap.platform.audit.models import Audited, AuditEntry
from beredskap.platform.columns import utcnow

SYSTEM_ACTOR = "system"
# Bookkeeping columns: every update changes them, so they add nothing to a diff.
_NOT_DIFFED = frozenset({"updated_at", "created_at", "version"})


def json_value(value: Any) -> Any:
    """A JSON-safe form of a column value (geometries as GeoJSON)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (WKBElement, WKTElement)):
        return mapping(to_shape(value))
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_value(v) for v in value]
    return str(value)


def _excluded(obj: Any) -> frozenset[str]:
    """Columns a model keeps out of the trail (secrets, and timestamps of mere use)."""
    return frozenset(getattr(obj, "__audit_exclude__", ()))


def _snapshot(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    excluded = _excluded(obj)
    return {
        attr.key: json_value(state.attrs[attr.key].loaded_value)
        for attr in state.mapper.column_attrs
        if attr.key not in excluded and state.attrs[attr.key].loaded_value is not NO_VALUE
    }


def _changes(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    skipped = _NOT_DIFFED | _excluded(obj)
    for attr in state.mapper.column_attrs:
        if attr.key in skipped:
            continue
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        old = json_value(history.deleted[0]) if history.deleted else None
        new = json_value(history.added[0]) if history.added else None
        if old != new:
            before[attr.key] = old
            after[attr.key] = new
    return before, after


def _entity_id(obj: Any) -> str:
    # Read the key from the row itself: a new object has no identity key until after the flush.
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return ",".join(str(part) for part in key)


def _after_flush(session: Session, _context: Any) -> None:
    actor = str(session.info.get("actor") or SYSTEM_ACTOR)
    now = utcnow()
    rows: list[dict[str, Any]] = []

    def record(obj: Any, action: str, before: Any, after: Any) -> None:
        rows.append(
            {
                "occurred_at": now,
                "actor": actor,
                "entity": obj.__tablename__,
                "entity_id": _entity_id(obj),
                "action": action,
                "before": before,
                "after": after,
            }
        )

    for obj in session.new:
        if isinstance(obj, Audited):
            record(obj, "insert", None, _snapshot(obj))
    for obj in session.dirty:
        if isinstance(obj, Audited) and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj)
            if after:
                record(obj, "update", before, after)
    for obj in session.deleted:
        if isinstance(obj, Audited):
            record(obj, "delete", _snapshot(obj), None)
    if rows:
        # Core insert on the flushing connection: same transaction, no re-entrant flush.
        session.connection().execute(insert(AuditEntry), rows)


def install_audit_trail() -> None:
    """Record every change made through any ORM session of this process (idempotent).

    Listening on the `Session` class rather than on each sessionmaker: the event registry
    keys targets by id(), so `event.contains` on a new sessionmaker can answer for a
    collected one and leave the new factory unaudited.
    """
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
