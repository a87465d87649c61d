"""The role-by-route permission matrix: the one place that says who may call what.

Every route of the app has an entry, keyed by the route's name; a route without one is
refused to everybody (and fails `tests/integration/test_permission_matrix.py`). The platform's
own rules are here; each capability keeps the rules of its routes beside them and declares
them in its `Capability`, and the composition root `declare`s them as it includes the
routers. Whether an `org_editor` may touch a particular organisation's
records is decided in the routes with `Principal.may_edit_organisation`, since it depends on
the record.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from beredskap.platform.auth.models import Role

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


# The platform's own routes: health, the way in and out, and the audit trail.
PLATFORM_RULES: dict[str, Rule] = {
    "health": PUBLIC,
    "web.login_form": PUBLIC,
    "web.login": PUBLIC,
    "web.language": PUBLIC,
    "web.accessibility_statement": PUBLIC,
    "web.logout": ALL_ROLES,
    "web.session_extend": ALL_ROLES,
    "me.read": ALL_ROLES,
    "users.disable": ADMIN,
    "web.password_form": ALL_ROLES,
    "web.password_change": ALL_ROLES,
    "audit.list": ADMIN,
    # The users pages (`web/user_pages.py`).
    "web.admin_users": ADMIN,
    "web.admin_users_add": ADMIN,
    "web.admin_user": ADMIN,
    "web.admin_user_role": ADMIN,
    "web.admin_user_password": ADMIN,
    "web.admin_user_disable": ADMIN,
}


_matrix: dict[str, Rule] = dict(PLATFORM_RULES)


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
