"""The build's uses of libraries' private interfaces (build_scripts/private_interfaces.py): each
is taken only with the versions it was written for, and its stock path gives the same bytes.
(MkDocs' conversion cache against stock MkDocs on the real site: tests/test_mkdocs_build.py.)"""
from __future__ import annotations

import io
import zipfile

import pytest

from build_scripts import private_interfaces
from build_scripts.private_interfaces import WRITTEN_FOR, installed, usable, why_not


def test_every_fast_path_is_taken_with_the_pinned_libraries():
    """A pin moved in requirements.txt without checking the fast path against it fails here:
    check the use against the new version (its tests compare it with the stock path) and update
    WRITTEN_FOR, or leave the stock path to run."""
    for use in WRITTEN_FOR:
        assert why_not(use) is None, f"{use}: {why_not(use)}"


def test_other_versions_take_the_stock_path(monkeypatch):
    monkeypatch.setitem(WRITTEN_FOR, "spreadsheet rows", {"openpyxl": "0.0.1"})
    assert not usable("spreadsheet rows")
    assert why_not("spreadsheet rows") == f"openpyxl {installed('openpyxl')} (written for 0.0.1)"
    monkeypatch.setitem(WRITTEN_FOR, "spreadsheet rows", {"no-such-distribution": "1.0"})
    assert why_not("spreadsheet rows") == "no-such-distribution not installed (written for 1.0)"
    monkeypatch.setitem(WRITTEN_FOR, "spreadsheet rows", {"openpyxl": installed("openpyxl")})
    monkeypatch.setenv(private_interfaces.STOCK_ONLY, "1")
    assert why_not("spreadsheet rows") == "MAPPA_STOCK_PATHS=1"


def test_requests_on_demand_names_the_bundle_that_the_pinned_material_ships():
    """The browser-side use knows Material's bundle by name; the name is the installed version's,
    and theme/base.html (a copy of Material's) loads that same bundle. After an upgrade this
    fails until the script is checked against the new bundle (tests/test_browser.py) and renamed."""
    import re
    from importlib.resources import files

    from conftest import REPO

    shipped = [p.name for p in (files("material") / "templates" / "assets" / "javascripts").iterdir()
               if re.fullmatch(r"bundle\.[0-9a-f]+\.min\.js", p.name)]
    script = (REPO / "theme" / "assets" / "javascripts" / "search-on-demand.js").read_text(encoding="utf-8")
    named = re.search(r'var BUNDLE = "/assets/javascripts/(bundle\.[0-9a-f]+\.min\.js)";', script)[1]
    base = (REPO / "theme" / "base.html").read_text(encoding="utf-8")
    assert shipped == [named] and f"'assets/javascripts/{named}'" in base
    assert WRITTEN_FOR["requests on demand"] == {"mkdocs-material": installed("mkdocs-material")}


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory):
    import shutil

    from build_scripts.build import build_package
    from build_scripts.inputs.dataset import read_dataset
    from conftest import FIXTURES, copy_project

    paths = copy_project(tmp_path_factory.mktemp("tiny") / "tiny", inputs=["metadata", "templates", "theme",
                                                                            "mkdocs.yml"])
    shutil.copytree(FIXTURES / "tiny", paths.root, dirs_exist_ok=True)
    build_package(paths)
    return read_dataset(paths.datapackage)


def test_the_stock_spreadsheet_is_byte_for_byte_the_fast_one(tiny_dataset, monkeypatch):
    from build_scripts.render.spreadsheet import build_spreadsheet

    fast = build_spreadsheet(tiny_dataset, "A citation.", 1700000000)
    monkeypatch.setenv(private_interfaces.STOCK_ONLY, "1")
    stock = build_spreadsheet(tiny_dataset, "A citation.", 1700000000)
    assert stock == fast
    assert "xl/worksheets/sheet4.xml" in zipfile.ZipFile(io.BytesIO(stock)).namelist()
