"""Find: the document's lines -> the template's tables, each cell with its measure, level and
category, as a careful person would key them.

A table is known by its title's key phrases (terms.py), then read by its shape: a single figure
beside (or under) its title; the orders table's rows, each an order and one figure; a table by
level and category, whose columns are found from where its figures stand and named by the
headings above them (a heading wrapped over several lines is one heading).

Never a guess: a figure that cannot be placed without doubt is drafted as TODO (its value, or the
label it lacks), with a note of what was seen and where, so the build refuses the file until a
person settles it against the printed page. Numbers in running text are never figures: a
figure is a cell that is a number or a dash and nothing else, in a line of a table found by
its title.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from build_scripts.curator.draft.read import Cell, Line
from build_scripts.curator.draft.terms import Terms, normalise, without_mark
from build_scripts.inputs.metadata import PLACEHOLDER

# Every dash the reports print for "not applicable", typed as "-" (curated/README.md, Dashes).
DASHES = set("-‐‑‒–—―−﹘﹣－")
NUMBER = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?|[0-9]+(\.[0-9]+)?")
# The order of a level-by-category table's columns in the MAPPA template: an unlabelled column
# is read by its place in it only when every other column is where the template puts it.
TEMPLATE_COLUMNS = ["1", "2", "3", "all"]
MAX_TITLE_LINES = 3
MAX_TITLE_WORDS = 40
SENTENCE_BREAK = re.compile(r"[a-z)]\.\s+[A-Z]")
# A rule drawn with characters ("---", "____") that a text extraction keeps: neither label nor figure.
RULE = re.compile(r"[-_.=–—]{2,}")


@dataclass
class Drafted:
    """One printed cell, drafted: the curated row and the line it was read from."""

    table: str
    row: str
    column: str
    value: str
    measure_id: str
    level: str
    category: str
    note: str
    line: Line

    @property
    def todo(self) -> bool:
        return any(str(v).startswith(PLACEHOLDER) for v in (self.value, self.measure_id, self.level, self.category))

    def curated(self) -> dict[str, str]:
        return dict(table=self.table, row=self.row, column=self.column, value=self.value, measure_id=self.measure_id,
                    level=self.level, category=self.category, note=self.note)


@dataclass
class FoundTable:
    key: str  # the measure, or orders or custody
    title: str
    lines: list[Line]
    cells: list[Drafted] = field(default_factory=list)

    @property
    def pages(self) -> list[int]:
        return sorted({line.page for line in self.lines if line.page})


@dataclass
class GridRow:
    line: Line
    label: str
    level: str
    measure: str  # empty when a returns to custody row has no section above it
    section: str
    figures: list[tuple[Cell, str, str]]


@dataclass
class LocalTable:
    """Figures under a title that is no table of the template (a local table): listed, not drafted."""

    title: str
    line: Line


def printed_value(text: str) -> tuple[str, str] | None:
    """(value as the curated file writes it, footnote mark) when the cell is a figure, else None:
    '1,409' -> ('1,409', ''); '–' -> ('-', ''); '13*' -> ('13', '*')."""
    body, mark = without_mark(text.strip())
    body = body.strip()
    if len(body) == 1 and body in DASHES:
        return "-", mark
    if NUMBER.fullmatch(body):
        return body, mark
    return None


def level_of(label: str) -> str | None:
    """'Level 2' -> '2', 'Total' -> 'all' (a footnote mark aside); any other label -> None."""
    normalised = normalise(without_mark(label)[0])
    match = re.fullmatch(r" level ([123]) ", normalised)
    if match:
        return match.group(1)
    return "all" if normalised == " total " else None


def title_like(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= MAX_TITLE_WORDS and not text.rstrip().endswith(".") and not SENTENCE_BREAK.search(text)


def split_line(line: Line) -> tuple[list[Cell], list[tuple[Cell, str, str]]]:
    """(label cells, figure cells with their value and mark); empty cells are neither."""
    labels, figures = [], []
    for cell in line.cells:
        if not cell.text.strip() or RULE.fullmatch(cell.text.strip()):
            continue
        value = printed_value(cell.text)
        if value is None:
            labels.append(cell)
        else:
            figures.append((cell, *value))
    return labels, figures


def label_text(line: Line) -> str:
    return " ".join(c.text.strip() for c in split_line(line)[0])


def mark_note(mark: str) -> str:
    return f"Printed with the footnote mark {mark!r}, not part of the figure." if mark else ""


class Finder:
    """Walks the lines once, finding each table by its title and reading it by its shape."""

    def __init__(self, terms: Terms, breakdown: dict[str, str], exact_places: bool):
        self.terms = terms
        self.breakdown = breakdown  # measure_id -> single_figure or level_and_category
        # A text or Word file gives each cell its place in the row: a heading and its figures share
        # it exactly. A PDF gives points, and a heading centred over right-aligned figures may not
        # overlap them: it must stand nearer its own column than any other.
        self.exact_places = exact_places

    def find(self, lines: list[Line]) -> tuple[list[FoundTable], list[LocalTable]]:
        tables: list[FoundTable] = []
        used: set[int] = set()
        index = 0
        while index < len(lines):
            title = self._title_at(lines, index)
            if title is None:
                index += 1
                continue
            key, count = title
            if key in ("orders",):
                table, end = self._orders(lines, index, count)
            elif key == "custody" or self.breakdown.get(key) == "level_and_category":
                table, end = self._grid(lines, index, count, key)
            else:
                table, end = self._single(lines, index, count, key)
            if table is None or not table.cells:
                index += 1
                continue
            tables.append(table)
            used.update(id(line) for line in table.lines)
            index = end
        return tables, self._local_tables(lines, used)

    # -- titles -------------------------------------------------------------------------------

    def _title_at(self, lines: list[Line], index: int) -> tuple[str, int] | None:
        """(key, number of lines) when a title starts at lines[index], joining a title wrapped over
        up to MAX_TITLE_LINES lines: a line goes on the one above when it starts in lower case, the
        one above ends in a word that needs more (of, a, the, ...), or it holds only the figure."""
        texts: list[str] = []
        for count in range(1, MAX_TITLE_LINES + 1):
            if index + count > len(lines):
                return None
            line = lines[index + count - 1]
            text = label_text(line)
            if count > 1:
                if text and not (title_like(text) and _continues(" ".join(t for t in texts if t), text)):
                    return None
                if level_of(text) or self._is_header(line):
                    return None
            texts.append(text)
            joined = " ".join(t for t in texts if t)
            if not title_like(joined):
                return None
            keys = self.terms.keys(joined, "title")
            if len(keys) == 1:
                return keys[0], count
            if len(keys) > 1:
                return None
            if count == 1 and split_line(line)[1]:
                return None  # a label and a figure that name no table: a row, not a title
        return None

    def _is_header(self, line: Line) -> bool:
        labels, figures = split_line(line)
        return not figures and len(labels) >= 2 and all(self.terms.keys(c.text, "column") for c in labels[-2:])

    # -- a single figure ------------------------------------------------------------------------

    def _single(self, lines: list[Line], index: int, count: int, key: str) -> tuple[FoundTable | None, int]:
        title_lines = lines[index:index + count]
        title = " ".join(label_text(line) for line in title_lines if label_text(line))
        figures = [(line, f) for line in title_lines for f in split_line(line)[1]]
        end = index + count
        if not figures and end < len(lines):
            labels, under = split_line(lines[end])
            if under and not labels:  # the figure on the line under its title
                figures = [(lines[end], f) for f in under]
                title_lines = title_lines + [lines[end]]
                end += 1
        if not figures:
            return None, end
        table = FoundTable(key, title, title_lines)
        if len(figures) == 1:
            line, (cell, value, mark) = figures[0]
            table.cells.append(Drafted(title, title, "", value, key, "all", "all", mark_note(mark), line))
        else:
            seen = ", ".join(repr(f[1][0].text) for f in figures)
            for line, _figure in figures:
                table.cells.append(Drafted(title, title, "", PLACEHOLDER, key, "all", "all",
                                           f"{PLACEHOLDER}: {len(figures)} figures ({seen}) beside one title at "
                                           f"{line.where}; which is the figure?", line))
        return table, end

    # -- the orders table -------------------------------------------------------------------------

    def _orders(self, lines: list[Line], index: int, count: int) -> tuple[FoundTable | None, int]:
        title_lines = lines[index:index + count]
        title = " ".join(label_text(line) for line in title_lines if label_text(line))
        table = FoundTable("orders", title, list(title_lines))
        position = index + count
        # A sub-heading: a line of text under the title, followed by a row that names an order.
        if position + 1 < len(lines):
            labels, figures = split_line(lines[position])
            next_labels, next_figures = split_line(lines[position + 1])
            if labels and not figures and title_like(label_text(lines[position])) and next_figures \
                    and self.terms.key(label_text(lines[position + 1]), "row"):
                title = table.title = f"{title}: {label_text(lines[position])}"
                table.lines.append(lines[position])
                position += 1
        pending: list[Line] = []  # a row's label wrapped over two lines, or its figure under it
        while position < len(lines):
            line = lines[position]
            labels, figures = split_line(line)
            text = label_text(line)
            if self._title_at(lines, position) is not None:
                break
            if not figures:
                if labels and not pending and title_like(text) and len(text.split()) <= 12:
                    pending = [line]
                    position += 1
                    continue
                break
            own = self.terms.key(text, "row") if text else None
            whole = text if own or not pending else " ".join(t for t in (label_text(pending[0]), text) if t)
            if not whole:
                break
            used = [line] if own or not pending else pending + [line]
            key = self.terms.key(whole, "row")
            table.lines.extend(used)
            pending = []
            position += 1
            if key is None:
                table.cells.append(Drafted(title, whole, "", figures[0][1] if len(figures) == 1 else PLACEHOLDER,
                                           PLACEHOLDER, "all", "all",
                                           f"{PLACEHOLDER}: the row {whole!r} at {line.where} names no order we know: "
                                           "which measure is it (metadata/measures.csv)?", line))
                continue
            if len(figures) != 1:
                seen = ", ".join(repr(f[0].text) for f in figures)
                table.cells.append(Drafted(title, whole, "", PLACEHOLDER, key, "all", "all",
                                           f"{PLACEHOLDER}: {len(figures)} figures ({seen}) in one row at {line.where}; "
                                           "which is the figure?", line))
                continue
            cell, value, mark = figures[0]
            table.cells.append(Drafted(title, whole, "", value, key, "all", "all", mark_note(mark), line))
        return table, position - len(pending)

    # -- a table by level and category ---------------------------------------------------------------

    def _grid(self, lines: list[Line], index: int, count: int, key: str) -> tuple[FoundTable | None, int]:
        title_lines = lines[index:index + count]
        title = " ".join(label_text(line) for line in title_lines if label_text(line))
        table = FoundTable(key, title, list(title_lines))
        measure = None if key == "custody" else key
        section = ""
        if key == "custody":  # a title that names its section ("... returned to custody: Breach of licence")
            measure = self.terms.key(title, "section")
        header: list[tuple[Cell, Line]] = []
        rows: list[GridRow] = []
        blocks: list[tuple[list[tuple[Cell, Line]], list[GridRow]]] = []
        reading_header = True
        position = index + count
        while position < len(lines):
            line = lines[position]
            labels, figures = split_line(line)
            first = labels[0].text.strip() if labels else ""
            if self._title_at(lines, position) is not None:  # the next table, even one whose title names a section
                break
            section_key = self.terms.key(first, "section") if key == "custody" and first else None
            if not figures and section_key:
                measure, section = section_key, first
                if labels[1:]:  # a section's label in the first cell of a line of headings
                    if rows:
                        blocks.append((header, rows))
                        rows = []
                    header = [(c, line) for c in labels[1:]]
                    reading_header = True
                table.lines.append(line)
                position += 1
                continue
            if not figures:
                if not labels and line.cells:  # a text extraction's empty corner cell
                    table.lines.append(line)
                    position += 1
                    continue
                if not labels or not self._heading_words(labels, reading_header and bool(header)):
                    break
                if rows:  # headings again: the table goes on after a page break
                    blocks.append((header, rows))
                    rows, header = [], []
                header.extend((c, line) for c in line.cells if c.text.strip() or line.cells[0] is not c)
                reading_header = True
                table.lines.append(line)
                position += 1
                continue
            level = level_of(first) if labels else None
            if level is None or len(labels) > 1:
                break
            reading_header = False
            rows.append(GridRow(line, first, level, measure or "", section, figures))
            table.lines.append(line)
            position += 1
        if rows:
            blocks.append((header, rows))
        if not blocks:
            return None, index + 1
        for block_header, block_rows in blocks:
            self._read_block(table, title, block_header, block_rows)
        return table, position

    def _heading_words(self, labels: list[Cell], continuing: bool) -> bool:
        """A line of column headings: every label names a category, or, under headings already
        read, short text that continues them (a heading wrapped over lines)."""
        if all(self.terms.keys(c.text, "column") for c in labels):
            return True
        return continuing and all(len(c.text.split()) <= 4 for c in labels)

    def _read_block(self, table: FoundTable, title: str, header: list[tuple[Cell, Line]], rows: list[GridRow]) -> None:
        """Name each figure's column and write its cells."""
        columns = _value_columns([f[0] for row in rows for f in row.figures])
        label_edge = min((c.x0 for c in columns), default=0)
        headings = _merged_headings([(c, line) for c, line in header if c.x1 > label_edge])
        names: list[str | None] = [None] * len(columns)
        misplaced = ""
        if len(headings) == len(columns):
            names = [h.text for h in headings]
            if not all(self._over(heading, i, columns) for i, heading in enumerate(headings)):
                names, misplaced = [None] * len(columns), "the column headings do not line up with the figures"
        else:
            # Fewer or more headings than columns of figures: each heading must stand over exactly
            # one column, and no two over the same one; otherwise the figures cannot be named
            # without doubt (a text file's extra tab shifts every heading along by one).
            for heading in headings:
                over = [i for i, column in enumerate(columns) if _overlap(heading, column) > 0]
                if len(over) != 1 or names[over[0]] is not None:
                    if heading.text or self.exact_places:
                        misplaced = "the column headings do not line up with the figures"
                    continue
                names[over[0]] = heading.text
        categories = [self.terms.key(name, "column") if name else None for name in names]
        notes = [""] * len(columns)
        for i, name in enumerate(names):
            if misplaced:
                categories[i], notes[i] = PLACEHOLDER, f"{PLACEHOLDER}: {misplaced}; which column is this?"
            elif categories[i] is None:
                categories[i], notes[i] = self._by_place(i, categories, rows, columns, name)
        for row in rows:
            row_title = f"{title}: {row.section}" if table.key == "custody" and row.section else title
            measure_id = row.measure or PLACEHOLDER
            placed = [(_column_of(cell, columns), cell, value, mark) for cell, value, mark in row.figures]
            if len(row.figures) != len(columns) or len({p[0] for p in placed}) != len(placed):
                seen = ", ".join(repr(c.text) for c, _, _ in row.figures)
                for _, _cell, value, _mark in placed:
                    table.cells.append(Drafted(row_title, row.label, "", value, measure_id, row.level, PLACEHOLDER,
                                               f"{PLACEHOLDER}: this row prints {len(row.figures)} figure(s) ({seen}) "
                                               f"for {len(columns)} columns at {row.line.where}: which column is "
                                               f"{value!r} in?", row.line))
                continue
            for column, _cell, value, mark in placed:
                category = categories[column] or PLACEHOLDER
                note = notes[column] or mark_note(mark)
                if not row.measure:
                    note = (f"{PLACEHOLDER}: no section (breach of licence, or of an order) above the row at "
                            f"{row.line.where}: which measure is it?")
                table.cells.append(Drafted(row_title, row.label, names[column] or "", value, measure_id, row.level,
                                           category, note, row.line))

    def _over(self, heading: _Span, index: int, columns: list[_Span]) -> bool:
        """Whether a heading stands over the column it is paired with."""
        if _overlap(heading, columns[index]) > 0:
            return True
        if self.exact_places:
            return False
        centre = (heading.x0 + heading.x1) / 2
        distances = [abs(centre - (c.x0 + c.x1) / 2) for c in columns]
        return min(range(len(columns)), key=lambda i: distances[i]) == index

    def _by_place(self, index: int, categories: list, rows: list, columns: list, name: str | None) -> tuple[str, str]:
        """An unlabelled column read by its place in the template, only when every other column is
        where the template puts it and every row adds up with it; otherwise TODO."""
        if name:
            return PLACEHOLDER, f"{PLACEHOLDER}: the column heading {name!r} names no category"
        others_in_place = len(columns) == len(TEMPLATE_COLUMNS) and all(
            c == TEMPLATE_COLUMNS[i] for i, c in enumerate(categories) if i != index)
        if not others_in_place:
            return PLACEHOLDER, f"{PLACEHOLDER}: the column has no printed heading; which category is it?"
        category = TEMPLATE_COLUMNS[index]
        for row in rows:
            numbers = [0 if v == "-" else float(v.replace(",", "")) for _, v, _ in row.figures]
            if len(numbers) != len(columns) or abs(sum(numbers[:-1]) - numbers[-1]) > 1e-9:
                return PLACEHOLDER, (f"{PLACEHOLDER}: the column has no printed heading; it stands where the template "
                                     f"prints {_category_words(category)}, but the row at {row.line.where} does not "
                                     "add up with it")
        return category, (f"No column heading printed: read as {_category_words(category)} from its place in the "
                          "table, and every row adds up with it.")

    # -- what is not in the template ------------------------------------------------------------------

    def _local_tables(self, lines: list[Line], used: set[int]) -> list[LocalTable]:
        """Runs of lines with figures outside every table found, named by the text line above them."""
        found: list[LocalTable] = []
        index = 0
        while index < len(lines):
            line = lines[index]
            labels, figures = split_line(line)
            if id(line) in used or not figures or not labels:
                index += 1
                continue
            start = index
            while index < len(lines) and id(lines[index]) not in used and split_line(lines[index])[1]:
                index += 1
            if index - start < 2 and len(figures) < 2:
                continue
            # Its title: the nearest line of text above it that is not a line of column headings.
            title_line = next((lines[i] for i in range(start - 1, max(start - 5, -1), -1)
                               if not split_line(lines[i])[1] and len(split_line(lines[i])[0]) == 1
                               and title_like(label_text(lines[i]))), lines[start])
            found.append(LocalTable(label_text(title_line), title_line))
        return found


CONNECTIVES = {"a", "an", "and", "as", "at", "by", "following", "for", "from", "in", "of", "on", "or", "per", "the",
               "to", "who", "with", "&", ","}


def _continues(above: str, text: str) -> bool:
    """A title's next line goes on the one above: it starts in lower case, or the line above
    ends in a word that needs more."""
    if not above:
        return True
    last = above.split()[-1].lower()
    return text[:1].islower() or text[:1].isdigit() or last in CONNECTIVES or above.endswith((",", "&", "-"))


def _category_words(category: str) -> str:
    return "the total" if category == "all" else f"Category {category}"


@dataclass
class _Span:
    x0: float
    x1: float
    text: str = ""


def _overlap(a, b) -> float:
    return min(a.x1, b.x1) - max(a.x0, b.x0)


def _value_columns(cells: list[Cell]) -> list[_Span]:
    """The table's columns of figures: figures whose horizontal spans overlap stand in one column."""
    spans: list[_Span] = []
    for cell in sorted(cells, key=lambda c: c.x0):
        for span in spans:
            if _overlap(span, cell) > 0:
                span.x0, span.x1 = min(span.x0, cell.x0), max(span.x1, cell.x1)
                break
        else:
            spans.append(_Span(cell.x0, cell.x1))
    merged: list[_Span] = []
    for span in sorted(spans, key=lambda s: s.x0):
        if merged and _overlap(merged[-1], span) > 0:
            merged[-1].x1 = max(merged[-1].x1, span.x1)
        else:
            merged.append(span)
    return merged


def _merged_headings(header: list[tuple[Cell, Line]]) -> list[_Span]:
    """Heading cells over one column, on several lines (a wrapped heading), as one heading, its
    parts read top to bottom. An empty cell of a text extraction keeps its column's place."""
    spans: list[tuple[_Span, list[tuple[int, str]]]] = []
    for order, (cell, _) in enumerate(header):
        for span, parts in spans:
            if _overlap(span, cell) > 0:
                span.x0, span.x1 = min(span.x0, cell.x0), max(span.x1, cell.x1)
                parts.append((order, cell.text.strip()))
                break
        else:
            spans.append((_Span(cell.x0, cell.x1), [(order, cell.text.strip())]))
    result = []
    for span, parts in sorted(spans, key=lambda s: s[0].x0):
        span.text = " ".join(text for _, text in sorted(parts) if text)
        result.append(span)
    return result


def _column_of(cell: Cell, columns: list[_Span]) -> int:
    return max(range(len(columns)), key=lambda i: _overlap(columns[i], cell))
