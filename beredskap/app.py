"""The composition root of the web application."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from alerts.callouts import pages as callout_pages
from alerts.callouts import routes as callout_routes
from alerts.callouts.sending_status import panel as sending_panel
from alerts.inbound import local_sms_pages
from alerts.inbound import routes as twilio_webhooks
from beredskap import health
from beredskap.api.admission import DatabaseAdmission
from beredskap.api.problems import install_problem_handlers
from beredskap.api.router import API_PREFIX, api_router
from beredskap.auth.permissions import declare
from beredskap.deps import authorize
from beredskap.layers.routes import router as layers_router
from beredskap.ogc.routes import router as ogc_router
from beredskap.runtime import Database, open_database
from beredskap.settings import Settings, get_settings
from beredskap.web import STATIC_DIR, html_error_page, web_router
from exercises.calendar import pages as exercise_calendar_pages
from exercises.calendar import routes as exercise_calendar_routes
from exercises.calendar.feed_tokens import FEED_ROUTE, principal_from_feed_token
from exercises.evaluation import pages as exercise_report_pages
from exercises.evaluation import routes as exercise_evaluation_routes
from exercises.planning import pages as exercise_pages
from exercises.planning import routes as exercise_routes

# The modules outside the register that bring routes; each brings their rules too (RULES).
ROUTE_MODULES = (
    callout_pages,
    callout_routes,
    local_sms_pages,
    twilio_webhooks,
    exercise_calendar_pages,
    exercise_calendar_routes,
    exercise_report_pages,
    exercise_evaluation_routes,
    exercise_pages,
    exercise_routes,
)

# Connections kept out of request admission besides the webhooks' lanes: the health check
# and a spare.
RESERVED_CONNECTIONS = 2
# Threads beyond the admitted requests (each uses one at a time): lanes, health, static files.
SPARE_THREADS = 16


def _admission(settings: Settings, database: Database) -> DatabaseAdmission:
    capacity = settings.database_pool_size + settings.database_max_overflow
    reserved = twilio_webhooks.lane_connections(database.backend) + RESERVED_CONNECTIONS
    return DatabaseAdmission(
        max(1, capacity - reserved),
        wait_s=settings.request_queue_timeout_s,
        max_waiting=settings.request_queue_max,
    )


def _lifespan(
    admission: DatabaseAdmission,
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Every admitted request may be in a thread at once, and the rest still find one.
        threads = anyio.to_thread.current_default_thread_limiter()
        threads.total_tokens = max(threads.total_tokens, admission.slots + SPARE_THREADS)
        # What is loaded at start (the app, SQLAlchemy's mappers, the catalogs) lives as long
        # as the process: out of the collector's full scans, which otherwise stopped the
        # server for a tenth of a second now and then under load (measured: reply p99).
        gc.collect()
        gc.freeze()
        yield

    return lifespan


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the app for the given settings (tests pass their own database)."""
    settings = settings or get_settings()
    database = database or open_database(settings)
    admission = _admission(settings, database)
    app = FastAPI(
        lifespan=_lifespan(admission),
        title="beredskap",
        version="0.1.0",
        openapi_url="/openapi.json",
        # Swagger UI and ReDoc load scripts from CDNs; closed municipal networks have none.
        docs_url=None,
        redoc_url=None,
        # Every route passes the permission matrix; routes without a rule are refused.
        dependencies=[Depends(authorize)],
        # FastAPI's built-in OpenTelemetry spans every request, dependency and endpoint even
        # with nothing to export it to: about 7 % of a Twilio reply's cost (BENCHMARKS.md).
        telemetry={
            "tracing": False,
            "metrics": False,
            "logs": False,
            "operation_spans": False,
        },
    )
    app.state.settings = settings
    app.state.database = database
    app.state.database_admission = admission
    # The calendar feed's token (in its URL) opens that one route and nothing else.
    app.state.route_credentials = {FEED_ROUTE: principal_from_feed_token}
    # Panels other packages add to the dashboards (the SMS sending status).
    app.state.dashboard_panels = [sending_panel]
    install_problem_handlers(app, html_error_page=html_error_page)
    for module in ROUTE_MODULES:
        declare(module.RULES)
    # The routes called most under load first: routes are matched in order, and matching a
    # path against the hundreds below cost a sixth of a delivery receipt's CPU.
    app.include_router(twilio_webhooks.router)
    app.include_router(health.router)
    app.include_router(api_router())
    app.include_router(layers_router, prefix=API_PREFIX)
    app.include_router(callout_routes.router, prefix=API_PREFIX)
    # Fixed paths (/api/v1/exercises/calendar.ics): before the exercise-id routes.
    app.include_router(exercise_calendar_routes.router, prefix=API_PREFIX)
    # /exercises/overdue (API and page) before the /exercises/{exercise_id} routes.
    app.include_router(exercise_evaluation_routes.overdue_router, prefix=API_PREFIX)
    app.include_router(exercise_evaluation_routes.router, prefix=API_PREFIX)
    app.include_router(local_sms_pages.router)
    app.include_router(ogc_router)
    app.include_router(web_router())
    app.include_router(callout_pages.router)
    # Fixed paths (/exercises, /exercises/feed): before the exercise-id pages.
    app.include_router(exercise_calendar_pages.router)
    app.include_router(exercise_report_pages.overdue_router)  # before /exercises/{exercise_id}
    app.include_router(exercise_report_pages.router)
    # Exercise planning last: its /exercises/{exercise_id} paths would take any fixed path
    # (calendar.ics, overdue, ...) of another exercises router included after it.
    app.include_router(exercise_routes.router, prefix=API_PREFIX)
    app.include_router(exercise_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
