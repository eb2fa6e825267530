"""The spreadsheet's tables are written by TableBody, which copies openpyxl's XML for each
distinct value of a column instead of having openpyxl write every cell. For awkward values
(formula-like text, error codes, spaces at the ends, XML's special characters, line breaks,
non-ASCII, long text that wraps, dates, big, small and repeated numbers, empty cells) the
workbook is byte for byte the one openpyxl writes cell by cell."""
from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook
from openpyxl.cell.cell import IllegalCharacterError
from openpyxl.writer.excel import ExcelWriter

from build_scripts.render.spreadsheet import Parts, Writer, add_table

LONG = "A sentence long enough to wrap in its column, with & and < and > in it, and more words."
COLUMNS = {
    "text": ["=SUM(A1:A2)", "=", "#N/A", "#DIV/0!", " leading", "trailing ", "  ", "a & b < c > d \"q\" 'a'",
             "line\nbreak\r\nand\ttab", "\u00dcn\u00efc\u00f6d\u00e9 \u2713 \U0001F642", "=SUM(A1:A2)", None],
    "number": [0, -1, 1.5, 1e20, 0.1, 12345678901234567, 1, "[z]", None, 2.5e-7, -0.0, 1.0],
    "odd": [True, 1, False, 0, float("nan"), float("nan"), float("inf"), -0.0, 0.0, None, None, 1],
    "date": [date(2020, 1, 31), date(1900, 1, 1), date(1900, 3, 1), None, date(2020, 1, 31), date(1999, 12, 31),
             None, None, None, None, None, date(1900, 2, 28)],
    "wraps": [LONG, None, LONG + " 2", "short", None, LONG, "", "x", None, None, LONG, " " + LONG],
    "code": ["1", "all", "1", "2", "all", "01", "1.0", "true", "NaN", "-", "1", "1"],
}


def workbook(cell_by_cell: bool) -> Parts:
    book = Workbook()
    book.active.title = "Cover"
    sheets = {}
    for title in ("Table", "Empty"):
        sheet = book.create_sheet(title)
        columns = list(COLUMNS.values()) if title == "Table" else [[] for _ in COLUMNS]
        sheets[title] = add_table(sheet, title, "One table.", list(COLUMNS), columns, title)
    if cell_by_cell:
        for title, body in sheets.items():
            body.put(book[title])
        parts = Parts()
        ExcelWriter(book, parts).save()
        return parts
    writer = Writer(book, sheets)
    writer.save()
    return writer.parts


def test_table_bodies_are_openpyxls_cells_byte_for_byte():
    expected, written = workbook(cell_by_cell=True), workbook(cell_by_cell=False)
    assert list(written) == list(expected)
    for name in expected:
        assert written[name] == expected[name], name
    sheet = written["xl/worksheets/sheet2.xml"].decode()
    assert 'ref="A1:F15"' in sheet and 'xml:space="preserve"' in sheet and 't="e"' in sheet  # the cases were met


def test_text_openpyxl_refuses_is_refused():
    book = Workbook()
    body = add_table(book.active, "Table", "One table.", ["text"], [["fine", "bell\x07"]], "Table")
    with pytest.raises(IllegalCharacterError):
        Writer(book, {book.active.title: body}).save()
