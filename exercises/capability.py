"""Exercises as a capability: planning, the calendar and evaluation with their routes, rules,
pages, static files, settings, tables and scheduled jobs."""

from __future__ import annotations

from pathlib import Path

from beredskap.platform.capability import API_PREFIX, Capability, Mount, StaticFolder, rules_of
from exercises import models
from exercises.calendar import pages as calendar_pages
from exercises.calendar import routes as calendar_routes
from exercises.calendar.feed_tokens import FEED_ROUTE, principal_from_feed_token
from exercises.evaluation import pages as report_pages
from exercises.evaluation import routes as evaluation_routes
from exercises.planning import pages as planning_pages
from exercises.planning import routes as planning_routes
from exercises.scheduling.jobs import JOBS
from exercises.settings import ExerciseSettings

EXERCISES_DIR = Path(__file__).parent

EXERCISES = Capability(
    name="exercises",
    routers=(
        Mount(calendar_routes.router, API_PREFIX),
        Mount(evaluation_routes.overdue_router, API_PREFIX),
        Mount(evaluation_routes.router, API_PREFIX),
        Mount(planning_routes.router, API_PREFIX),
        Mount(calendar_pages.router),
        Mount(report_pages.overdue_router),
        Mount(report_pages.router),
        Mount(planning_pages.router),
    ),
    rules=rules_of(
        calendar_routes,
        evaluation_routes,
        planning_routes,
        calendar_pages,
        report_pages,
        planning_pages,
    ),
    templates=EXERCISES_DIR / "web" / "templates",
    static=(StaticFolder("/static/exercises", EXERCISES_DIR / "web" / "static" / "exercises"),),
    message_sources=(EXERCISES_DIR,),
    settings=ExerciseSettings,
    jobs=JOBS,
    models=(models,),
    # The calendar feed's token (in its URL) opens that one route and nothing else.
    route_credentials={FEED_ROUTE: principal_from_feed_token},
)
