"""The data package works in the clients a user brings: frictionless-py (the zip), a Data
Package v1 reader (the PyPI `datapackage` library), DuckDB, pandas and openpyxl (the
spreadsheet), `sha256sum -c` in every download layout, and the code examples of the data page
run as printed. Offline: every example reads the built files, never the web."""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import frictionless
import openpyxl
import pandas as pd
import pytest
from conftest import REPO

from build_scripts.render.downloads import CHECKSUMS_NAME, XLSX_NAME, ZIP_NAME
from build_scripts.render.markup import environment
from build_scripts.steps.pages.data import snippet

RESOURCES = ["observations", "measures", "areas", "reports", "glossary", "quality", "corrections"]
ZIP_CONTENTS = ["CITATION.cff", "README.txt", "SHA256SUMS", "areas.csv", "corrections.csv", "datapackage.json",
                "glossary.csv", "mappa-statistics.xlsx", "measures.csv", "observations.csv", "quality.csv",
                "reports.csv"]
FOLDER_FILES = ["datapackage.json"] + [f"{r}.csv" for r in RESOURCES] + [XLSX_NAME, ZIP_NAME]


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def version(built):
    return json.loads((built.datapackage / "datapackage.json").read_text())["version"]


@pytest.fixture(scope="module")
def release(built) -> Path:
    """The downloads of the data the site shows: /data/latest/ (the newest release, or the
    working data when they are not yet released)."""
    return built.site / "data" / "latest"


@pytest.fixture(scope="module")
def tiny_release(tmp_path_factory) -> Path:
    """The tiny project's /data/latest/, for examples whose output is checked exactly."""
    from conftest import FIXTURES, copy_project

    from build_scripts.build import build_docs, build_package

    paths = copy_project(tmp_path_factory.mktemp("tiny") / "tiny", inputs=["metadata", "templates", "theme",
                                                                            "mkdocs.yml"])
    shutil.copytree(FIXTURES / "tiny", paths.root, dirs_exist_ok=True)
    build_package(paths)
    build_docs(paths)
    return paths.docs / "data" / "latest"


# -- Data Package v1 and v2 ----------------------------------------------------------------

def test_every_resource_says_v1_and_v2_profiles(built):
    descriptor = json.loads((built.datapackage / "datapackage.json").read_text())
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert descriptor["profile"] == "tabular-data-package"
    assert [(r["type"], r["profile"]) for r in descriptor["resources"]] == [
        ("table", "tabular-data-resource")] * len(RESOURCES)


def test_a_v1_client_reads_every_resource_with_its_relations(built):
    """The PyPI `datapackage` library (Data Package v1, strict): valid, every resource tabular,
    every row read with its foreign keys resolved."""
    datapackage = pytest.importorskip("datapackage")
    package = datapackage.Package(str(built.datapackage / "datapackage.json"), strict=True)
    assert (package.valid, package.errors, package.profile.name) == (True, [], "tabular-data-package")
    counts = {}
    for resource in package.resources:
        assert resource.tabular, resource.name
        counts[resource.name] = len(resource.read(keyed=True, relations=True))
    assert counts == {r: len(csv_rows(built.datapackage / f"{r}.csv")) for r in RESOURCES}
    first = package.get_resource("observations").read(keyed=True, relations=True, limit=1)[0]
    observation = csv_rows(built.datapackage / "observations.csv")[0]
    measures = {m["measure_id"]: m for m in csv_rows(built.datapackage / "measures.csv")}
    areas = {a["area_id"]: a for a in csv_rows(built.datapackage / "areas.csv")}
    assert first["measure_id"]["label"] == measures[observation["measure_id"]]["label"]
    assert first["area_id"]["name"] == areas[observation["area_id"]]["name"]


# -- The zip -------------------------------------------------------------------------------

def test_zip_is_a_data_package_with_readme_citation_and_checksums(built, release):
    with zipfile.ZipFile(release / ZIP_NAME) as archive:
        assert archive.namelist() == ZIP_CONTENTS
        inside = {name: archive.read(name) for name in archive.namelist()}
    for name in ["datapackage.json"] + [f"{r}.csv" for r in RESOURCES]:
        assert inside[name] == (built.datapackage / name).read_bytes(), name
    assert inside[XLSX_NAME] == (release / XLSX_NAME).read_bytes()
    # The project's CITATION.cff cites the newest release; the zip's, the version the zip holds.
    import yaml

    cff, project_cff = yaml.safe_load(inside["CITATION.cff"]), yaml.safe_load((built.root / "CITATION.cff").read_text())
    version = json.loads(inside["datapackage.json"])["version"]
    assert cff == {**project_cff, "version": version}
    readme = inside["README.txt"].decode()
    assert readme.startswith("MAPPA annual report statistics for England and Wales\nData package version ")
    reports = csv_rows(built.datapackage / "reports.csv")
    held = {r["area_id"] for r in reports}
    areas = len(csv_rows(built.datapackage / "areas.csv"))
    holds = (f"This version holds {len(reports)} report{'s' if len(reports) != 1 else ''} from {len(held)} of the "
             f"{areas} MAPPA areas of England and Wales")
    assert holds in " ".join(readme.split())
    assert "Open Government Licence v3.0\nhttps://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/" in readme
    created = json.loads(inside["datapackage.json"])["created"]
    assert f"MAPPA open data ({created[:4]}). MAPPA annual report statistics for England and Wales." in readme
    assert [line.split("  ")[1] for line in inside["SHA256SUMS"].decode().splitlines()] == [
        n for n in ["datapackage.json"] + [f"{r}.csv" for r in RESOURCES] + [XLSX_NAME, "README.txt", "CITATION.cff"]]


def test_frictionless_loads_and_validates_the_zip(built, release):
    package = frictionless.Package(str(release / ZIP_NAME))
    assert package.resource_names == RESOURCES
    report = package.validate()
    assert report.valid, report.flatten(["type", "note"])
    assert [task.stats.get("rows", 0) for task in report.tasks] == [len(csv_rows(built.datapackage / f"{r}.csv"))
                                                              for r in RESOURCES]


# -- Checksums in every download layout ----------------------------------------------------

def sha256sum_check(folder: Path, sums: str, *extra: str) -> list[str]:
    result = subprocess.run(["sha256sum", "-c", *extra, sums], cwd=folder, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.splitlines()


def test_checksums_pass_for_the_zip_alone(release, tmp_path):
    for name in (ZIP_NAME, ZIP_NAME + ".sha256"):
        shutil.copy(release / name, tmp_path / name)
    assert sha256sum_check(tmp_path, ZIP_NAME + ".sha256") == [f"{ZIP_NAME}: OK"]


def test_checksums_pass_for_every_file_alone(release, tmp_path):
    for name in FOLDER_FILES:
        alone = tmp_path / name.replace(".", "_")
        alone.mkdir()
        shutil.copy(release / name, alone / name)
        shutil.copy(release / f"{name}.sha256", alone / f"{name}.sha256")
        assert sha256sum_check(alone, f"{name}.sha256") == [f"{name}: OK"]


def test_checksums_pass_for_the_unzipped_folder(release, tmp_path):
    with zipfile.ZipFile(release / ZIP_NAME) as archive:
        archive.extractall(tmp_path)
    assert sha256sum_check(tmp_path, CHECKSUMS_NAME) == [
        f"{n}: OK" for n in ["datapackage.json"] + [f"{r}.csv" for r in RESOURCES] + [XLSX_NAME, "README.txt",
                                                                                      "CITATION.cff"]]


def test_checksums_pass_for_whole_release_folders(built, tmp_path):
    """latest/ and every release: SHA256SUMS lists only files in its folder."""
    folders = ["latest"] + sorted(p.name for p in (REPO / "releases").iterdir() if p.is_dir())
    for name in folders:
        copy = shutil.copytree(built.site / "data" / name, tmp_path / name)
        lines = sha256sum_check(copy, CHECKSUMS_NAME)
        assert lines and all(line.endswith(": OK") for line in lines), name
        if name == "latest":
            assert lines == [f"{n}: OK" for n in FOLDER_FILES]


def test_checksums_pass_for_part_of_a_folder_with_ignore_missing(release, tmp_path):
    for name in (XLSX_NAME, CHECKSUMS_NAME):
        shutil.copy(release / name, tmp_path / name)
    assert sha256sum_check(tmp_path, CHECKSUMS_NAME, "--ignore-missing") == [f"{XLSX_NAME}: OK"]


# -- No ambiguous tokens ---------------------------------------------------------------------

# Cell values that pandas, R, csvkit/agate, spreadsheets or YAML read as missing or boolean.
AMBIGUOUS = {"", "none", "null", "nil", "na", "n/a", "nan", "-nan", "#n/a", "#n/a n/a", "#na", "<na>", "-1.#ind",
             "1.#ind", "-1.#qnan", "1.#qnan", "missing", "true", "false", "yes", "no", "y", "n", "t", "f", "on",
             "off"}
# Empty cells are the package's one missing value ("missingValues": [""]) and mean just that.
# "NO" is the abbreviation printed for a Notification Order, in a text column whose other
# values (SHPO, SOPO, ...) keep every tool from reading the column as boolean.
MEANT = {("glossary.csv", "abbreviation", "NO")}


def test_no_published_csv_holds_a_token_read_as_missing_or_boolean(built):
    """Every CSV the site publishes (the package, /data/ downloads, per-table downloads). The
    archived releases in releases/ are left out: their bytes are fixed by published checksums."""
    archived = {f"data/{p.name}" for p in (REPO / "releases").iterdir() if p.is_dir()}
    files = sorted(built.datapackage.glob("*.csv")) + sorted(
        p for p in built.docs.rglob("*.csv") if not any(p.relative_to(built.docs).as_posix().startswith(a + "/")
                                                        for a in archived))
    assert len(files) > 50
    found = []
    for path in files:
        for row in csv_rows(path):
            for column, value in row.items():
                if value != "" and value.strip().lower() in AMBIGUOUS and (path.name, column, value) not in MEANT:
                    found.append(f"{path.relative_to(built.root)}: {column}={value!r}")
    assert found == []


# -- DuckDB --------------------------------------------------------------------------------

def test_duckdb_reads_every_csv_with_the_same_counts(built):
    for name in RESOURCES:
        path = built.datapackage / f"{name}.csv"
        count = duckdb.sql(f"SELECT count(*) FROM read_csv('{path}')").fetchall()[0][0]
        assert count == len(csv_rows(path)), name
    total = duckdb.sql(f"SELECT sum(value) FROM read_csv('{built.datapackage / 'observations.csv'}') "
                       "WHERE status = 'reported'").fetchall()[0][0]
    assert Decimal(str(total)) == sum(Decimal(o["value"]) for o in csv_rows(built.datapackage / "observations.csv")
                                      if o["status"] == "reported")


# -- The data page's code examples ----------------------------------------------------------

@pytest.fixture(scope="module")
def env(built):
    return environment(built.templates)


def test_page_prints_the_examples_from_one_place(built, env, version):
    page = (built.docs / "data" / "index.md").read_text()
    folder = "latest" if version.endswith("+unreleased") else f"v{version}"
    base = f"https://mappa-open-data.github.io/mappa-statistics/data/{folder}/"
    for name, fence in (("pandas", "python"), ("frictionless", "python"), ("r", "r"), ("duckdb", "sql")):
        assert f"```{fence}\n{snippet(env, name, base)}```\n" in page, name
    assert "**Codes are text.**" in page and "silently finds nothing" in page


def run_python(code: str, cwd: Path) -> str:
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def eligible(observations: list[dict[str, str]], level: str) -> list[tuple[str, str, str, Decimal]]:
    """The examples' rows, worked out here from the CSV: area, year, level, figure of the
    eligible table's level total (level "1") or grand total ("all"), sorted."""
    return sorted((o["area_id"], o["year"], o["level"], Decimal(o["value"])) for o in observations
                  if o["measure_id"] == "eligible" and o["level"] == level and o["category"] == "all"
                  and o["status"] == "reported")


def test_pandas_example_prints_exactly_this_on_the_tiny_package(env, tiny_release, tmp_path):
    out = run_python(snippet(env, "pandas", f"{tiny_release}/"), tmp_path)
    assert out == (
        "      area_id    year  value\n"
        "staffordshire 2023-24   1741\n"
        "      area_id    year  value\n"
        "staffordshire 2023-24   1740\n"
        "11 11\n")


def test_pandas_example_prints_every_eligible_total(built, env, release, tmp_path):
    out = run_python(snippet(env, "pandas", f"{release}/"), tmp_path).splitlines()
    observations = csv_rows(built.datapackage / "observations.csv")
    *out, counts = out
    assert counts == f"{len(observations)} {sum(not o['quality_ids'] for o in observations)}"
    split = out.index(out[0], 1)  # the second table starts with the same header
    for lines, level in ((out[1:split], "all"), (out[split + 1:], "1")):
        printed = sorted((a, y, level, Decimal(v)) for a, y, v in (line.split() for line in lines))
        assert printed == eligible(observations, level)


def test_frictionless_example_prints_exactly_this_on_the_tiny_package(env, tiny_release, tmp_path):
    assert run_python(snippet(env, "frictionless", f"{tiny_release}/"), tmp_path) == "True\n11 1 1\n"


def test_frictionless_example_counts_what_the_csv_holds(built, env, release, tmp_path):
    observations = csv_rows(built.datapackage / "observations.csv")
    dashes = sum(o["status"] == "not_applicable" for o in observations)
    level_1 = sum(o["level"] == "1" and o["category"] == "all" for o in observations)
    assert run_python(snippet(env, "frictionless", f"{release}/"), tmp_path) == (
        f"True\n{len(observations)} {dashes} {level_1}\n")


def test_duckdb_example_prints_exactly_this_on_the_tiny_package(env, tiny_release):
    assert duckdb.sql(snippet(env, "duckdb", f"{tiny_release}/")).fetchall() == [
        ("staffordshire", "2023-24", "1", 1740), ("staffordshire", "2023-24", "all", 1741)]


def test_duckdb_example_gives_every_eligible_total(built, env, release):
    rows = duckdb.sql(snippet(env, "duckdb", f"{release}/")).fetchall()
    observations = csv_rows(built.datapackage / "observations.csv")
    assert [(a, y, lv, Decimal(str(v))) for a, y, lv, v in rows] == sorted(
        eligible(observations, "1") + eligible(observations, "all"))


# -- The spreadsheet -------------------------------------------------------------------------

TABLE_SHEETS = {"Observations": "observations", "Measures": "measures", "Areas": "areas", "Reports": "reports",
                "Glossary": "glossary", "Corrections": "corrections"}


@pytest.fixture(scope="module")
def sheets(release) -> list[str]:
    """The sheets the spreadsheet must have: a table with no rows (no correction yet) has none."""
    tables = [title for title, name in TABLE_SHEETS.items() if csv_rows(release / f"{name}.csv")]
    return ["Cover", "Contents", "Notes"] + tables


@pytest.fixture(scope="module")
def workbook(release):
    return openpyxl.load_workbook(io.BytesIO((release / XLSX_NAME).read_bytes()))


def test_spreadsheet_follows_the_gss_layout(built, release, workbook, version, sheets):
    from build_scripts.steps.pages.words import long_date

    assert workbook.sheetnames == sheets
    cover = [row[0] for row in workbook["Cover"].iter_rows(values_only=True)]
    for heading in ("Source", "Licence", "Publisher and contact", "Version", "Date", "How to cite"):
        assert heading in cover
    assert cover[0] == "MAPPA annual report statistics for England and Wales"
    created = json.loads((release / "datapackage.json").read_text())["created"]
    assert version in cover and long_date(created[:10]) in cover
    contents = list(workbook["Contents"].iter_rows(min_row=4, values_only=True))
    assert [row[0] for row in contents] == sheets[2:]
    notes = [row[2] for row in workbook["Notes"].iter_rows(min_row=4, values_only=True)]
    assert notes[0].startswith("[z] means not applicable: the report printed a dash (-)")
    assert notes[1].startswith("Not published: a table that a report did not print has no rows.")
    register = csv_rows(release / "quality.csv")
    assert len(notes) == 6 + len(register)  # general notes, then the data-quality register
    for sheet in workbook.worksheets:
        assert not sheet.merged_cells.ranges, sheet.title
        if sheet.title == "Cover":
            assert not sheet.tables
            continue
        assert list(sheet.tables) == [sheet.title], sheet.title  # one named table per sheet
        ref = sheet.tables[sheet.title].ref
        assert ref == f"A3:{sheet.cell(3, sheet.max_column).column_letter}{sheet.max_row}", sheet.title
        assert sheet["A1"].value == sheet.title
    props = workbook.properties
    assert (props.created.isoformat(), props.modified.isoformat()) == (created[:19], created[:19])


def test_spreadsheet_figures_equal_the_csv_files(built, workbook, sheets):
    """Figure for figure, with openpyxl: one header row (the CSV's fields), then the CSV's rows;
    figures stored as numbers, a printed dash as [z], no blank rows, columns or figures."""
    for title, name in TABLE_SHEETS.items():
        if title not in sheets:
            continue
        rows = list(workbook[title].iter_rows(min_row=3, values_only=True))
        expected = csv_rows(built.datapackage / f"{name}.csv")
        header, body = rows[0], rows[1:]
        assert list(header) == list(expected[0].keys()), title
        if name == "glossary":
            expected = sorted(expected, key=lambda g: g["term_id"])
        assert len(body) == len(expected), title
        for row, csv_row in zip(body, expected, strict=True):
            assert any(v is not None for v in row)
            for value, (field, text) in zip(row, csv_row.items(), strict=True):
                if name == "observations" and field == "value":
                    if csv_row["status"] == "not_applicable":
                        assert value == "[z]"
                    else:
                        assert isinstance(value, (int, float)) and Decimal(str(value)) == Decimal(text)
                elif value is None:
                    assert text == "", (title, field)
                elif hasattr(value, "isoformat"):
                    assert value.date().isoformat() == text, (title, field)
                else:
                    assert str(value) == text, (title, field)


def test_spreadsheet_opens_with_pandas(built, release):
    sheet = pd.read_excel(release / XLSX_NAME, sheet_name="Observations", header=2, dtype={"level": str,
                                                                                            "category": str})
    observations = pd.read_csv(built.datapackage / "observations.csv", dtype={"level": str, "category": str})
    assert list(sheet.columns) == list(observations.columns)
    assert len(sheet) == len(observations) > 0
    reported = observations["status"] == "reported"
    assert (pd.to_numeric(sheet.loc[reported, "value"]) == observations.loc[reported, "value"]).all()
    assert (sheet.loc[~reported, "value"] == "[z]").all()
    assert (sheet["level"] == observations["level"]).all() and (sheet["category"] == observations["category"]).all()
