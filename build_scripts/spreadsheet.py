"""The spreadsheet download (mappa-statistics.xlsx), laid out as the Government Statistical
Service's guidance "Releasing statistics in spreadsheets" asks: a cover sheet, a contents
sheet, a notes sheet, then one table per sheet. Every table has one header row, no merged
cells and no blank rows or columns, is marked up as an Excel table with a name, and stores
figures as numbers. A figure that does not apply (a printed dash) is the shorthand [z].

The tables are the CSV files' tables, row for row and column for column, so each figure can be
matched to its CSV row. openpyxl writes the workbook; its document properties take their
dates from the package, and the zip container is rewritten with fixed timestamps, so two
builds give the same bytes.
"""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.writer.excel import ExcelWriter

from .dataset import Dataset
from .reproducible import deterministic_zip

NOT_APPLICABLE = "[z]"
# The package's tables in the spreadsheet, in order. The quality register is on the notes sheet.
TABLE_SHEETS = ["observations", "measures", "areas", "reports", "glossary"]
WIDEST = 60  # characters; longer text wraps

GENERAL_NOTES = [
    ("Observations, column value",
     f"{NOT_APPLICABLE} means not applicable: the report printed a dash (-) in this cell, so the cell does "
     "not apply. The figure is not zero. In the CSV file the value is empty and the status is not_applicable."),
    ("Observations",
     "Not published: a table that a report did not print has no rows. It is never shown as 0."),
    ("Observations, columns level and category",
     "The codes are text: level is 1, 2 or 3, category is 1, 2, 3 or 4, and all marks a total or a single "
     "figure. To find a total, choose level all and category all."),
    ("All tables",
     "Figures are published exactly as printed and never corrected. Where a printed total is not the sum of "
     "its parts, or a report is unclear, the data-quality notes below say so, one note for each place."),
    ("All tables",
     "An empty cell in a text column (such as source_column or note) means the report printed nothing there "
     "or there is nothing to add. No figure is ever left empty."),
]


def sheet_name(resource: str) -> str:
    """A sheet's name and its table's name, from the resource name (an identifier, so always a
    valid Excel name): observations -> Observations."""
    return resource.capitalize()


def cell_value(field: dict[str, Any], text: str) -> Any:
    """A CSV value as the spreadsheet stores it: figures as numbers, dates as dates."""
    if text == "":
        return None
    if field["type"] in ("integer", "number"):
        number = Decimal(text)
        return int(number) if number == number.to_integral_value() else float(text)
    if field["type"] == "date":
        return date.fromisoformat(text)
    return text


def table_rows(data: Dataset, name: str) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    resource = next(r for r in data.descriptor["resources"] if r["name"] == name)
    fields = resource["schema"]["fields"]
    source = {
        "observations": data.observations,
        "measures": data.measures_in_order(),
        "areas": sorted(data.areas.values(), key=lambda a: a["area_id"]),
        "reports": sorted(data.reports.values(), key=lambda r: r["report_id"]),
        "glossary": sorted(data.glossary.values(), key=lambda g: g["term_id"]),
    }[name]
    rows = []
    for row in source:
        values = [cell_value(f, row[f["name"]]) for f in fields]
        if name == "observations" and row["status"] == "not_applicable":
            values[[f["name"] for f in fields].index("value")] = NOT_APPLICABLE
        rows.append(values)
    return fields, rows


def put(sheet, row: int, column: int, value: Any):
    """Write one cell. Text is always text: openpyxl would make "=..." a formula."""
    cell = sheet.cell(row, column, value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    if isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def add_table(sheet, title: str, intro: str, header: list[str], rows: list[list[Any]], table_name: str) -> None:
    """Title in A1 (a heading), one line of explanation in A2, the table from A3 down."""
    put(sheet, 1, 1, title).style = "Headline 1"
    put(sheet, 2, 1, intro)
    for row_number, values in enumerate([header] + rows, start=3):
        for column, value in enumerate(values, start=1):
            put(sheet, row_number, column, value)
    last = get_column_letter(len(header))
    table = Table(displayName=table_name, ref=f"A3:{last}{3 + len(rows)}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    sheet.add_table(table)
    for index, name in enumerate(header, start=1):
        longest = max([len(str(name))] + [len(str(r[index - 1])) for r in rows if r[index - 1] is not None])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest, 8) + 2, WIDEST)
        if longest > WIDEST:
            for row_number in range(4, 4 + len(rows)):
                sheet.cell(row_number, index).alignment = Alignment(wrap_text=True, vertical="top")


def cover(sheet, data: Dataset, citation: str) -> None:
    d = data.descriptor
    licence = d["licenses"][0]
    source = d["sources"][0]
    released = date.fromisoformat(d["created"][:10])
    lines: list[tuple[str, str, str | None]] = [
        ("title", d["title"], None),
        ("text", f"This spreadsheet holds the figures of the statistical tables of MAPPA area annual reports: "
                 f"{data.holdings()}.", None),
        ("heading", "About these data", None),
        ("text", " ".join(d["description"].split()), None),
        ("heading", "Source", None),
        ("text", source["title"], None),
        ("link", source["path"], source["path"]),
        ("heading", "Licence", None),
        ("text", f"{licence['title']}. You may copy, publish, adapt and use the data, also commercially, "
                 f"if you say where they come from.", None),
        ("link", licence["path"], licence["path"]),
        ("heading", "Publisher and contact", None),
        ("text", d["contributors"][0]["title"], None),
        ("link", d["homepage"], d["homepage"]),
        ("heading", "Version", None),
        ("text", d["version"], None),
        ("heading", "Date", None),
        ("text", f"{released.day} {released:%B %Y}", None),
        ("heading", "How to cite", None),
        ("text", citation, None),
        ("heading", "More information", None),
        ("text", "The same tables as CSV files, with a data dictionary and the methodology:", None),
        ("link", d["homepage"] + "data/", d["homepage"] + "data/"),
    ]
    for row, (kind, text, target) in enumerate(lines, start=1):
        cell = put(sheet, row, 1, text)
        if kind == "title":
            cell.style = "Headline 1"
        elif kind == "heading":
            cell.style = "Headline 2"
        elif kind == "link":
            cell.hyperlink = target
            cell.style = "Hyperlink"
        else:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 100


def notes_rows(data: Dataset) -> list[list[Any]]:
    rows = [[f"Note {n}", applies, text] for n, (applies, text) in enumerate(GENERAL_NOTES, start=1)]
    for q in sorted(data.quality, key=lambda q: (q["report_id"], q["quality_id"])):
        applies = f"Report {q['report_id']}" + (f", measure {q['measure_id']}" if q["measure_id"] else "")
        text = (f"{q['kind'].replace('_', ' ').capitalize()}. Where: {q['location']}. Printed: {q['printed']}. "
                f"{q['found']} {q['handling']}").replace("`", "")
        rows.append([f"Note {len(rows) + 1}", applies, text])
    return rows


def workbook_bytes(data: Dataset, citation: str) -> bytes:
    book = Workbook()
    cover_sheet = book.active
    cover_sheet.title = "Cover"
    cover(cover_sheet, data, citation)

    resources = {r["name"]: r for r in data.descriptor["resources"]}
    contents = [("Notes", "Notes on the tables, and the data-quality register: one note for each place where a "
                          "report contradicts itself or is unclear.")]
    contents += [(sheet_name(n), " ".join(resources[n]["description"].split()).replace("`", ""))
                 for n in TABLE_SHEETS]
    sheet = book.create_sheet("Contents")
    add_table(sheet, "Contents", f"This worksheet contains one table: the {len(contents)} worksheets after it. "
                                 "Select a sheet name to go to it.",
              ["Sheet name", "What it holds"], [list(c) for c in contents], "Contents")
    for row_number, (name, _) in enumerate(contents, start=4):
        cell = sheet.cell(row_number, 1)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{name}'!A1", display=name)
        cell.style = "Hyperlink"

    notes = notes_rows(data)
    add_table(book.create_sheet("Notes"), "Notes",
              f"This worksheet contains one table of {len(notes)} notes. Notes 1 to {len(GENERAL_NOTES)} apply to "
              "the tables; the others are the data-quality register.",
              ["Note number", "Applies to", "Note text"], notes, "Notes")

    for name in TABLE_SHEETS:
        fields, rows = table_rows(data, name)
        resource = resources[name]
        add_table(book.create_sheet(sheet_name(name)), resource["title"],
                  f"This worksheet contains one table with {len(rows)} rows, the same as {resource['path']}. "
                  + (f"{NOT_APPLICABLE} means not applicable (a printed dash): see note 1. " if name == "observations"
                     else "") + "Column meanings are on the data page's data dictionary.",
                  [f["name"] for f in fields], rows, sheet_name(name))

    created = datetime.fromisoformat(data.descriptor["created"].replace("Z", "+00:00")).astimezone(
        timezone.utc).replace(tzinfo=None)
    props = book.properties
    props.title = data.descriptor["title"]
    props.creator = data.descriptor["contributors"][0]["title"]
    props.lastModifiedBy = props.creator
    props.created = created
    props.modified = created
    props.version = data.version
    props.language = "en-GB"
    # ExcelWriter, not book.save(): save() stamps `modified` with the clock.
    buffer = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return buffer.getvalue()


def build_spreadsheet(data: Dataset, citation: str, epoch: int) -> bytes:
    """Entry point: the workbook's bytes, with its zip container rewritten for reproducibility."""
    with zipfile.ZipFile(io.BytesIO(workbook_bytes(data, citation))) as archive:
        parts = [(name, archive.read(name)) for name in archive.namelist()]
    return deterministic_zip(parts, epoch)
