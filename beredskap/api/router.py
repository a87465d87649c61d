"""/api/v1: every domain's routes under one prefix."""

from __future__ import annotations

from fastapi import APIRouter

from beredskap.agreements.routes import router as agreements_router
from beredskap.audit.routes import router as audit_router
from beredskap.auth.routes import router as auth_router
from beredskap.inventory.routes import router as inventory_router
from beredskap.organisations.routes import router as organisations_router
from beredskap.search.aggregate_routes import router as aggregates_router
from beredskap.search.routes import router as search_router
from beredskap.volunteers.routes import router as volunteers_router

API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    for domain_router in (
        auth_router,
        organisations_router,
        inventory_router,
        volunteers_router,
        agreements_router,
        search_router,
        aggregates_router,
        audit_router,
    ):
        router.include_router(domain_router)
    return router
