"""The contact checks' routes as one router for the capability: the API's under /api/v1 and
the page's, with their rules."""

from __future__ import annotations

from fastapi import APIRouter

from alerts.verification import pages, routes
from beredskap.platform.auth.permissions import Rule
from beredskap.platform.capability import API_PREFIX

router = APIRouter()
router.include_router(routes.router, prefix=API_PREFIX)
router.include_router(pages.router)
RULES: dict[str, Rule] = {**routes.RULES, **pages.RULES}
