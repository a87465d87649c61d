"""The composition root of the web application."""

from __future__ import annotations

from fastapi import FastAPI

from beredskap import health
from beredskap.runtime import Database, open_database
from beredskap.settings import Settings, get_settings


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the app for the given settings (tests pass their own database)."""
    settings = settings or get_settings()
    app = FastAPI(title="beredskap", version="0.1.0", openapi_url="/openapi.json")
    app.state.settings = settings
    app.state.database = database or open_database(settings)
    app.include_router(health.router)
    return app
