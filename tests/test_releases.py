"""Releases are for ever: make release freezes the working data in releases/, no build writes
under a released version, a corrected figure is published as a correction with its old value,
and every way of getting it wrong stops with a message. Exact outputs on the tiny project;
invariants on the real releases at the end."""
from __future__ import annotations

import csv
import hashlib
import itertools
import json
import subprocess

import openpyxl
import pytest
import yaml
from conftest import REPO
from test_incremental import edit_csv

from build_scripts.build import build_docs, build_package
from build_scripts.checks.corrections import Change, figure_changes, read_observations
from build_scripts.curator.release import compare, release
from build_scripts.errors import BuildError
from build_scripts.inputs.releases import MANIFEST, UNRELEASED, read_releases
from build_scripts.paths import Paths

# Each test builds the tiny project, its spreadsheet and zip, and releases it, several times.
pytestmark = pytest.mark.slow

TINY_REPORT = "curated/reports/staffordshire-2023-24.csv"


def quick_build(paths):
    """make site's package and pages (MkDocs adds nothing these tests read)."""
    build_package(paths)
    build_docs(paths)


def messages(caught) -> list[str]:
    return [str(p) for p in caught.value.problems]


def files_under(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def version_of(paths) -> str:
    return json.loads((paths.datapackage / "datapackage.json").read_text(encoding="utf-8"))["version"]


def correct_level_1_category_1(paths) -> None:
    """Retype the tiny report's level 1, category 1 figure as 1,408 (it was 1,409), with the three
    totals typed from it."""
    report = paths.root / TINY_REPORT
    for level, category, value in (("1", "1", "1,408"), ("1", "all", "1739"), ("all", "1", "1409"),
                                   ("all", "all", "1740")):
        edit_csv(report, {"level": level, "category": category, "measure_id": "eligible"}, "value", value)


@pytest.fixture
def released(tiny_project):
    """The tiny project with its first release, 1.0.0, made on 2026-12-01."""
    quick_build(tiny_project)
    release(tiny_project, "1.0.0", day="2026-12-01", build=quick_build)
    return tiny_project


def test_data_never_released_are_published_as_unreleased_and_only_at_latest(tiny_project):
    quick_build(tiny_project)
    assert version_of(tiny_project) == "1.0.0" + UNRELEASED
    data = tiny_project.docs / "data"
    assert sorted(p.name for p in data.iterdir() if p.is_dir()) == ["changelog", "latest"]
    page = (data / "index.md").read_text(encoding="utf-8")
    assert '!!! warning "Not yet released: these figures may still change"' in page
    assert "changes made before the first release" in page
    assert "No release has been made yet." in page


def test_make_release_freezes_the_working_data(released):
    paths = released
    frozen = paths.releases / "v1.0.0"
    names = ["datapackage.json", "observations.csv", "measures.csv", "areas.csv", "reports.csv", "glossary.csv",
             "quality.csv", "corrections.csv", "mappa-statistics.xlsx", "mappa-statistics.zip"]
    listed = [n for name in names for n in (name, f"{name}.sha256")] + ["SHA256SUMS"]
    assert [line.split("  v1.0.0/")[1] for line in (paths.releases / MANIFEST).read_text().splitlines()] == listed
    assert sorted(p.name for p in frozen.iterdir()) == sorted(listed)
    check = subprocess.run(["sha256sum", "-c", "--quiet", MANIFEST], cwd=paths.releases, capture_output=True, text=True)
    assert (check.returncode, check.stdout, check.stderr) == (0, "", "")
    assert version_of(paths) == "1.0.0"
    package = yaml.safe_load((paths.metadata / "package.yaml").read_text())
    assert (package["version"], package["created"]) == ("1.0.0", "2026-12-01T00:00:00Z")
    cff = yaml.safe_load((paths.root / "CITATION.cff").read_text())
    assert (cff["version"], str(cff["date-released"])) == ("1.0.0", "2026-12-01")
    assert files_under(paths.docs / "data" / "v1.0.0") == files_under(frozen)
    assert files_under(paths.docs / "data" / "latest") == files_under(frozen)
    changelog = (paths.root / "CHANGELOG.md").read_text()
    assert changelog.startswith(
        "# Changelog\n\n## 1.0.0 (2026-12-01)\n\n- Added 1 report, with 11 figures: Staffordshire 2023-24.\n")
    page = (paths.docs / "data" / "index.md").read_text()
    assert "This is release **1.0.0**, published 1 December 2026." in page
    assert '<tr><th scope="row"><a href="v1.0.0/SHA256SUMS">1.0.0</a></th><td>1 December 2026</td>' in page


def test_a_new_report_never_changes_a_release(released):
    """The sixth report: new data are the working data until released; a build writes the
    release's bytes and nothing else under its version."""
    paths = released
    before = files_under(paths.releases)
    published = files_under(paths.docs / "data" / "v1.0.0")
    edit_csv(paths.root / TINY_REPORT, {"measure_id": "shpo"}, "value", "139")
    quick_build(paths)
    assert version_of(paths) == "1.0.0" + UNRELEASED
    assert files_under(paths.releases) == before
    assert files_under(paths.docs / "data" / "v1.0.0") == published
    latest = files_under(paths.docs / "data" / "latest")
    assert latest["observations.csv"] != published["observations.csv"]
    assert '"version": "1.0.0+unreleased"' in latest["datapackage.json"].decode()
    assert b"NOT YET RELEASED" not in published["mappa-statistics.zip"]


def test_a_released_file_that_changed_stops_the_build(released):
    paths = released
    changed = paths.releases / "v1.0.0" / "observations.csv"
    changed.write_bytes(changed.read_bytes().replace(b"1409", b"1408"))
    expected = hashlib.sha256((paths.docs / "data" / "v1.0.0" / "observations.csv").read_bytes()).hexdigest()
    found = hashlib.sha256(changed.read_bytes()).hexdigest()
    with pytest.raises(BuildError) as caught:
        quick_build(paths)
    assert messages(caught) == [
        f"releases/v1.0.0/observations.csv: expected the bytes released as v1.0.0, SHA-256 {expected[:16]}… "
        "(releases/SHA256SUMS:3); a released file never changes: restore it with `git checkout -- "
        "releases/v1.0.0/observations.csv`, and publish changed data as a new version with make release "
        f"VERSION=<next version>; found SHA-256 {found[:16]}…"]


@pytest.mark.parametrize("damage, expected", [
    (lambda r: (r / "v1.0.0" / "areas.csv").unlink(),
     ["releases/v1.0.0/areas.csv: expected the file listed at releases/SHA256SUMS:7; found no such file (a released "
      "file never changes: restore it with `git checkout -- releases/v1.0.0/areas.csv`)"]),
    (lambda r: (r / "v1.0.0" / "extra.csv").write_text("x\n"),
     ["releases/v1.0.0/extra.csv: expected only the files listed in releases/SHA256SUMS; found a file it does not "
      "list (delete it: a release never gains files)"]),
    (lambda r: (r / "v1.0.1").mkdir(),
     ["releases/v1.0.1: expected a release listed in releases/SHA256SUMS; found a folder it does not list (left by "
      "a make release that did not finish? delete the folder, then run make release again)"]),
    (lambda r: (r / MANIFEST).write_text((r / MANIFEST).read_text().replace("  v1.0.0/", " v1.0.0/", 1)),
     ["releases/SHA256SUMS:1: expected '<SHA-256 in 64 hex digits>  v<version>/<file name>', as make release writes "
      "it; found '",
      "releases/v1.0.0/datapackage.json: expected only the files listed in releases/SHA256SUMS; found a file it does "
      "not list (delete it: a release never gains files)"]),
])
def test_a_damaged_release_folder_stops_the_build(released, damage, expected):
    damage(released.releases)
    with pytest.raises(BuildError) as caught:
        quick_build(released)
    assert [m[: len(e)] for m, e in zip(messages(caught), expected, strict=True)] == expected


def test_a_version_edited_by_hand_is_refused(released):
    package = released.metadata / "package.yaml"
    package.write_text(package.read_text().replace('version: "1.0.0"', 'version: "1.1.0"'))
    with pytest.raises(BuildError) as caught:
        quick_build(released)
    assert messages(caught) == [
        "metadata/package.yaml:14: column 'version': expected 1.0.0, the newest release in releases/SHA256SUMS "
        "(make release VERSION=… sets the version; never edit it by hand); found '1.1.0' (a make release that did "
        "not finish? restore the files it changes with `git checkout -- metadata/package.yaml CHANGELOG.md "
        "CITATION.cff curated/corrections.csv curated/correction-reasons.csv`)"]


def test_a_correction_is_published_with_the_old_value(released):
    paths = released
    v1 = files_under(paths.releases / "v1.0.0")
    correct_level_1_category_1(paths)
    quick_build(paths)
    summary = release(paths, "1.0.1", reason="Typed 1,409 for the 1,408 the report prints.", day="2026-12-02",
                      build=quick_build)
    assert summary.splitlines()[0].startswith("Released 1.0.1 (2026-12-02): releases/v1.0.1/ (21 files)")
    assert files_under(paths.releases / "v1.0.0") == v1
    reason = "Typed 1,409 for the 1,408 the report prints."
    assert (paths.corrections.read_text().splitlines()[1:] == [
        f'staffordshire-2023-24,staffordshire,2023-24,eligible,{level},{category},{old},reported,{new},reported,'
        f'1.0.0,1.0.1,2026-12-02,"{reason}"'
        for level, category, old, new in (("1", "1", "1409", "1408"), ("1", "all", "1740", "1739"),
                                          ("all", "1", "1410", "1409"), ("all", "all", "1741", "1740"))])
    published = (paths.docs / "data" / "v1.0.1" / "corrections.csv").read_text()
    assert published == paths.corrections.read_text()
    page = (paths.docs / "areas" / "staffordshire" / "2023-24" / "index.md").read_text()
    assert '<td>1,408<br><span class="figure-note">corrected in v1.0.1: was 1,409</span></td>' in page
    assert ("<li>Corrected in version 1.0.1 (2 December 2026), level 1, category 1: was 1,409 (version 1.0.0), "
            f"now 1,408. {reason}</li>") in page
    assert '!!! info "Some figures of this report have been corrected"' in page
    changelog = (paths.root / "CHANGELOG.md").read_text()
    assert changelog.startswith(
        "# Changelog\n\n## 1.0.1 (2026-12-02)\n\n- Corrected 4 figures of released reports. Release 1.0.0 keeps the "
        "old figures; `corrections.csv` and the data page list every correction:\n"
        f"  - Staffordshire 2023-24, MAPPA-eligible people on 31 March, level 1, category 1: 1,409 → 1,408. {reason}\n")
    data_page = (paths.docs / "data" / "index.md").read_text()
    assert ("### Corrected in version 1.0.1 (2 December 2026) {: #corrected-in-1-0-1 }\n\n"
            "- [Staffordshire 2023-24](../areas/staffordshire/2023-24/index.md), MAPPA-eligible people on 31 March, "
            f"level 1, category 1: was 1,409 (version 1.0.0), now 1,408. {reason}\n") in data_page
    book = openpyxl.load_workbook(paths.releases / "v1.0.1" / "mappa-statistics.xlsx")
    assert book.sheetnames[-1] == "Corrections"
    assert list(book["Corrections"].iter_rows(min_row=4, max_row=4, values_only=True))[0][:10] == (
        "staffordshire-2023-24", "staffordshire", "2023-24", "eligible", "1", "1", 1409, "reported", 1408, "reported")
    assert "Corrections" not in openpyxl.load_workbook(paths.releases / "v1.0.0" / "mappa-statistics.xlsx").sheetnames


def test_a_reason_per_figure_comes_from_the_reasons_file(released):
    paths = released
    correct_level_1_category_1(paths)
    with paths.correction_reasons.open("a", encoding="utf-8") as handle:
        handle.write('staffordshire-2023-24,eligible,1,1,"Typed 1,409; the report prints 1,408."\n')
    release(paths, "1.0.1", reason="A total typed from that figure.", day="2026-12-02", build=quick_build)
    reasons = [row["reason"] for row in csv.DictReader(paths.corrections.open(encoding="utf-8"))]
    assert reasons == ["Typed 1,409; the report prints 1,408."] + ["A total typed from that figure."] * 3
    assert paths.correction_reasons.read_text() == "report_id,measure_id,level,category,reason\n"


def test_make_release_refuses_and_changes_nothing(released):
    paths = released
    watched = [paths.metadata / "package.yaml", paths.root / "CHANGELOG.md", paths.corrections,
               paths.correction_reasons, paths.releases / MANIFEST]
    before = {p: p.read_bytes() for p in watched}

    def refused(*args, **kwargs) -> list[str]:
        with pytest.raises(BuildError) as caught:
            release(paths, *args, build=quick_build, **kwargs)
        assert {p: p.read_bytes() for p in watched} == before
        assert sorted(p.name for p in paths.releases.iterdir()) == [MANIFEST, "v1.0.0"]
        return messages(caught)

    assert refused("1.0.1", day="2026-12-02") == [
        "curated/: expected data that differ from release 1.0.0; found the same data: there is nothing to release"]
    assert refused("1.0", day="2026-12-02") == ["VERSION: expected a version like 1.2.0 (major.minor.patch); found '1.0'"]
    assert refused("0.9.0", day="2026-12-02") == [
        "VERSION: expected a version after the newest release, 1.0.0 (one of 1.0.1, 1.1.0, 2.0.0); found '0.9.0'"]
    assert refused("1.0.1", day="2026-11-30")[-1] == (
        "DATE: expected a date on or after 2026-12-01, when 1.0.0 was released; found '2026-11-30'")
    correct_level_1_category_1(paths)
    assert refused("1.0.1", day="2026-12-02")[0] == (
        "curated/correction-reasons.csv: expected a reason for the corrected figure staffordshire-2023-24, eligible, "
        "1, 1 (1,409 → 1,408): give one for every figure with make release VERSION=… REASON=\"…\", or add the row "
        "staffordshire-2023-24,eligible,1,1,<reason> to curated/correction-reasons.csv; found none")
    with paths.correction_reasons.open("a", encoding="utf-8") as handle:
        handle.write("staffordshire-2023-24,shpo,all,all,Not changed at all.\n")
    before[paths.correction_reasons] = paths.correction_reasons.read_bytes()
    assert refused("1.0.1", reason="Typed wrongly.", day="2026-12-02") == [
        "curated/correction-reasons.csv:2: column 'report_id': expected a figure of a released report that this "
        "release corrects; found staffordshire-2023-24, shpo, all, all, which has not changed since the newest "
        "release (delete the row)"]


def test_a_new_report_needs_a_new_minor_version(released):
    paths = released
    shutil_copy_report(paths, "west-midlands-2023-24")
    assert refused_version(paths, "1.0.1") == [
        "VERSION: expected 1.1.0 (a new report or table needs a new minor version; the next versions after 1.0.0 "
        "are 1.0.1, 1.1.0, 2.0.0); found '1.0.1'"]
    release(paths, "1.1.0", day="2026-12-02", build=quick_build)
    assert (paths.root / "CHANGELOG.md").read_text().startswith(
        "# Changelog\n\n## 1.1.0 (2026-12-02)\n\n- Added 1 report, with 11 figures: West Midlands 2023-24.\n\n## 1.0.0")


def shutil_copy_report(paths, report_id: str) -> None:
    """A second made-up report: the tiny report's figures under another area."""
    area, year = report_id[: -len("-2023-24")], "2023-24"
    source = (paths.root / TINY_REPORT).read_text(encoding="utf-8")
    (paths.report_files / f"{report_id}.csv").write_text(source, encoding="utf-8")
    row = next(csv.reader([paths.register.read_text(encoding="utf-8").splitlines()[1]]))
    row[:3] = [report_id, area, year]
    with paths.register.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(row)


def refused_version(paths, version: str) -> list[str]:
    with pytest.raises(BuildError) as caught:
        release(paths, version, day="2026-12-02", build=quick_build)
    return messages(caught)


def test_a_corrections_row_the_releases_do_not_bear_out_stops_the_build(released):
    paths = released
    correct_level_1_category_1(paths)
    release(paths, "1.0.1", reason="Typed wrongly.", day="2026-12-02", build=quick_build)
    edit_csv(paths.corrections, {"level": "1", "category": "1"}, "released_value", "1407")
    with pytest.raises(BuildError) as caught:
        quick_build(paths)
    assert messages(caught) == [
        "curated/corrections.csv:2: column 'released_value': expected 1409, the figure in release 1.0.0; found 1407"]


def test_a_release_that_fails_is_undone(released, monkeypatch):
    paths = released
    correct_level_1_category_1(paths)
    watched = [paths.metadata / "package.yaml", paths.root / "CHANGELOG.md", paths.corrections,
               paths.correction_reasons, paths.releases / MANIFEST]
    before = {p: p.read_bytes() for p in watched}

    def failing_build(paths):
        raise RuntimeError("the site did not build")

    with pytest.raises(RuntimeError, match="the site did not build"):
        release(paths, "1.0.1", reason="Typed wrongly.", day="2026-12-02", build=failing_build)
    assert {p: p.read_bytes() for p in watched} == before
    assert sorted(p.name for p in paths.releases.iterdir()) == [MANIFEST, "v1.0.0"]
    assert not list(paths.root.glob(".release-*"))


# -- Invariants of the real releases ---------------------------------------------------------

@pytest.mark.real_data
def test_every_released_file_matches_the_manifest():
    """With a tool we did not write."""
    check = subprocess.run(["sha256sum", "-c", "--strict", "--quiet", MANIFEST], cwd=REPO / "releases",
                           capture_output=True, text=True)
    assert (check.returncode, check.stdout, check.stderr) == (0, "", "")
    releases = read_releases(Paths(root=REPO))
    for version in releases.versions:
        for name in releases.names(version):
            releases.read(version, name)  # the build's own check agrees


def test_the_site_publishes_every_release_as_released(built):
    releases = read_releases(built)
    assert releases.versions
    for version in releases.versions:
        assert files_under(built.site / "data" / f"v{version}") == files_under(built.releases / f"v{version}")
    latest = files_under(built.site / "data" / "latest")
    version = version_of(built)
    if version.endswith(UNRELEASED):
        assert version == releases.latest + UNRELEASED
        assert latest["observations.csv"] != b"" and latest != files_under(built.releases / f"v{releases.latest}")
    else:
        assert version == releases.latest
        assert latest == files_under(built.releases / f"v{version}")


@pytest.mark.real_data
def test_package_yaml_and_the_changelog_follow_the_releases():
    releases = read_releases(Paths(root=REPO))
    package = yaml.safe_load((REPO / "metadata" / "package.yaml").read_text())
    assert package["version"] == releases.latest
    assert package["created"][:10] == releases.date(releases.latest)
    changelog = (REPO / "CHANGELOG.md").read_text()
    for version in releases.versions:
        assert f"\n## {version} ({releases.date(version)})\n" in changelog, version


@pytest.mark.real_data
def test_every_corrected_figure_between_releases_is_in_the_corrections_log():
    """Between each release and the next, every figure of an already released report that
    changed is a row of the later release's corrections table (and a release without that table
    changed no figure)."""
    releases = read_releases(Paths(root=REPO))
    for older, newer in itertools.pairwise(releases.versions):
        changes = figure_changes(read_observations(releases.read(older, "observations.csv")),
                                 read_observations(releases.read(newer, "observations.csv")))
        logged = set()
        if "corrections.csv" in releases.names(newer):
            logged = {(c["report_id"], c["measure_id"], c["level"], c["category"])
                      for c in read_observations(releases.read(newer, "corrections.csv")) if c["corrected_in"] == newer}
        assert {change.key for change in changes} == logged, (older, newer)


def package_files(observation_fields: list[str], rows: list[list[str]]) -> dict[str, bytes]:
    """A made-up package of one table, observations.csv, with these columns and rows."""
    descriptor = {"name": "made-up", "resources": [{
        "name": "observations", "path": "observations.csv",
        "schema": {"fields": [{"name": f, "type": "string"} for f in observation_fields]}}]}
    table = "\n".join(",".join(r) for r in [observation_fields, *rows]) + "\n"
    return {"datapackage.json": json.dumps(descriptor).encode(), "observations.csv": table.encode()}


def test_a_release_that_changes_the_observations_columns_still_finds_its_corrections():
    """A major release (a new column in observations.csv) that also corrects a figure and adds a
    report: the correction is found, with its old value, and the report is said to be added
    (compare() once skipped a table whose columns changed, and the correction went unrecorded).
    A new column is not a changed label of every figure."""
    key = ["report_id", "measure_id", "level", "category", "value", "status"]
    before = package_files(key, [["a-2020-21", "shpo", "all", "all", "14", "reported"],
                                 ["a-2020-21", "sopo", "all", "all", "3", "reported"]])
    after = package_files(key + ["quality_ids"], [["a-2020-21", "shpo", "all", "all", "13", "reported", ""],
                                                  ["a-2020-21", "sopo", "all", "all", "3", "reported", "q-1"],
                                                  ["b-2020-21", "shpo", "all", "all", "7", "reported", ""]])
    difference = compare(before, after)
    assert difference.changed_columns == ["observations"] and difference.level == "major"
    assert difference.corrections == [Change(("a-2020-21", "shpo", "all", "all"), ("14", "reported"),
                                             ("13", "reported"))]
    assert (difference.added_reports, difference.added_figures, difference.relabelled) == (["b-2020-21"], 1, 0)
