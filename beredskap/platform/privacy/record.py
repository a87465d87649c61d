"""The record of processing activities (GDPR art. 30), generated from the one declaration of
personal data and the retention settings: what is held, of whom, why, who sees it, who else
receives it and how long it is kept. Nothing here is written by hand per table."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import MetaData

from beredskap.platform.auth.models import Role
from beredskap.platform.auth.permissions import PEOPLE_READERS, PERSONAL_DATA_ROLES
from beredskap.platform.privacy.declaration import (
    STAFF_KEYS,
    DataClass,
    Declared,
    PersonalTable,
    declared,
    personal_tables,
)
from beredskap.platform.privacy.retention import INFO_KEY, Period, Retains, schedule
from beredskap.platform.settings import PlatformSettings

PURPOSES = (
    "Keep a register of the volunteer resources the municipality can call on in a crisis "
    "(the Civil Protection Act, kommunal beredskapsplikt), with the volunteers' consent.",
    "Call volunteers out by SMS in an incident or an exercise, and record their answers.",
    "Plan and evaluate exercises, and remind participants.",
    "Account for changes and reads of the register (the audit trail).",
)
RECIPIENTS = (
    {
        "name": "SMS provider (Twilio or LINK Mobility, as configured)",
        "role": "processor",
        "receives": "mobile numbers and the texts of messages to and from volunteers",
    },
    {
        "name": "E-mail server (SMTP, as configured)",
        "role": "processor",
        "receives": "e-mail addresses and the texts of reminders",
    },
)
NO_MARK = Declared(None)
SEEN_BY: dict[DataClass, frozenset[Any]] = {
    DataClass.IDENTITY: PEOPLE_READERS,
    DataClass.CONTACT: PERSONAL_DATA_ROLES,
    DataClass.LOCATION: PERSONAL_DATA_ROLES,
    DataClass.MESSAGE: PERSONAL_DATA_ROLES,
    # Failed logins are read by nobody on a page: the administrator, investigating.
    DataClass.ONLINE: frozenset({Role.ADMIN}),
}


def _data_subjects(table: PersonalTable) -> str:
    keys = {key for _column, table_keys in table.links for key in table_keys}
    keys |= {key for column in table.personal for key in (declared(column) or NO_MARK).identifies}
    if keys & STAFF_KEYS:
        return "staff users"
    return "volunteers" if keys else "contact persons"


def record_of_processing(metadata: MetaData, settings: PlatformSettings) -> dict[str, Any]:
    days = schedule(settings)
    categories = []
    retention: dict[Period, list[dict[str, str]]] = defaultdict(list)
    for table in personal_tables(metadata):
        subjects = _data_subjects(table)
        for column in table.personal:
            mark = declared(column)
            assert mark is not None and mark.data_class is not None
            categories.append(
                {
                    "table": table.table.name,
                    "column": column.name,
                    "data_class": mark.data_class.value,
                    "data_subjects": subjects,
                    "seen_by": sorted(role.value for role in SEEN_BY[mark.data_class]),
                }
            )
        rule = table.table.info.get(INFO_KEY)
        if isinstance(rule, Retains):
            retention[rule.period].append({"table": table.table.name, "action": rule.action.value})
    retention[Period.AUDIT_PERSONAL].append({"table": "audit_log", "action": "erase"})
    retention[Period.INACTIVE_VOLUNTEER].append({"table": "volunteers", "action": "delete"})
    return {
        "purposes": list(PURPOSES),
        "data_subjects": ["volunteers", "contact persons of organisations", "staff users"],
        "categories": categories,
        "recipients": list(RECIPIENTS),
        "transfers_outside_eea": "none by the register itself; see the processors' agreements",
        "retention": [
            {"period": period.value, "days": days[period], "applies_to": retention[period]}
            for period in Period
        ],
        "security": [
            "role-based access, default deny, on every route",
            "passwords hashed with argon2; tokens stored as SHA-256 digests",
            "every change and every read of personal data audited",
        ],
    }
