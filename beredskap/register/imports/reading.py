"""A spreadsheet file (CSV or XLSX) read into a heading row and data rows of text.

CSV: UTF-8 with or without a byte-order mark, else Windows-1252 (what Excel writes on a
Norwegian Windows); `;`, `,` or tab as the delimiter, detected. XLSX: the first worksheet
(a template's explanation sheet comes second), read streaming with openpyxl. Whatever the
bytes, the result is a `Table` or a `FileError` with a code: never another exception.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from beredskap.platform.errors import N_

MAX_ROWS = 100_000
MAX_COLUMNS = 60
MAX_CELL_CHARS = 10_000
# A workbook unpacks to at most this much XML (a small zip can hide a huge one).
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_DELIMITERS = ";,\t"


class FileError(Exception):
    """The file as a whole cannot be read; a code (`N_`) and its parameters, as
    `DomainValidationError` carries."""

    def __init__(self, code: str, **params: str | int) -> None:
        self.code = code
        self.params = params
        self.message = code % params if params else code
        super().__init__(self.message)


@dataclass(frozen=True)
class Table:
    """The heading row and the data rows, each with its row number in the file (the heading
    is row 1). Blank rows are left out; cells are stripped text, "" when empty."""

    headings: list[str]
    rows: list[tuple[int, list[str]]]


def read_table(data: bytes, filename: str = "") -> Table:
    """The table in a CSV or XLSX file, or FileError."""
    if not data.strip():
        raise FileError(N_("the file is empty"))
    if data.startswith(_ZIP_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        return _table(_xlsx_rows(data))
    return _table(_csv_rows(_decode(data)))


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise FileError(N_("the file is neither a CSV file nor an Excel workbook (XLSX)"))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileError(
            N_("the file is neither UTF-8 nor Windows-1252 text, nor an Excel workbook (XLSX)")
        ) from None


def detect_delimiter(text: str) -> str:
    """`;`, `,` or tab: the one the heading row holds most of, else the sniffer's answer on
    the first lines (a one-column file: `;`). The heading row first: the sniffer, reading
    cells full of commas and semicolons, guessed wrong on a third of generated files."""
    lines = text.splitlines()
    first = lines[0] if lines else ""
    counts = {delimiter: first.count(delimiter) for delimiter in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[best]:
        return best
    try:
        return csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        return ";"


def _csv_rows(text: str) -> Iterable[tuple[int, list[str]]]:
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows = []
    try:
        for number, row in enumerate(reader, start=1):
            rows.append((number, row))
            if number > MAX_ROWS + 1:
                break
    except csv.Error:
        # A field longer than the csv module's limit (128 KiB), or a NUL inside quotes.
        raise FileError(
            N_("the CSV file could not be read after row %(row)s"), row=len(rows)
        ) from None
    return rows


def _xlsx_rows(data: bytes) -> Iterable[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # imported when a workbook arrives: it is slow to load

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise FileError(N_("the workbook is too large once unpacked"))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except FileError:
        raise
    except Exception:  # openpyxl raises many kinds (zip, XML, key and value errors)
        raise FileError(N_("the file is not an Excel workbook (XLSX) that can be read")) from None
    try:
        sheets = [sheet for sheet in workbook.worksheets if hasattr(sheet, "iter_rows")]
        if not sheets:
            raise FileError(N_("the workbook has no worksheet"))
        rows = []
        for number, values in enumerate(sheets[0].iter_rows(values_only=True), start=1):
            rows.append((number, [_cell_text(value) for value in values]))
            if number > MAX_ROWS + 1:
                break
        return rows
    except FileError:
        raise
    except Exception:
        raise FileError(N_("the file is not an Excel workbook (XLSX) that can be read")) from None
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    """A workbook cell as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(rows: Iterable[tuple[int, list[str]]]) -> Table:
    headings: list[str] | None = None
    data: list[tuple[int, list[str]]] = []
    for number, row in rows:
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if headings is None:
            if len(cells) > MAX_COLUMNS:
                raise FileError(N_("at most %(count)s columns"), count=MAX_COLUMNS)
            headings = cells
            continue
        data.append((number, cells))
        if len(data) > MAX_ROWS:
            raise FileError(N_("at most %(count)s rows"), count=MAX_ROWS)
    if headings is None:
        raise FileError(N_("the file is empty"))
    return Table(headings=headings, rows=data)
