"""Small helpers every domain's routes share: fetch or 404."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from beredskap.platform.errors import NotFoundError

M = TypeVar("M")


def get_or_404(session: Session, model: type[M], entity_id: int, entity: str) -> M:
    """The record, or NotFoundError (answered 404)."""
    record = session.get(model, entity_id)
    if record is None:
        raise NotFoundError(entity, entity_id)
    return record
