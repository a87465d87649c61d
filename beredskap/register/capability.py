"""The register: organisations, equipment, volunteers, agreements, search, layers, OGC API and
maps, with their pages."""

from __future__ import annotations

from pathlib import Path

from beredskap.platform.capability import API_PREFIX, Capability, Mount, StaticFolder
from beredskap.register.addresses import models as addresses_models
from beredskap.register.addresses import routes as places_routes
from beredskap.register.agreements import models as agreements_models
from beredskap.register.agreements.routes import router as agreements_router
from beredskap.register.crisis_roles import models as crisis_roles_models
from beredskap.register.crisis_roles import routes as crisis_roles_routes
from beredskap.register.export import routes as data_export_routes
from beredskap.register.imports.routes import IMPORT_MAX_BYTES, IMPORT_PREFIX
from beredskap.register.imports.routes import router as imports_router
from beredskap.register.inventory import models as inventory_models
from beredskap.register.inventory.routes import router as inventory_router
from beredskap.register.layers.routes import router as layers_router
from beredskap.register.ogc.routes import router as ogc_router
from beredskap.register.organisations import models as organisations_models
from beredskap.register.organisations.routes import router as organisations_router
from beredskap.register.reach import routes as reach_routes
from beredskap.register.readiness import models as readiness_models
from beredskap.register.readiness import revision_pages, revision_routes
from beredskap.register.readiness import routes as readiness_routes
from beredskap.register.rules import REGISTER_RULES
from beredskap.register.search.aggregate_routes import router as aggregates_router
from beredskap.register.search.routes import router as search_router
from beredskap.register.settings import MapSettings
from beredskap.register.volunteers import models as volunteers_models
from beredskap.register.volunteers.consent_routes import router as consent_router
from beredskap.register.volunteers.export_routes import router as export_router
from beredskap.register.volunteers.retention import JOBS as VOLUNTEER_JOBS
from beredskap.register.volunteers.routes import router as volunteers_router
from beredskap.register.web import crisis_role_pages, readiness_pages, web_router
from beredskap.register.web.labels import page_filters

REGISTER_DIR = Path(__file__).parent
WEB_DIR = REGISTER_DIR / "web"

REGISTER = Capability(
    name="register",
    routers=(
        *(
            Mount(router, API_PREFIX)
            for router in (
                organisations_router,
                inventory_router,
                volunteers_router,
                consent_router,
                export_router,
                agreements_router,
                search_router,
                aggregates_router,
                imports_router,
                layers_router,
                data_export_routes.router,
                readiness_routes.router,
                revision_routes.router,
                crisis_roles_routes.router,
                places_routes.router,
                reach_routes.router,
            )
        ),
        Mount(ogc_router),
        Mount(web_router()),
        Mount(revision_pages.router),
    ),
    rules=REGISTER_RULES
    | data_export_routes.RULES
    | readiness_routes.RULES
    | revision_routes.RULES
    | crisis_roles_routes.RULES
    | crisis_role_pages.RULES
    | readiness_pages.RULES
    | places_routes.RULES
    | reach_routes.RULES,
    templates=WEB_DIR / "templates",
    template_filters=page_filters,
    static=(
        StaticFolder("/static/maps", WEB_DIR / "static" / "maps"),
        # Leaflet and its plugins (scripts/fetch_map_assets.py fills it at install).
        StaticFolder("/static/vendor", WEB_DIR / "static" / "vendor"),
    ),
    message_sources=(REGISTER_DIR,),  # pages, labels and the error codes of its domains
    settings=MapSettings,
    models=(
        organisations_models,
        inventory_models,
        volunteers_models,
        agreements_models,
        addresses_models,
        readiness_models,
        crisis_roles_models,
    ),
    jobs=VOLUNTEER_JOBS,
    dashboard_panels=(readiness_pages.readiness_panel,),
    # Spreadsheets of up to 20 MB, through the API and the import page.
    body_limits={IMPORT_PREFIX: IMPORT_MAX_BYTES, "/imports": IMPORT_MAX_BYTES},
)
