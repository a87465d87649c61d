"""Optimistic concurrency: ETag on every record, If-Match (or a body `version`) on edits.

A stale If-Match answers 412, a stale body `version` 409; a race between two requests that
both passed the check is caught by the version column (StaleDataError, answered 409).
"""

from __future__ import annotations

from fastapi import Request, Response

from beredskap.platform.api.problems import ProblemError


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def check_version(request: Request, current: int, body_version: int | None) -> None:
    """Refuse an edit made against an older version of the record."""
    header = request.headers.get("if-match")
    if header is not None and header.strip() != "*":
        tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
        if etag(current) not in tags:
            raise ProblemError(
                412,
                "Precondition failed",
                f"The record is at version {current}; your If-Match names another. "
                "Reload it and apply your change again.",
            )
    if body_version is not None and body_version != current:
        raise ProblemError(
            409,
            "Edit conflict",
            f"The record is at version {current}, you edited version {body_version}. "
            "Reload it and apply your change again.",
        )
