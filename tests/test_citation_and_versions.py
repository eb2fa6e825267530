"""Citation and versioning: CITATION.cff is valid CFF 1.2.0 and agrees with the package;
every package version has a changelog entry."""
import importlib.util
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import REPO

from build_scripts.steps.pages.citations import citation

# Every test here reads the committed package (see conftest.py).
pytestmark = pytest.mark.real_data

PACKAGE = json.loads((REPO / "datapackage" / "datapackage.json").read_text())


def test_citation_cff_is_valid_cff_1_2_0():
    # The schema file shipped in the cffconvert wheel (found without importing the package).
    package_dir = Path(importlib.util.find_spec("cffconvert").origin).parent
    schema = json.loads((package_dir / "schemas" / "1.2.0" / "schema.json").read_text())
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text())
    cff = json.loads(json.dumps(cff, default=str))  # dates as strings, as the schema asks
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(cff)


def test_citation_cff_matches_the_package():
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text())
    assert (cff["title"], cff["version"], cff["license"], cff["url"]) == (
        PACKAGE["title"], PACKAGE["version"].removesuffix("+unreleased"), "OGL-UK-3.0", PACKAGE["homepage"])
    assert cff["authors"] == [{"name": "MAPPA open data"}]


def test_site_citation_uses_the_same_fields(built):
    class Data:
        descriptor = PACKAGE
        version = PACKAGE["version"]
        unreleased = PACKAGE["version"].endswith("+unreleased")

    year = PACKAGE["created"][:4]
    # A release is cited at its own folder, whose files never change; data not yet released at /data/.
    release_folder = f"{PACKAGE['homepage']}data/v{PACKAGE['version']}/"
    data_url = PACKAGE["homepage"] + "data/" if Data.unreleased else release_folder
    data_page = citation(Data, data_url, PACKAGE["title"])
    assert data_page == (f"MAPPA open data ({year}). {PACKAGE['title']}. Dataset version "
                         f"{PACKAGE['version']}. {data_url}")
    assert data_page in (built.docs / "data" / "index.md").read_text()
    url = PACKAGE["homepage"] + "areas/norfolk/2018-19/"
    page = citation(Data, url, "Norfolk MAPPA statistics, 2018-19")
    files = "" if Data.unreleased else f" ({release_folder})"
    assert page == (f"MAPPA open data ({year}). Norfolk MAPPA statistics, 2018-19. In: {PACKAGE['title']}. "
                    f"Dataset version {PACKAGE['version']}{files}. {url}")
    assert page in (built.docs / "areas" / "norfolk" / "2018-19" / "index.md").read_text()


def test_version_is_semantic_and_has_a_changelog_entry():
    """A release's version, or the newest release's with `+unreleased` for data not yet released."""
    version = PACKAGE["version"]
    match = re.fullmatch(r"(\d+\.\d+\.\d+)(\+unreleased)?", version)
    assert match, version
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert re.search(rf"^## {re.escape(match.group(1))} \(\d{{4}}-\d{{2}}-\d{{2}}\)$", changelog, re.M), (
        f"CHANGELOG.md has no '## {match.group(1)} (YYYY-MM-DD)' entry: say what was added or changed and why")


def test_a_citation_of_a_release_links_to_that_release_s_files():
    class Data:
        descriptor = dict(PACKAGE, version="1.2.0")
        version = "1.2.0"
        unreleased = False

    year = PACKAGE["created"][:4]
    home = PACKAGE["homepage"]
    assert citation(Data, home + "areas/norfolk/2018-19/", "Norfolk MAPPA statistics, 2018-19") == (
        f"MAPPA open data ({year}). Norfolk MAPPA statistics, 2018-19. In: {PACKAGE['title']}. Dataset version "
        f"1.2.0 ({home}data/v1.2.0/). {home}areas/norfolk/2018-19/")
    assert citation(Data, home + "data/v1.2.0/", PACKAGE["title"]) == (
        f"MAPPA open data ({year}). {PACKAGE['title']}. Dataset version 1.2.0. {home}data/v1.2.0/")
