"""limit/offset pagination with a total, and whitelisted sorting with a stable tiebreak."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from beredskap.platform.api.problems import ProblemError

T = TypeVar("T")
MAX_LIMIT = 500
MAX_OFFSET = 10_000_000


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class ListParams:
    limit: int
    offset: int
    sort: str | None


# async: no I/O, so it runs on the event loop instead of costing a thread-pool hop.
async def list_params(
    limit: int = Query(50, ge=1, le=MAX_LIMIT, description="Items per page"),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="Items to skip"),
    sort: str | None = Query(
        None,
        max_length=64,
        pattern=r"^-?[a-z_]+$",
        description="Field to sort by; a leading '-' sorts descending",
    ),
) -> ListParams:
    return ListParams(limit=limit, offset=offset, sort=sort)


def paginate(
    session: Session,
    statement: Select[Any],
    params: ListParams,
    *,
    sortable: dict[str, ColumnElement[Any]],
    default: str,
    tiebreak: ColumnElement[Any],
) -> tuple[list[Any], int]:
    """One page of the statement's rows and the total number of matching rows."""
    key = params.sort or default
    descending = key.startswith("-")
    column = sortable.get(key.lstrip("-"))
    if column is None:
        allowed = ", ".join(sorted(sortable))
        raise ProblemError(
            422,
            "Invalid request",
            f"cannot sort by {key.lstrip('-')!r}",
            errors=[{"field": "sort", "message": f"one of: {allowed} (prefix - to reverse)"}],
        )
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    ordered = statement.order_by(
        column.desc() if descending else column.asc(),
        tiebreak.desc() if descending else tiebreak.asc(),
    )
    rows = list(session.scalars(ordered.limit(params.limit).offset(params.offset)))
    return rows, int(total or 0)
