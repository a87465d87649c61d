"""The record of processing and a person's access export, dressed for reading: labels for the
tables and columns the declaration of personal data names, and each exported row as cells a
template formats (times in Norway, dates in the reader's language, yes/no, links).

Built from the same data as the JSON (`record_of_processing`, `export_subject`): a table or
column without a label here is still shown, under its own name."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.platform.auth.models import Role
from beredskap.platform.privacy.declaration import DataClass
from beredskap.platform.privacy.retention import Action, Period
from beredskap.platform.web.i18n import N_
from beredskap.register.organisations.models import Organisation
from beredskap.register.volunteers.models import Availability, QualificationType

# Readable names of the tables and columns that hold or link personal data.
TABLE_LABELS: dict[str, str] = {
    "volunteers": N_("Volunteers"),
    "organisations": N_("Organisations"),
    "memberships": N_("Memberships"),
    "volunteer_qualifications": N_("Qualifications"),
    "consent_events": N_("Consent history"),
    "callout_recipients": N_("Callout recipients"),
    "callout_notices": N_("Notices about callouts"),
    "inbound_sms": N_("SMS received"),
    "outgoing_messages": N_("Messages outside callouts"),
    "local_sms": N_("The local SMS log"),
    "exercise_volunteers": N_("Exercises invited to"),
    "exercise_reminders": N_("Exercise reminders"),
    "audit_log": N_("Audit trail"),
    "users": N_("Staff users"),
    "web_sessions": N_("Web sessions"),
    "login_failures": N_("Failed logins"),
}
COLUMN_LABELS: dict[str, str] = {
    "full_name": N_("Name"),
    "mobile": N_("Mobile"),
    "email": N_("E-mail"),
    "home_area": N_("Home area"),
    "availability": N_("Availability"),
    "sms_consent": N_("SMS consent"),
    "active": N_("In the register"),
    "created_at": N_("Registered"),
    "updated_at": N_("Last changed"),
    "contact_24_7_name": N_("24/7 contact's name"),
    "contact_24_7_phone": N_("24/7 contact's phone"),
    "contact_24_7_email": N_("24/7 contact's e-mail"),
    "to": N_("To"),
    "from_number": N_("From"),
    "body": N_("Text"),
    "reply": N_("Reply"),
    "display_name": N_("Name"),
    "client_address": N_("Network address"),
}
CATEGORY_LABELS: dict[DataClass, str] = {
    DataClass.IDENTITY: N_("Names"),
    DataClass.CONTACT: N_("Contact details"),
    DataClass.LOCATION: N_("Where someone lives"),
    DataClass.MESSAGE: N_("Message texts"),
    DataClass.ONLINE: N_("Network addresses"),
}
PURPOSES: dict[DataClass, str] = {
    DataClass.IDENTITY: N_(
        "To know who the volunteers and the organisations' contact persons are, in a crisis "
        "and in exercises."
    ),
    DataClass.CONTACT: N_(
        "To call volunteers out by SMS, remind them of exercises by e-mail, and reach the "
        "organisations around the clock."
    ),
    DataClass.LOCATION: N_(
        "To find volunteers near an incident (the home area is stored coarsened)."
    ),
    DataClass.MESSAGE: N_(
        "To send callouts and reminders and record the answers; replies may hold health data."
    ),
    DataClass.ONLINE: N_(
        "To slow down and look into attempts to guess passwords (where a failed login came from)."
    ),
}
SUBJECT_LABELS: dict[str, str] = {
    "volunteers": N_("Volunteers"),
    "contact persons": N_("Contact persons of organisations"),
    "staff users": N_("Staff users"),
}
PERIOD_LABELS: dict[Period, str] = {
    Period.CALLOUT: N_("Callouts and replies"),
    Period.MESSAGE_LOG: N_("Message logs"),
    Period.AUDIT_PERSONAL: N_("Personal values in the audit trail"),
    Period.INACTIVE_VOLUNTEER: N_("Inactive volunteers"),
    Period.SECURITY_LOG: N_("Security logs"),
}
PERIOD_COUNTED_FROM: dict[Period, str] = {
    Period.CALLOUT: N_("from when the person was asked, or the reply received"),
    Period.MESSAGE_LOG: N_("from when the message was made"),
    Period.AUDIT_PERSONAL: N_("from the time of the audit entry"),
    Period.INACTIVE_VOLUNTEER: N_("from the last change of a volunteer marked inactive"),
    Period.SECURITY_LOG: N_("from when the web session began or the login failed"),
}
ACTION_LABELS: dict[str, str] = {
    Action.ERASE.value: N_("erased"),
    Action.DELETE.value: N_("deleted"),
}


Gettext = Callable[[str], str]


def table_label(name: str, _: Gettext) -> str:
    """A table's readable name (its own name when it has none here)."""
    return _(TABLE_LABELS[name]) if name in TABLE_LABELS else name


def column_label(name: str, _: Gettext) -> str:
    return _(COLUMN_LABELS[name]) if name in COLUMN_LABELS else name


# The record of processing ------------------------------------------------------------------


@dataclass(frozen=True)
class Holding:
    """Where a category is held: a table and its columns (readable), and what happens to
    them and after how many days (None: kept while the record is in the register)."""

    table: str
    columns: tuple[str, ...]
    period: str | None
    action: str | None
    days: int | None


@dataclass(frozen=True)
class Category:
    label: str
    purpose: str
    subjects: tuple[str, ...]
    seen_by: tuple[Role, ...]
    held_in: tuple[Holding, ...]


@dataclass(frozen=True)
class RetentionRow:
    label: str
    counted_from: str
    days: int
    setting: str
    applies_to: tuple[tuple[str, str], ...]  # (table, what happens), readable


def record_view(record: Mapping[str, Any], _: Gettext) -> tuple[list[Category], list[RetentionRow]]:
    """The record's categories grouped per class of personal data, and its schedule."""
    rules: dict[str, tuple[str, int, str]] = {}
    schedule = []
    for entry in record["retention"]:
        period = Period(entry["period"])
        for applied in entry["applies_to"]:
            rules.setdefault(
                applied["table"],
                (_(PERIOD_LABELS.get(period, period.value)), entry["days"], applied["action"]),
            )
        schedule.append(
            RetentionRow(
                label=_(PERIOD_LABELS.get(period, period.value)),
                counted_from=_(PERIOD_COUNTED_FROM.get(period, period.value)),
                days=entry["days"],
                setting=f"BEREDSKAP_RETENTION_{period.value.upper()}_DAYS",
                applies_to=tuple(
                    (table_label(a["table"], _), _action(a["action"], _))
                    for a in entry["applies_to"]
                ),
            )
        )
    grouped: dict[DataClass, dict[str, Any]] = {}
    for item in record["categories"]:
        group = grouped.setdefault(
            DataClass(item["data_class"]), {"subjects": {}, "seen_by": set(), "tables": {}}
        )
        group["subjects"][item["data_subjects"]] = None
        group["seen_by"].update(item["seen_by"])
        group["tables"].setdefault(item["table"], []).append(item["column"])
    categories = []
    for data_class in (c for c in DataClass if c in grouped):
        group = grouped[data_class]
        held = []
        for table, columns in group["tables"].items():
            period_label, days, action = rules.get(table, (None, None, None))
            held.append(
                Holding(
                    table=table_label(table, _),
                    columns=tuple(column_label(column, _) for column in columns),
                    period=period_label,
                    action=_action(action, _) if action else None,
                    days=days,
                )
            )
        categories.append(
            Category(
                label=_(CATEGORY_LABELS.get(data_class, data_class.value)),
                purpose=_(PURPOSES[data_class]) if data_class in PURPOSES else "",
                subjects=tuple(
                    _(SUBJECT_LABELS[s]) if s in SUBJECT_LABELS else s for s in group["subjects"]
                ),
                seen_by=tuple(role for role in Role if role.value in group["seen_by"]),
                held_in=tuple(held),
            )
        )
    return categories, schedule


def _action(action: str, _: Gettext) -> str:
    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else action


# The access export ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One value as the template shows it: `kind` says how (text, stamp, day, yesno, label,
    name_of, link, point, code), `href` where a link goes."""

    kind: str
    value: Any
    href: str | None = None


@dataclass(frozen=True)
class Change:
    label: str
    before: Cell | None
    after: Cell | None


@dataclass
class Table:
    key: str
    caption: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class Section:
    key: str
    heading: str
    tables: list[Table] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(table.rows for table in self.tables)


# Per exported table: its section and the columns shown, (column, label, kind). The JSON
# export (linked from the page) holds every stored field.
Columns = Sequence[tuple[str, str, str]]
SECTIONS: tuple[tuple[str, str], ...] = (
    ("memberships", N_("Memberships")),
    ("qualifications", N_("Qualifications")),
    ("consent", N_("Consent history")),
    ("callouts", N_("Callouts asked in")),
    ("exercises", N_("Exercises")),
    ("messages", N_("Messages")),
    ("other", N_("Other records")),
)
TABLES: dict[str, tuple[str, Columns]] = {
    "memberships": (
        "memberships",
        (
            ("organisation_id", N_("Organisation"), "organisation"),
            ("role", N_("Role in the organisation"), "text"),
            ("created_at", N_("Member since"), "stamp"),
        ),
    ),
    "volunteer_qualifications": (
        "qualifications",
        (
            ("qualification_type_id", N_("Qualification"), "qualification"),
            ("obtained_on", N_("Obtained"), "day"),
            ("expires_on", N_("Expires"), "day"),
        ),
    ),
    "consent_events": (
        "consent",
        (
            ("occurred_at", N_("When"), "stamp"),
            ("given", N_("Consent to SMS"), "given"),
            ("channel", N_("How"), "code"),
            ("actor", N_("Registered by"), "text"),
        ),
    ),
    "callout_recipients": (
        "callouts",
        (
            ("callout_id", N_("Callout"), "callout"),
            ("created_at", N_("Asked"), "stamp"),
            ("mobile", N_("Mobile"), "text"),
            ("state", N_("Delivery"), "code"),
            ("answer", N_("Answer"), "code"),
            ("answered_at", N_("Answered"), "stamp"),
            ("minutes_to_arrival", N_("Minutes to arrival"), "text"),
        ),
    ),
    "exercise_volunteers": ("exercises", (("exercise_id", N_("Exercise"), "exercise"),)),
    "exercise_reminders": (
        "exercises",
        (
            ("exercise_id", N_("Exercise"), "exercise"),
            ("channel", N_("Channel"), "code"),
            ("offset_min", N_("Minutes before the start"), "text"),
            ("queued_at", N_("Queued"), "stamp"),
        ),
    ),
    "outgoing_messages": (
        "messages",
        (
            ("created_at", N_("Made"), "stamp"),
            ("channel", N_("Channel"), "code"),
            ("to", N_("To"), "text"),
            ("subject", N_("Subject"), "text"),
            ("body", N_("Text"), "message"),
            ("state", N_("Delivery"), "code"),
        ),
    ),
    "callout_notices": (
        "messages",
        (
            ("created_at", N_("Made"), "stamp"),
            ("callout_id", N_("Callout"), "callout"),
            ("mobile", N_("To"), "text"),
            ("body", N_("Text"), "message"),
            ("state", N_("Delivery"), "code"),
        ),
    ),
    "inbound_sms": (
        "messages",
        (
            ("received_at", N_("Received"), "stamp"),
            ("from_number", N_("From"), "text"),
            ("body", N_("Text"), "message"),
            ("callout_id", N_("Callout"), "callout"),
            ("reply", N_("Reply"), "message"),
        ),
    ),
    "local_sms": (
        "messages",
        (
            ("created_at", N_("Made"), "stamp"),
            ("to", N_("To"), "text"),
            ("body", N_("Text"), "message"),
            ("status", N_("Delivery"), "code"),
        ),
    ),
}
OWN_TABLE = "volunteers"
RECORD_FIELDS: Columns = (
    ("full_name", N_("Name"), "text"),
    ("mobile", N_("Mobile"), "text"),
    ("email", N_("E-mail"), "text"),
    ("home_area", N_("Home area"), "point"),
    ("availability", N_("Availability"), "availability"),
    ("sms_consent", N_("SMS consent"), "yesno"),
    ("active", N_("In the register"), "yesno"),
    ("created_at", N_("Registered"), "stamp"),
    ("updated_at", N_("Last changed"), "stamp"),
)
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class ExportView:
    record: list[tuple[str, Cell]]
    sections: list[Section]
    audit: list[tuple[Cell, str, str, list[Change]]]  # when, who, action, changes


class _Names:
    """Organisation and qualification names by id (no personal data), read once each."""

    def __init__(self, session: Session, tables: Mapping[str, list[dict[str, Any]]]) -> None:
        organisations = {row["organisation_id"] for row in tables.get("memberships", [])}
        kinds = {row["qualification_type_id"] for row in tables.get("volunteer_qualifications", [])}
        named = select(Organisation.id, Organisation.name).where(Organisation.id.in_(organisations))
        self.organisations = (
            {key: name for key, name in session.execute(named)} if organisations else {}
        )
        held = select(QualificationType).where(QualificationType.id.in_(kinds))
        self.qualifications = {kind.id: kind for kind in session.scalars(held)} if kinds else {}


def _cell(kind: str, value: Any, names: _Names) -> Cell:
    if value is None or value == "":
        return Cell("none", None)
    match kind:
        case "stamp":
            return Cell("stamp", datetime.fromisoformat(value))
        case "day":
            return Cell("day", date.fromisoformat(value))
        case "yesno" | "given":
            return Cell(kind, bool(value))
        case "availability":
            return Cell("label", Availability(value))
        case "point":
            return _point(value)
        case "organisation":
            name = names.organisations.get(value)
            return Cell("link", name or f"#{value}", f"/organisations/{value}")
        case "qualification":
            held = names.qualifications.get(value)
            return Cell("name_of", held) if held else Cell("text", f"#{value}")
        case "callout":
            return Cell("link", f"#{value}", f"/callouts/{value}")
        case "exercise":
            return Cell("link", f"#{value}", f"/exercises/{value}")
        case "code" | "message":
            return Cell(kind, str(value))
    return guess(value)


def _point(value: Any) -> Cell:
    coordinates = value.get("coordinates") if isinstance(value, dict) else None
    if isinstance(coordinates, list | tuple) and len(coordinates) == 2:
        lon, lat = coordinates
        return Cell("point", (lat, lon))  # the page writes it in its language's decimals
    return Cell("text", str(value))


def guess(value: Any) -> Cell:
    """A value of a column without a declared kind (a table not labelled here, an audit
    copy): times and dates as such, the rest as text."""
    if value is None or value == "":
        return Cell("none", None)
    if isinstance(value, bool):
        return Cell("yesno", value)
    if isinstance(value, str) and ISO_TIME.match(value):
        try:
            return Cell("stamp", datetime.fromisoformat(value))
        except ValueError:
            pass
    if isinstance(value, str) and ISO_DAY.match(value):
        try:
            return Cell("day", date.fromisoformat(value))
        except ValueError:
            pass
    if isinstance(value, dict) and value.get("type") == "Point":
        return _point(value)
    return Cell("text", value if isinstance(value, str) else str(value))


def _changes(before: Any, after: Any, _: Gettext) -> list[Change]:
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    keys = list(dict.fromkeys([*old, *new]))
    changes = []
    for key in keys:
        if key in old and key in new and old[key] == new[key]:
            continue
        changes.append(
            Change(
                column_label(key, _),
                guess(old[key]) if key in old else None,
                guess(new[key]) if key in new else None,
            )
        )
    return changes


def export_view(session: Session, exported: Mapping[str, Any], _: Gettext) -> ExportView:
    """The export's rows per section and table, the record as fields, the audit entries."""
    tables: Mapping[str, list[dict[str, Any]]] = exported["tables"]
    names = _Names(session, tables)
    own = (tables.get(OWN_TABLE) or [{}])[0]
    record = [(_(label), _cell(kind, own.get(name), names)) for name, label, kind in RECORD_FIELDS]
    sections = {key: Section(key, _(heading)) for key, heading in SECTIONS}
    for name, rows in tables.items():
        if name == OWN_TABLE:
            continue
        if name in TABLES:
            key, columns = TABLES[name]
            headers = [_(label) for _column, label, _kind in columns]
        else:  # a table the declaration links to the person that has no labels here
            key = "other"
            columns = [(column, column, "") for column in rows[0]]
            headers = [column_label(column, _) for column in rows[0]]
        table = Table(name, table_label(name, _), headers)
        table.rows = [
            [_cell(kind, row.get(column), names) for column, _label, kind in columns]
            for row in rows
        ]
        sections[key].tables.append(table)
    audit = [
        (
            guess(entry["occurred_at"]),
            str(entry["actor"]),
            str(entry["action"]),
            _changes(entry["before"], entry["after"], _),
        )
        for entry in exported["audit"]
    ]
    return ExportView(record, list(sections.values()), audit)
