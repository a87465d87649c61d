"""Every table the municipality owns as CSV: one file per table, UTF-8, its own columns and,
beside each reference to another table, that row's natural key (an organisation's number and
name, a site's name, a resource type's code...), so the files are read without the ids.

Which tables: every table of the one metadata but the machinery (`NOT_OWNED`: credentials, the
scheduler's store, process heartbeats, the login slow-down, the local SMS gateway's store), so
a new table is exported without anyone listing it. Secret columns (`declaration.secret()`: a
password's hash) never leave. Personal data is found only through the one declaration
(`declaration.declared`): without it, every column declared `personal(...)` is left out, also
a natural key that is personal (a volunteer's mobile), and the audit trail (which keeps copies
of personal values and staff e-mails as actors) is left out whole.

Rows are streamed from the database (`yield_per`) straight into the writer: memory is bounded
whatever the size of a table.
"""

from __future__ import annotations

import csv
import enum
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from geoalchemy2 import Geometry
from sqlalchemy import JSON, Column, ForeignKey, MetaData, Table, TypeDecorator, func, select
from sqlalchemy.orm import Session

from beredskap.platform.privacy.declaration import declared, is_secret

# Tables that are the application's machinery, not the municipality's data, and why.
NOT_OWNED: dict[str, str] = {
    "apscheduler_jobs": "the scheduler's own store of jobs",
    "worker_heartbeats": "which worker processes are alive",
    "sms_provider_states": "the SMS providers' health, for failover",
    "web_sessions": "logged-in browsers (credentials)",
    "api_tokens": "API tokens (credentials)",
    "calendar_feed_tokens": "calendar links (credentials)",
    "login_failures": "the login slow-down's recent failures",
    "local_sms": "the local SMS gateway's simulated messages",
}
# Tables holding copies of personal values that no column declares: only with personal data.
COPIES_PERSONAL_DATA: dict[str, str] = {
    "audit_log": "who changed what: before/after copies of personal values, staff as actors",
}
# A referenced row's natural key: the first of these columns it has (in this order).
NATURAL_KEYS = ("organisation_number", "code", "reference", "name", "mobile", "email")
BATCH = 1000


@dataclass(frozen=True)
class ExportColumn:
    """A column of a CSV file: its name, what it is (for the README), and the SQL that reads
    it."""

    name: str
    kind: str
    note: str
    # The table's own column (SQL), or (reference, referenced column) for a natural key.
    expression: Any


@dataclass(frozen=True)
class ExportTable:
    table: Table
    columns: tuple[ExportColumn, ...]
    left_out: tuple[str, ...]  # columns not exported (personal data without it, secrets)

    @property
    def file_name(self) -> str:
        return f"{self.table.name}.csv"


def _is_personal(column: Column) -> bool:
    mark = declared(column)
    return mark is not None and mark.data_class is not None


def _kind(column: Column) -> str:
    if isinstance(column.type, Geometry):
        return f"WKT {column.type.geometry_type.lower()}, EPSG:4326 (lon lat)"
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, JSON):
        return "JSON"
    try:
        python = kind.python_type
    except NotImplementedError:
        return "text"
    if issubclass(python, enum.Enum) or getattr(column.type, "enums", None):
        return "text, one of: " + ", ".join(getattr(column.type, "enums", []))
    names = {
        bool: "true/false",
        int: "whole number",
        float: "number",
        Decimal: "number",
        str: "text",
        datetime: "date and time, ISO 8601 UTC",
        date: "date, ISO 8601",
        dict: "JSON",
        list: "JSON",
    }
    return next((name for kind, name in names.items() if issubclass(python, kind)), "text")


def _note(column: Column) -> str:
    notes = []
    if column.primary_key:
        notes.append("key")
    for key in column.foreign_keys:
        notes.append(f"refers to {key.column.table.name}.{key.column.name}")
    mark = declared(column)
    if mark is not None and mark.data_class is not None:
        notes.append(f"personal data ({mark.data_class.value})")
    if column.comment:
        notes.append(column.comment)
    return "; ".join(notes)


def _read(column: Column) -> Any:
    if isinstance(column.type, Geometry):
        return func.ST_AsText(column)
    return column


def _natural_columns(
    key: ForeignKey, personal: bool, taken: set[str]
) -> Iterator[tuple[str, Column]]:
    """For a reference (`organisation_id`): the referenced row's natural key columns, named
    after the reference (`organisation_number`, `organisation_name`)."""
    referenced = key.column.table
    prefix = key.parent.name.removesuffix("_id")
    singular = referenced.name.removesuffix("s") + "_"
    for name in NATURAL_KEYS:
        target = referenced.columns.get(name)
        if target is None or (not personal and _is_personal(target)) or is_secret(target):
            continue
        label = f"{prefix}_{name.removeprefix(singular)}"
        if label in taken:
            continue
        taken.add(label)
        yield label, target
        if name != "organisation_number":
            break  # one natural key; an organisation's number goes with its name


def owned_tables(metadata: MetaData, *, personal: bool) -> list[ExportTable]:
    """The tables to export and their columns, in dependency order."""
    exported = []
    for table in metadata.sorted_tables:
        if table.name in NOT_OWNED or (not personal and table.name in COPIES_PERSONAL_DATA):
            continue
        columns: list[ExportColumn] = []
        left_out = []
        taken = {column.name for column in table.columns}
        for column in table.columns:
            if is_secret(column) or (not personal and _is_personal(column)):
                left_out.append(column.name)
                continue
            columns.append(ExportColumn(column.name, _kind(column), _note(column), _read(column)))
            for key in sorted(column.foreign_keys, key=lambda k: k.target_fullname):
                for label, target in _natural_columns(key, personal, taken):
                    note = f"{target.name} of the {key.column.table.name} row {column.name} names"
                    if _is_personal(target):
                        note += "; personal data"
                    columns.append(ExportColumn(label, _kind(target), note, (key, target)))
        exported.append(ExportTable(table, tuple(columns), tuple(left_out)))
    return exported


def _statement(export: ExportTable) -> Any:
    """One SELECT of the table's columns with a LEFT JOIN per reference for its natural key,
    in primary key order."""
    table = export.table
    joins: dict[ForeignKey, Any] = {}
    expressions = []
    for column in export.columns:
        if isinstance(column.expression, tuple):
            key, target = column.expression
            if key not in joins:
                joins[key] = key.column.table.alias(f"ref_{len(joins)}")
            expressions.append(joins[key].c[target.name].label(column.name))
        else:
            expressions.append(column.expression.label(column.name))
    source: Any = table
    for key, alias in joins.items():
        source = source.outerjoin(alias, key.parent == alias.c[key.column.name])
    return select(*expressions).select_from(source).order_by(*table.primary_key.columns)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def write_csv(session: Session, export: ExportTable, out: IO[str]) -> int:
    """The table as CSV (a header of column names, then one line per row) into `out`;
    returns how many rows."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.name for column in export.columns])
    rows = 0
    result = session.execute(_statement(export).execution_options(yield_per=BATCH))
    for partition in result.partitions():
        writer.writerows([_text(value) for value in row] for row in partition)
        rows += len(partition)
    return rows


def readme(tables: list[ExportTable], *, personal: bool, extra: str = "") -> str:
    """The README of an export: every file's columns, and what was left out."""
    lines = [
        "# The preparedness register: export",
        "",
        "One CSV file per table (UTF-8, comma-separated, a header line of column names).",
        "Beside a reference to another table (`organisation_id`) the referenced row's natural",
        "key is given (`organisation_number`, `organisation_name`), so the files read without",
        "ids. Empty means no value. Times are UTC.",
        "",
        "Personal data: "
        + (
            'included (columns marked "personal data").'
            if personal
            else "left out (every column declared as personal data, and the audit trail)."
        ),
        "",
    ]
    for export in tables:
        lines += [f"## {export.file_name}", "", "| column | type | note |", "|---|---|---|"]
        lines += [f"| {c.name} | {c.kind} | {c.note} |" for c in export.columns]
        if export.left_out:
            lines += ["", "Left out: " + ", ".join(export.left_out) + "."]
        lines.append("")
    lines += ["## Tables not exported", ""]
    left = dict(NOT_OWNED) | ({} if personal else COPIES_PERSONAL_DATA)
    lines += [f"- {name}: {why}" for name, why in left.items()]
    lines.append("")
    return "\n".join(lines) + extra
