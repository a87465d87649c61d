"""Rules the two extensible catalogues share (resource types and qualification types).

Both have a unique machine `code`, Norwegian and English names and a `shipped` flag: the
shipped entries come from migrations, keep their code (the migrations find them by it), and
entries added through the API are never shipped. `label` is "resource type" or
"qualification type" (each has its own messages).
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from beredskap.platform.columns import apply_changes
from beredskap.platform.errors import N_, ConflictError, DomainValidationError


class CatalogueEntry(Protocol):
    id: Any
    code: Any
    name_nb: Any
    name_en: Any
    shipped: Any


E = TypeVar("E", bound=CatalogueEntry)


def text_matches(model: type[CatalogueEntry], text: str) -> ColumnElement[bool]:
    """Part of either name or of the code, in any case."""
    needle = text.lower()
    name_nb: InstrumentedAttribute[str] = model.name_nb
    name_en: InstrumentedAttribute[str] = model.name_en
    code: InstrumentedAttribute[str] = model.code
    return (
        func.lower(name_nb).contains(needle, autoescape=True)
        | func.lower(name_en).contains(needle, autoescape=True)
        | code.contains(needle, autoescape=True)
    )


def _check_unique_code(session: Session, entry: CatalogueEntry, label: str) -> None:
    model = type(entry)
    clash = session.scalar(
        select(model.id).where(model.code == entry.code, model.id != (entry.id or 0))
    )
    if clash is None:
        return
    if label == "resource type":
        raise ConflictError(
            N_("resource type code %(type_code)s exists already (id %(id)s)"),
            type_code=entry.code,
            id=clash,
        )
    raise ConflictError(
        N_("qualification type code %(type_code)s exists already (id %(id)s)"),
        type_code=entry.code,
        id=clash,
    )


def create_entry(session: Session, model: type[E], *, fields: dict[str, Any], label: str) -> E:
    """Add an entry of the municipality's own (never part of the shipped catalogue)."""
    entry = model(**fields, shipped=False)
    _check_unique_code(session, entry, label)
    session.add(entry)
    session.flush()
    return entry


def update_entry(session: Session, entry: E, *, changes: dict[str, Any], label: str) -> E:
    """Rename, regroup or retire an entry; shipped entries keep their code."""
    code = changes.get("code")
    if entry.shipped and code is not None and code != entry.code:
        if label == "resource type":
            raise DomainValidationError("code", N_("a shipped resource type keeps its code"))
        raise DomainValidationError("code", N_("a shipped qualification type keeps its code"))
    with session.no_autoflush:
        apply_changes(entry, changes)
        if "code" in changes:
            _check_unique_code(session, entry, label)
    session.flush()
    return entry
