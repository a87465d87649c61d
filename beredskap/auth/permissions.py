"""The role-by-route permission matrix: the one place that says who may call what.

Every route of the app has an entry, keyed by the route's name; a route without one is
refused to everybody (and fails `tests/integration/test_permission_matrix.py`). Whether an
`org_editor` may touch a particular organisation's records is decided in the routes with
`Principal.may_edit_organisation`, since it depends on the record.
"""

from __future__ import annotations

from typing import Final

from beredskap.auth.models import Role

PUBLIC: Final = "public"

ALL_ROLES = frozenset(Role)
READERS = ALL_ROLES  # the register without personal data: organisations, sites, equipment
PEOPLE_READERS = frozenset({Role.ADMIN, Role.DUTY_OFFICER, Role.ORG_EDITOR, Role.PLANNER})
ORGANISATION_EDITORS = frozenset({Role.ADMIN, Role.ORG_EDITOR})  # org_editor: own only
EQUIPMENT_EDITORS = frozenset({Role.ADMIN, Role.ORG_EDITOR, Role.DUTY_OFFICER})
ADMIN = frozenset({Role.ADMIN})
# Who runs callouts: the duty officer (vakthavende) and the administrator.
CALLOUT_ROLES = frozenset({Role.ADMIN, Role.DUTY_OFFICER})
# The incident map is an operational tool (where to send what); the council has its own map.
INCIDENT_MAP_ROLES = frozenset({Role.ADMIN, Role.DUTY_OFFICER, Role.ORG_EDITOR, Role.PLANNER})

# Who plans exercises (øvingsplanlegger) and records their lessons. Everybody reads the
# exercise calendar, evaluations (counts, no people) and what is overdue.
EXERCISE_PLANNERS = frozenset({Role.ADMIN, Role.PLANNER})

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


PERMISSIONS: dict[str, frozenset[Role] | str] = {
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
    # SMS callout: planning, and whom it asks (names and mobiles: the callout roles only).
    "callouts.create": CALLOUT_ROLES,
    "callouts.list": CALLOUT_ROLES,
    "callouts.read": CALLOUT_ROLES,
    "callouts.recipients": CALLOUT_ROLES,
    "callouts.send": CALLOUT_ROLES,
    "callouts.stop": CALLOUT_ROLES,
    # Twilio's webhooks: no login, but every request must carry Twilio's signature for our
    # public URL (alerts.webhook_signature); anything else is answered 403.
    "webhooks.twilio_sms": PUBLIC,
    "webhooks.twilio_status": PUBLIC,
    # The local SMS gateway's page (mobiles and replies) and its simulated replies.
    "web.sms_local": CALLOUT_ROLES,
    "web.sms_local_reply": CALLOUT_ROLES,
    "callouts.follow_up": CALLOUT_ROLES,
    "callouts.covered": CALLOUT_ROLES,
    "callouts.summary": CALLOUT_ROLES,
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
    # Callout pages: the duty officer's (and the administrator's) only.
    "web.callouts": CALLOUT_ROLES,
    "web.callout_new": CALLOUT_ROLES,
    "web.callout_create": CALLOUT_ROLES,
    "web.callout": CALLOUT_ROLES,
    **{
        f"web.callout_{action}{step}": CALLOUT_ROLES
        for action in ("send", "stop", "covered")
        for step in ("_confirm", "")
    },
    "web.callout_follow_up": CALLOUT_ROLES,
    # The exercise calendar and its .ics feed: titles, times, places and organisations, no
    # people, so every role. The feed also takes the caller's own feed token in its URL.
    "exercises.calendar_ics": ALL_ROLES,
    "calendar_feed.create": ALL_ROLES,
    "calendar_feed.delete": ALL_ROLES,
    "web.exercises": ALL_ROLES,
    "web.calendar_feed_create": ALL_ROLES,
    "web.calendar_feed_revoke": ALL_ROLES,
    # Exercise evaluation: everybody reads the figures (counts, no people), the report and
    # what is overdue; planners record lessons learned and the evaluation.
    "exercises.evaluation": ALL_ROLES,
    "exercises.evaluate": EXERCISE_PLANNERS,
    "exercises.observations_create": EXERCISE_PLANNERS,
    "exercises.actions_create": EXERCISE_PLANNERS,
    "exercise_actions.list": ALL_ROLES,
    "exercise_actions.update": EXERCISE_PLANNERS,
    "exercises.overdue": ALL_ROLES,
    "web.exercise_report": ALL_ROLES,
    "web.exercise_chart": ALL_ROLES,
    "web.exercise_report_pdf": ALL_ROLES,
    "web.exercises_overdue": ALL_ROLES,
    "web.exercise_observation_create": EXERCISE_PLANNERS,
    "web.exercise_action_create": EXERCISE_PLANNERS,
    "web.exercise_action_close": EXERCISE_PLANNERS,
    "web.exercise_evaluate": EXERCISE_PLANNERS,
    # Exercise planning (API and pages): planners and the administrator change, everybody
    # reads (invited volunteers by name only for PEOPLE_READERS).
    "exercises.list": ALL_ROLES,
    "exercises.read": ALL_ROLES,
    "exercises.create": EXERCISE_PLANNERS,
    "exercises.update": EXERCISE_PLANNERS,
    "exercises.cancel": EXERCISE_PLANNERS,
    "exercises.conflicts": EXERCISE_PLANNERS,
    "web.exercise_new": EXERCISE_PLANNERS,
    "web.exercise_create": EXERCISE_PLANNERS,
    "web.exercise": ALL_ROLES,
    "web.exercise_cancel_confirm": EXERCISE_PLANNERS,
    "web.exercise_cancel": EXERCISE_PLANNERS,
}


def allowed_roles(route_name: str) -> frozenset[Role] | str | None:
    """The roles allowed on a route, PUBLIC, or None when the route has no rule."""
    return PERMISSIONS.get(route_name)
