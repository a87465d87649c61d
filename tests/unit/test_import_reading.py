"""Reading import files (issue 15): any CSV a spreadsheet writes, in UTF-8 (with or without a
byte-order mark) or Windows-1252, separated by `;`, `,` or tab, reads back as written;
anything else is a coded FileError, never another exception."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beredskap.register.imports.kinds import EQUIPMENT_COLUMNS
from beredskap.register.imports.reading import FileError, read_table
from beredskap.register.imports.service import map_headings

HEADINGS = ["Organisasjon", "Lagringssted", "Ressurstype", "Antall", "Merknader"]
# What cells hold: Norwegian letters, digits, and the punctuation that trips a reader
# (both delimiters, quotes, the euro sign and dashes that exist only in Windows-1252).
ALPHABET = "abcæøåABCÆØÅéü0123456789 .,;:-_/'\"()€\u2013«»"
cell = st.text(alphabet=ALPHABET, max_size=20).map(str.strip)
row = st.lists(cell, min_size=len(HEADINGS), max_size=len(HEADINGS))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(row, min_size=1, max_size=15),
    delimiter=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    newline=st.sampled_from(["\r\n", "\n"]),
)
def test_a_written_csv_reads_back_as_written(
    rows: list[list[str]], delimiter: str, encoding: str, newline: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(HEADINGS)
    writer.writerows(rows)
    table = read_table(buffer.getvalue().encode(encoding), "fil.csv")
    assert table.headings == HEADINGS
    expected = [r for r in rows if any(r)]
    assert [cells for _number, cells in table.rows] == expected
    # Row numbers are the spreadsheet's: the heading is row 1, blank rows still count.
    numbers = [n + 2 for n, r in enumerate(rows) if any(r)]
    assert [number for number, _cells in table.rows] == numbers


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=3000), name=st.sampled_from(["x.csv", "x.xlsx", ""]))
def test_any_bytes_give_a_table_or_a_coded_file_error(data: bytes, name: str) -> None:
    try:
        table = read_table(data, name)
    except FileError as error:
        assert error.code and error.message
    else:
        mapped, errors = map_headings(table.headings, EQUIPMENT_COLUMNS)
        assert mapped.positions or errors


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "the file is empty"),
        (b" \r\n\r\n", "the file is empty"),
        (b"a\x00b", "the file is neither a CSV file nor an Excel workbook (XLSX)"),
        (b"PK\x03\x04garbage", "the file is not an Excel workbook (XLSX) that can be read"),
    ],
)
def test_unreadable_files_say_why(data: bytes, code: str) -> None:
    with pytest.raises(FileError) as caught:
        read_table(data, "f.csv")
    assert caught.value.code == code
