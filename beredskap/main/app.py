"""The composition root of the web application."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from beredskap.main.capabilities import CAPABILITIES
from beredskap.main.settings import PlatformSettings, get_settings
from beredskap.platform.api.access_log import redact_access_log
from beredskap.platform.api.admission import DatabaseAdmission
from beredskap.platform.api.body_limit import BodyLimit
from beredskap.platform.api.problems import install_problem_handlers
from beredskap.platform.auth.permissions import declare
from beredskap.platform.capability import Capability
from beredskap.platform.deps import authorize
from beredskap.platform.runtime import Database, open_database
from beredskap.platform.web.errors import html_error_page
from beredskap.platform.web.rendering import add_pages
from beredskap.platform.web.security import SecurityHeaders, hsts_wanted

# Connections kept out of request admission besides the webhooks' lanes: the health check
# and a spare.
RESERVED_CONNECTIONS = 2
# Threads beyond the admitted requests (each uses one at a time): lanes, health, static files.
SPARE_THREADS = 16


def _admission(
    settings: PlatformSettings, database: Database, capabilities: tuple[Capability, ...]
) -> DatabaseAdmission:
    capacity = settings.database_pool_size + settings.database_max_overflow
    reserved = RESERVED_CONNECTIONS + sum(
        capability.reserved_connections(database.backend)
        for capability in capabilities
        if capability.reserved_connections is not None
    )
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


def assemble(capabilities: tuple[Capability, ...] = CAPABILITIES) -> None:
    """What every process of the app needs of the capabilities: their permission rules and
    their pages (the same again changes nothing)."""
    for capability in capabilities:
        declare(capability.rules)
        add_pages(capability.templates, capability.template_filters)


def create_app(
    settings: PlatformSettings | None = None,
    database: Database | None = None,
    capabilities: tuple[Capability, ...] = CAPABILITIES,
) -> FastAPI:
    """Build the app of the capabilities for the given settings (tests pass their own
    database)."""
    settings = settings or get_settings()
    database = database or open_database(settings)
    admission = _admission(settings, database, capabilities)
    assemble(capabilities)
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
    app.state.route_credentials = {
        route: credential
        for capability in capabilities
        for route, credential in capability.route_credentials.items()
    }
    app.state.dashboard_panels = [
        panel for capability in capabilities for panel in capability.dashboard_panels
    ]
    install_problem_handlers(app, html_error_page=html_error_page)
    # No query string (a calendar feed's token) in the access log.
    redact_access_log()
    # No body is read, parsed or authenticated before its size is known to be acceptable.
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_request_body_bytes,
        by_path_prefix={
            prefix: limit
            for capability in capabilities
            for prefix, limit in capability.body_limits.items()
        },
    )
    # Outermost: no-store and HSTS on every answer, the body limit's 413 included.
    app.add_middleware(SecurityHeaders, hsts=hsts_wanted(settings))
    # The routes called most under load first: routes are matched in order, and matching a
    # path against the hundreds below cost a sixth of a delivery receipt's CPU. Paths are
    # typed ({exercise_id:int}), so the order of the others does not matter.
    for capability in capabilities:
        for mount in capability.first:
            app.include_router(mount.router, prefix=mount.prefix)
    for capability in capabilities:
        for mount in capability.routers:
            app.include_router(mount.router, prefix=mount.prefix)
    # The most specific folders first: /static/maps before /static.
    folders = [folder for capability in capabilities for folder in capability.static]
    for folder in sorted(folders, key=lambda folder: -len(folder.url_path)):
        name = folder.url_path.strip("/").replace("/", "_")  # static, static_maps, ...
        app.mount(folder.url_path, StaticFiles(directory=folder.directory), name=name)
    return app


def serving_app() -> FastAPI:
    """The app as `beredskap serve` runs it: built, then everything made so far (modules,
    routes, compiled catalogs) frozen out of the garbage collector's full passes. Those
    passes walked that whole heap when a large answer (every agreement's readiness: 14,000
    objects) crossed the threshold, adding 160 ms to one request in five. Not in
    `create_app`: the tests build an app per test, and frozen objects are never freed."""
    app = create_app()
    gc.freeze()
    return app
