"""A report as a spreadsheet (openpyxl, write-only: rows streamed, not held): a
first sheet "Om" (about) with the marking, the time of extraction and who extracted it,
then one sheet per section with numbers as numbers, the heading row frozen, a filter and
column widths fitted to the longest text. Every sheet's printed header and footer carry
the marking.
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from beredskap.platform.web.rendering import stamp
from reports.documents.tables import Section, Texts
from reports.extraction import Extraction

BOLD = Font(bold=True)
SHADE = PatternFill("solid", fgColor="EBEFF4")
WRAP = Alignment(wrap_text=True, vertical="top")
# Excel's limit is 31 characters and no []:*?/\ in a sheet's name.
SHEET_NAME_MAX = 31
WIDTH_MIN, WIDTH_MAX = 8, 60


def report_xlsx(parts: list[Section], texts: Texts, extraction: Extraction) -> bytes:
    """The spreadsheet's bytes in the reader's language: the "Om" sheet, then a sheet per
    section, every sheet marked."""
    _ = extraction.translations.gettext
    marking, extracted_at = extraction.marking, extraction.extracted_at
    extracted_by, on = extraction.extracted_by, extraction.on
    book = Workbook(write_only=True)
    about = book.create_sheet("Om")
    _mark(about, marking, texts.title)
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 70
    heading = WriteOnlyCell(about, marking)
    heading.font = Font(bold=True, size=13)
    about.append([heading])
    for key, value in (
        (_("Report"), texts.title),
        (_("Extracted (Norwegian time)"), stamp(extracted_at)),
        (_("Extracted by"), extracted_by),
        (_("Figures as of"), on.strftime("%d.%m.%Y")),
    ):
        about.append([_bold(about, key), value])
    about.append([])
    about.append([_bold(about, _("Sheet")), _bold(about, _("Content"))])
    for part in parts:
        about.append([_sheet_name(part.sheet), part.caption])
    for part in parts:
        _sheet(book, part, texts, marking)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _bold(sheet: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value)
    cell.font = BOLD
    return cell


def _sheet_name(title: str) -> str:
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title)
    return cleaned[:SHEET_NAME_MAX].strip()


def _mark(sheet: WriteOnlyWorksheet, marking: str, title: str) -> None:
    for header in (sheet.oddHeader, sheet.evenHeader, sheet.firstHeader):
        header.center.text = marking
        header.center.font = "Arial,Bold"
    for footer in (sheet.oddFooter, sheet.evenFooter, sheet.firstFooter):
        footer.left.text = title
        footer.right.text = "&P / &N"


def _sheet(book: Workbook, part: Section, texts: Texts, marking: str) -> None:
    sheet = book.create_sheet(_sheet_name(part.sheet))
    _mark(sheet, marking, texts.title)
    widths = [len(column.heading) for column in part.columns]
    for row in part.rows:
        for index, value in enumerate(row):
            length = len(texts.withheld if value is None else str(value))
            if length > widths[index]:
                widths[index] = length
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(
            WIDTH_MIN, min(WIDTH_MAX, width + 2)
        )
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(part.columns))
    sheet.auto_filter.ref = f"A1:{last}{len(part.rows) + 1}"
    sheet.print_title_rows = "1:1"
    headings = []
    for column in part.columns:
        cell = WriteOnlyCell(sheet, column.heading)
        cell.font = BOLD
        cell.fill = SHADE
        cell.alignment = WRAP
        headings.append(cell)
    sheet.append(headings)
    for row in part.rows:
        # Numbers stay numbers; a withheld count is the text "fewer than 3".
        sheet.append([texts.withheld if value is None else value for value in row])
