"""The committed data package: valid, faithful to the printed tables, and what the build makes."""
import csv
import io
import json
import re
from decimal import Decimal

import frictionless
import pytest
import yaml
from conftest import REPO

PACKAGE = REPO / "datapackage"


def rows(name):
    with (PACKAGE / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def cells():
    return {(o["report_id"], o["measure_id"], o["level"], o["category"]): o for o in rows("observations")}


@pytest.mark.real_data
def test_frictionless_reports_the_package_valid():
    report = frictionless.Package(str(PACKAGE / "datapackage.json")).validate()
    assert report.valid, report.flatten(["type", "note"])


@pytest.mark.real_data
def test_descriptor_is_data_package_v2_with_metadata():
    descriptor = json.loads((PACKAGE / "datapackage.json").read_text())
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert descriptor["licenses"][0]["name"] == "OGL-UK-3.0"
    assert [r["name"] for r in descriptor["resources"]] == [
        "observations", "measures", "areas", "reports", "glossary", "quality", "corrections"]
    observations = descriptor["resources"][0]["schema"]
    assert observations["primaryKey"] == ["report_id", "measure_id", "level", "category"]
    assert {fk["reference"]["resource"] for fk in observations["foreignKeys"]} == {"measures", "areas", "reports"}


def curated_cells() -> list[tuple[str, int, dict[str, str]]]:
    """Every row of every curated report file: (report_id, line, row)."""
    found = []
    for path in sorted((REPO / "curated" / "reports").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            found += [(path.stem, line, row) for line, row in enumerate(csv.DictReader(handle), start=2)]
    return found


@pytest.mark.real_data
def test_every_curated_cell_is_published_once_as_printed(cells):
    """Each printed cell is one row, its value as printed without thousands separators, a dash
    as an empty value with status not_applicable, its labels as printed; and nothing else."""
    curated = curated_cells()
    assert len(rows("observations")) == len(curated) == len(cells)
    for report_id, line, row in curated:
        published = cells[(report_id, row["measure_id"], row["level"], row["category"])]
        dash = row["value"] in ("-", "\u2013")
        assert (published["value"], published["status"]) == (
            ("", "not_applicable") if dash else (row["value"].replace(",", ""), "reported")), (report_id, line)
        assert (published["source_table"], published["source_row"], published["source_column"], published["note"]) == (
            row["table"], row["row"], row["column"], row["note"]), (report_id, line)


@pytest.mark.real_data
def test_a_report_is_filed_under_the_year_its_tables_cover():
    """The year comes from the tables' dates, not the cover: the financial year that starts on
    period_start, ending on period_end, with the snapshot at its end."""
    for report in rows("reports"):
        start = int(report["year"][:4])
        assert (report["period_start"], report["period_end"]) == (f"{start}-04-01", f"{start + 1}-03-31"), report
        assert report["year"] == f"{start}-{str(start + 1)[-2:]}"
        assert report["report_id"] == f"{report['area_id']}-{report['year']}"


@pytest.mark.real_data
def test_every_area_is_listed_with_a_slug():
    areas = rows("areas")
    ids = [a["area_id"] for a in areas]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z]+(-[a-z]+)*", a) for a in ids)
    assert {a["nation"] for a in areas} == {"England", "Wales"}
    assert {r["area_id"] for r in rows("reports")} <= set(ids)


@pytest.mark.real_data
def test_every_total_mismatch_entry_is_a_printed_total_that_is_not_the_sum_of_its_parts(cells):
    """Recomputed here from the published rows, apart from the build's own check."""
    for entry in (q for q in rows("quality") if q["kind"] == "total_mismatch"):
        table = {(lv, ct): c for (r, m, lv, ct), c in cells.items()
                 if (r, m) == (entry["report_id"], entry["measure_id"])}
        totals = [(key, c) for key, c in table.items() if "all" in key and c["status"] == "reported"]
        broken = []
        for (level, category), total in totals:
            parts = [c for (lv, ct), c in table.items() if c["status"] == "reported" and (
                (category == "all" and level != "all" and lv == level and ct != "all")
                or (level == "all" and lv != "all" and ct == category))]
            if parts and sum(Decimal(p["value"]) for p in parts) != Decimal(total["value"]):
                broken.append((level, category))
        assert broken, entry["quality_id"]


@pytest.mark.real_data
def test_glossary_covers_every_term_the_issue_names():
    terms = {g["term_id"] for g in rows("glossary")}
    assert {"shpo", "shpo-foreign-travel", "sopo", "notification-order", "foreign-travel-order",
            "sexual-risk-order", "risk-of-sexual-harm-order", "category-1", "category-2", "category-3",
            "category-4", "level-1", "level-2", "level-3", "notification-requirements",
            "lifetime-notification-revoked", "breach-of-licence", "responsible-authority", "duty-to-cooperate",
            "strategic-management-board", "lay-adviser", "visor", "rate-per-100000"} <= terms


@pytest.mark.real_data
def test_measure_ids_are_the_public_contract():
    """A measure_id never goes within a major version: every one of each release of the current
    major version is still published (new measures may be added)."""
    from build_scripts.inputs.releases import read_releases, version_key
    from build_scripts.paths import Paths

    published = [m["measure_id"] for m in rows("measures")]
    releases = read_releases(Paths(root=REPO))
    major = version_key(releases.latest)[0]
    for version in releases.versions:
        if version_key(version)[0] == major:
            released = list(csv.DictReader(io.StringIO(releases.read(version, "measures.csv").decode())))
            assert {m["measure_id"] for m in released} <= set(published), version


@pytest.mark.real_data
def test_metadata_is_written_once():
    """datapackage.json takes its package metadata from metadata/package.yaml, and mkdocs.yml's
    site_url (which MkDocs must read itself) agrees with it."""
    source = yaml.safe_load((REPO / "metadata" / "package.yaml").read_text())
    descriptor = json.loads((PACKAGE / "datapackage.json").read_text())
    for key in ("name", "title", "homepage", "licenses", "keywords"):
        assert descriptor[key] == source[key]
    assert descriptor["version"] in (source["version"], source["version"] + "+unreleased")
    mkdocs = (REPO / "mkdocs.yml").read_text()
    assert f"site_url: {source['homepage']}\n" in mkdocs


@pytest.mark.real_data
def test_values_are_non_negative_numbers():
    for o in rows("observations"):
        if o["status"] == "reported":
            assert Decimal(o["value"]) >= 0
        else:
            assert o["value"] == ""


@pytest.mark.real_data
def test_every_field_is_fully_described():
    """Catches YAML slips such as an unquoted comma splitting a description into a new key."""
    allowed = {"name", "type", "title", "description", "constraints"}
    for path in (REPO / "metadata" / "schemas").glob("*.yaml"):
        for field in yaml.safe_load(path.read_text())["fields"]:
            assert set(field) <= allowed, (path.name, field["name"], set(field) - allowed)
            assert field["description"].strip().endswith("."), (path.name, field["name"])


def _published(paths) -> dict[str, bytes]:
    return {str(p.relative_to(paths.root)): p.read_bytes()
            for folder in (paths.datapackage, paths.docs, paths.site) if folder.exists()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _staging_folders(paths) -> list[str]:
    return sorted(p.name for p in paths.root.iterdir() if p.name.startswith((".datapackage-", ".docs-", ".site-")))


@pytest.mark.slow  # a whole build of a copy of the project
def test_make_site_publishes_neither_package_nor_pages_when_the_package_is_invalid(tmp_path):
    """make site validates the package while building docs/ from it: a package frictionless
    rejects is not published, and neither are the pages built from it."""
    from conftest import copy_project

    from build_scripts.build import build_all
    from build_scripts.errors import BuildError

    paths = copy_project(tmp_path / "project")
    build_all(paths)
    before = _published(paths)
    # A constraint only the published table can break: the curated files stay valid.
    schema = paths.metadata / "schemas/observations.yaml"
    schema.write_text(schema.read_text(encoding="utf-8").replace("constraints: {minimum: 0}",
                                                                 "constraints: {minimum: 0, maximum: 100}"),
                      encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        build_all(paths)
    messages = [str(p) for p in caught.value.problems]
    assert messages and all(m.startswith("datapackage/datapackage.json: expected a valid data package; found ")
                            for m in messages)
    assert any("maximum" in m for m in messages)
    assert _published(paths) == before
    assert _staging_folders(paths) == []


@pytest.mark.slow  # a whole build of a copy of the project
def test_make_site_publishes_no_package_when_the_pages_fail(tmp_path, monkeypatch):
    from conftest import copy_project
    from test_incremental import edit_csv

    from build_scripts import build as site

    paths = copy_project(tmp_path / "project")
    site.build_all(paths)
    before = _published(paths)
    edit_csv(paths.root / "curated/reports/norfolk-2018-19.csv", {"measure_id": "notification_order"}, "value", "77")

    def broken_pages(*args, **kwargs):
        raise RuntimeError("a page failed")

    monkeypatch.setattr(site, "build_pages", broken_pages)
    with pytest.raises(RuntimeError, match="a page failed"):
        site.build_all(paths)
    assert _published(paths) == before
    assert _staging_folders(paths) == []


@pytest.mark.slow  # a whole build of a copy of the project
def test_make_site_publishes_nothing_when_mkdocs_fails(tmp_path, capsys):
    """MkDocs builds the site from the docs/ staging folder, inside the same transaction: a strict
    failure (here a warning: the navigation names a page that does not exist) leaves the package,
    docs/ and site/ as they were, and shows MkDocs' warning."""
    from conftest import copy_project
    from test_incremental import edit_csv

    from build_scripts import build as site

    paths = copy_project(tmp_path / "project")
    site.build_all(paths)
    before = _published(paths)
    assert any(name.startswith("site/") for name in before)
    edit_csv(paths.root / "curated/reports/norfolk-2018-19.csv", {"measure_id": "notification_order"}, "value", "77")
    config = paths.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - Data: data/index.md\n",
                                                                 "  - Data: data/index.md\n  - Gone: gone.md\n"))
    from build_scripts.errors import MkDocsFailed

    with pytest.raises(MkDocsFailed, match="mkdocs build --strict failed") as caught:
        site.build_all(paths)
    assert "A reference to 'gone.md' is included in the 'nav' configuration" in caught.value.output
    assert _published(paths) == before
    assert _staging_folders(paths) == []


@pytest.mark.slow  # a whole build of a copy of the project
def test_make_site_reports_an_invalid_package_not_what_it_broke_in_the_pages(tmp_path, monkeypatch):
    """The pages are built while the package is validated: when the package is invalid and the
    pages fail on it, the build reports frictionless' findings."""
    from conftest import copy_project

    from build_scripts import build as site
    from build_scripts.errors import BuildError

    paths = copy_project(tmp_path / "project")
    schema = paths.metadata / "schemas/observations.yaml"
    schema.write_text(schema.read_text(encoding="utf-8").replace("constraints: {minimum: 0}",
                                                                 "constraints: {minimum: 0, maximum: 100}"),
                      encoding="utf-8")

    def pages_that_break(*args, **kwargs):
        raise KeyError("something the invalid package lacks")

    monkeypatch.setattr(site, "build_pages", pages_that_break)
    with pytest.raises(BuildError) as caught:
        site.build_all(paths)
    assert any("maximum" in str(p) for p in caught.value.problems)
    assert isinstance(caught.value.__context__, KeyError)
    assert _staging_folders(paths) == []
