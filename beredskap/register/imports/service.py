"""One import: every row validated, then all written or none. Flushes, never commits.

The rows go through the service functions the API uses (and so the models' validators);
every bad row is reported with its row number, column and coded message, and if there is
one nothing is written. The work happens in a savepoint, rolled back on any error and for a
dry run, so the caller's transaction is left as it was.

Audit: the rows are flushed together, so the audit listener records each created or changed
record (its history, as for any other change) in one multi-row insert per flush; on top of
that the import writes ONE summary entry (entity `import`, action `import`) with its kind,
file name and counts, which is what the audit trail lists as the import.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from beredskap.platform.errors import N_, ConflictError, DomainValidationError, Translator
from beredskap.register.imports import cells
from beredskap.register.imports.kinds import (
    EXPORT_ONLY,
    EXPORTED_ID,
    IMPORTERS,
    Column,
    ForbiddenRowError,
    MayEdit,
    Outcome,
    RowProblems,
)
from beredskap.register.imports.reading import Table
from beredskap.register.imports.summary import record_import

# At most this many row errors are reported (a wholly wrong file would list every cell).
MAX_ERRORS = 1000


@dataclass(frozen=True)
class RowError:
    """What is wrong with one cell (or row, or the heading row: row 1)."""

    row: int
    column: str | None
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    forbidden: bool = False

    @property
    def message(self) -> str:
        return self.code % dict(self.params) if self.params else self.code

    def translated(self, translations: Translator) -> str:
        text = translations.gettext(self.code)
        return text % dict(self.params) if self.params else text

    def as_problem(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "code": self.code,
            "params": dict(self.params),
        }


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def forbidden(self) -> bool:
        return any(error.forbidden for error in self.errors)

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def _normalised(heading: str) -> str:
    """A heading as compared: case, spaces, `_` and a trailing `*` (required) do not matter."""
    return cells.folded(heading.replace("_", " ").rstrip("*").strip())


@dataclass(frozen=True)
class Headings:
    """Where each known column's cell is in a row, and where its stand-in is (a fallback)."""

    positions: dict[str, int]
    fallbacks: dict[str, int] = field(default_factory=dict)
    exported_id: int | None = None  # the export's `id` column

    def values(self, row_cells: list[str]) -> dict[str, str]:
        def cell(index: int) -> str:
            return row_cells[index] if index < len(row_cells) else ""

        values = {key: cell(index) for key, index in self.positions.items()}
        for key, index in self.fallbacks.items():
            if not values.get(key):
                values[key] = cell(index)
        if self.exported_id is not None:
            values[EXPORTED_ID] = cell(self.exported_id)
        return values


def map_headings(
    headings: list[str], columns: tuple[Column, ...], ignored: tuple[str, ...] = ()
) -> tuple[Headings, list[RowError]]:
    """Each known column's key and its position in the file, and the heading row's errors
    (unknown, repeated or missing columns). `ignored` headings are skipped; a file written
    by the export (its `id`, `version`, `created_at` and `updated_at` columns) may hold
    other columns the import does not read, skipped too, so it imports back whole."""
    names: dict[str, Column] = {}
    stand_ins: dict[str, Column] = {}
    for column in columns:
        for name in (column.heading, column.key, *column.aliases):
            names[_normalised(name)] = column
        for name in column.fallbacks:
            stand_ins[_normalised(name)] = column
    skipped = {_normalised(name) for name in ignored}
    exported = {_normalised(name) for name in EXPORT_ONLY} <= {
        _normalised(heading) for heading in headings
    }
    positions: dict[str, int] = {}
    fallbacks: dict[str, int] = {}
    errors: list[RowError] = []
    for index, heading in enumerate(headings):
        if not heading or _normalised(heading) in skipped:
            continue
        column = names.get(_normalised(heading))
        stand_in = stand_ins.get(_normalised(heading))
        if column is None and stand_in is not None and stand_in.key not in fallbacks:
            fallbacks[stand_in.key] = index
        elif column is None and exported:
            continue
        elif column is None:
            errors.append(
                RowError(
                    1, heading, N_("unknown column %(column)s"), {"column": cells.echo(heading)}
                )
            )
        elif column.key in positions:
            errors.append(
                RowError(1, heading, N_("the column %(column)s appears twice"), {"column": heading})
            )
        else:
            positions[column.key] = index
    for key in list(fallbacks):
        if key not in positions:  # the stand-in is the column's only cell
            positions[key] = fallbacks.pop(key)
    for column in columns:
        if column.required and column.key not in positions:
            errors.append(
                RowError(
                    1,
                    column.heading,
                    N_("the column %(column)s is missing"),
                    {"column": column.heading},
                )
            )
    exported_id = next(
        (index for index, heading in enumerate(headings) if _normalised(heading) == "id"), None
    )
    return Headings(positions, fallbacks, exported_id if exported else None), errors


def _column_of(error_field: str, columns: tuple[Column, ...], headings: dict[str, str]) -> str:
    for column in columns:
        if error_field == column.key or error_field in column.fields:
            return headings.get(column.key, column.heading)
    return error_field


def _row_error(
    number: int,
    error: DomainValidationError | ConflictError,
    columns: tuple[Column, ...],
    headings: dict[str, str],
) -> RowError:
    column = (
        _column_of(error.field, columns, headings)
        if isinstance(error, DomainValidationError)
        else None
    )
    return RowError(
        number,
        column,
        error.code,
        dict(error.params),
        forbidden=isinstance(error, ForbiddenRowError),
    )


def run_import(
    session: Session,
    kind: str,
    table: Table,
    *,
    may_edit: MayEdit = None,
    dry_run: bool = False,
    source: str = "",
) -> ImportReport:
    """Import the table's rows as records of `kind`; nothing is written unless every row is
    good and `dry_run` is false. `may_edit(organisation_id)` limits whose records may be
    written (an organisation editor's own); None allows every organisation's."""
    importer_class = IMPORTERS[kind]
    columns = importer_class.columns
    report = ImportReport(kind=kind, rows=len(table.rows), dry_run=dry_run)
    mapped, heading_errors = map_headings(table.headings, columns, importer_class.ignored)
    if heading_errors:
        report.errors = heading_errors
        return report
    file_headings = {key: table.headings[index] for key, index in mapped.positions.items()}
    rows = [(number, mapped.values(row_cells)) for number, row_cells in table.rows]
    outcomes: Counter[Outcome] = Counter()
    savepoint = session.begin_nested()
    try:
        with session.no_autoflush:
            importer = importer_class(session, may_edit)
            importer.prepare(values for _number, values in rows)
            for number, values in rows:
                try:
                    outcomes[importer.apply(number, values)] += 1
                except RowProblems as problems:
                    for error in problems.errors:
                        report.errors.append(_row_error(number, error, columns, file_headings))
                except (DomainValidationError, ConflictError) as error:
                    report.errors.append(_row_error(number, error, columns, file_headings))
                    if len(report.errors) >= MAX_ERRORS:
                        break
        if not report.errors:
            try:
                session.flush()
            except (IntegrityError, DBAPIError):
                # What the checks above let through and the database refused (a race with
                # another writer): no row to point at, the file as a whole is refused.
                report.errors.append(
                    RowError(0, None, N_("the database refused the rows; nothing was imported"))
                )
    except BaseException:
        savepoint.rollback()
        raise
    report.created = outcomes[Outcome.CREATED]
    report.updated = outcomes[Outcome.UPDATED]
    report.unchanged = outcomes[Outcome.UNCHANGED]
    if report.errors or dry_run:
        savepoint.rollback()
        return report
    record_import(session, kind, source, report.counts())
    session.flush()
    savepoint.commit()
    return report
