"""Step 2, package: turn the checked curated inputs into the published data package.

process (observations, totals, the rules across tables, the quality register) -> check against
the releases (version, corrections) -> the files of the package, with its release state
(releases.py) -> written into a staging folder and validated by frictionless (stage_package).
build.py publishes the folder as datapackage/ only once the package is valid and every later
step has passed.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import frictionless

from build_scripts.checks.corrections import check_corrections
from build_scripts.checks.crosschecks import Rule, find_breaches
from build_scripts.checks.quality import check_register, figures_concerned, published_rows
from build_scripts.checks.totals import find_mismatches
from build_scripts.errors import BuildError, InputProblem
from build_scripts.inputs.metadata import CATEGORIES, LEVELS, RESOURCE_NAMES, load_schema, parse_value
from build_scripts.inputs.releases import (
    Releases,
    ReleaseState,
    version_key,
    version_problem,
    working_state,
)
from build_scripts.paths import Paths
from build_scripts.render.citation import citation_cff
from build_scripts.reproducible import csv_text
from build_scripts.workers import render_pool

if TYPE_CHECKING:  # step 1's output, which build.py hands to this step
    from build_scripts.steps.load import Curated

DATA_PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
GLOSSARY_LIST_FIELDS = ("replaced", "replaced_by", "printed_as")
PACKAGE_KEYS = ["name", "id", "title", "description", "version", "created", "homepage", "repository",
                "keywords", "licenses", "contributors", "sources"]


def field_names(paths: Paths, name: str) -> list[str]:
    return [f["name"] for f in load_schema(paths, name)["fields"]]


def build_observations(curated: Curated) -> list[dict[str, str]]:
    """One row per printed cell, in the order: report, measure, level, category."""
    area_of = {r["report_id"]: r for r in curated.register}
    order = {m["measure_id"]: int(m["sort_order"]) for m in curated.measures}
    rows = []
    for report_id, cells in curated.cells.items():
        report = area_of[report_id]
        for cell in cells:
            value, status = parse_value(cell["value"])
            rows.append({
                "report_id": report_id,
                "area_id": report["area_id"],
                "year": report["year"],
                "measure_id": cell["measure_id"],
                "level": cell["level"],
                "category": cell["category"],
                "value": value,
                "status": status,
                "source_table": cell["table"],
                "source_row": cell["row"],
                "source_column": cell["column"],
                "note": cell["note"],
                "quality_ids": "",
            })
    rows.sort(key=lambda r: (r["report_id"], order[r["measure_id"]], LEVELS.index(r["level"]),
                             CATEGORIES.index(r["category"])))
    return rows


def glossary_rows(curated: Curated, fields: list[str]) -> list[dict[str, str]]:
    rows = []
    for term in curated.glossary:
        row = {}
        for name in fields:
            value = term.get(name) or ""
            if name in GLOSSARY_LIST_FIELDS and isinstance(value, list):
                value = "; ".join(value)
            row[name] = " ".join(str(value).split())
        rows.append(row)
    return sorted(rows, key=lambda r: r["term_id"])


def process(curated: Curated, paths: Paths) -> dict[str, list[dict[str, str]]]:
    """Build every published table and run the checks frictionless cannot do."""
    observations = build_observations(curated)
    order = {m["measure_id"]: int(m["sort_order"]) for m in curated.measures}
    tables = {
        "observations": observations,
        "measures": sorted(curated.measures, key=lambda m: int(m["sort_order"])),
        "areas": sorted(curated.areas, key=lambda a: a["area_id"]),
        "reports": sorted(curated.register, key=lambda r: r["report_id"]),
        "glossary": glossary_rows(curated, field_names(paths, "glossary")),
        "quality": sorted(published_rows(curated.quality), key=lambda q: q["quality_id"]),
        "corrections": sorted(curated.corrections, key=lambda c: (
            version_key(c["corrected_in"]), c["report_id"], order[c["measure_id"]], LEVELS.index(c["level"]),
            CATEGORIES.index(c["category"]))),
    }

    def locate_cell(report_id, measure_id, level, category):
        cells = curated.cells[report_id]
        for line, cell in zip(curated.cell_lines[report_id], cells, strict=True):
            if (cell["measure_id"], cell["level"], cell["category"]) == (measure_id, level, category):
                return f"curated/reports/{report_id}.csv", line
        return f"curated/reports/{report_id}.csv", None

    check_register(curated.quality, find_mismatches(observations), find_breaches(observations, curated.rules), tables,
                   locate_cell, lambda index, *keys: curated.quality_document.line(index, *keys))
    link_quality_notes(observations, curated.quality, curated.rules)
    return tables


def link_quality_notes(observations: list[dict[str, str]], register: list[dict[str, Any]],
                       rules: tuple[Rule, ...]) -> None:
    """Fill each observation's `quality_ids`: the register entries that concern its figure
    (quality.figures_concerned, the figures the build checks each entry against), in the order of
    their ids, separated by spaces. So a figure carries its notes out of the site."""
    by_report: dict[str, list[dict[str, str]]] = {}
    for row in observations:
        by_report.setdefault(row["report_id"], []).append(row)
    by_id = {rule.rule_id: rule for rule in rules}
    ids: dict[tuple[str, str, str, str], list[str]] = {}
    for entry in sorted(register, key=lambda e: str(e["quality_id"])):
        rid = entry["report_id"]
        for cell in figures_concerned(entry, by_report.get(rid, []), by_id):
            ids.setdefault((rid, *cell), []).append(str(entry["quality_id"]))
    for row in observations:
        row["quality_ids"] = " ".join(ids.get((row["report_id"], row["measure_id"], row["level"], row["category"]), []))


def csv_contents(tables: dict[str, list[dict[str, str]]], paths: Paths) -> dict[str, bytes]:
    """Each published CSV file's bytes, by resource name."""
    return {name: csv_text(field_names(paths, name), tables[name]).encode("utf-8") for name in RESOURCE_NAMES}


def descriptor_json(package: dict[str, Any]) -> str:
    return json.dumps(package, indent=2, ensure_ascii=False) + "\n"


def descriptor(curated: Curated, paths: Paths, contents: dict[str, bytes], version: str | None = None) -> dict[str, Any]:
    """datapackage.json for the CSV files' bytes (`contents`, by resource name), saying `version`
    (by default package.yaml's)."""
    # "$schema" and "type" are Data Package v2; "profile" is v1, kept beside them so that v1
    # clients (frictionless for R, Node's datapackage) read every resource too.
    package = {"$schema": DATA_PACKAGE_PROFILE, "profile": "tabular-data-package"}
    package.update({k: curated.package[k] for k in PACKAGE_KEYS if k in curated.package})
    if version is not None:
        package["version"] = version
    resources = []
    for name in RESOURCE_NAMES:
        schema = load_schema(paths, name)
        data = contents[name]
        resources.append({
            "name": name,
            "type": "table",
            "profile": "tabular-data-resource",
            "path": f"{name}.csv",
            "scheme": "file",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "title": schema["title"],
            "description": " ".join(schema["description"].split()),
            "bytes": len(data),
            "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
            "schema": {
                "fields": schema["fields"],
                "missingValues": [""],
                "primaryKey": schema["primaryKey"],
                **({"foreignKeys": schema["foreignKeys"]} if "foreignKeys" in schema else {}),
            },
        })
    package["resources"] = resources
    return package


def validate_package(folder: Path) -> list[str]:
    """Frictionless validates the whole package, foreign keys included."""
    package = frictionless.Package(str(folder / "datapackage.json"))
    report = package.validate()
    if report.valid:
        return []
    return [f"{task.name or task.place}: {error.message}" for task in report.tasks for error in task.errors] + [
        error.message for error in report.errors]


def package_files(curated: Curated, paths: Paths, contents: dict[str, bytes], releases: Releases,
                  releasing: str | None = None) -> tuple[dict[str, bytes], ReleaseState]:
    """The working package's files (datapackage.json and the CSV files, by file name) and whether
    they are the newest release. Made with package.yaml's version, which is the newest release's
    (or, in make release, the version being released); when they differ from that release, they
    are the working data, and datapackage.json says `<version>+unreleased` (releases.py). In
    make release (`releasing`), they are the release being made."""
    version = curated.package["version"]
    files = {f"{name}.csv": data for name, data in contents.items()}
    files = {"datapackage.json": descriptor_json(descriptor(curated, paths, contents)).encode("utf-8"), **files}
    if releasing is not None:
        return files, ReleaseState(releases.latest, False, version)
    state = working_state(releases, version, files)
    if state.version != version:
        files["datapackage.json"] = descriptor_json(descriptor(curated, paths, contents, state.version)).encode("utf-8")
    return files, state


def check_against_releases(curated: Curated, paths: Paths, releases: Releases,
                           tables: dict[str, list[dict[str, str]]], releasing: str | None = None) -> None:
    """package.yaml's version is the newest release's (or the one make release is making), and
    every row of the corrections log says what the releases say. Raises BuildError."""
    version = curated.package["version"]
    text = (paths.metadata / "package.yaml").read_text(encoding="utf-8")
    line = next((n for n, t in enumerate(text.splitlines(), start=1) if t.startswith("version:")), None)
    problems = [p for p in [version_problem(releases, version, line, releasing)] if p is not None]
    problems += check_corrections(curated.corrections, curated.correction_lines, releases,
                                  (releasing, tables["observations"]) if releasing else None)
    if problems:
        raise BuildError(problems)


def contents(curated: Curated, releases: Releases, paths: Paths,
             releasing: str | None = None) -> tuple[dict[str, bytes], ReleaseState]:
    """The package's files, by file name, and its release state: the tables built and checked
    (process), checked against the releases, and written out (package_files)."""
    tables = process(curated, paths)
    check_against_releases(curated, paths, releases, tables, releasing)
    return package_files(curated, paths, csv_contents(tables, paths), releases, releasing)


def stage_package(curated: Curated, releases: Releases, paths: Paths, folder: Path, in_background: bool = True,
                  releasing: str | None = None) -> StagedPackage:
    """Entry point: the package's files written into `folder` (a staging folder), with
    frictionless validating them (in another process with `in_background`, while the build goes
    on). Raises BuildError for a check that fails; `raise_if_invalid` says whether frictionless
    found the package valid."""
    files, state = contents(curated, releases, paths, releasing)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return StagedPackage(folder, files, state, citation_cff(curated.package), in_background)


def _raise_if_invalid(errors: list[str]) -> None:
    if errors:
        raise BuildError([InputProblem("datapackage/datapackage.json", None, None, "a valid data package", e)
                          for e in errors])


class StagedPackage:
    """The package written to a staging folder, not yet published, and its validation: about
    2.5 s at full scale, so with `in_background` frictionless runs in another process while the
    pages are built from the folder. A package that fails validation is never published, nor
    are pages built from it (build.py publishes nothing until `raise_if_invalid` has passed)."""

    def __init__(self, folder: Path, files: dict[str, bytes], state: ReleaseState, citation: str,
                 in_background: bool = True):
        self.folder, self.files, self.state, self.citation = folder, files, state, citation
        self._pool, self._validation = None, None
        if in_background:
            self._pool = render_pool(1)
            self._validation = self._pool.submit(validate_package, folder)

    def raise_if_invalid(self) -> None:
        """Wait for the validation; raise BuildError with frictionless' findings if it failed."""
        _raise_if_invalid(self._validation.result() if self._validation else validate_package(self.folder))

    def close(self) -> None:
        """Stop (or forget) the validation."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


