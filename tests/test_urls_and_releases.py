"""Stable URLs: a moved page keeps its old URL through a redirect, and no link points at a section
that does not exist. (Each release stays downloadable at its versioned URL: test_releases.py.)"""
import pytest

from build_scripts.build import build_docs, build_package, build_site

# Whole sites of the tiny project built with MkDocs.
pytestmark = pytest.mark.slow


def test_redirect_keeps_an_old_url(tiny_project):
    config = tiny_project.root / "mkdocs.yml"
    config.write_text(config.read_text().replace(
        "redirect_maps: {}", "redirect_maps:\n        old-areas-list.md: areas/index.md"), encoding="utf-8")
    build_package(tiny_project)
    build_docs(tiny_project)
    build_site(tiny_project)
    old = tiny_project.site / "old-areas-list" / "index.html"
    assert old.exists()
    text = old.read_text()
    assert 'http-equiv="refresh"' in text and "../areas/" in text


def test_a_glossary_term_links_only_to_sections_the_compare_page_has(tiny_project):
    """The compare page has a section for a measure only when a report gives a figure for it: the
    tiny report gives SHPOs but no returns to custody for breach of an order, both under the
    SHPO term. A link to a missing section would fail `mkdocs build --strict` (anchors: warn)."""
    build_package(tiny_project)
    build_docs(tiny_project)
    term = (tiny_project.docs / "glossary/shpo/index.md").read_text(encoding="utf-8")
    compare = (tiny_project.docs / "compare/index.md").read_text(encoding="utf-8")
    assert "- Sexual Harm Prevention Orders imposed: [compare areas](../../compare/index.md#shpo)\n" in term
    assert "{: #shpo }" in compare
    assert ("- Level 2 and 3 people returned to custody for breach of a SOPO or SHPO: no report we hold gives a "
            "figure for it yet\n") in term
    assert "#custody_breach_order" not in term + compare
    build_site(tiny_project)
