"""The committed data package: valid, faithful to the printed tables, and what the build makes."""
import csv
import json
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


def test_frictionless_reports_the_package_valid():
    report = frictionless.Package(str(PACKAGE / "datapackage.json")).validate()
    assert report.valid, report.flatten(["type", "note"])


def test_descriptor_is_data_package_v2_with_metadata():
    descriptor = json.loads((PACKAGE / "datapackage.json").read_text())
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert descriptor["licenses"][0]["name"] == "OGL-UK-3.0"
    assert [r["name"] for r in descriptor["resources"]] == [
        "observations", "measures", "areas", "reports", "glossary", "quality"]
    observations = descriptor["resources"][0]["schema"]
    assert observations["primaryKey"] == ["report_id", "measure_id", "level", "category"]
    assert {fk["reference"]["resource"] for fk in observations["foreignKeys"]} == {"measures", "areas", "reports"}


def test_every_curated_cell_is_published_once():
    curated = sum(len(list(csv.DictReader(p.open(encoding="utf-8"))))
                  for p in (REPO / "curated" / "reports").glob("*.csv"))
    assert len(rows("observations")) == curated == 282


@pytest.mark.parametrize("key, value, status", [
    (("staffordshire-2023-24", "eligible", "1", "1"), "1409", "reported"),
    (("staffordshire-2023-24", "eligible", "1", "3"), "", "not_applicable"),
    (("staffordshire-2023-24", "eligible", "all", "all"), "1750", "reported"),
    (("staffordshire-2023-24", "shpo", "all", "all"), "138", "reported"),
    (("staffordshire-2023-24", "custody_breach_order", "2", "all"), "0", "reported"),
    (("west-midlands-2021-22", "eligible", "1", "all"), "5432", "reported"),
    (("west-midlands-2021-22", "eligible", "all", "3"), "7", "reported"),
    (("west-midlands-2021-22", "shpo", "all", "all"), "253", "reported"),
    (("west-midlands-2021-22", "custody_breach_order", "2", "2"), "", "not_applicable"),
    (("norfolk-2018-19", "sro_breach_notification", "all", "all"), "2", "reported"),
    (("norfolk-2018-19", "rso_per_100k", "all", "all"), "136", "reported"),
    (("cheshire-2014-15", "sopo", "all", "all"), "98", "reported"),
    (("cheshire-2014-15", "foreign_travel_order", "all", "all"), "0", "reported"),
    (("leicester-leicestershire-and-rutland-2019-20", "managed_l2_l3", "3", "all"), "11", "reported"),
    (("leicester-leicestershire-and-rutland-2019-20", "eligible", "1", "3"), "0", "reported"),
])
def test_figures_as_printed(cells, key, value, status):
    assert (cells[key]["value"], cells[key]["status"]) == (value, status)


def test_tables_not_printed_have_no_rows(cells):
    measures = {(r, m) for r, m, _, _ in cells}
    assert ("west-midlands-2021-22", "breach_notification") not in measures
    assert ("cheshire-2014-15", "shpo") not in measures
    assert ("cheshire-2014-15", "notification_revoked") not in measures
    assert not any(c == "4" for _, _, _, c in cells)


def test_year_comes_from_the_tables_not_the_cover():
    reports = {r["report_id"]: r for r in rows("reports")}
    llr = reports["leicester-leicestershire-and-rutland-2019-20"]
    assert (llr["year"], llr["title_as_printed"], llr["period_end"]) == ("2019-20", "Annual Report 2020-21",
                                                                         "2020-03-31")


def test_every_area_is_listed_with_a_slug():
    areas = rows("areas")
    assert len(areas) == 42
    ids = {a["area_id"] for a in areas}
    assert {"staffordshire", "west-midlands", "leicester-leicestershire-and-rutland"} <= ids
    assert sum(a["nation"] == "Wales" for a in areas) == 4


def test_quality_register_lists_both_printed_total_errors():
    quality = [q for q in rows("quality") if q["kind"] == "total_mismatch"]
    assert sorted(q["quality_id"] for q in quality) == [
        "west-midlands-2021-22-eligible-category-3-total", "west-midlands-2021-22-eligible-level-1-total"]


def test_glossary_covers_every_term_the_issue_names():
    terms = {g["term_id"] for g in rows("glossary")}
    assert {"shpo", "shpo-foreign-travel", "sopo", "notification-order", "foreign-travel-order",
            "sexual-risk-order", "risk-of-sexual-harm-order", "category-1", "category-2", "category-3",
            "category-4", "level-1", "level-2", "level-3", "notification-requirements",
            "lifetime-notification-revoked", "breach-of-licence", "responsible-authority", "duty-to-cooperate",
            "strategic-management-board", "lay-adviser", "visor", "rate-per-100000"} <= terms


def test_measure_ids_are_the_public_contract():
    assert [m["measure_id"] for m in rows("measures")] == [
        "eligible", "managed_l2_l3", "breach_notification", "notification_revoked", "shpo", "shpo_foreign_travel",
        "sopo", "notification_order", "foreign_travel_order", "sro_breach_notification", "custody_breach_licence",
        "custody_breach_order", "rso_per_100k"]


def test_metadata_is_written_once():
    """datapackage.json takes its package metadata from metadata/package.yaml, and mkdocs.yml's
    site_url (which MkDocs must read itself) agrees with it."""
    source = yaml.safe_load((REPO / "metadata" / "package.yaml").read_text())
    descriptor = json.loads((PACKAGE / "datapackage.json").read_text())
    for key in ("name", "title", "version", "homepage", "licenses", "keywords"):
        assert descriptor[key] == source[key]
    mkdocs = (REPO / "mkdocs.yml").read_text()
    assert f"site_url: {source['homepage']}\n" in mkdocs


def test_values_are_non_negative_numbers():
    for o in rows("observations"):
        if o["status"] == "reported":
            assert Decimal(o["value"]) >= 0
        else:
            assert o["value"] == ""


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


def test_make_site_publishes_neither_package_nor_pages_when_the_package_is_invalid(tmp_path):
    """make site validates the package while building docs/ from it: a package frictionless
    rejects is not published, and neither are the pages built from it."""
    from build_scripts.errors import BuildError
    from build_scripts.site import build_all
    from conftest import copy_project

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


def test_make_site_publishes_no_package_when_the_pages_fail(tmp_path, monkeypatch):
    from build_scripts import site
    from conftest import copy_project
    from test_incremental import edit_csv

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


def test_make_site_publishes_nothing_when_mkdocs_fails(tmp_path, capsys):
    """MkDocs builds the site from the docs/ staging folder, inside the same transaction: a strict
    failure (here a warning: the navigation names a page that does not exist) leaves the package,
    docs/ and site/ as they were, and shows MkDocs' warning."""
    from build_scripts import site
    from conftest import copy_project
    from test_incremental import edit_csv

    paths = copy_project(tmp_path / "project")
    site.build_all(paths)
    before = _published(paths)
    assert any(name.startswith("site/") for name in before)
    edit_csv(paths.root / "curated/reports/norfolk-2018-19.csv", {"measure_id": "notification_order"}, "value", "77")
    config = paths.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - Data: data/index.md\n",
                                                                 "  - Data: data/index.md\n  - Gone: gone.md\n"))
    with pytest.raises(SystemExit, match="mkdocs build --strict failed"):
        site.build_all(paths)
    assert "A reference to 'gone.md' is included in the 'nav' configuration" in capsys.readouterr().err
    assert _published(paths) == before
    assert _staging_folders(paths) == []


def test_make_site_reports_an_invalid_package_not_what_it_broke_in_the_pages(tmp_path, monkeypatch):
    """The pages are built while the package is validated: when the package is invalid and the
    pages fail on it, the build reports frictionless' findings."""
    from build_scripts import site
    from build_scripts.errors import BuildError
    from conftest import copy_project

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
