"""Interface labels of the register's enum values and units, translated via the catalogs."""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from babel.support import Translations

from beredskap.platform.auth.models import Role
from beredskap.platform.web.i18n import in_context
from beredskap.register.agreements.models import AgreementStatus, AgreementTask
from beredskap.register.inventory.models import Capability, EquipmentStatus
from beredskap.register.organisations.models import OrganisationCategory, SiteKind
from beredskap.register.readiness.coverage import Reason
from beredskap.register.readiness.ready import InspectionState, inspection_state
from beredskap.register.volunteers.models import Availability

# By enum class first: members of different StrEnums with the same value are equal.
LABELS: dict[type[enum.Enum], dict[Any, tuple[str, str]]] = {
    OrganisationCategory: {
        OrganisationCategory.FIRST_AID_CORPS: in_context("category", "First aid corps"),
        OrganisationCategory.HEALTH_ASSOCIATION: in_context("category", "Health association"),
        OrganisationCategory.RESCUE_DOGS: in_context("category", "Rescue dogs"),
        OrganisationCategory.SEA_RESCUE: in_context("category", "Sea rescue"),
        OrganisationCategory.VOLUNTEER_CENTRE: in_context("category", "Volunteer centre"),
        OrganisationCategory.SPORTS_CLUB: in_context("category", "Sports club"),
        OrganisationCategory.SCOUTS: in_context("category", "Scouts"),
        OrganisationCategory.HUNTERS_AND_ANGLERS: in_context("category", "Hunters and anglers"),
        OrganisationCategory.AMATEUR_RADIO: in_context("category", "Amateur radio"),
        OrganisationCategory.MOTOR_CLUB: in_context("category", "Motor club"),
        OrganisationCategory.FAITH_COMMUNITY: in_context("category", "Faith community"),
        OrganisationCategory.RESIDENTS_ASSOCIATION: in_context(
            "category", "Residents' association"
        ),
        OrganisationCategory.UMBRELLA: in_context("category", "Umbrella organisation"),
        OrganisationCategory.OTHER: in_context("category", "Other"),
    },
    SiteKind: {
        SiteKind.STORAGE: in_context("site kind", "Storage"),
        SiteKind.BASE: in_context("site kind", "Base"),
        SiteKind.MUSTER_POINT: in_context("site kind", "Muster point"),
        SiteKind.SHELTER: in_context("site kind", "Evacuation shelter"),
    },
    Capability: {
        Capability.TRANSPORT: in_context("capability", "Transport"),
        Capability.SHELTER: in_context("capability", "Shelter"),
        Capability.POWER: in_context("capability", "Power"),
        Capability.MEDICAL: in_context("capability", "Medical"),
        Capability.COMMS: in_context("capability", "Communications"),
        Capability.WATER: in_context("capability", "Water"),
        Capability.FOOD: in_context("capability", "Food"),
        Capability.RESCUE: in_context("capability", "Rescue"),
    },
    EquipmentStatus: {
        EquipmentStatus.READY: in_context("equipment status", "Ready"),
        EquipmentStatus.IN_USE: in_context("equipment status", "In use"),
        EquipmentStatus.MAINTENANCE: in_context("equipment status", "Maintenance"),
        EquipmentStatus.OUT_OF_SERVICE: in_context("equipment status", "Out of service"),
    },
    # Beside the status wherever equipment is shown: an overdue line is not ready, whatever
    # its status says (readiness/ready.py).
    InspectionState: {
        InspectionState.UNKNOWN: in_context("inspection state", "No inspection date"),
        InspectionState.OK: in_context("inspection state", "Inspection OK"),
        InspectionState.DUE_SOON: in_context("inspection state", "Inspection due soon"),
        InspectionState.OVERDUE: in_context("inspection state", "Inspection overdue"),
    },
    AgreementStatus: {
        AgreementStatus.DRAFT: in_context("agreement status", "Draft"),
        AgreementStatus.ACTIVE: in_context("agreement status", "Active"),
        AgreementStatus.SUSPENDED: in_context("agreement status", "Suspended"),
        AgreementStatus.EXPIRED: in_context("agreement status", "Expired"),
        AgreementStatus.TERMINATED: in_context("agreement status", "Terminated"),
    },
    AgreementTask: {
        AgreementTask.EVACUATION: in_context("agreement task", "Evacuation"),
        AgreementTask.SEARCH: in_context("agreement task", "Search"),
        AgreementTask.FIRST_AID: in_context("agreement task", "First aid"),
        AgreementTask.CATERING: in_context("agreement task", "Catering"),
        AgreementTask.TRANSPORT: in_context("agreement task", "Transport"),
        AgreementTask.COMMUNICATIONS: in_context("agreement task", "Communications"),
        AgreementTask.PSYCHOSOCIAL_SUPPORT: in_context("agreement task", "Psychosocial support"),
        AgreementTask.RECEPTION_OF_EVACUEES: in_context("agreement task", "Reception of evacuees"),
    },
    Availability: {
        Availability.AVAILABLE: in_context("availability", "Available"),
        Availability.LIMITED: in_context("availability", "Limited availability"),
        Availability.UNAVAILABLE: in_context("availability", "Unavailable"),
    },
    # Why an item or a person does not count towards a commitment (readiness/coverage.py).
    Reason: {
        Reason.NOT_READY_IN_USE: in_context("not counted", "in use"),
        Reason.NOT_READY_MAINTENANCE: in_context("not counted", "in maintenance"),
        Reason.NOT_READY_OUT_OF_SERVICE: in_context("not counted", "out of service"),
        Reason.INSPECTION_OVERDUE: in_context("not counted", "inspection overdue"),
        Reason.OUTSIDE_SERVICE_AREA: in_context("not counted", "outside the service area"),
        Reason.INACTIVE: in_context("not counted", "inactive"),
        Reason.NO_CONSENT: in_context("not counted", "no SMS consent"),
        Reason.UNAVAILABLE: in_context("not counted", "unavailable"),
        Reason.QUALIFICATION_NOT_VALID: in_context("not counted", "qualification not valid"),
        Reason.HOME_UNKNOWN: in_context("not counted", "home area unknown"),
        Reason.TOO_FAR: in_context("not counted", "too far to arrive in time"),
    },
    Role: {
        Role.ADMIN: in_context("role", "Preparedness coordinator"),
        Role.DUTY_OFFICER: in_context("role", "Duty officer"),
        Role.COUNCIL: in_context("role", "Preparedness council"),
        Role.ORG_EDITOR: in_context("role", "Organisation contact"),
        Role.PLANNER: in_context("role", "Exercise planner"),
    },
}

# Units of the resource catalogue are stored in Norwegian; show them in the reader's language.
UNITS: dict[str, tuple[str, str]] = {
    "stk": in_context("unit", "pcs"),
    "sett": in_context("unit", "sets"),
    "liter": in_context("unit", "litres"),
    "meter": in_context("unit", "metres"),
    "porsjoner": in_context("unit", "portions"),
}


def enum_label(translations: Translations, value: enum.Enum) -> str:
    """The translated label of an enum member (its value when it has no label yet)."""
    marked = LABELS.get(type(value), {}).get(value)
    if marked is None:
        return str(value.value)
    return translations.pgettext(*marked)


def unit_label(translations: Translations, unit: str) -> str:
    marked = UNITS.get(unit)
    return translations.pgettext(*marked) if marked else unit


def task_label(translations: Translations, task: str) -> str:
    """An agreement task as stored (its value) in the reader's language."""
    try:
        return enum_label(translations, AgreementTask(task))
    except ValueError:
        return task


def page_filters(translations: Translations, language: str) -> dict[str, Any]:
    """The register's template filters in one language: enum labels, units, tasks, the
    name of a catalogue entry (resource or qualification type), and an inspection date's
    state on a day (`line.next_inspection_due|inspection(today)`)."""

    def label(value: enum.Enum | None) -> str:
        return "" if value is None else enum_label(translations, value)

    def name_of(record: Any) -> str:
        return str(record.name_nb if language == "nb" else record.name_en)

    def inspection(next_due: date | None, today: date) -> InspectionState:
        return inspection_state(next_due, today)

    return {
        "label": label,
        "inspection": inspection,
        "name_of": name_of,
        "unit": lambda unit: unit_label(translations, unit),
        "task": lambda task: task_label(translations, task),
    }
