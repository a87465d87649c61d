"""The platform's own capability: the health check, the way in and out, the audit trail."""

from __future__ import annotations

from beredskap.platform import health
from beredskap.platform.audit import models as audit_models
from beredskap.platform.audit.routes import router as audit_router
from beredskap.platform.auth import models as auth_models
from beredskap.platform.auth.permissions import PLATFORM_RULES
from beredskap.platform.auth.routes import router as auth_router
from beredskap.platform.capability import API_PREFIX, Capability, Mount, StaticFolder
from beredskap.platform.privacy import jobs as privacy_jobs
from beredskap.platform.privacy import routes as privacy_routes
from beredskap.platform.scheduling import job_store_table
from beredskap.platform.settings import PlatformSettings
from beredskap.platform.web import auth_pages, user_pages
from beredskap.platform.web.i18n import WEB_DIR

PLATFORM = Capability(
    name="platform",
    first=(Mount(health.router),),
    routers=(
        Mount(auth_router, API_PREFIX),
        Mount(audit_router, API_PREFIX),
        Mount(privacy_routes.router, API_PREFIX),
        Mount(auth_pages.router),
        Mount(user_pages.router),
    ),
    rules=PLATFORM_RULES | privacy_routes.RULES,
    templates=WEB_DIR / "templates",
    static=(StaticFolder("/static", WEB_DIR / "static"),),
    message_sources=(WEB_DIR.parent,),  # error codes too (columns, auth, api)
    settings=PlatformSettings,
    models=(audit_models, auth_models, job_store_table),
    jobs=privacy_jobs.JOBS,
)
