"""Bounded input types: every value the API accepts has a size the database can hold."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from fastapi import Path
from pydantic import AfterValidator, Field, StringConstraints

MAX_ID = 2_147_483_647  # INTEGER on both backends


def _printable(value: str) -> str:
    # PostgreSQL refuses NUL in text; other control characters are never meant in a register.
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        raise ValueError("control characters are not allowed")
    return value


def not_null(value: Any) -> Any:
    """For PATCH validators: a required field may be left out, but not set to null."""
    if value is None:
        raise ValueError("may not be null; leave the field out to keep its value")
    return value


Name = Annotated[str, StringConstraints(max_length=200), AfterValidator(_printable)]
ShortText = Annotated[str, StringConstraints(max_length=300), AfterValidator(_printable)]
LongText = Annotated[str, StringConstraints(max_length=4000), AfterValidator(_printable)]
Code = Annotated[str, StringConstraints(max_length=64), AfterValidator(_printable)]
Phone = Annotated[str, StringConstraints(max_length=32), AfterValidator(_printable)]
Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_printable)]
SearchText = Annotated[str, StringConstraints(max_length=100), AfterValidator(_printable)]
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="Record id")]
Version = Annotated[int, Field(ge=1, le=MAX_ID, description="The version you edited")]
