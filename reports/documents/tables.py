"""A report's content as sections of tables in the reader's language: the one text of the page,
the PDF and the spreadsheet, which only lay the same cells out differently.

A cell is text, a whole number, or None for a count of people withheld ("fewer than 3").
"""

from __future__ import annotations

from dataclasses import dataclass, field

Cell = str | int | None


@dataclass(frozen=True)
class Column:
    heading: str
    width: float  # in the PDF, millimetres of A4's 174 mm between the margins
    number: bool = False
    # Left out of the PDF (a long text the spreadsheet keeps whole in every row, which the
    # PDF prints once under its group's heading instead: `Section.group_notes`).
    in_pdf: bool = True


@dataclass(frozen=True)
class Section:
    key: str  # the anchor of the page and the name of the sheet
    title: str
    sheet: str  # the spreadsheet's sheet name (31 characters at most)
    caption: str
    columns: list[Column]
    rows: list[list[Cell]]
    # The PDF prints the first column as a subheading where it changes, not in every row.
    grouped: bool = False
    empty: str = ""
    # Text printed whole (wrapped) under a group's heading in the PDF, by the group's cell.
    group_notes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Texts:
    """Texts every format uses besides the sections: the title, the words for a withheld
    count, and the lines under the title of the PDF's first page."""

    title: str
    withheld: str
    municipality: str
    introduction: tuple[str, ...] = ()
