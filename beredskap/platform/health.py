"""GET /healthz: is the database reachable, which backend, which schema revision.

Load balancers and the duty officer's monitoring ask often, and most of all when the server
is under load. So the check takes no place in the requests' admission to the database and
at most one is run at a time: every caller waiting meanwhile gets that check's answer, and
an answer less than `FRESH_S` old is given as it is. A check that hangs (a database that
accepts connections but does not answer) is answered 503 after `CHECK_TIMEOUT_S`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from beredskap.platform import migrate
from beredskap.platform.runtime import Database

FRESH_S = 1.0
CHECK_TIMEOUT_S = 5.0

router = APIRouter()


@dataclass(frozen=True)
class _Check:
    at: float
    revision: str | None
    reachable: bool


def _check(database: Database) -> _Check:
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            revision = migrate.current_revision(connection)
    except SQLAlchemyError:
        return _Check(time.monotonic(), None, reachable=False)
    return _Check(time.monotonic(), revision, reachable=True)


async def _latest(request: Request) -> _Check | None:
    """A fresh check, sharing one in flight; None when it did not answer in time."""
    state = request.app.state
    last: _Check | None = getattr(state, "health_check", None)
    if last is not None and time.monotonic() - last.at < FRESH_S:
        return last
    running: asyncio.Future[_Check] | None = getattr(state, "health_check_running", None)
    if running is None or running.done() or running.get_loop() is not asyncio.get_running_loop():
        running = asyncio.ensure_future(run_in_threadpool(_check, state.database))
        state.health_check_running = running
    try:
        found = await asyncio.wait_for(asyncio.shield(running), CHECK_TIMEOUT_S)
    except TimeoutError:
        return None
    state.health_check = found
    return found


@router.get("/healthz", name="health", tags=["health"])
async def healthz(request: Request) -> JSONResponse:
    """Liveness and readiness for load balancers and the docker-compose healthcheck."""
    database: Database = request.app.state.database
    body: dict[str, Any] = {"database": {"backend": database.backend}}
    check = await _latest(request)
    if check is None or not check.reachable:
        # Never echo the driver's message: it may contain the connection string.
        body.update(status="unavailable")
        body["database"]["reachable"] = False
        return JSONResponse(body, status_code=503)
    head = migrate.head_revision()
    body["database"].update(reachable=True, schema_revision=check.revision, expected_revision=head)
    body["status"] = "ok" if check.revision == head else "migration_pending"
    return JSONResponse(body, status_code=200 if check.revision == head else 503)
