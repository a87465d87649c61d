"""The permission rules of the register's routes (declared by its `Capability`)."""

from __future__ import annotations

from beredskap.platform.auth.models import Role
from beredskap.platform.auth.permissions import (
    ADMIN,
    ALL_ROLES,
    EQUIPMENT_EDITORS,
    INCIDENT_MAP_ROLES,
    ORGANISATION_EDITORS,
    PEOPLE_READERS,
    PERSONAL_DATA_ROLES,
    READERS,
    Rule,
)


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
    # The register.
    **_crud(
        "organisations",
        read=READERS,
        create=ADMIN,
        update=ORGANISATION_EDITORS,
        delete=ADMIN,
    ),
    # An organisation's editor confirms its record is current (own only; the route asks
    # Principal), as does the coordinator.
    "organisations.confirm": ORGANISATION_EDITORS,
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
    # Consent history names who changed it: personal data.
    "volunteers.consent": PERSONAL_DATA_ROLES,
    # Everything held about one person (an access request): the administrator answers it.
    "volunteers.export": ADMIN,
    **_crud("agreements", read=READERS, create=ADMIN, update=ADMIN, delete=ADMIN),
    "agreements.coverage": READERS,  # committed against registered: counts, no people
    # Spreadsheet imports: organisations by the admin; equipment also by an org editor, of
    # its own organisations only (the route asks Principal row by row).
    "imports.create": ORGANISATION_EDITORS,
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
    # The import page: as imports.create (the admin any kind, an org editor equipment of its
    # own organisations; the page asks Principal).
    "web.imports": ORGANISATION_EDITORS,
    "web.import_template": ORGANISATION_EDITORS,
    "web.import_preview": ORGANISATION_EDITORS,
    "web.import_confirm": ORGANISATION_EDITORS,
    # Volunteers as the API's rules: the list for the roles that read people (an org editor
    # its own organisations'), the form for the organisation editors (own members only).
    "web.volunteers": PEOPLE_READERS,
    "web.volunteer_new": ORGANISATION_EDITORS,
    "web.volunteer_create": ORGANISATION_EDITORS,
    "web.volunteer_edit": ORGANISATION_EDITORS,
    "web.volunteer_update": ORGANISATION_EDITORS,
    # Organisations and sites: the API's rules (organisations.create/update, sites.*); whose
    # organisation is asked of Principal, as the API does.
    "web.organisation_new": ADMIN,
    # Enhetsregisteret's candidates (imports/brreg.py): the admin lists and registers them.
    "web.organisation_candidates": ADMIN,
    "web.organisation_candidate_create": ADMIN,
    "web.organisation_create": ADMIN,
    "web.organisation_edit": ORGANISATION_EDITORS,
    "web.organisation_update": ORGANISATION_EDITORS,
    "web.organisation_deactivate_confirm": ORGANISATION_EDITORS,
    "web.organisation_deactivate": ORGANISATION_EDITORS,
    "web.organisation_reactivate_confirm": ORGANISATION_EDITORS,
    "web.organisation_reactivate": ORGANISATION_EDITORS,
    # Confirming the record is current: an org editor its own, the coordinator any.
    "web.organisation_confirm_page": ORGANISATION_EDITORS,
    "web.organisation_confirm": ORGANISATION_EDITORS,
    "web.sites": READERS,
    # Every inspection overdue or due soon (equipment is no personal data).
    "web.inspections": READERS,
    "web.site_new": ORGANISATION_EDITORS,
    "web.site_create": ORGANISATION_EDITORS,
    "web.municipal_site_new": ORGANISATION_EDITORS,
    "web.municipal_site_create": ORGANISATION_EDITORS,
    "web.site_edit": ORGANISATION_EDITORS,
    "web.site_update": ORGANISATION_EDITORS,
    # Agreements: the API's rules (agreements.list for all, create/update for the admin).
    "web.agreements": READERS,
    "web.agreement_new": ADMIN,
    "web.agreement_create": ADMIN,
    "web.agreement_edit": ADMIN,
    "web.agreement_update": ADMIN,
    # The record of processing, everything held about a volunteer (a read, audited) and the
    # erasure: the administrator's, as the API's privacy routes.
    "web.privacy": ADMIN,
    "web.privacy_volunteer": ADMIN,
    "web.privacy_erase": ADMIN,
    # Map pages. Volunteers appear only on the incident map, only for PERSONAL_DATA_ROLES
    # (an org editor: its own members); the overview hides contacts from the council.
    "web.map_overview": READERS,
    "web.map_incident": INCIDENT_MAP_ROLES,
    "web.map_council": READERS,
}
