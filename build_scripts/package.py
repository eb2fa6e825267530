"""Step 2, package: turn the checked curated inputs into the published data package.

load (load.py) -> process (observations, totals, quality register) -> save (datapackage/,
written to a temporary folder, validated by frictionless, then swapped in whole). make site
uses stage_package instead: the same, with the validation running while docs/ is built.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import frictionless

from .errors import BuildError, InputProblem
from .load import Curated, load, parse_value
from .metadata import CATEGORIES, LEVELS, RESOURCE_NAMES, load_schema
from .paths import Paths
from .quality import check_register, published_rows
from .totals import find_mismatches
from .citation import citation_fields
from .corrections import check_corrections
from .crosschecks import find_breaches
from .releases import ReleaseState, Releases, read_releases, version_key, version_problem, working_state
from .workers import render_pool

DATA_PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
GLOSSARY_LIST_FIELDS = ("replaced", "replaced_by", "printed_as")
PACKAGE_KEYS = ["name", "id", "title", "description", "version", "created", "homepage",
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

    check_register(curated.quality, find_mismatches(observations), find_breaches(observations), tables,
                   locate_cell, lambda index, *keys: curated.quality_document.line(index, *keys))
    return tables


def csv_text(fields: list[str], rows: list[dict[str, str]]) -> str:
    """CSV as every file of the project writes it: UTF-8, LF line ends, header first."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


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


def stage(files: dict[str, bytes], paths: Paths) -> Path:
    """Write the package's files into a new temporary folder beside datapackage/."""
    target = paths.datapackage
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".datapackage-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the published folder must be readable
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
    except BaseException:
        shutil.rmtree(staging)
        raise
    return staging


def _raise_if_invalid(errors: list[str]) -> None:
    if errors:
        raise BuildError([InputProblem("datapackage/datapackage.json", None, None, "a valid data package", e)
                          for e in errors])


def save(files: dict[str, bytes], curated: Curated, paths: Paths) -> Path:
    """Write to a temporary folder beside datapackage/, validate, then swap it in whole (and write
    CITATION.cff beside it)."""
    return StagedPackage(paths, stage(files, paths), citation_cff(curated.package), in_background=False).publish()


class StagedPackage:
    """The package written to a staging folder and not yet published. With `in_background`,
    frictionless validates it in another process meanwhile (about 2.5 s at full scale), so that
    make site builds the pages from the staging folder at the same time. `publish()` waits for
    the validation and swaps the folder in; a package that fails validation is never published,
    nor are pages built from it (make site publishes docs/ only after this)."""

    def __init__(self, paths: Paths, staging: Path, citation: str, in_background: bool = True,
                 state: ReleaseState | None = None):
        self.paths, self.staging, self.citation, self.state = paths, staging, citation, state
        self._pool, self._validation = None, None
        try:
            if in_background:
                self._pool = render_pool(1)
                self._validation = self._pool.submit(validate_package, staging)
        except BaseException:
            self.discard()
            raise

    def raise_if_invalid(self) -> None:
        """Wait for the validation; raise BuildError with frictionless' findings if it failed."""
        _raise_if_invalid(self._validation.result() if self._validation else validate_package(self.staging))

    def publish(self) -> Path:
        try:
            self.raise_if_invalid()
            swap_in(self.staging, self.paths.datapackage)
            (self.paths.root / "CITATION.cff").write_text(self.citation, encoding="utf-8")
        finally:
            self.discard()
        return self.paths.datapackage

    def discard(self) -> None:
        """Stop (or forget) the validation and delete the staging folder, unless published."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
        if self.staging.exists():
            shutil.rmtree(self.staging)


def swap_in(staging: Path, target: Path) -> None:
    """Replace target by staging with renames, so readers never see a half-written folder. The
    old folder is deleted by a detached process: at full scale it holds 15,000+ files, and the
    build need not wait for them."""
    old = target.with_name(f".{target.name}-old-{os.getpid()}-{time.monotonic_ns()}")
    if target.exists():
        target.rename(old)
    staging.rename(target)
    if old.exists():
        subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)",
                          str(old)], start_new_session=True, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def citation_cff(package: dict[str, Any]) -> str:
    """CITATION.cff (CFF 1.2.0), written from the same metadata as datapackage.json."""
    import yaml

    fields = citation_fields(package, package["homepage"], package["title"])
    cff = {
        "cff-version": "1.2.0",
        "message": "If you use these data, please cite them as below.",
        "type": "dataset",
        "title": fields["title"],
        "version": fields["version"],
        "date-released": fields["date"],
        "abstract": " ".join(package["description"].split()),
        "authors": [{"name": c["title"]} for c in package["contributors"]],
        "license": package["licenses"][0]["name"],
        "url": fields["url"],
        "keywords": package["keywords"],
    }
    header = "# Generated by build_scripts/package.py from metadata/package.yaml. Do not edit.\n"
    return header + yaml.safe_dump(cff, sort_keys=False, allow_unicode=True, width=100)


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


def working_package(paths: Paths, timings: dict[str, float] | None = None,
                    releasing: str | None = None) -> tuple[Curated, dict[str, bytes], ReleaseState]:
    """Load and check the inputs, build the tables, check them against the releases, and make the
    package's files (by file name) with its release state. `releasing`: the version make
    release is making, which package.yaml then says."""
    timings = timings if timings is not None else {}
    started = time.perf_counter()
    curated = load(paths)
    releases = read_releases(paths)
    timings["load_validate_s"] = time.perf_counter() - started
    started = time.perf_counter()
    tables = process(curated, paths)
    check_against_releases(curated, paths, releases, tables, releasing)
    files, state = package_files(curated, paths, csv_contents(tables, paths), releases, releasing)
    timings["package_s"] = time.perf_counter() - started
    return curated, files, state


def stage_package(paths: Paths = Paths(), timings: dict[str, float] | None = None,
                  in_background: bool = True, releasing: str | None = None) -> StagedPackage:
    """make site's way in: the working package written to a staging folder, unpublished and,
    with `in_background`, being validated while docs/ is built from that folder."""
    timings = timings if timings is not None else {}
    curated, files, state = working_package(paths, timings, releasing)
    started = time.perf_counter()
    staged = StagedPackage(paths, stage(files, paths), citation_cff(curated.package), in_background, state)
    timings["package_s"] += time.perf_counter() - started
    return staged


def build_package(paths: Paths = Paths(), timings: dict[str, float] | None = None) -> Path:
    """Entry point: load, process and save the data package (and CITATION.cff beside it)."""
    timings = timings if timings is not None else {}
    staged = stage_package(paths, timings, in_background=False)
    started = time.perf_counter()
    target = staged.publish()
    timings["package_s"] += time.perf_counter() - started
    return target
