"""The access log keeps the path and drops the query: no calendar feed token in a log."""

from __future__ import annotations

import logging

from beredskap.platform.api.access_log import QueryRedaction


def _record(path: str) -> logging.LogRecord:
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )


def test_the_query_of_a_logged_request_is_redacted() -> None:
    record = _record("/api/v1/exercises/calendar.ics?token=bkcal_secret&organisation_id=3")
    assert QueryRedaction().filter(record)
    message = record.getMessage()
    assert "bkcal_secret" not in message
    assert '"GET /api/v1/exercises/calendar.ics?… HTTP/1.1" 200' in message


def test_a_path_without_a_query_is_logged_as_it_is() -> None:
    record = _record("/healthz")
    QueryRedaction().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /healthz HTTP/1.1" 200'
