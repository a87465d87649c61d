"""The access log without query strings: a calendar feed's token travels in its URL's query
(calendar clients cannot send a header), and no secret may reach a log."""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"


class QueryRedaction(logging.Filter):
    """Replaces the query of the logged request path with `?…` (uvicorn's access record
    carries the path with its query as the third argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, mark, _query = args[2].partition("?")
            if mark:
                record.args = (*args[:2], f"{path}?…", *args[3:])
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's access logger (once)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(existing, QueryRedaction) for existing in logger.filters):
        logger.addFilter(QueryRedaction())
