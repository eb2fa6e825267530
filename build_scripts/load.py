"""Step 1, load: read and check the curated inputs and the metadata.

Frictionless checks each file against its Table Schema (types, patterns, enums, primary
keys); this module adds only what a schema cannot say (encoding with line and column,
a register row for every file, cells that fit their measure's breakdown) and turns every
problem into "file:line: column: expected ...; found ...".
"""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frictionless

from .errors import BuildError, InputProblem
from .metadata import load_schema, read_csv_dicts, read_text_strict, read_yaml, rel
from .paths import Paths

CURATED_COLUMNS = ["table", "row", "column", "value", "measure_id", "level", "category", "note"]
DASHES = {"-", "\u2013"}


@dataclass
class Curated:
    """Everything the later steps need, checked."""

    package: dict[str, Any]
    measures: list[dict[str, str]]
    areas: list[dict[str, str]]
    glossary: list[dict[str, Any]]
    quality: list[dict[str, Any]]
    register: list[dict[str, str]]
    cells: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # report_id -> rows
    cell_lines: dict[str, list[int]] = field(default_factory=dict)
    input_hashes: dict[str, str] = field(default_factory=dict)


def _expected_for(error: Any, schema: dict[str, Any]) -> str:
    """Say in words what the schema expected for the field in error."""
    name = getattr(error, "field_name", None)
    for spec in schema.get("fields", []):
        if spec["name"] == name:
            constraints = spec.get("constraints", {})
            if "enum" in constraints:
                return "one of " + ", ".join(str(v) for v in constraints["enum"])
            if error.type == "constraint-error" and '"required"' in (error.note or ""):
                return "a value (this column is required)"
            if error.type == "constraint-error" and "pattern" in constraints:
                return spec.get("description", f"text matching {constraints['pattern']}")
            if error.type == "type-error":
                return {"integer": "a whole number", "number": "a number", "date": "a date as YYYY-MM-DD"}.get(
                    spec.get("type", "string"), f"a {spec.get('type')}")
            return spec.get("description") or f"a {spec.get('type', 'string')}"
    return "a well-formed row"


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
                problems.append(InputProblem(file, row, "measure_id, level, category",
                                             "each cell (measure, level, category) once",
                                             "a duplicate of an earlier row"))
                continue
            if error.type in ("extra-label", "incorrect-label", "duplicate-label", "blank-label"):
                problems.append(InputProblem(file, 1, column,
                                             "the header " + ",".join(f["name"] for f in schema["fields"]),
                                             f"{error.type.replace('-', ' ')} '{getattr(error, 'label', '')}'"))
                continue
            found = repr(cell) if cell not in (None, "") else "an empty cell"
            if error.type in ("extra-cell",):
                found = f"an extra cell {cell!r}"
            if error.type in ("blank-row",):
                found = "a blank row"
            problems.append(InputProblem(file, row, column, _expected_for(error, schema), found))
    return problems


def validate_table(path: Path, root: Path, schema: dict[str, Any], cache: Path | None = None) -> list[InputProblem]:
    """Validate one CSV with frictionless; return problems in our format.

    With a cache folder, a file already found valid with the same bytes and the same schema is
    not validated again: a rebuild after changing one report re-checks only that report."""
    marker = None
    if cache is not None:
        digest = hashlib.sha256(path.read_bytes() + json.dumps(schema, sort_keys=True).encode()).hexdigest()
        marker = cache / digest
        if marker.exists():
            return []
    problems = _validate_with_frictionless(path, root, schema)
    if marker is not None and not problems:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    return problems


def _validate_with_frictionless(path: Path, root: Path, schema: dict[str, Any]) -> list[InputProblem]:
    descriptor = {k: v for k, v in schema.items() if k != "foreignKeys"}
    resource = frictionless.Resource(
        path=path.name,
        basepath=str(path.parent),
        schema=frictionless.Schema.from_descriptor(descriptor),
        format="csv",
        encoding="utf-8",
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


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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

    package = read_yaml(paths.metadata / "package.yaml", root)
    measures_path = paths.metadata / "measures.csv"
    areas_path = paths.metadata / "areas.csv"
    for path, name in [(measures_path, "measures"), (areas_path, "areas")]:
        if collect(lambda path=path: read_text_strict(path, root)) is not None:
            problems.extend(validate_table(path, root, load_schema(paths, name), cache=paths.cache / "validated"))
    if problems:
        raise BuildError(problems)
    measures = read_csv_dicts(measures_path, root)
    areas = read_csv_dicts(areas_path, root)
    glossary = read_yaml(paths.metadata / "glossary.yaml", root)
    quality = read_yaml(paths.metadata / "quality-register.yaml", root)

    measure_ids = [m["measure_id"] for m in measures]
    area_ids = [a["area_id"] for a in areas]
    breakdown = {m["measure_id"]: m["breakdown"] for m in measures}

    # The register of reports.
    register_schema = _with_enum(load_schema(paths, "reports"), "area_id", area_ids)
    register = []
    if collect(lambda: read_text_strict(paths.register, root)) is not None:
        found = validate_table(paths.register, root, register_schema, cache=paths.cache / "validated")
        problems.extend(found)
        if not found:
            register = read_csv_dicts(paths.register, root)
    reg_file = rel(paths.register, root)
    for line, row in enumerate(register, start=2):
        expected_id = f"{row['area_id']}-{row['year']}"
        if row["report_id"] != expected_id:
            problems.append(InputProblem(reg_file, line, "report_id", f"'{expected_id}' (area_id-year)",
                                         repr(row["report_id"])))
        start_year = row["period_start"][:4]
        expected_year = f"{start_year}-{str(int(start_year) + 1)[-2:]}" if start_year.isdigit() else "?"
        if row["year"] != expected_year:
            problems.append(InputProblem(reg_file, line, "year",
                                         f"the financial year that starts on period_start ({expected_year})",
                                         repr(row["year"])))

    # One curated file per registered report, and no stray files.
    registered = {row["report_id"] for row in register}
    files = {p.stem: p for p in sorted(paths.report_files.glob("*.csv"))}
    for report_id in sorted(registered - files.keys()):
        problems.append(InputProblem(reg_file, None, "report_id",
                                     f"a file curated/reports/{report_id}.csv for report {report_id}",
                                     "no such file"))
    for report_id in sorted(files.keys() - registered) if register else []:
        problems.append(InputProblem(rel(files[report_id], root), None, None,
                                     f"a row for {report_id} in {reg_file}", "none"))

    report_schema = _with_enum(load_schema(paths, "curated-report"), "measure_id", measure_ids)
    curated = Curated(package, measures, areas, glossary, quality, register)
    for report_id in sorted(registered & files.keys()):
        path = files[report_id]
        file = rel(path, root)
        text = collect(lambda path=path: read_text_strict(path, root))
        if text is None:
            continue
        found = validate_table(path, root, report_schema, cache=paths.cache / "validated")
        if found:
            problems.extend(found)
            continue
        rows = read_csv_dicts(path, root)
        lines = list(range(2, 2 + len(rows)))
        for line, row in zip(lines, rows, strict=True):
            if breakdown[row["measure_id"]] == "single_figure" and (row["level"], row["category"]) != ("all", "all"):
                problems.append(InputProblem(file, line, "level",
                                             f"level 'all' and category 'all' (measure {row['measure_id']} has no breakdown)",
                                             f"level {row['level']!r}, category {row['category']!r}"))
        curated.cells[report_id] = rows
        curated.cell_lines[report_id] = lines
        curated.input_hashes[report_id] = _sha256(path)
    if problems:
        raise BuildError(problems)
    return curated


def parse_value(printed: str) -> tuple[str, str]:
    """Return (value, status) for a printed value that already passed the schema's pattern."""
    if printed in DASHES:
        return "", "not_applicable"
    return printed.replace(",", ""), "reported"
