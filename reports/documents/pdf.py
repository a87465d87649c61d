"""A report as an A4 PDF (fpdf2): a title page with who extracted it and when, and
the contents with page numbers, then one part per section; every page carries the marking
("Unntatt offentlighet" and its legal basis) at the top and "page N of M" at the foot.

DejaVu Sans from matplotlib's fonts, as the evaluation report (exercises/evaluation/pdf.py).
Rows are drawn as plain cells with the headings repeated on each page: fpdf2's table
layout measures every cell and would take minutes for 1,000 organisations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.outline import OutlineSection

from beredskap.platform.web.rendering import stamp
from reports.documents.tables import Cell, Column, Section, Texts
from reports.extraction import Extraction

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVuSans"
SHADE = (235, 239, 244)
RULE = (200, 205, 212)
ROW = 4.6  # row height, mm
HEADING_LINE = 3.4
HEADING_SIZE = 6.5
BODY = 7.5  # the rows' font size, pt
PAGES_ALIAS = "{total:pages}"
FIGURE_SPACE = "\u2007"  # as wide as a digit


class OverviewPdf(FPDF):
    def __init__(self, marking: str, footer_text: str, page_text: str) -> None:
        super().__init__(format="A4")
        self.marking = marking
        self.footer_text = footer_text
        self.page_text = page_text  # "page %(page)s of %(pages)s" in the reader's language
        self.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        # The total is known at the end; reserve room for four digits in its place.
        self.alias_nb_pages(PAGES_ALIAS)
        self.set_auto_page_break(auto=True, margin=16)
        self.set_margins(18, 18, 18)

    def header(self) -> None:
        self.set_y(8)
        self.set_font(FONT, "B", 8)
        self.cell(0, 5, self.marking, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_y(self.t_margin)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        number = self.page_text % {"page": self.page_no(), "pages": PAGES_ALIAS}
        self.cell(0, 5, f"{self.footer_text} · {number}", align="C")


def report_pdf(parts: list[Section], texts: Texts, extraction: Extraction) -> bytes:
    """The PDF's bytes in the reader's language, marked, with who extracted it and when."""
    _ = extraction.translations.gettext
    marking, extracted_at = extraction.marking, extraction.extracted_at
    extracted_by, language = extraction.extracted_by, extraction.language
    pdf = OverviewPdf(
        marking,
        f"{texts.title} · {stamp(extracted_at)}",
        _("page %(page)s of %(pages)s"),
    )
    pdf.set_title(texts.title)
    pdf.set_lang(language)
    pdf.set_creator("beredskap")
    pdf.add_page()
    pdf.set_font(FONT, "B", 20)
    pdf.multi_cell(0, 10, texts.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    extracted = _("Extracted %(time)s (Norwegian time) by %(user)s.") % {
        "time": stamp(extracted_at),
        "user": extracted_by,
    }
    for line in (*texts.introduction[:1], extracted, *texts.introduction[1:], marking):
        pdf.multi_cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    # The contents begin under the title and take exactly the pages their lines need (fpdf2
    # asks for the count in advance); the first section begins on the page after them.
    contents = _Contents(_("Contents"), pdf, len(parts))
    pdf.insert_toc_placeholder(contents.render, pages=contents.pages, reset_page_indices=False)
    for number, part in enumerate(parts):
        _part(pdf, part, texts.withheld, new_page=number > 0)
    return bytes(pdf.output())


CONTENTS_HEADING = 8.0
CONTENTS_LINE = 6.5
# Less than a line, so rounding never lets fpdf2's own page break come before ours.
CONTENTS_SLACK = 0.5


class _Contents:
    """The contents: one line per section, paginated by hand so the pages it takes are known
    when its place is reserved (the rest of the title page, then whole pages)."""

    def __init__(self, title: str, pdf: FPDF, sections: int) -> None:
        self.title = title
        room = pdf.page_break_trigger - CONTENTS_SLACK
        self.first = max(0, int((room - pdf.get_y() - CONTENTS_HEADING) // CONTENTS_LINE))
        self.per_page = int((room - pdf.t_margin) // CONTENTS_LINE)
        rest = max(0, sections - self.first)
        self.pages = 1 + -(-rest // self.per_page)

    def render(self, pdf: FPDF, outline: list[OutlineSection]) -> None:
        pdf.set_font(FONT, "B", 13)
        pdf.cell(0, CONTENTS_HEADING, self.title, new_x="LMARGIN", new_y="NEXT")
        room = self.first
        for entry in outline:
            if room == 0:
                pdf.add_page()
                pdf.set_font(FONT, size=10)
                room = self.per_page
            pdf.set_font(FONT, size=10)
            link = pdf.add_link(page=entry.page_number)
            pdf.cell(pdf.epw - 20, CONTENTS_LINE, entry.name, link=link)
            pdf.cell(20, CONTENTS_LINE, str(entry.page_number), align="R", link=link)
            pdf.ln(CONTENTS_LINE)
            room -= 1


@dataclass
class _Layout:
    """A section's columns as drawn: widths fitted so that each number column is a whole
    number of digits wide, and the runs of number columns, each drawn as ONE cell of
    figures padded with figure spaces (U+2007, as wide as a digit in DejaVu Sans): fpdf2's
    cell is the cost of a PDF of 1,000 organisations, so fewer cells is most of the speed."""

    columns: list[Column]
    widths: list[float]
    runs: list[tuple[int, int, list[int]]]  # (first, last + 1, each column's digits)
    heading_lines: list[list[str]]
    heading_height: float
    fitted: dict[tuple[str, float], str] = field(default_factory=dict)


def _layout(pdf: FPDF, columns: list[Column]) -> _Layout:
    pdf.set_font(FONT, size=BODY)
    digit = pdf.get_string_width("0")
    widths = [c.width for c in columns]
    digits = [0] * len(columns)
    for index, column in enumerate(columns):
        if column.number:
            digits[index] = max(3, round(column.width / digit))
            widths[index] = digits[index] * digit
    # What rounding took or gave goes to the widest text column.
    text_columns = [i for i, c in enumerate(columns) if not c.number]
    if text_columns:
        widest = max(text_columns, key=lambda i: widths[i])
        widths[widest] += sum(c.width for c in columns) - sum(widths)
    runs: list[tuple[int, int, list[int]]] = []
    index = 0
    while index < len(columns):
        if columns[index].number:
            end = index
            while end < len(columns) and columns[end].number:
                end += 1
            runs.append((index, end, digits[index:end]))
            index = end
        else:
            index += 1
    pdf.set_font(FONT, "B", HEADING_SIZE)
    heading_lines = [
        pdf.multi_cell(width, HEADING_LINE, column.heading, dry_run=True, output="LINES")
        for column, width in zip(columns, widths, strict=True)
    ]
    height = max(len(lines) for lines in heading_lines) * HEADING_LINE + 1.5
    return _Layout(columns, widths, runs, heading_lines, height)


def _part(pdf: OverviewPdf, part: Section, withheld: str, *, new_page: bool) -> None:
    if new_page:
        pdf.add_page()
    pdf.start_section(part.title)
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(0, 7, part.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(0, 4.8, part.caption, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if not part.rows:
        pdf.multi_cell(0, 5, part.empty, new_x="LMARGIN", new_y="NEXT")
        return
    shown = [
        index
        for index, column in enumerate(part.columns)
        if column.in_pdf and not (part.grouped and index == 0)
    ]
    layout = _layout(pdf, [part.columns[index] for index in shown])
    _headings(pdf, layout)
    group: Cell = object()  # type: ignore[assignment]
    for row in part.rows:
        cells = [row[index] for index in shown]
        if part.grouped and row[0] != group:
            group = row[0]
            if pdf.will_page_break(ROW * 3):
                pdf.add_page()
                _headings(pdf, layout)
            pdf.set_font(FONT, "B", 8.5)
            pdf.cell(0, ROW + 1.5, _fit(pdf, layout, str(group), pdf.epw))
            pdf.ln(ROW + 1.5)
            note = part.group_notes.get(str(group))
            if note:
                pdf.set_font(FONT, size=BODY)
                pdf.multi_cell(0, ROW - 0.6, note, new_x="LMARGIN", new_y="NEXT")
        if pdf.will_page_break(ROW):
            pdf.add_page()
            _headings(pdf, layout)
        _row(pdf, layout, cells, withheld)


def _headings(pdf: FPDF, layout: _Layout) -> None:
    pdf.set_font(FONT, "B", HEADING_SIZE)
    top, left = pdf.get_y(), pdf.l_margin
    pdf.set_fill_color(*SHADE)
    pdf.rect(left, top, pdf.epw, layout.heading_height, style="F")
    x = left
    for column, width, lines in zip(
        layout.columns, layout.widths, layout.heading_lines, strict=True
    ):
        for number, line in enumerate(lines):
            pdf.set_xy(x, top + 0.75 + number * HEADING_LINE)
            pdf.cell(width, HEADING_LINE, line, align="R" if column.number else "L")
        x += width
    pdf.set_xy(left, top + layout.heading_height)


def _row(pdf: FPDF, layout: _Layout, cells: list[Cell], withheld: str) -> None:
    pdf.set_font(FONT, size=BODY)
    runs = {first: (end, digits) for first, end, digits in layout.runs}
    index = 0
    while index < len(cells):
        run = runs.get(index)
        if run is not None and all(isinstance(cells[i], int) for i in range(index, run[0])):
            end, digits = run
            text = "".join(
                str(value).rjust(width, FIGURE_SPACE)
                for value, width in zip(cells[index:end], digits, strict=True)
            )
            pdf.cell(sum(layout.widths[index:end]), ROW, text, align="R")
            index = end
            continue
        column, width, value = layout.columns[index], layout.widths[index], cells[index]
        text = withheld if value is None else str(value)
        if text:
            pdf.cell(
                width, ROW, _fit(pdf, layout, text, width), align="R" if column.number else "L"
            )
        else:
            pdf.set_x(pdf.get_x() + width)
        index += 1
    pdf.ln(ROW)
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())


def _fit(pdf: FPDF, layout: _Layout, text: str, width: float) -> str:
    """The text cut with an ellipsis to fit its column (the spreadsheet has it whole); names
    repeat from row to row, so each is measured once."""
    key = (text, width)
    fitted = layout.fitted.get(key)
    if fitted is None:
        fitted = layout.fitted[key] = _cut(pdf, text, width - 2 * pdf.c_margin)
    return fitted


def _cut(pdf: FPDF, text: str, room: float) -> str:
    if pdf.get_string_width(text) <= room:
        return text
    while text and pdf.get_string_width(text + "…") > room:
        text = text[: max(1, len(text) * 9 // 10) - 1] if len(text) > 12 else text[:-1]
    return text + "…"
