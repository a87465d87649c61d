"""Small helpers every domain's routes share: fetch or 404, apply a validated patch."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from beredskap.errors import NotFoundError

M = TypeVar("M")


def get_or_404(session: Session, model: type[M], entity_id: int, entity: str) -> M:
    """The record, or NotFoundError (answered 404)."""
    record = session.get(model, entity_id)
    if record is None:
        raise NotFoundError(entity, entity_id)
    return record


def apply_changes(record: Any, changes: dict[str, Any]) -> None:
    """Set each changed field; the model's validators refuse bad values with the field name."""
    for field, value in changes.items():
        setattr(record, field, value)
