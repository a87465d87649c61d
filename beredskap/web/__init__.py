"""Server-rendered pages (Jinja2), in Norwegian bokmål by default and English on request.

Every route is named `web.*` and passes the permission matrix like the API's routes.
"""

from __future__ import annotations

from fastapi import APIRouter

from beredskap.web import auth_pages, equipment_pages, map_pages, register_pages
from beredskap.web.errors import html_error_page
from beredskap.web.i18n import WEB_DIR

STATIC_DIR = WEB_DIR / "static"

__all__ = ["STATIC_DIR", "html_error_page", "web_router"]


def web_router() -> APIRouter:
    """Every page of the web interface (left out of the OpenAPI document: it is HTML)."""
    router = APIRouter(include_in_schema=False)
    router.include_router(auth_pages.router)
    router.include_router(register_pages.router)
    router.include_router(equipment_pages.router)
    router.include_router(map_pages.router)
    return router
