"""Second keying: compare two independent transcriptions of one report, cell by cell.

Statistics offices type every printed table twice, by two people or by one person on another day
without looking at the first, and compare the two: a slip of the eye seldom falls on the same cell
twice. This command reads both files exactly as the build would (same checks, same messages), matches
cells by their key (measure, level, category) and lists every difference, for the curator to settle
against the printed report. It writes nothing.

Load (both files, checked) -> process (match cells, list differences) -> report (plain text).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from build_scripts.errors import BuildError, InputProblem
from build_scripts.inputs.metadata import DASHES, rel
from build_scripts.paths import Paths
from build_scripts.steps.load import counted_measures, curated_report_schema, read_report_file, read_table

FIRST, SECOND = "first", "second"
KEY = ("measure_id", "level", "category")
# The printed labels, in the order a reader finds a cell: table, then row, then column.
LABELS = {"table": "table title", "row": "row label", "column": "column label"}

# The kinds of difference. NOTE is shown but never counted: see compare().
DUPLICATE = "duplicate"
ONE_KEYING_ONLY = "one keying only"
VALUE = "value"
VALUE_WRITTEN = "value written differently"
LABEL = "label"
NOTE = "note"

ADVICE = ("Check each against the printed report and correct the keying that is wrong; "
          "never settle one by picking a keying.")


@dataclass(frozen=True)
class Keyed:
    """One row of a keying and where it is written."""

    keying: str  # FIRST or SECOND
    file: str
    line: int
    cells: dict[str, str]

    @property
    def key(self) -> tuple[str, str, str]:
        return tuple(self.cells[name] for name in KEY)


@dataclass(frozen=True)
class Difference:
    kind: str
    key: tuple[str, str, str]
    what: str  # what differs, in words
    rows: tuple[Keyed, ...]  # the rows involved, first keying's before second's


@dataclass
class Comparison:
    first: str
    second: str
    cells: int  # distinct cells in the first keying
    differences: list[Difference] = field(default_factory=list)
    notes: list[Difference] = field(default_factory=list)  # for information only

    @property
    def agree(self) -> bool:
        return not self.differences


def compare_keyings(first: Path, second: Path, paths: Paths = Paths()) -> Comparison:
    """Compare two keyings of one report. Raises BuildError, as the build would, on a bad file."""
    first_rows, second_rows = load_keyings(paths, first, second)
    comparison = Comparison(rel(first, paths.root), rel(second, paths.root), len({r.key for r in first_rows}))
    comparison.differences, comparison.notes = compare(first_rows, second_rows)
    return comparison


# ---------------------------------------------------------------------------------------------
# Load


def load_keyings(paths: Paths, first: Path, second: Path) -> tuple[list[Keyed], list[Keyed]]:
    """Both files, each checked as the build checks a curated report; every problem of both at once."""
    # cache=False: a comparison is read-only, so not even the build's validation markers are written.
    measures = read_table(paths, paths.metadata / "measures.csv", "measures", "measure", cache=False).rows
    schema = curated_report_schema(paths, [m["measure_id"] for m in measures], cache=False)
    # A cell keyed twice is listed as a difference, with both lines, rather than refused like the
    # build does: the rest of the comparison is still worth having while the curator fixes it.
    schema = {k: v for k, v in schema.items() if k != "primaryKey"}
    breakdown = {m["measure_id"]: m["breakdown"] for m in measures}
    problems: list[InputProblem] = []
    keyings = []
    for keying, path in ((FIRST, first), (SECOND, second)):
        file = rel(path, paths.root)
        if not path.is_file():
            problems.append(InputProblem(file, None, None, "a curated report CSV", "no such file"))
            continue
        try:
            table = read_report_file(paths, path, schema, breakdown, cache=None, counted=counted_measures(measures))
        except BuildError as error:
            problems.extend(error.problems)
            continue
        keyings.append([Keyed(keying, file, line, row) for line, row in zip(table.lines, table.rows, strict=True)])
    if problems:
        raise BuildError(problems)
    return keyings[0], keyings[1]


# ---------------------------------------------------------------------------------------------
# Process


def compare(first: list[Keyed], second: list[Keyed]) -> tuple[list[Difference], list[Difference]]:
    """(differences, note differences), in the first keying's order, then the second's extra cells.

    Notes are each keyer's own words about an unclear cell, so two careful keyers seldom write the
    same one; counting them would make nearly every keying with a note "disagree". They are still
    listed, because a note in only one keying marks a cell the other keyer may have misread."""
    first_at, second_at = _first_rows(first), _first_rows(second)
    repeats: dict[tuple[str, str, str], list[Keyed]] = {}  # the second keying's repeated rows, by key
    for row in second:
        if second_at[row.key] is not row:
            repeats.setdefault(row.key, []).append(row)
    differences: list[Difference] = []
    notes: list[Difference] = []
    for row in first:
        key = row.key
        if first_at[key] is not row:
            differences.append(_duplicate(first_at[key], row, second_at.get(key)))
            continue
        other = second_at.get(key)
        if other is None:
            differences.append(Difference(ONE_KEYING_ONLY, key, "in the first keying only: the second has no row "
                                          "for this cell", (row,)))
            continue
        differences.extend(_cell_differences(row, other))
        notes.extend(_note_difference(row, other))
        differences.extend(_duplicate(other, again, row) for again in repeats.get(key, []))
    for row in second:
        key = row.key
        if key in first_at:
            continue  # compared above
        if second_at[key] is not row:
            differences.append(_duplicate(second_at[key], row, None))
        else:
            differences.append(Difference(ONE_KEYING_ONLY, key, "in the second keying only: the first has no row "
                                          "for this cell", (row,)))
    return differences, notes


def _first_rows(rows: list[Keyed]) -> dict[tuple[str, str, str], Keyed]:
    """Each key's first row: a repeated key is compared once, and reported as a duplicate."""
    first: dict[tuple[str, str, str], Keyed] = {}
    for row in rows:
        first.setdefault(row.key, row)
    return first


def _duplicate(earlier: Keyed, again: Keyed, other: Keyed | None) -> Difference:
    rows = (earlier, again) if other is None else tuple(sorted((earlier, again, other), key=_keying_order))
    return Difference(DUPLICATE, again.key, f"written twice in the {again.keying} keying (lines {earlier.line} and "
                      f"{again.line}); the build refuses a cell written twice", rows)


def _keying_order(row: Keyed) -> tuple[int, int]:
    return (0 if row.keying == FIRST else 1, row.line)


def _cell_differences(first: Keyed, second: Keyed) -> list[Difference]:
    differences = []
    a, b = first.cells["value"], second.cells["value"]
    if a != b:
        kind, what = _value_difference(a, b)
        differences.append(Difference(kind, first.key, what, (first, second)))
    for name, words in LABELS.items():
        if first.cells[name] != second.cells[name]:
            differences.append(Difference(LABEL, first.key, f"the printed {words} differs: {first.cells[name]!r} in "
                                          f"the first keying, {second.cells[name]!r} in the second", (first, second)))
    return differences


def _value_difference(a: str, b: str) -> tuple[str, str]:
    """(kind, words) for two values that are not the same text. Both passed the schema's pattern,
    so each is a dash (typed one way, "-") or a number, perhaps with thousands separators."""
    both = f"{a!r} in the first keying, {b!r} in the second"
    if a in DASHES or b in DASHES:
        return VALUE, f"a dash (not applicable) in one keying and a number in the other: {both}"
    if Decimal(a.replace(",", "")) == Decimal(b.replace(",", "")):
        return VALUE_WRITTEN, (f"the value is written differently: {both} (the same number; counted because "
                               "the curated file records each value as printed)")
    return VALUE, f"the value differs: {both}"


def _note_difference(first: Keyed, second: Keyed) -> list[Difference]:
    a, b = first.cells["note"], second.cells["note"]
    if a == b:
        return []
    return [Difference(NOTE, first.key, f"the note differs: {_note(a)} in the first keying, {_note(b)} in the second",
                       (first, second))]


def _note(text: str) -> str:
    return repr(text) if text else "none"


# ---------------------------------------------------------------------------------------------
# Report


def report_lines(comparison: Comparison) -> list[str]:
    """The comparison in plain text, for a curator with the printed report beside them."""
    c = comparison
    if c.agree:
        lines = [f"The two keyings agree: {c.cells} cells ({c.first} and {c.second})."]
    else:
        count = len(c.differences)
        lines = [f"The two keyings differ: {count} difference{'s' if count != 1 else ''} between {c.first} "
                 f"(first keying) and {c.second} (second keying).", ADVICE]
        for difference in c.differences:
            lines += ["", *_difference_lines(difference)]
    if c.notes:
        count = len(c.notes)
        lines += ["", f"For information, not counted as differences: the notes differ on {count} "
                      f"cell{'s' if count != 1 else ''}. Notes are each keyer's own words; keep the clearer one."]
        for difference in c.notes:
            lines += ["", *_difference_lines(difference)]
    return lines


def _difference_lines(difference: Difference) -> list[str]:
    measure, level, category = difference.key
    lines = [f"measure {measure}, level {level}, category {category}: {difference.what}"]
    for keying in (FIRST, SECOND):
        rows = [row for row in difference.rows if row.keying == keying]
        if not rows:
            lines.append(f"  {keying + ':':8}no row")
        for row in rows:
            cells = row.cells
            lines.append(f"  {keying + ':':8}{row.file}:{row.line}: value {cells['value']!r}; table {cells['table']!r}, "
                         f"row {cells['row']!r}, column {cells['column']!r}")
    return lines
