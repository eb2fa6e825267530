"""Sources and standing (issue 28): a report's page links to where its area published it, with the
date we read it, only when the curator recorded both; an About page says who publishes the site
and that these are not official statistics, and every page's footer links it. Exact outputs on
the tiny project."""
from __future__ import annotations

import csv
import os

import yaml
from conftest import REPO

from build_scripts.build import build_docs, build_package

ADDRESS = "https://example.org/staffordshire-mappa-2023-24.pdf"


def test_a_report_page_links_to_where_the_report_was_published(tiny_project):
    register = tiny_project.root / "curated" / "reports.csv"
    register.write_text(register.read_text(encoding="utf-8").replace(
        "Tiny test report,,", f"Tiny test report,{ADDRESS},2026-01-05"), encoding="utf-8")
    build_package(tiny_project)
    build_docs(tiny_project)
    with (tiny_project.datapackage / "reports.csv").open(encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert (row["source_url"], row["source_accessed"]) == (ADDRESS, "2026-01-05")
    page = (tiny_project.docs / "areas" / "staffordshire" / "2023-24" / "index.md").read_text(encoding="utf-8")
    assert f'<tr><th scope="row">Source</th><td><a href="{ADDRESS}">Tiny test report</a>, read 5 January 2026</td></tr>' in page


def test_an_unknown_source_is_said_to_be_unknown_and_every_page_links_the_about_page(tiny_project):
    build_package(tiny_project)
    build_docs(tiny_project)
    page = (tiny_project.docs / "areas" / "staffordshire" / "2023-24" / "index.md").read_text(encoding="utf-8")
    assert ('<tr><th scope="row">Source</th><td>Tiny test report (where it was published is not yet recorded '
            "here)</td></tr>") in page
    about = (tiny_project.docs / "about" / "index.md").read_text(encoding="utf-8")
    assert "# About these statistics" in about and "These are not official statistics." in about
    pages = sorted(tiny_project.docs.rglob("*.md"))
    assert len(pages) > 5
    for path in pages:
        target = os.path.relpath(tiny_project.docs / "about" / "index.md", path.parent)
        assert f"[About these statistics]({target})" in path.read_text(encoding="utf-8"), path


def test_no_metadata_calls_these_official_statistics():
    package = yaml.safe_load((REPO / "metadata" / "package.yaml").read_text(encoding="utf-8"))
    assert not [k for k in package["keywords"] if "official" in k.lower()]
    assert "official statistics" not in (REPO / "CITATION.cff").read_text(encoding="utf-8").lower()
    assert "official statistics" not in " ".join(package["description"].split()).lower()
