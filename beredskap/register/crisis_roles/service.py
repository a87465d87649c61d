"""The crisis roles: listed in order, created, changed and removed by the coordinator; a title
is unique (two "Ordfører" would leave the duty officer guessing)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.platform.errors import N_, ConflictError, NotFoundError
from beredskap.register.crisis_roles.models import CrisisRole


def list_roles(session: Session) -> list[CrisisRole]:
    return list(session.scalars(select(CrisisRole).order_by(CrisisRole.position, CrisisRole.title)))


def get_role(session: Session, role_id: int) -> CrisisRole:
    role = session.get(CrisisRole, role_id)
    if role is None:
        raise NotFoundError("crisis_role", role_id)
    return role


def _check_unique(session: Session, role: CrisisRole) -> None:
    clash = session.scalar(
        select(CrisisRole.id).where(CrisisRole.title == role.title, CrisisRole.id != (role.id or 0))
    )
    if clash is not None:
        raise ConflictError(
            N_("a crisis role titled %(title)s exists (id %(id)s)"), title=role.title, id=clash
        )


def create_role(session: Session, fields: dict[str, Any]) -> CrisisRole:
    role = CrisisRole(**fields)
    _check_unique(session, role)
    session.add(role)
    session.flush()
    return role


def update_role(session: Session, role: CrisisRole, changes: dict[str, Any]) -> CrisisRole:
    with session.no_autoflush:
        for name, value in changes.items():
            setattr(role, name, value)
        _check_unique(session, role)
    session.flush()
    return role


def delete_role(session: Session, role: CrisisRole) -> None:
    session.delete(role)
    session.flush()
