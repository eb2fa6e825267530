"""The spreadsheet download (mappa-statistics.xlsx), laid out as the Government Statistical
Service's guidance "Releasing statistics in spreadsheets" asks: a cover sheet, a contents
sheet, a notes sheet, then one table per sheet. Every table has one header row, no merged
cells and no blank rows or columns, is marked up as an Excel table with a name, and stores
figures as numbers. A figure that does not apply (a printed dash) is the shorthand [z].

The tables are the CSV files' tables, row for row and column for column, so each figure can be
matched to its CSV row. openpyxl writes the workbook, but for speed the tables' data rows are
written by TableBody, which copies openpyxl's XML for each distinct value of a column instead of
having openpyxl make and serialise every cell (the XML is the same). The document properties
take their dates from the package, and the zip container is made with fixed timestamps, so two
builds give the same bytes.
"""
from __future__ import annotations

from contextlib import ExitStack
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl.xml
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import xmlfile

from build_scripts import private_interfaces

if openpyxl.xml.LXML:  # build_scripts/__init__.py turns lxml off before openpyxl is first imported
    raise ImportError("openpyxl was imported with lxml before build_scripts set OPENPYXL_LXML=False: the "
                      "spreadsheet's bytes would depend on what is installed. Import build_scripts first.")
from build_scripts.inputs.dataset import Dataset
from build_scripts.reproducible import deterministic_zip

NOT_APPLICABLE = "[z]"
# The package's tables in the spreadsheet, in order. The quality register is on the notes sheet.
# A table with no rows (corrections, before the first) has no sheet: an Excel table needs a row.
TABLE_SHEETS = ["observations", "measures", "areas", "reports", "glossary", "corrections"]
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
     "Figures are published exactly as printed. Where a printed total is not the sum of its parts, or a report "
     "is unclear, the data-quality notes below say so, one note for each place."),
    ("Corrections",
     "A figure we typed wrongly is corrected in a later release, never in a release already published. The "
     "Corrections sheet, when there is one, lists every corrected figure with its value as released, its "
     "corrected value, both versions and the reason. Without it, no figure has been corrected."),
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


def table_columns(data: Dataset, name: str) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    """A package table's fields, and its values column by column as the spreadsheet stores them."""
    resource = next(r for r in data.descriptor["resources"] if r["name"] == name)
    fields = resource["schema"]["fields"]
    source = {
        "observations": data.observations,
        "measures": data.measures_in_order(),
        "areas": sorted(data.areas.values(), key=lambda a: a["area_id"]),
        "reports": sorted(data.reports.values(), key=lambda r: r["report_id"]),
        "glossary": sorted(data.glossary.values(), key=lambda g: g["term_id"]),
        "corrections": data.corrections,
    }[name]
    columns = []
    for field in fields:
        texts = [row[field["name"]] for row in source]
        values = {text: cell_value(field, text) for text in set(texts)}
        columns.append(list(map(values.__getitem__, texts)))
    if name == "observations":
        value = [f["name"] for f in fields].index("value")
        columns[value] = [NOT_APPLICABLE if row["status"] == "not_applicable" else v
                          for row, v in zip(source, columns[value], strict=True)]
    return fields, columns


def by_column(rows: list[list[Any]], width: int) -> list[list[Any]]:
    """Rows of `width` values as columns."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


def set_value(cell, value: Any):
    """Give a cell its value. Text is always text: openpyxl would make "=..." a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    if isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def put(sheet, row: int, column: int, value: Any):
    """Write one cell."""
    return set_value(sheet.cell(row, column), value)


WRAP = Alignment(wrap_text=True, vertical="top")
# Types whose equal values are written alike. Not float (-0.0 == 0 but is written -0; nan is not
# equal to itself) nor bool (True == 1 but is a boolean cell).
SAME_WHEN_EQUAL = {str, int, date, type(None)}


def same_when_equal(value: Any) -> Any:
    """A key for a value, equal only for values that openpyxl writes alike."""
    return value if type(value) in SAME_WHEN_EQUAL else (type(value), repr(value))


class TableBody:
    """A table's data rows, row 4 down, given column by column, and which columns wrap.

    openpyxl would make an object for every cell and serialise each one, which was most of the
    build's time at full scale. TableBody.xml has openpyxl make and serialise one cell for each
    distinct value of a column, and copies that XML to every cell of the column with the value,
    each under its own reference. So the sheet's XML is still openpyxl's, byte for byte."""

    def __init__(self, columns: list[list[Any]], wrap: list[bool]):
        self.columns = columns
        self.wrap = wrap
        self.length = len(columns[0]) if columns else 0

    def put(self, sheet) -> None:
        """The rows as openpyxl cells instead, for a small table whose cells get more (links)."""
        for row_number, values in enumerate(zip(*self.columns, strict=True), start=4):
            for index, value in enumerate(values):
                cell = put(sheet, row_number, index + 1, value)
                if self.wrap[index]:
                    cell.alignment = WRAP

    def xml(self, sheet) -> str:
        """The <row> elements. Run while openpyxl writes the sheet: each distinct value is made
        into a cell in the order openpyxl would meet it, row by row, so that cell styles get the
        numbers openpyxl would give them."""
        numbers = [str(n) for n in range(4, 4 + self.length)]
        keys = [column if set(map(type, column)) <= SAME_WHEN_EQUAL else [same_when_equal(v) for v in column]
                for column in self.columns]
        first_seen = []  # (row index, column index) of each distinct value's first cell
        for index, column in enumerate(keys):
            # Read backwards, so each value keeps the index of its first row.
            first = {key: row for row, key in zip(range(self.length - 1, -1, -1), reversed(column), strict=True)}
            first_seen += [(row, index) for row in first.values()]
        cell_xml = CellXml(sheet)
        tails: list[dict[Any, str]] = [{} for _ in self.columns]
        for row, index in sorted(first_seen):
            tails[index][keys[index][row]] = cell_xml.tail(4 + row, index + 1, self.columns[index][row],
                                                           self.wrap[index])
        cells = []
        for index, column in enumerate(keys):
            head = f'<c r="{get_column_letter(index + 1)}'
            column_tails = list(map(tails[index].__getitem__, column))
            if "" in tails[index].values():  # a cell openpyxl leaves out
                cells.append([head + n + t if t else "" for n, t in zip(numbers, column_tails, strict=True)])
            else:
                cells.append([head + n + t for n, t in zip(numbers, column_tails, strict=True)])
        rows = zip(numbers, zip(*cells, strict=True), strict=True)
        return "".join([f'<row r="{n}">{"".join(row)}</row>' for n, row in rows])


class CellXml:
    """One cell as openpyxl's worksheet writer writes it, inside <worksheet><sheetData>."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.chunks: list[str] = []
        self.stack = ExitStack()
        self.xf = self.stack.enter_context(xmlfile(self, encoding="unicode"))
        self.stack.enter_context(self.xf.element("worksheet", xmlns=SHEET_MAIN_NS))
        self.stack.enter_context(self.xf.element("sheetData"))

    def write(self, text: str) -> None:
        self.chunks.append(text)

    def tail(self, row: int, column: int, value: Any, wrap: bool) -> str:
        """The cell's XML after `<c r="B7` (from the closing quote on), or "" for a cell
        openpyxl leaves out."""
        cell = set_value(Cell(self.sheet, row=row, column=column), value)
        if wrap:
            cell.alignment = WRAP
        if value is None and not cell.has_style:
            return ""
        from openpyxl.cell._writer import write_cell  # private: only for the versions it was written for

        self.chunks.clear()
        write_cell(self.xf, self.sheet, cell, cell.has_style)
        text, head = "".join(self.chunks), f'<c r="{cell.coordinate}'
        assert text.startswith(head + '"'), text
        return text[len(head):]


def add_table(sheet, title: str, intro: str, header: list[str], columns: list[list[Any]],
              table_name: str) -> TableBody:
    """Title in A1 (a heading), one line of explanation in A2, the table from A3 down: the header
    row here; the rows below it, given column by column, are returned for the workbook's writer
    (or for TableBody.put)."""
    body = TableBody(columns, [])
    put(sheet, 1, 1, title).style = "Headline 1"
    put(sheet, 2, 1, intro)
    for index, name in enumerate(header, start=1):
        put(sheet, 3, index, name)
    last = get_column_letter(len(header))
    # Columns and filter given here as openpyxl would make them when saving, from the header
    # cells: to find those it would read the table's whole range, making a cell for each.
    ref = f"A3:{last}{3 + body.length}"
    table = Table(displayName=table_name, ref=ref, autoFilter=AutoFilter(ref=ref),
                  tableColumns=[TableColumn(id=i, name=str(name)) for i, name in enumerate(header, start=1)])
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    sheet.add_table(table)
    for index, (name, column) in enumerate(zip(header, columns, strict=True), start=1):
        longest = max(len(str(name)), max(map(len, map(str, [v for v in column if v is not None])), default=0))
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest, 8) + 2, WIDEST)
        body.wrap.append(longest > WIDEST)
    return body


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


class Parts(dict):
    """Stands in for the zip file that ExcelWriter writes into: the workbook's parts by name."""

    def writestr(self, name: str, data: str | bytes) -> None:
        self[name] = data.encode("utf-8") if isinstance(data, str) else data

    def write(self, filename: str, name: str) -> None:
        self[name] = Path(filename).read_bytes()

    def namelist(self) -> list[str]:
        return list(self)

    def close(self) -> None:
        pass


class Writer(ExcelWriter):
    """openpyxl's writer, which leaves the tables' data rows to TableBody: each sheet is written
    with its title, introduction and header row, then its data rows go in after the header."""

    def __init__(self, book: Workbook, bodies: dict[str, TableBody]):
        self.parts = Parts()
        super().__init__(book, self.parts)
        self.bodies = bodies

    def write_worksheet(self, ws) -> None:
        super().write_worksheet(ws)
        body = self.bodies.get(ws.title)
        if body is None or not body.length:
            return
        # The sheet's size as openpyxl gives it, counting the rows it did not write.
        name, last = ws.path[1:], get_column_letter(len(body.columns))
        part = self.parts[name].decode("utf-8")
        header_only = f'<dimension ref="A1:{last}3" />'
        assert part.count(header_only) == 1 and part.count("</sheetData>") == 1, name
        part = part.replace(header_only, f'<dimension ref="A1:{last}{3 + body.length}" />')
        self.parts[name] = part.replace("</sheetData>", body.xml(ws) + "</sheetData>").encode("utf-8")


def workbook_parts(data: Dataset, citation: str) -> dict[str, bytes]:
    book = Workbook()
    cover_sheet = book.active
    cover_sheet.title = "Cover"
    cover(cover_sheet, data, citation)

    resources = {r["name"]: r for r in data.descriptor["resources"]}
    contents = [("Notes", "Notes on the tables, and the data-quality register: one note for each place where a "
                          "report contradicts itself or is unclear.")]
    sheets = [n for n in TABLE_SHEETS if n in resources and (n != "corrections" or data.corrections)]
    contents += [(sheet_name(n), " ".join(resources[n]["description"].split()).replace("`", "")) for n in sheets]
    sheet = book.create_sheet("Contents")
    add_table(sheet, "Contents", f"This worksheet contains one table: the {len(contents)} worksheets after it. "
                                 "Select a sheet name to go to it.",
              ["Sheet name", "What it holds"], by_column(contents, 2), "Contents").put(sheet)
    for row_number, (name, _) in enumerate(contents, start=4):
        cell = sheet.cell(row_number, 1)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{name}'!A1", display=name)
        cell.style = "Hyperlink"

    bodies = {}
    notes = notes_rows(data)
    bodies["Notes"] = add_table(
        book.create_sheet("Notes"), "Notes",
        f"This worksheet contains one table of {len(notes)} notes. Notes 1 to {len(GENERAL_NOTES)} apply to "
        "the tables; the others are the data-quality register.",
        ["Note number", "Applies to", "Note text"], by_column(notes, 3), "Notes")

    for name in sheets:
        fields, columns = table_columns(data, name)
        resource = resources[name]
        bodies[sheet_name(name)] = add_table(
            book.create_sheet(sheet_name(name)), resource["title"],
            f"This worksheet contains one table with {len(columns[0])} rows, the same as {resource['path']}. "
            + (f"{NOT_APPLICABLE} means not applicable (a printed dash): see note 1. " if name == "observations"
               else "") + "Column meanings are on the data page's data dictionary.",
            [f["name"] for f in fields], columns, sheet_name(name))

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
    # A writer, not book.save(): save() stamps `modified` with the clock.
    if private_interfaces.usable("spreadsheet rows"):
        writer = Writer(book, bodies)
        writer.save()
        return writer.parts
    # openpyxl's own way, every cell an object: the same bytes, slower (private_interfaces.py).
    for title, body in bodies.items():
        body.put(book[title])
    parts = Parts()
    ExcelWriter(book, parts).save()
    return parts


def build_spreadsheet(data: Dataset, citation: str, epoch: int) -> bytes:
    """Entry point: the workbook's bytes, in a zip container made for reproducibility. Deflate
    level 9, as every zip of a release: level 6 would save about 1.2 s at full scale, but would
    change the bytes (and published checksums) of a release already out, v1.1.0."""
    return deterministic_zip(list(workbook_parts(data, citation).items()), epoch)
