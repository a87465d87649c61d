"""What a capability brings to the app, declared in one place of its own.

The register, `alerts` and `exercises` each define one `Capability` (in their
`capability.py`); the composition root (`beredskap.main`) lists them and assembles the app,
the permission matrix, the pages, the command line's worker and the schema from what they
declare. Adding a capability means writing its package and adding one line there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from fastapi import APIRouter
from pydantic_settings import BaseSettings

from beredskap.platform.auth.permissions import Rule
from beredskap.platform.db import Backend
from beredskap.platform.jobs import JobDefinition
from beredskap.platform.web.rendering import FilterFactory

API_PREFIX = "/api/v1"


@dataclass(frozen=True)
class Mount:
    """A router and the prefix it is included under."""

    router: APIRouter
    prefix: str = ""


@dataclass(frozen=True)
class StaticFolder:
    """A folder of static files served under a URL path (e.g. /static/maps)."""

    url_path: str
    directory: Path


@dataclass(frozen=True)
class Capability:
    name: str
    # Its routers in the order they are matched. `first` ones are matched before every other
    # capability's (the routes called most under load: webhooks, the health check).
    routers: Sequence[Mount] = ()
    first: Sequence[Mount] = ()
    # The permission rule of each of its routes, by route name (default deny elsewhere).
    rules: Mapping[str, Rule] = field(default_factory=dict)
    # Its templates folder, its template filters, its static files.
    templates: Path | None = None
    template_filters: FilterFactory | None = None
    static: Sequence[StaticFolder] = ()
    # Where its interface messages are (Python and templates), for the gettext catalogs.
    message_sources: Sequence[Path] = ()
    # Its settings section: a pydantic-settings class the app's settings are composed of.
    settings: type[BaseSettings] | None = None
    # Its scheduled jobs, run by the platform's scheduler in `beredskap worker`.
    jobs: Sequence[JobDefinition] = ()
    # Its tables (modules of models), so there is one schema and one migration history.
    models: Sequence[ModuleType] = ()
    # Panels it adds to the dashboards, and routes opened by a credential of their own.
    dashboard_panels: Sequence[Callable[..., Any]] = ()
    route_credentials: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    # Database connections its routes keep outside request admission (per backend).
    reserved_connections: Callable[[Backend], int] | None = None
    # Paths (prefixes) whose routes read a larger body than the platform's limit, and theirs.
    body_limits: Mapping[str, int] = field(default_factory=dict)


def rules_of(*modules: ModuleType) -> dict[str, Rule]:
    """The rules (`RULES`) of the modules that bring routes, in one mapping; a route with two
    different rules is refused."""
    rules: dict[str, Rule] = {}
    for module in modules:
        for route_name, rule in module.RULES.items():
            if rules.setdefault(route_name, rule) != rule:
                raise ValueError(f"two different rules for the route {route_name!r}")
    return rules
