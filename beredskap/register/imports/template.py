"""Templates: a workbook (or CSV file) with a kind's Norwegian headings, and in a workbook a
second sheet that explains each column."""

from __future__ import annotations

import csv
import io

from beredskap.register.imports.kinds import IMPORTERS

DATA_SHEET = "Data"
HELP_SHEET = "Forklaring"
HELP_HEADINGS = ("Kolonne", "Påkrevd", "Forklaring", "Eksempel")


def template_csv(kind: str) -> bytes:
    """The heading row, `;`-separated, UTF-8 with a byte-order mark (as Excel reads it)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(
        [column.heading for column in IMPORTERS[kind].columns]
    )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(kind: str) -> bytes:
    """A workbook: the sheet to fill in (headings, frozen, bold), then the explanations."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    columns = IMPORTERS[kind].columns
    workbook = Workbook()
    data = workbook.active
    data.title = DATA_SHEET
    data.append([column.heading for column in columns])
    for index, column in enumerate(columns, start=1):
        cell = data.cell(row=1, column=index)
        cell.font = Font(bold=True)
        data.column_dimensions[cell.column_letter].width = max(14, len(column.heading) + 4)
    data.freeze_panes = "A2"
    explained = workbook.create_sheet(HELP_SHEET)
    explained.append(list(HELP_HEADINGS))
    for cell in explained[1]:
        cell.font = Font(bold=True)
    for column in columns:
        explained.append(
            [column.heading, "ja" if column.required else "nei", column.explained(), column.example]
        )
    for letter, width in zip("ABCD", (26, 10, 90, 22), strict=True):
        explained.column_dimensions[letter].width = width
    for row in explained.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
