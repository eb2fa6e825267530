"""make release VERSION=x.y.z [REASON="…"] [DATE=YYYY-MM-DD]: freeze the working data as a release.

1. Checks, before anything is written: the version is the next patch, minor or major version
   after the newest release (a new report or table needs at least a minor version, a changed
   column a major one), the data differ from that release, the inputs pass every check of the
   build, and every corrected figure of a released report has a reason (REASON, or a row of
   curated/correction-reasons.csv) while every reason given names a corrected figure.
2. Then, as one transaction that is undone if any step fails: the corrections are added to
   curated/corrections.csv, the reasons file is emptied, metadata/package.yaml gets the version
   and the date, the release's files are written to releases/v<version>/ and listed in
   releases/SHA256SUMS, CHANGELOG.md gets an entry listing what was added and corrected, and
   `make site`'s build runs, which now finds the data to be that release and publishes it at
   /data/v<version>/ and /data/latest/ (and writes CITATION.cff).

The date is the one thing read from the clock (DATE= overrides it); the build itself never is.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from build_scripts.build import build_all, working_package
from build_scripts.checks.corrections import Change, Key, correction_rows, figure_changes, read_observations
from build_scripts.errors import BuildError, InputProblem
from build_scripts.inputs.dataset import Dataset, dataset_from
from build_scripts.inputs.metadata import rel
from build_scripts.inputs.releases import MANIFEST, Releases, is_version, read_releases, version_key
from build_scripts.paths import Paths
from build_scripts.render.downloads import folder_files, release_files
from build_scripts.reproducible import csv_text
from build_scripts.steps.load import read_table
from build_scripts.steps.package import field_names
from build_scripts.steps.pages.data import release_arguments
from build_scripts.steps.pages.words import figure_words

CHANGELOG = "CHANGELOG.md"


@dataclass
class Difference:
    """What the working data change, compared with the newest release."""

    added_reports: list[str] = field(default_factory=list)
    added_figures: int = 0
    corrections: list[Change] = field(default_factory=list)
    relabelled: int = 0  # figures of released reports whose printed labels or note changed
    new_tables: list[str] = field(default_factory=list)
    changed_columns: list[str] = field(default_factory=list)  # tables whose columns or key changed, or removed
    rows: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # other tables: added, changed, removed
    metadata: bool = False  # datapackage.json's own metadata (titles, descriptions, keywords...)

    @property
    def level(self) -> str:
        """The least part of the version this change must raise (Semantic Versioning)."""
        if self.changed_columns:
            return "major"
        return "minor" if self.added_reports or self.new_tables else "patch"


def next_versions(latest: str) -> dict[str, str]:
    major, minor, patch = version_key(latest)
    return {"patch": f"{major}.{minor}.{patch + 1}", "minor": f"{major}.{minor + 1}.0", "major": f"{major + 1}.0.0"}


OBSERVATION_KEY = ["report_id", "measure_id", "level", "category"]


def compare(before: dict[str, bytes], after: dict[str, bytes]) -> Difference:
    """The difference between two packages' files (datapackage.json and its CSV files); `before`
    is empty for a first release."""
    difference = Difference()
    old = json.loads(before["datapackage.json"]) if before else {"resources": []}
    new = json.loads(after["datapackage.json"])
    old_resources = {r["name"]: r for r in old["resources"]}
    new_resources = {r["name"]: r for r in new["resources"]}
    difference.new_tables = [n for n in new_resources if n not in old_resources and n != "observations"]
    difference.changed_columns = [n for n in old_resources if n not in new_resources] + [
        n for n in new_resources if n in old_resources and _shape(old_resources[n]) != _shape(new_resources[n])]

    def rows(files: dict[str, bytes], resources: dict[str, dict], name: str) -> list[dict[str, str]]:
        return read_observations(files[resources[name]["path"]]) if name in resources else []

    for name, resource in new_resources.items():
        # Figures are compared even when the observations' columns change: a major release that
        # also corrects a figure must publish it as a correction (its key, value and status are
        # columns of every version). Other tables with new columns are said as such.
        if name in difference.new_tables or (name in difference.changed_columns and name != "observations"):
            continue
        before_rows, after_rows = rows(before, old_resources, name), rows(after, new_resources, name)
        key = OBSERVATION_KEY if name == "observations" else resource["schema"]["primaryKey"]
        old_rows = {_key(r, key): r for r in before_rows}
        new_rows = {_key(r, key): r for r in after_rows}
        if name == "observations":
            held = {row["report_id"] for row in before_rows}
            difference.added_reports = sorted({r["report_id"] for r in after_rows} - held)
            difference.added_figures = sum(1 for r in after_rows if r["report_id"] not in held)
            difference.corrections = figure_changes(before_rows, after_rows)
            # A label or note that changed, in the columns both versions have (a new column is
            # said once, as changed columns, not as every row relabelled).
            old_fields = {f["name"] for f in old_resources[name]["schema"]["fields"]} if name in old_resources else set()
            shared = [f["name"] for f in resource["schema"]["fields"] if f["name"] in old_fields]
            difference.relabelled = sum(
                1 for k in new_rows.keys() & old_rows.keys() if _key(new_rows[k], shared) != _key(old_rows[k], shared)
                and (new_rows[k]["value"], new_rows[k]["status"]) == (old_rows[k]["value"], old_rows[k]["status"]))
            continue
        if name == "reports":  # a new report's row is said with the report
            new_rows = {k: r for k, r in new_rows.items() if r["report_id"] not in difference.added_reports}
        counts = (len(new_rows.keys() - old_rows.keys()),
                  sum(1 for k in new_rows.keys() & old_rows.keys() if new_rows[k] != old_rows[k]),
                  len(old_rows.keys() - new_rows.keys()))
        if any(counts) and before:
            difference.rows[name] = counts

    def own(descriptor: dict) -> dict:
        return {k: v for k, v in descriptor.items() if k not in ("resources", "version", "created")}

    def described(resource: dict) -> dict:
        return {k: v for k, v in resource.items() if k not in ("bytes", "hash")}

    difference.metadata = bool(before) and (own(old) != own(new) or any(
        described(old_resources[n]) != described(r) for n, r in new_resources.items()
        if n in old_resources and n not in difference.changed_columns))
    return difference


def _shape(resource: dict) -> tuple:
    schema = resource["schema"]
    return ([(f["name"], f["type"]) for f in schema["fields"]], schema.get("primaryKey"))


def _key(row: dict[str, str], fields: list[str]) -> tuple[str, ...]:
    return tuple(row.get(f, "") for f in fields)


def changelog_entry(version: str, day: str, latest: str | None, difference: Difference, data, reasons: dict) -> str:
    """The CHANGELOG entry make release opens, from the difference; the curator adds the words."""
    def report_name(report_id: str) -> str:
        report = data.reports.get(report_id)
        return f"{data.areas[report['area_id']]['name']} {report['year']}" if report else report_id

    lines = [f"## {version} ({day})", ""]
    if difference.added_reports:
        names = ", ".join(report_name(r) for r in difference.added_reports)
        count = len(difference.added_reports)
        lines.append(f"- Added {count} report{'s' if count != 1 else ''}, with {difference.added_figures} "
                     f"figure{'s' if difference.added_figures != 1 else ''}: {names}.")
    if difference.corrections:
        count = len(difference.corrections)
        lines.append(f"- Corrected {count} figure{'s' if count != 1 else ''} of released reports. Release {latest} "
                     "keeps the old figures; `corrections.csv` and the data page list every correction:")
        for change in difference.corrections:
            report_id, measure_id, level, category = change.key
            where = ", ".join([report_name(report_id), data.measures[measure_id]["label"]] + (
                [f"level {level}"] if level != "all" else []) + ([f"category {category}"] if category != "all" else []))
            lines.append(f"  - {where}: {figure_words(*change.before) or 'no figure'} → "
                         f"{figure_words(*change.after) or 'no figure'}. {reasons[change.key]}")
    if difference.relabelled:
        lines.append(f"- Changed the printed labels or notes of {difference.relabelled} figure"
                     f"{'s' if difference.relabelled != 1 else ''} of released reports (no figure changed).")
    for name in difference.new_tables:
        lines.append(f"- Added the table `{name}.csv`.")
    for name in difference.changed_columns:
        lines.append(f"- Changed the columns of `{name}.csv`.")
    for name, (added, changed, removed) in difference.rows.items():
        parts = [f"{n} row{'s' if n != 1 else ''} {word}" for n, word in ((added, "added"), (changed, "changed"),
                                                                        (removed, "removed")) if n]
        lines.append(f"- `{name}.csv`: " + ", ".join(parts) + ".")
    if difference.metadata:
        lines.append("- Changed the package's descriptions in `datapackage.json`.")
    return "\n".join(lines) + "\n"


def read_reasons(paths: Paths) -> dict[Key, tuple[str, int]]:
    """curated/correction-reasons.csv: the reason and line of each figure it names."""
    if not paths.correction_reasons.exists():
        return {}
    table = read_table(paths, paths.correction_reasons, "correction-reasons", "reason", may_be_empty=True)
    return {(r["report_id"], r["measure_id"], r["level"], r["category"]): (" ".join(r["reason"].split()), line)
            for line, r in zip(table.lines, table.rows, strict=True)}


def check_request(paths: Paths, releases: Releases, version: str, day: str) -> None:
    """The version and the date, and nothing left of a make release that did not finish."""
    problems = []
    latest = releases.latest
    if not is_version(version):
        problems.append(InputProblem("VERSION", None, None, "a version like 1.2.0 (major.minor.patch)", repr(version)))
    elif latest is not None and version_key(version) <= version_key(latest):
        problems.append(InputProblem("VERSION", None, None, f"a version after the newest release, {latest} (one of "
                                     + ", ".join(next_versions(latest).values()) + ")", repr(version)))
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", day):
        problems.append(InputProblem("DATE", None, None, "a date as YYYY-MM-DD", repr(day)))
    elif latest is not None and day < releases.date(latest):
        problems.append(InputProblem("DATE", None, None, f"a date on or after {releases.date(latest)}, when {latest} "
                                                         "was released", repr(day)))
    changelog = (paths.root / CHANGELOG).read_text(encoding="utf-8")
    if is_version(version) and re.search(rf"^## {re.escape(version)} ", changelog, re.M):
        line = changelog[: re.search(rf"^## {re.escape(version)} ", changelog, re.M).start()].count("\n") + 1
        problems.append(InputProblem(CHANGELOG, line, None, f"no entry for {version} yet (make release writes it)",
                                     "an entry (left by a make release that did not finish? restore the file with "
                                     f"`git checkout -- {CHANGELOG}`)"))
    if problems:
        raise BuildError(problems)


def check_version_level(version: str, latest: str | None, difference: Difference) -> None:
    if latest is None:
        return
    allowed = next_versions(latest)
    needed = difference.level
    fits = {"patch": ["patch", "minor", "major"], "minor": ["minor", "major"], "major": ["major"]}[needed]
    if version not in [allowed[k] for k in fits]:
        why = {"major": "a changed or removed column or table needs a new major version",
               "minor": "a new report or table needs a new minor version",
               "patch": "corrections and other changes need a new patch version"}[needed]
        raise BuildError([InputProblem("VERSION", None, None, f"{allowed[needed]} ({why}; the next versions after "
                                       f"{latest} are " + ", ".join(allowed.values()) + ")", repr(version))])


def reasons_for(paths: Paths, difference: Difference, reason: str | None) -> dict[Key, str]:
    """Every corrected figure's reason: its own row in correction-reasons.csv, else REASON."""
    given = read_reasons(paths)
    file = rel(paths.correction_reasons, paths.root)
    corrected = {change.key for change in difference.corrections}
    problems = [InputProblem(file, line, "report_id", "a figure of a released report that this release corrects",
                             f"{', '.join(key)}, which has not changed since the newest release (delete the row)")
                for key, (_, line) in given.items() if key not in corrected]
    text = " ".join((reason or "").split())
    reasons = {}
    for change in difference.corrections:
        if change.key in given:
            reasons[change.key] = given[change.key][0]
        elif text:
            reasons[change.key] = text
        else:
            problems.append(InputProblem(
                file, None, None, f"a reason for the corrected figure {', '.join(change.key)} "
                f"({figure_words(*change.before) or 'no figure'} → {figure_words(*change.after) or 'no figure'}): "
                f"give one for every figure with make release VERSION=… REASON=\"…\", or add the row "
                f"{','.join(change.key)},<reason> to {file}", "none"))
    if problems:
        raise BuildError(problems)
    return reasons


def report_places(releases: Releases, files: dict[str, bytes]) -> dict[str, tuple[str, str]]:
    """The area and year of every report, in the working data or in the newest release (a
    correction may concern a report that has since been withdrawn)."""
    places = {}
    sources = [files["reports.csv"]] + ([releases.read(releases.latest, "reports.csv")] if releases.latest else [])
    for data in reversed(sources):
        places.update({r["report_id"]: (r["area_id"], r["year"]) for r in read_observations(data)})
    return places


def set_package_version(text: str, version: str, day: str) -> str:
    """package.yaml with its version and created lines replaced (comments and order kept)."""
    text = re.sub(r"^version:.*$", "version: " + json.dumps(version), text, count=1, flags=re.M)
    return re.sub(r"^created:.*$", "created: " + json.dumps(f"{day}T00:00:00Z"), text, count=1, flags=re.M)


def manifest_lines(version: str, files: list[tuple[str, bytes]]) -> str:
    """releases/SHA256SUMS's lines for a release's files, as `sha256sum -c` reads them from releases/."""
    return "".join(f"{hashlib.sha256(content).hexdigest()}  v{version}/{name}\n" for name, content in files)


def release(paths: Paths, version: str, reason: str | None = None, day: str | None = None,
            build: Callable[[Paths], object] = build_all) -> str:
    """Entry point: check, then release as one transaction; returns what was done, in words.
    `build(paths)`: the site's full build (make site), run last."""
    day = day or date.today().isoformat()
    releases = read_releases(paths)
    check_request(paths, releases, version, day)
    latest = releases.latest
    _curated, files, state = working_package(paths)
    if state.released:
        raise BuildError([InputProblem("curated/", None, None, f"data that differ from release {latest}",
                                       "the same data: there is nothing to release")])
    difference = compare(releases.package_files(latest) if latest else {}, files)
    check_version_level(version, latest, difference)
    reasons = reasons_for(paths, difference, reason)

    kept = {path: path.read_bytes() for path in (
        paths.metadata / "package.yaml", paths.root / CHANGELOG, paths.root / "CITATION.cff", paths.corrections,
        paths.correction_reasons, paths.releases / MANIFEST) if path.exists()}
    target = paths.releases / f"v{version}"
    try:
        log_corrections(paths, correction_rows(difference.corrections, report_places(releases, files).__getitem__,
                                               latest or "", version, day, reasons.__getitem__))
        package_yaml = paths.metadata / "package.yaml"
        package_yaml.write_text(set_package_version(package_yaml.read_text(encoding="utf-8"), version, day),
                                encoding="utf-8")
        data, released = freeze(paths, version, target)
        changelog = paths.root / CHANGELOG
        title, _, rest = changelog.read_text(encoding="utf-8").partition("\n")
        entry = changelog_entry(version, day, latest, difference, data, reasons)
        changelog.write_text(f"{title}\n\n{entry}\n{rest.lstrip(chr(10))}", encoding="utf-8")
        # The build must now find the working data to be this release, before it publishes anything.
        if not working_package(paths)[2].released:
            raise RuntimeError(f"the working data are not release {version} once it is made")
        build(paths)
    except BaseException:
        for path, content in kept.items():
            path.write_bytes(content)
        for path in (paths.corrections, paths.correction_reasons):
            if path not in kept and path.exists():
                path.unlink()
        if target.exists() and version not in releases.files:
            shutil.rmtree(target)
        raise
    summary = [f"Released {version} ({day}): releases/v{version}/ ({len(released)} files), listed in "
               f"releases/{MANIFEST}; published at /data/v{version}/ and /data/latest/."]
    if difference.added_reports:
        summary.append(f"Added {len(difference.added_reports)} report(s): " + ", ".join(difference.added_reports) + ".")
    if difference.corrections:
        summary.append(f"Corrected {len(difference.corrections)} figure(s), recorded in "
                       f"{rel(paths.corrections, paths.root)}.")
    summary.append(f"Next: explain the changes in words in {CHANGELOG} (its new entry lists them), run make test, "
                   "then commit.")
    return "\n".join(summary)


def log_corrections(paths: Paths, rows: list[dict[str, str]]) -> None:
    """Add the release's corrections to the log and empty the reasons file, whose reasons they carry."""
    if rows:
        fields = field_names(paths, "corrections")
        logged = paths.corrections.read_text(encoding="utf-8") if paths.corrections.exists() else csv_text(fields, [])
        paths.corrections.write_text(logged + csv_text(fields, rows).split("\n", 1)[1], encoding="utf-8")
    if paths.correction_reasons.exists():
        paths.correction_reasons.write_text(csv_text(field_names(paths, "correction-reasons"), []), encoding="utf-8")


def freeze(paths: Paths, version: str, target: Path) -> tuple[Dataset, list[tuple[str, bytes]]]:
    """Make the release's files from the working package (which package.yaml now says is
    `version`) and move them into releases/v<version>/ whole, then list them in the manifest.
    Returns the release's dataset and files."""
    _curated, files, _state = working_package(paths, releasing=version)
    staging = Path(tempfile.mkdtemp(prefix=".release-", dir=paths.root))
    try:
        package_dir, release_dir = staging / "package", staging / f"v{version}"
        package_dir.mkdir()
        release_dir.mkdir()
        for name, content in files.items():
            (package_dir / name).write_bytes(content)  # the spreadsheet and the zip read them
        descriptor = json.loads(files["datapackage.json"])
        data = dataset_from(descriptor, {r["name"]: files[r["path"]] for r in descriptor["resources"]}, package_dir)
        released = folder_files(release_files(data, paths, *release_arguments(data)))
        for name, content in released:
            (release_dir / name).write_bytes(content)
        release_dir.chmod(0o755)
        paths.releases.mkdir(exist_ok=True)
        release_dir.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    manifest = paths.releases / MANIFEST
    listed = manifest.read_text(encoding="utf-8") if manifest.exists() else ""
    _write_atomically(manifest, listed + manifest_lines(version, released))
    return data, released


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{id(text)}")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
