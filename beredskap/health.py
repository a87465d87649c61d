"""GET /healthz: is the database reachable, which backend, which schema revision."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from beredskap import migrate
from beredskap.runtime import Database

router = APIRouter()


@router.get("/healthz", name="health", tags=["health"])
def healthz(request: Request) -> JSONResponse:
    """Liveness and readiness for load balancers and the docker-compose healthcheck."""
    database: Database = request.app.state.database
    body: dict[str, Any] = {"database": {"backend": database.backend}}
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision = migrate.current_revision(database.engine)
    except SQLAlchemyError:
        # Never echo the driver's message: it may contain the connection string.
        body.update(status="unavailable")
        body["database"]["reachable"] = False
        return JSONResponse(body, status_code=503)
    head = migrate.head_revision()
    body["database"].update(reachable=True, schema_revision=revision, expected_revision=head)
    body["status"] = "ok" if revision == head else "migration_pending"
    return JSONResponse(body, status_code=200 if revision == head else 503)
