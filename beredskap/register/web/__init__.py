"""Server-rendered pages (Jinja2), in Norwegian bokmål by default and English on request.

Every route is named `web.*` and passes the permission matrix like the API's routes.
"""

from __future__ import annotations

from fastapi import APIRouter

from beredskap.register.web import (
    agreement_pages,
    candidate_pages,
    confirm_pages,
    crisis_role_pages,
    equipment_pages,
    import_pages,
    inspection_pages,
    map_pages,
    organisation_pages,
    privacy_pages,
    readiness_pages,
    register_pages,
    volunteer_pages,
)

__all__ = ["web_router"]


def web_router() -> APIRouter:
    """Every page of the register (left out of the OpenAPI document: it is HTML)."""
    router = APIRouter(include_in_schema=False)
    router.include_router(register_pages.router)
    router.include_router(equipment_pages.router)
    router.include_router(import_pages.router)
    router.include_router(organisation_pages.router)
    router.include_router(map_pages.router)
    router.include_router(privacy_pages.router)
    router.include_router(volunteer_pages.router)
    router.include_router(candidate_pages.router)
    router.include_router(agreement_pages.router)
    router.include_router(readiness_pages.router)
    router.include_router(confirm_pages.router)
    router.include_router(inspection_pages.router)
    router.include_router(crisis_role_pages.router)
    return router
