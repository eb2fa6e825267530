"""Step 1, load: read and check the curated inputs and the metadata.

Frictionless checks each file against its Table Schema (types, patterns, enums, primary
keys); this module adds only what a schema cannot say (encoding with line and column,
a register row for every file, cells that fit their measure's breakdown) and turns every
problem into "file:line: column: expected ...; found ...".
"""
from __future__ import annotations

import copy
import datetime
import functools
import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Collection

import frictionless

from build_scripts.cache import keys
from build_scripts.checks.crosschecks import RULES_FILE, Rule, rules_from_rows
from build_scripts.checks.quality import check_problems, grade_of
from build_scripts.errors import BuildError, InputProblem, excerpt
from build_scripts.inputs.metadata import (
    CATEGORY_TERMS,
    CHECKED_BY,
    HEADLINE_PLACEHOLDERS,
    HEADLINES,
    HEADLINES_EXPECTED,
    LEVEL_TERMS,
    MEASURE_LAYOUT,
    CsvTable,
    YamlDocument,
    character_name,
    check_yaml_structure,
    checked_once,
    describe_value,
    in_words,
    linked_inputs,
    load_schema,
    placeholder_problems,
    read_csv_table,
    read_input,
    read_yaml_document,
    rel,
)
from build_scripts.paths import Paths
from build_scripts.workers import render_pool

CURATED_COLUMNS = ["table", "row", "column", "value", "measure_id", "level", "category", "note"]
# A printed dash is typed as "-" and nothing else (curated/README.md, "When the build stops").


@dataclass
class Curated:
    """Everything the later steps need, checked."""

    package: dict[str, Any]
    measures: list[dict[str, str]]
    areas: list[dict[str, str]]
    glossary: list[dict[str, Any]]
    quality: list[dict[str, Any]]
    register: list[dict[str, str]]
    corrections: list[dict[str, str]] = field(default_factory=list)  # curated/corrections.csv
    correction_lines: list[int] = field(default_factory=list)
    cells: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # report_id -> rows
    cell_lines: dict[str, list[int]] = field(default_factory=dict)
    input_hashes: dict[str, str] = field(default_factory=dict)
    quality_document: YamlDocument | None = None  # where each register entry is written
    rules: tuple[Rule, ...] = ()  # the rules across tables (metadata/crosscheck-rules.csv)


def _expected_for(error: Any, schema: dict[str, Any], noun: str = "column") -> str:
    """Say in words what the schema expected for the field in error."""
    name = getattr(error, "field_name", None)
    for spec in schema.get("fields", []):
        if spec["name"] == name:
            constraints = spec.get("constraints", {})
            if "enum" in constraints:
                return "one of " + ", ".join(str(v) for v in constraints["enum"])
            if error.type == "constraint-error" and '"required"' in (error.note or ""):
                return f"a value (this {noun} is required)"
            if error.type == "constraint-error" and "pattern" in constraints:
                return in_words(spec["description"]) if "description" in spec else \
                    f"text matching {constraints['pattern']}"
            if error.type == "type-error":
                return {"integer": "a whole number", "number": "a number", "date": "a date as YYYY-MM-DD"}.get(
                    spec.get("type", "string"), f"a {spec.get('type')}")
            return in_words(spec["description"]) if spec.get("description") else f"a {spec.get('type', 'string')}"
    return "a well-formed row"


def _found_cell(cell: Any, column: str | None) -> str:
    """A cell as a message quotes it; in the value column, a character a curator may not see for
    what it is (a minus sign or an em dash typed for a printed dash, a no-break space) is named."""
    if cell in (None, ""):
        return "an empty cell"
    found = excerpt(cell)
    if column == "value":
        odd = next((c for c in str(cell) if not c.isascii()), None)
        if odd is not None and str(cell).strip() == odd and _is_dash_like(odd):
            found += f" ({character_name(odd)}: type a printed dash as -)"
        elif odd is not None:
            found += f" ({character_name(odd)})"
    return found


def _is_dash_like(character: str) -> bool:
    return unicodedata.category(character) == "Pd" or character in "\u2212\u02d7\u2043\u207b\u208b"


def _problems_from_report(report: Any, file: str, schema: dict[str, Any]) -> list[InputProblem]:
    problems = []
    for task in report.tasks:
        for error in task.errors:
            row = getattr(error, "row_number", None)
            column = getattr(error, "field_name", None) or getattr(error, "label", None)
            cell = getattr(error, "cell", None)
            if error.type == "missing-label":
                problems.append(InputProblem(file, 1, column, f"a column named '{column}'",
                                             "no such column in the header"))
                continue
            if error.type == "primary-key":
                if _key_is_one_unique_field(schema):
                    continue  # frictionless reports the same duplicate as a unique-error
                key = schema["primaryKey"]
                problems.append(InputProblem(file, row, ", ".join(key),
                                             "each cell (measure, level, category) once"
                                             if key == ["measure_id", "level", "category"]
                                             else f"each {', '.join(key)} once",
                                             "a duplicate of an earlier row"))
                continue
            if error.type == "unique-error":
                problems.append(InputProblem(file, row, column, f"each {column} once",
                                             f"{excerpt(cell)} again ({error.note.replace('position', 'line')})"))
                continue
            if error.type in ("extra-label", "incorrect-label", "duplicate-label", "blank-label"):
                problems.append(InputProblem(file, 1, column,
                                             "the header " + ",".join(f["name"] for f in schema["fields"]),
                                             f"{error.type.replace('-', ' ')} {excerpt(getattr(error, 'label', ''))}"))
                continue
            found = _found_cell(cell, column)
            if error.type in ("extra-cell",):
                found = f"an extra cell {excerpt(cell)}"
            if error.type in ("blank-row",):
                found = "a blank row"
            problems.append(InputProblem(file, row, column, _expected_for(error, schema), found))
    return problems


def _key_is_one_unique_field(schema: dict[str, Any]) -> bool:
    key = schema.get("primaryKey", [])
    return len(key) == 1 and any(f["name"] == key[0] and f.get("constraints", {}).get("unique")
                                 for f in schema["fields"])


def validate_table(path: Path, root: Path, schema: dict[str, Any], cache: Path | None = None) -> list[InputProblem]:
    """Validate one CSV with frictionless; return problems in our format.

    With a cache folder, a file already found valid with the same bytes and the same schema is
    not validated again: a rebuild after changing one report re-checks only that report."""
    marker = None
    if cache is not None:
        marker = cache / _validated_marker(path, root, schema)
        if marker.exists():
            return []
    problems = _validate_with_frictionless(path, root, schema)
    if marker is not None and not problems:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    return problems


def _validated_marker(path: Path, root: Path, schema: dict[str, Any]) -> str:
    """The key of a file found valid: its bytes, its schema and the code that validates it."""
    return keys.key("valid file", [hashlib.sha256(read_input(path, root)).hexdigest(), schema], **CHECKED_BY)


# From this many files not yet validated (a cold build), they are validated on every core.
PARALLEL_VALIDATION_FROM = 64


def validate_in_parallel(files: list[Path], root: Path, schema: dict[str, Any], cache: Path) -> None:
    """Validate the files not in the cache across all cores, so a cold build at full scale does
    not wait on one core. Each valid file leaves its marker; the caller then reads every file as
    usual, and only a file that failed here is validated (and reported) again, in order."""
    todo = [path for path in files if not _validated_or_unreadable(path, root, schema, cache)]
    workers = os.cpu_count() or 1
    if len(todo) < PARALLEL_VALIDATION_FROM or workers < 2:
        return
    validate = functools.partial(_validate_leaving_errors_to_load, root=root, schema=schema, cache=cache)
    with render_pool(workers) as pool:
        for _ in pool.map(validate, todo, chunksize=max(1, len(todo) // (workers * 8))):
            pass


def _validated_or_unreadable(path: Path, root: Path, schema: dict[str, Any], cache: Path) -> bool:
    """A file that read_input refuses (a link, too large) is left to load(), which reports it."""
    try:
        return (cache / _validated_marker(path, root, schema)).exists()
    except BuildError:
        return True


def _validate_leaving_errors_to_load(path: Path, root: Path, schema: dict[str, Any], cache: Path) -> None:
    """validate_table in a worker: whatever goes wrong, the file is left without its marker, and
    load() reads and reports it in order, as it would have without the pool."""
    try:
        validate_table(path, root, schema, cache=cache)
    except Exception:
        pass


def _validate_with_frictionless(path: Path, root: Path, schema: dict[str, Any]) -> list[InputProblem]:
    descriptor = {k: v for k, v in schema.items() if k != "foreignKeys"}
    resource = frictionless.Resource(
        path=path.name,
        basepath=str(path.parent),
        schema=frictionless.Schema.from_descriptor(descriptor),
        format="csv",
        encoding="utf-8",
        # Commas only, as load's own reader: never a delimiter guessed from the file's contents.
        control=frictionless.formats.CsvControl(delimiter=","),
        detector=frictionless.Detector(schema_sync=False),
    )
    report = resource.validate(checklist=frictionless.Checklist(skip_errors=["blank-label"]))
    return _problems_from_report(report, rel(path, root), schema)


def _with_enum(schema: dict[str, Any], field_name: str, values: list[str]) -> dict[str, Any]:
    """Foreign keys to small vocabularies become enums, so each file is checked on its own."""
    schema = copy.deepcopy(schema)
    for spec in schema["fields"]:
        if spec["name"] == field_name:
            spec.setdefault("constraints", {})["enum"] = values
    return schema


def _sha256(path: Path, root: Path) -> str:
    return hashlib.sha256(read_input(path, root)).hexdigest()


def load(paths: Paths = Paths()) -> Curated:
    """Read and check every curated input. Raises BuildError listing every problem found."""
    root = paths.root
    problems: list[InputProblem] = []

    def collect(check):
        try:
            return check()
        except BuildError as error:
            problems.extend(error.problems)
            return None

    # No input is read through a link; the schemas next: every other check reads them.
    problems.extend(linked_inputs(root))
    if problems:
        raise BuildError(problems)
    collect(lambda: check_yaml_structure(root / "mkdocs.yml", root))
    for path in sorted(paths.schemas.glob("*.yaml")):
        collect(lambda path=path: load_schema(paths, path.stem))
    if problems:
        raise BuildError(problems)

    package = collect(lambda: read_package(paths))
    measures_table = collect(lambda: read_table(paths, paths.metadata / "measures.csv", "measures", "measure"))
    areas_table = collect(lambda: read_table(paths, paths.metadata / "areas.csv", "areas", "area"))
    if problems:
        raise BuildError(problems)
    measures, areas = measures_table.rows, areas_table.rows
    glossary = collect(lambda: read_glossary(paths))
    if glossary is not None:
        term_ids = {term["term_id"] for term in glossary}
        for line, measure in zip(measures_table.lines, measures, strict=True):
            if measure["term_id"] not in term_ids:
                problems.append(InputProblem("metadata/measures.csv", line, "term_id",
                                             "a term_id of metadata/glossary.yaml", excerpt(measure["term_id"])))
        problems.extend(_pages_need(term_ids))
    rules = collect(lambda: read_crosscheck_rules(paths, measures_table))
    problems.extend(collect(lambda: headline_problems(paths, measures_table)) or [])
    collect(lambda: read_measure_layout(paths, measures_table))
    quality_document = collect(lambda: read_yaml_document(
        paths.metadata / "quality-register.yaml", root, "a list of entries (write [] when there are none)"))

    measure_ids = [m["measure_id"] for m in measures]
    area_ids = [a["area_id"] for a in areas]
    breakdown = {m["measure_id"]: m["breakdown"] for m in measures}
    counted = counted_measures(measures)

    # The register of reports.
    register_schema = _with_enum(load_schema(paths, "reports"), "area_id", area_ids)
    register = []
    register_table = collect(lambda: read_table(paths, paths.register, "reports", "report"))
    if register_table is not None:
        found = placeholder_problems(register_table, rel(paths.register, root), register_schema)
        found = found or validate_table(paths.register, root, register_schema, cache=paths.cache / "validated")
        problems.extend(found)
        if not found:
            register = register_table.rows
    reg_file = rel(paths.register, root)
    register_lines = dict(zip((row["report_id"] for row in register), register_table.lines if register else [],
                              strict=True))
    problems.extend(_register_row_problems(reg_file, register, register_lines))

    quality = None
    if quality_document is not None and rules is not None:
        report_ids = {row["report_id"] for row in register} if register_table is not None and register else None
        found = quality_register_problems(paths, quality_document, report_ids, set(measure_ids),
                                          [rule.rule_id for rule in rules])
        problems.extend(found)
        if not found:
            quality = quality_document.data

    # One curated file per registered report, and no stray files.
    registered = {row["report_id"] for row in register}
    files = {p.stem: p for p in sorted(paths.report_files.glob("*.csv"))}
    for report_id in sorted(registered - files.keys()):
        problems.append(InputProblem(reg_file, register_lines[report_id], "report_id",
                                     f"a file curated/reports/{report_id}.csv for report {report_id}",
                                     "no such file"))
    for report_id in sorted(files.keys() - registered) if register else []:
        problems.append(InputProblem(rel(files[report_id], root), None, None,
                                     f"a row for {report_id} in {reg_file}", "none"))

    # The corrections log starts empty; a project that has never corrected a figure may lack it.
    corrections = collect(lambda: read_table(paths, paths.corrections, "corrections", "correction",
                                             may_be_empty=True)) if paths.corrections.exists() else None

    report_schema = curated_report_schema(paths, measure_ids)
    validate_in_parallel([files[r] for r in sorted(registered & files.keys())], root, report_schema,
                         paths.cache / "validated")
    curated = Curated(package, measures, areas, glossary, quality, register, quality_document=quality_document,
                      rules=rules)
    if corrections is not None:
        curated.corrections, curated.correction_lines = corrections.rows, corrections.lines
    for report_id in sorted(registered & files.keys()):
        path = files[report_id]
        table = collect(lambda path=path: read_report_file(paths, path, report_schema, breakdown,
                                                           cache=paths.cache / "validated", counted=counted))
        if table is None:
            continue
        curated.cells[report_id] = table.rows
        curated.cell_lines[report_id] = table.lines
        curated.input_hashes[report_id] = _sha256(path, root)
    if problems:
        raise BuildError(problems)
    return curated


def counted_measures(measures: list[dict[str, str]]) -> set[str]:
    """The measures whose values are counts (of people or orders), so whole numbers."""
    return {m["measure_id"] for m in measures if m["counts"] != "rate"}


def _register_row_problems(file: str, register: list[dict[str, str]],
                           lines: dict[str, int]) -> list[InputProblem]:
    """What the register's schema cannot say: each row's id, year and dates agree."""
    problems = []
    for row in register:
        line = lines[row["report_id"]]
        expected_id = f"{row['area_id']}-{row['year']}"
        if row["report_id"] != expected_id:
            problems.append(InputProblem(file, line, "report_id", f"'{expected_id}' (area_id-year)",
                                         excerpt(row["report_id"])))
        start, end, snapshot = row["period_start"], row["period_end"], row["snapshot_date"]
        expected_year = f"{start[:4]}-{str(int(start[:4]) + 1)[-2:]}"
        if row["year"] != expected_year:
            problems.append(InputProblem(file, line, "year",
                                         f"the financial year that starts on period_start ({expected_year})",
                                         excerpt(row["year"])))
        # The schema made each a valid date, written YYYY-MM-DD: as text, they sort as dates.
        if end <= start:
            problems.append(InputProblem(file, line, "period_end", f"a date after period_start ({start})",
                                         excerpt(end)))
        elif not start <= snapshot <= end:
            problems.append(InputProblem(file, line, "snapshot_date",
                                         f"a date in the period, from {start} to {end}", excerpt(snapshot)))
        # Where a report was read, and when, go together: both filled, or both empty when unknown.
        if row.get("source_url") and not row.get("source_accessed"):
            problems.append(InputProblem(file, line, "source_accessed",
                                         "the date you read the report at source_url (YYYY-MM-DD)", "nothing"))
        elif row.get("source_accessed") and not row.get("source_url"):
            problems.append(InputProblem(file, line, "source_url",
                                         "the address where you read the report on source_accessed, or no date",
                                         "nothing"))
    return problems


def _pages_need(term_ids: set[str]) -> list[InputProblem]:
    """The terms the pages name by id (metadata.LEVEL_TERMS, CATEGORY_TERMS) must be defined."""
    problems = []
    for term_id in [*LEVEL_TERMS.values(), *CATEGORY_TERMS.values()]:
        if term_id not in term_ids:
            problems.append(InputProblem("metadata/glossary.yaml", 1, "term_id",
                                         f"a term with term_id {term_id} (the pages explain each level and "
                                         "category with its term)", "no such term"))
    return problems


def read_crosscheck_rules(paths: Paths, measures: CsvTable) -> tuple[Rule, ...]:
    """metadata/crosscheck-rules.csv, checked: valid against its schema, and each rule between
    two measures of measures.csv. Raises BuildError."""
    table = read_table(paths, paths.metadata / RULES_FILE, "crosscheck-rules", "rule")
    measure_ids = {row["measure_id"] for row in measures.rows}
    problems = [InputProblem(f"metadata/{RULES_FILE}", line, column, "a measure_id of metadata/measures.csv",
                             excerpt(row[column]))
                for line, row in zip(table.lines, table.rows, strict=True) for column in ("smaller", "larger")
                if row[column] not in measure_ids]
    if problems:
        raise BuildError(problems)
    return rules_from_rows(table.rows)


# -- what the build says about each measure and where it places it (metadata.HEADLINES,
# MEASURE_LAYOUT): files of the build's own, keyed by the measure_id of measures.csv

def headline_problems(paths: Paths, measures: CsvTable) -> list[InputProblem]:
    """metadata/headlines.yaml: valid against its schema; an entry for each measure of
    measures.csv and for no other; in each text only the placeholders the pages fill, the
    figure {n} in `many`, and no markup; card_one and card_many together."""
    document = read_yaml_document(paths.metadata / HEADLINES, paths.root, HEADLINES_EXPECTED)
    schema = load_schema(paths, "headlines")
    problems, entries_at, rows = _entry_rows(document, schema, "measure", ())
    problems += _validate_entries(document, schema, entries_at, rows, problems, paths.cache / "validated")
    placeholders = {"none": HEADLINE_PLACEHOLDERS, "one": HEADLINE_PLACEHOLDERS, "many": HEADLINE_PLACEHOLDERS,
                    "card_one": HEADLINE_PLACEHOLDERS[1:], "card_many": HEADLINE_PLACEHOLDERS[1:], "key_figure": ()}
    for index, row in zip(entries_at, rows, strict=True):
        for name, allowed in placeholders.items():
            found = row[name] and _words_problem(row[name], allowed, "n" if name == "many" else None)
            if found:
                problems.append(InputProblem(document.file, document.line(index, name), name, *found))
        for name, other in (("card_one", "card_many"), ("card_many", "card_one")):
            if row[name] and not row[other]:
                problems.append(InputProblem(document.file, document.line(index, name), other,
                                             "card_one and card_many together, or neither", f"{name} alone"))
    if isinstance(document.data, list):
        problems += _one_row_per_measure(document.file, [(document.line(i, "measure_id"), row["measure_id"])
                                                         for i, row in zip(entries_at, rows, strict=True)],
                                         measures, f"its headline sentences in {document.file}")
    return sorted(problems, key=lambda p: (p.file, p.line or 0))


# Markdown's and HTML's markup: the pages escape it, so in the build's own words it would show
# as typed ("*no one*", "&amp;"), never as emphasis, a link or a character.
_MARKUP = re.compile(r"[<>*_`\[\]\\|~]|&#?[A-Za-z0-9]+;")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _words_problem(text: str, allowed: tuple[str, ...], needed: str | None) -> tuple[str, str] | None:
    """(expected, found) when `text` holds markup, a placeholder not `allowed`, a brace around
    no placeholder, or lacks the placeholder `needed`. So the pages fill a sentence with
    str.format and nothing else: no attribute, index or format spec can run."""
    markup = _MARKUP.search(text)
    if markup:
        return ("plain words, with no markup (the pages would show it as typed)",
                f"{excerpt(markup.group())} at character {markup.start() + 1} of {excerpt(text)}")
    for match in _PLACEHOLDER.finditer(text):
        if match.group(1) not in allowed:
            return ("only the placeholders " + in_words_list([f"{{{name}}}" for name in allowed])
                    if allowed else "text with no placeholders", excerpt(match.group()))
    stray = re.search(r"[{}]", _PLACEHOLDER.sub(lambda m: " " * len(m.group()), text))
    if stray:
        return ("a brace only around a placeholder, like {area}",
                f"{excerpt(stray.group())} at character {stray.start() + 1} of {excerpt(text)}")
    if needed and f"{{{needed}}}" not in text:
        return f"a sentence that gives the figure as {{{needed}}}", excerpt(text)
    return None


def in_words_list(items: list[str]) -> str:
    """['a', 'b', 'c'] -> 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


MAP_UNIT = "rate per 100000 population"


def read_measure_layout(paths: Paths, measures: CsvTable, cache: bool = True) -> CsvTable:
    """metadata/measure-layout.csv, checked: valid against its schema, a row for each measure of
    measures.csv and for no other, exactly one measure on the tile map, a rate per 100,000 (the
    map's colour classes and words are for one: render/tilemap.py), and levels in a new report
    only for a table by level and category. Raises BuildError."""
    table = read_table(paths, paths.metadata / MEASURE_LAYOUT, "measure-layout", "measure", cache=cache)
    file = f"metadata/{MEASURE_LAYOUT}"
    problems = _one_row_per_measure(file, list(zip(table.lines, (row["measure_id"] for row in table.rows),
                                                   strict=True)), measures, f"a row in {file}")
    on_map = [line for line, row in zip(table.lines, table.rows, strict=True) if row["tile_map"] == "true"]
    if len(on_map) != 1:
        problems.append(InputProblem(file, on_map[1] if on_map else None, "tile_map",
                                     "true for exactly one measure, the one the tile map shows",
                                     f"{len(on_map)} measures with true"))
    measure = {row["measure_id"]: row for row in measures.rows}
    for line, row in zip(table.lines, table.rows, strict=True):
        known = measure.get(row["measure_id"], {})
        if row["tile_map"] == "true" and known and known["unit"] != MAP_UNIT:
            problems.append(InputProblem(file, line, "tile_map", f"false (the tile map shows a measure whose unit is "
                                         f"{MAP_UNIT}; {row['measure_id']} is in {known['unit']})", "true"))
        if known.get("breakdown") == "single_figure" and row["new_report_levels"] not in ("", "all"):
            problems.append(InputProblem(file, line, "new_report_levels",
                                         f"all or nothing (measure {row['measure_id']} is a single figure)",
                                         excerpt(row["new_report_levels"])))
    if problems:
        raise BuildError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    return table


def _one_row_per_measure(file: str, rows: list[tuple[int, str]], measures: CsvTable, what: str) -> list[InputProblem]:
    """A file keyed by measure_id names only measures of measures.csv (each (line, measure_id) of
    `rows`), and each measure has its row there: missing, it is named at its line of measures.csv."""
    known = {row["measure_id"] for row in measures.rows}
    problems = [InputProblem(file, line, "measure_id", "a measure_id of metadata/measures.csv", excerpt(measure_id))
                for line, measure_id in rows if measure_id and measure_id not in known]
    present = {measure_id for _, measure_id in rows}
    problems += [InputProblem("metadata/measures.csv", line, "measure_id", f"a measure with {what}",
                              excerpt(row["measure_id"]))
                 for line, row in zip(measures.lines, measures.rows, strict=True) if row["measure_id"] not in present]
    return problems


def curated_report_schema(paths: Paths, measure_ids: list[str], cache: bool = True) -> dict[str, Any]:
    """The Table Schema of a curated report file, with the measures of metadata/measures.csv."""
    return _with_enum(load_schema(paths, "curated-report", cache=cache), "measure_id", measure_ids)


def read_report_file(paths: Paths, path: Path, schema: dict[str, Any], breakdown: dict[str, str],
                     cache: Path | None, counted: Collection[str] = ()) -> CsvTable:
    """One curated report file, sound in shape, valid against `schema`, and with every cell fitting
    its measure's breakdown (measure_id -> breakdown) and, for a measure in `counted` (people or
    orders, not a rate), a whole number. Raises BuildError with every problem in it. The second
    keying reads its files with this too, so it refuses what the build refuses.

    A file found good is remembered by its modification time and size (and the schema), so a
    long-running `make preview` re-reads only the file that was saved."""
    stat = path.stat()
    remembered = (str(path), stat.st_mtime_ns, stat.st_size,
                  json.dumps([schema, breakdown, sorted(counted)], sort_keys=True))
    if remembered in _GOOD_REPORT_FILES:
        return _GOOD_REPORT_FILES[remembered]
    table = read_csv_table(path, paths.root, CURATED_COLUMNS, "printed cell")
    problems = placeholder_problems(table, rel(path, paths.root), schema) or validate_table(
        path, paths.root, schema, cache=cache)
    if problems:
        raise BuildError(problems)
    file = rel(path, paths.root)
    for line, row in zip(table.lines, table.rows, strict=True):
        if breakdown[row["measure_id"]] == "single_figure" and (row["level"], row["category"]) != ("all", "all"):
            problems.append(InputProblem(file, line, "level",
                                         f"level 'all' and category 'all' (measure {row['measure_id']} has no breakdown)",
                                         f"level {row['level']!r}, category {row['category']!r}"))
        if row["measure_id"] in counted and "." in row["value"]:
            # "1.409" is how a European keyboard writes 1,409: never read it as one and a bit.
            problems.append(InputProblem(file, line, "value", f"a whole number (measure {row['measure_id']} is a "
                                         "count)", f"{excerpt(row['value'])} (type a thousands separator as a comma, "
                                         "like 1,409)"))
    if problems:
        raise BuildError(problems)
    if len(_GOOD_REPORT_FILES) > 10_000:
        _GOOD_REPORT_FILES.clear()
    _GOOD_REPORT_FILES[remembered] = table
    return table


_GOOD_REPORT_FILES: dict[tuple[str, int, int, str], CsvTable] = {}


def read_table(paths: Paths, path: Path, schema_name: str, row_noun: str, cache: bool = True,
               may_be_empty: bool = False) -> CsvTable:
    """A metadata or register CSV, sound in shape and valid against its schema. With cache=False
    nothing is written to .cache/ (for read-only commands). `may_be_empty`: a header alone is
    a valid file (the corrections log before the first correction)."""
    schema = load_schema(paths, schema_name, cache=cache)
    table = read_csv_table(path, paths.root, [f["name"] for f in schema["fields"]], row_noun, may_be_empty)
    if schema_name != "reports" and table.rows:  # the register is validated with area_id as an enum, by load()
        problems = placeholder_problems(table, rel(path, paths.root), schema) or validate_table(
            path, paths.root, schema, cache=paths.cache / "validated" if cache else None)
        if problems:
            raise BuildError(problems)
    return table


# ---------------------------------------------------------------------------------------------
# The YAML metadata. Each entry of the glossary and of the quality register is a row of a
# published table, so frictionless checks it against that table's schema; problems are placed
# at the line of the entry or key in the YAML file.

GLOSSARY_LIST_FIELDS = ("replaced", "replaced_by", "printed_as")
ANY_TEXT = r"(?s).*\S.*"
PACKAGE_TEXT_KEYS = {
    "name": (r"[a-z0-9._-]+", "a lowercase name of letters, digits, '.', '_' or '-'"),
    "id": (ANY_TEXT, "text"),
    "title": (ANY_TEXT, "text"),
    "description": (ANY_TEXT, "text"),
    "version": (r"[0-9]+\.[0-9]+\.[0-9]+", "a version number major.minor.patch, like 1.2.0"),
    "created": (r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z",
                'a date and time in quotes, like "2026-11-22T00:00:00Z"'),
    "homepage": (r"https?://\S+", "a web address starting https://"),
    "repository": (r"https://\S+", "a web address starting https://"),
    "publisher": (ANY_TEXT, "text"),
}
# key -> (the keys each item must have, the keys it may have)
PACKAGE_LIST_KEYS = {
    "licenses": (["name"], ["title", "path"]),
    "contributors": (["title"], ["roles", "path", "email", "organization"]),
    "sources": (["title"], ["path", "email"]),
}
PACKAGE_OPTIONAL_KEYS = {"publisher", "repository"}


def read_package(paths: Paths) -> dict[str, Any]:
    document = read_yaml_document(paths.metadata / "package.yaml", paths.root,
                                  "the package's metadata: name, id, title, description, version, ...")
    problems = package_problems(document)
    if problems:
        raise BuildError(problems)
    return document.data


def package_problems(document: YamlDocument) -> list[InputProblem]:
    package, file = document.data, document.file
    if not isinstance(package, dict):
        return [InputProblem(file, document.line(), None, "'key: value' lines (name, id, title, ...)",
                             describe_value(package))]
    problems = []
    known = [*PACKAGE_TEXT_KEYS, "keywords", *PACKAGE_LIST_KEYS]

    def problem(keys, expected, found):
        problems.append(InputProblem(file, document.line(*keys), str(keys[-1]) if isinstance(keys[-1], str)
                                     else f"{keys[0]} item {keys[-1] + 1}", expected, found))

    for key in package:
        if key not in known:
            problem((key,), "one of the keys " + ", ".join(known), repr(key))
    for key in known:
        if key not in package:
            if key not in PACKAGE_OPTIONAL_KEYS:
                problems.append(InputProblem(file, document.line(), key, f"a '{key}' key", "none"))
            continue
        value = package[key]
        if key in PACKAGE_TEXT_KEYS:
            pattern, words = PACKAGE_TEXT_KEYS[key]
            if not isinstance(value, str) or not re.fullmatch(pattern, value.strip()):
                problem((key,), words, describe_value(value))
            elif key == "created" and not _is_real_datetime(value.strip()):
                problem((key,), "a date and time that exists (month 01 to 12, a day in that month)", excerpt(value))
        elif not isinstance(value, list) or not value:
            problem((key,), f"a list of {key} ('- ' lines)", describe_value(value) if value != [] else "an empty list")
        elif key == "keywords":
            for index, word in enumerate(value):
                if not isinstance(word, str) or not word.strip():
                    problem((key, index), "a keyword (text)", describe_value(word))
        else:
            required, optional = PACKAGE_LIST_KEYS[key]
            for index, item in enumerate(value):
                if not isinstance(item, dict):
                    problem((key, index), "'key: value' lines (" + ", ".join(required + optional) + ")",
                            describe_value(item))
                    continue
                for name in required:
                    if not isinstance(item.get(name), str) or not item[name].strip():
                        problem((key, index, name) if name in item else (key, index),
                                f"a {name} (text)", describe_value(item.get(name)) if name in item else "none")
    return sorted(problems, key=lambda p: p.line or 0)


def _is_real_datetime(text: str) -> bool:
    try:
        datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
        return True
    except ValueError:
        return False


def read_glossary(paths: Paths) -> list[dict[str, Any]]:
    document = read_yaml_document(paths.metadata / "glossary.yaml", paths.root,
                                  "a list of terms, each starting '- term_id:'")
    schema = load_schema(paths, "glossary")
    problems, entries_at, rows = _entry_rows(document, schema, "term", GLOSSARY_LIST_FIELDS)
    problems += _validate_entries(document, schema, entries_at, rows, problems, paths.cache / "validated")
    term_ids = {row["term_id"] for row in rows}
    for index, row in zip(entries_at, rows, strict=True):
        for name in ("replaced", "replaced_by"):
            for term_id in filter(None, (t.strip() for t in row[name].split(";"))):
                if term_id not in term_ids:
                    problems.append(InputProblem(document.file, document.line(index, name), name,
                                                 "the term_id of a term in this glossary", repr(term_id)))
    if problems:
        raise BuildError(sorted(problems, key=lambda p: p.line or 0))
    return document.data


def quality_register_problems(paths: Paths, document: YamlDocument, report_ids: set[str] | None,
                              measure_ids: set[str], rule_ids: list[str]) -> list[InputProblem]:
    """Each entry is valid against schemas/quality.yaml, names a known report and measure, and
    has a check the build can run (a rule of `rule_ids` for a breach across tables). `report_ids`
    is None when the register of reports is broken."""
    schema = load_schema(paths, "quality")
    problems, entries_at, rows = _entry_rows(document, schema, "entry", (), extra_keys=("check",))
    for row in rows:  # an entry that does not say how much it matters takes its kind's grade
        row["grade"] = row["grade"] or grade_of(row)
    problems += _validate_entries(document, schema, entries_at, rows, problems, paths.cache / "validated")
    # Not quality_ids: the build fills it from these very checks (package.link_quality_notes).
    table_fields = {name: [f["name"] for f in load_schema(paths, name)["fields"] if f["name"] != "quality_ids"]
                    for name in ("observations", "reports")}
    for index, row in zip(entries_at, rows, strict=True):
        if report_ids is not None and row["report_id"] and row["report_id"] not in report_ids:
            problems.append(InputProblem(document.file, document.line(index, "report_id"), "report_id",
                                         "the report_id of a report in curated/reports.csv", repr(row["report_id"])))
        if row["measure_id"] and row["measure_id"] not in measure_ids:
            problems.append(InputProblem(document.file, document.line(index, "measure_id"), "measure_id",
                                         "a measure_id of metadata/measures.csv", repr(row["measure_id"])))
        for place, expected, found in check_problems(document.data[index], table_fields, rule_ids):
            problems.append(InputProblem(document.file, document.line(index, *place),
                                         ".".join(str(k) for k in place), expected, found))
    return sorted(problems, key=lambda p: p.line or 0)


def _entry_rows(document: YamlDocument, schema: dict[str, Any], noun: str, list_fields: tuple[str, ...],
                extra_keys: tuple[str, ...] = ()) -> tuple[list[InputProblem], list[int], list[dict[str, str]]]:
    """Check each entry's shape and turn it into a table row (text, lists joined with '; ').
    Returns problems, the index of each entry that became a row, and the rows."""
    names = [f["name"] for f in schema["fields"]]
    file, data = document.file, document.data
    if not isinstance(data, list):
        return [InputProblem(file, document.line(), None, f"a list of {noun}s, each starting '- {names[0]}:'",
                             describe_value(data))], [], []
    problems, entries_at, rows = [], [], []
    for index, entry in enumerate(data):
        if not isinstance(entry, dict):
            problems.append(InputProblem(file, document.line(index), None,
                                         f"a {noun} of 'key: value' lines ({', '.join(names)})",
                                         describe_value(entry)))
            continue
        for key in entry:
            if key not in names and key not in extra_keys:
                problems.append(InputProblem(file, document.line(index, key), str(key),
                                             "one of the fields " + ", ".join([*names, *extra_keys]), repr(key)))
        row = {}
        for name in names:
            value = entry.get(name)
            if name in list_fields and isinstance(value, list) and all(isinstance(v, str) for v in value):
                value = "; ".join(value)
            if value is not None and not isinstance(value, str):
                problems.append(InputProblem(file, document.line(index, name), name,
                                             "text or a list of text" if name in list_fields else "text",
                                             describe_value(value)))
                value = None
            row[name] = " ".join((value or "").split())
        entries_at.append(index)
        rows.append(row)
    return problems, entries_at, rows


def _validate_entries(document: YamlDocument, schema: dict[str, Any], entries_at: list[int],
                      rows: list[dict[str, str]], known: list[InputProblem], cache: Path) -> list[InputProblem]:
    """Frictionless validates the entries as rows of their table; say where each problem is."""
    return checked_once(cache, ["entries", schema, rows],
                        lambda: _frictionless_entry_problems(document, schema, entries_at, rows, known))


def _frictionless_entry_problems(document: YamlDocument, schema: dict[str, Any], entries_at: list[int],
                                 rows: list[dict[str, str]], known: list[InputProblem]) -> list[InputProblem]:
    names = [f["name"] for f in schema["fields"]]
    descriptor = {k: v for k, v in schema.items() if k != "foreignKeys"}
    resource = frictionless.Resource(data=[names] + [[row[n] for n in names] for row in rows],
                                     schema=frictionless.Schema.from_descriptor(descriptor))
    already = {(p.line, p.column) for p in known}
    problems = []
    for task in resource.validate().tasks:
        for error in task.errors:
            if error.type == "primary-key" and _key_is_one_unique_field(schema):
                continue  # reported as a unique-error
            index = entries_at[error.row_number - 2]
            entry = document.data[index]
            name = getattr(error, "field_name", None) or ", ".join(schema.get("primaryKey", []))
            line = document.line(index, name) if name in entry else document.line(index)
            if (line, name) in already:
                continue  # the value was of the wrong type; that is already said
            if error.type == "blank-row":
                expected, found = "the fields of an entry", "an entry with no values"
            elif error.type in ("unique-error", "primary-key"):
                value = rows[error.row_number - 2].get(name, "")
                first = next(i for i, row in zip(entries_at, rows, strict=True) if row.get(name) == value)
                expected, found = f"each {name} once", f"{value!r} again (first on line {document.line(first, name)})"
            else:
                expected = _expected_for(error, schema, noun="field")
                found = (f"no {name} in this entry" if name not in entry
                         else "an empty value" if error.cell in (None, "") else repr(error.cell))
            problems.append(InputProblem(document.file, line, name, expected, found))
    return problems
