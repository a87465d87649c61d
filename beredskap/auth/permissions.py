"""The role-by-route permission matrix: the one place that says who may call what.

Every route of the app has an entry, keyed by the route's name; a route without one is
refused to everybody (and fails `tests/integration/test_permission_matrix.py`). The register's
rules are here; a package that brings routes of its own (`alerts`, `exercises`) keeps their
rules beside them (`RULES` in each router's module), and the composition root `declare`s them
as it includes the routers. Whether an `org_editor` may touch a particular organisation's
records is decided in the routes with `Principal.may_edit_organisation`, since it depends on
the record.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from beredskap.auth.models import Role

PUBLIC: Final = "public"
# A rule: the roles allowed, or PUBLIC.
Rule = frozenset[Role] | str

ALL_ROLES = frozenset(Role)
READERS = ALL_ROLES  # the register without personal data: organisations, sites, equipment
PEOPLE_READERS = frozenset({Role.ADMIN, Role.DUTY_OFFICER, Role.ORG_EDITOR, Role.PLANNER})
ORGANISATION_EDITORS = frozenset({Role.ADMIN, Role.ORG_EDITOR})  # org_editor: own only
EQUIPMENT_EDITORS = frozenset({Role.ADMIN, Role.ORG_EDITOR, Role.DUTY_OFFICER})
ADMIN = frozenset({Role.ADMIN})
# The incident map is an operational tool (where to send what); the council has its own map.
INCIDENT_MAP_ROLES = frozenset({Role.ADMIN, Role.DUTY_OFFICER, Role.ORG_EDITOR, Role.PLANNER})

# Roles that see volunteers' mobile, e-mail and home area. Planners see names and
# qualifications (to invite people to exercises), the council sees no volunteer at all.
PERSONAL_DATA_ROLES = frozenset({Role.ADMIN, Role.DUTY_OFFICER, Role.ORG_EDITOR})


def _crud(
    entity: str,
    *,
    read: frozenset[Role],
    create: frozenset[Role],
    update: frozenset[Role],
    delete: frozenset[Role],
) -> dict[str, frozenset[Role]]:
    return {
        f"{entity}.list": read,
        f"{entity}.read": read,
        f"{entity}.create": create,
        f"{entity}.update": update,
        f"{entity}.delete": delete,
    }


REGISTER_RULES: dict[str, Rule] = {
    # Infrastructure and the way in.
    "health": PUBLIC,
    "web.login_form": PUBLIC,
    "web.login": PUBLIC,
    "web.language": PUBLIC,
    "web.logout": ALL_ROLES,
    "me.read": ALL_ROLES,
    # The register.
    **_crud(
        "organisations",
        read=READERS,
        create=ADMIN,
        update=ORGANISATION_EDITORS,
        delete=ADMIN,
    ),
    **_crud(
        "sites",
        read=READERS,
        create=ORGANISATION_EDITORS,
        update=ORGANISATION_EDITORS,
        delete=ORGANISATION_EDITORS,
    ),
    **_crud("resource_types", read=READERS, create=ADMIN, update=ADMIN, delete=ADMIN),
    **_crud(
        "equipment",
        read=READERS,
        create=ORGANISATION_EDITORS,
        update=EQUIPMENT_EDITORS,
        delete=ORGANISATION_EDITORS,
    ),
    **_crud("qualification_types", read=READERS, create=ADMIN, update=ADMIN, delete=ADMIN),
    **_crud(
        "volunteers",
        read=PEOPLE_READERS,
        create=ORGANISATION_EDITORS,
        update=ORGANISATION_EDITORS,
        delete=ORGANISATION_EDITORS,
    ),
    **_crud("agreements", read=READERS, create=ADMIN, update=ADMIN, delete=ADMIN),
    "agreements.coverage": READERS,  # committed against registered: counts, no people
    "audit.list": ADMIN,
    # Spatial search: equipment is no personal data; volunteers are.
    "search.resources": READERS,
    "search.volunteers": PERSONAL_DATA_ROLES,
    # Counts per grid cell; small volunteer counts suppressed, so the council may see them.
    "aggregates.grid": READERS,
    # Map layers (GeoJSON) and OGC API - Features: the register without people; organisations'
    # 24/7 contacts only for roles that see contact details. Volunteers are never a layer.
    "layers.organisations": READERS,
    "layers.sites": READERS,
    "layers.equipment_aggregates": READERS,
    "layers.agreement_areas": READERS,
    "ogc.landing": READERS,
    "ogc.conformance": READERS,
    "ogc.collections": READERS,
    **{
        f"ogc.{collection}.{resource}": READERS
        for collection in ("organisations", "sites", "equipment_aggregates", "agreement_areas")
        for resource in ("collection", "items", "feature")
    },
    # Web pages.
    "web.dashboard": ALL_ROLES,
    "web.organisations": READERS,
    "web.organisation": READERS,
    "web.equipment_new": ORGANISATION_EDITORS,
    "web.equipment_create": ORGANISATION_EDITORS,
    "web.equipment_edit": EQUIPMENT_EDITORS,
    "web.equipment_update": EQUIPMENT_EDITORS,
    # Map pages. Volunteers appear only on the incident map, only for PERSONAL_DATA_ROLES
    # (an org editor: its own members); the overview hides contacts from the council.
    "web.map_overview": READERS,
    "web.map_incident": INCIDENT_MAP_ROLES,
    "web.map_council": READERS,
}


_matrix: dict[str, Rule] = dict(REGISTER_RULES)


def declare(rules: Mapping[str, Rule]) -> None:
    """Add a package's rules to the matrix (the composition root does, as it includes that
    package's routers). Declaring the same rules again changes nothing; a second, different
    rule for a route is refused, so no package can loosen another's."""
    for route_name, rule in rules.items():
        if _matrix.setdefault(route_name, rule) != rule:
            raise ValueError(f"two different rules for the route {route_name!r}")


def matrix() -> Mapping[str, Rule]:
    """The whole matrix as declared so far (read-only)."""
    return MappingProxyType(_matrix)


def allowed_roles(route_name: str) -> Rule | None:
    """The roles allowed on a route, PUBLIC, or None when the route has no rule."""
    return _matrix.get(route_name)
