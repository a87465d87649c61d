"""Reports as a capability: the plan's annexes drawn from the register (the ressursoversikt
first) with their routes, rules, pages and settings. It sits above exercises, whose record the
inspector's evidence pack will include."""

from __future__ import annotations

from pathlib import Path

from beredskap.platform.capability import Capability, Mount, rules_of
from reports.ressursoversikt import pages as ressursoversikt_pages
from reports.settings import ReportSettings
from reports.snapshot.jobs import JOBS as SNAPSHOT_JOBS
from reports.tilsyn import pages as tilsyn_pages
from reports.varslingsliste import pages as varslingsliste_pages

REPORTS_DIR = Path(__file__).parent

REPORTS = Capability(
    name="reports",
    routers=(
        Mount(ressursoversikt_pages.router),
        Mount(varslingsliste_pages.router),
        Mount(tilsyn_pages.router),
    ),
    rules=rules_of(ressursoversikt_pages, varslingsliste_pages, tilsyn_pages),
    templates=REPORTS_DIR / "web" / "templates",
    message_sources=(REPORTS_DIR,),
    settings=ReportSettings,
    jobs=SNAPSHOT_JOBS,
)
