"""Pages that read as written for the reader (issue 21): the site's name once in every title; an
area with one year says so once, not under every measure; the home page leads with what we hold
and what the levels mean; register entries have headings in words. Exact outputs on the tiny
project; invariants over the real site."""
from __future__ import annotations

import re

import pytest
import yaml
from conftest import REPO

from build_scripts.build import build_docs, build_package

SITE_NAME = "MAPPA statistics"
TINY_REPORT = "curated/reports/staffordshire-2023-24.csv"


def build(paths):
    build_package(paths)
    build_docs(paths)
    return paths


def add_year(paths, year: str, drop_measure: str) -> None:
    """A copy of the tiny report for another year, without one measure's table."""
    start = int(year[:4])
    rows = (paths.root / TINY_REPORT).read_text(encoding="utf-8").splitlines(keepends=True)
    (paths.root / f"curated/reports/staffordshire-{year}.csv").write_text(
        "".join(r for r in rows if f",{drop_measure}," not in r), encoding="utf-8")
    register = paths.root / "curated" / "reports.csv"
    first = register.read_text(encoding="utf-8").splitlines()[1]
    register.write_text(register.read_text(encoding="utf-8") + first.replace("staffordshire-2023-24", f"staffordshire-{year}")
                        .replace(",2023-24,", f",{year},").replace("2023-04-01", f"{start}-04-01")
                        .replace("2024-03-31", f"{start + 1}-03-31") + "\n", encoding="utf-8")


def test_an_area_with_one_year_says_so_once(tiny_project):
    page = (build(tiny_project).docs / "areas" / "staffordshire" / "index.md").read_text(encoding="utf-8")
    assert page.count("nothing to compare") == 1
    assert "We hold one report for this area, for [2023-24](2023-24/index.md),\nso there is nothing to compare" in page
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th><td[^>]*>(.*?)</td></tr>",
                      page.split("Figures of the 2023-24 report for Staffordshire</caption>")[1].split("</table>")[0])
    assert rows[0] == ('<a href="2023-24/#eligible">MAPPA-eligible people on 31 March</a>', "1,741")
    assert ('<a href="2023-24/#shpo">Sexual Harm Prevention Orders imposed</a>', "138") in rows
    assert ("Sexual Offences Prevention Orders imposed", "not published") in rows
    assert len(rows) == 13  # every measure, printed or not
    assert "### " not in page  # no section per measure


def test_an_area_with_several_years_charts_each_measure_and_says_why_not(tiny_project):
    add_year(tiny_project, "2024-25", drop_measure="shpo")
    page = (build(tiny_project).docs / "areas" / "staffordshire" / "index.md").read_text(encoding="utf-8")
    assert "nothing to compare" not in page and "Figures of the" not in page
    assert "We hold 2 reports for this area:\n[2023-24](2023-24/index.md), [2024-25](2024-25/index.md)." in page
    eligible = page.split("{: #eligible }")[1].split("### ")[0]
    assert '<figure class="chart" data-search-exclude>' in eligible and 'src="eligible.svg"' in eligible
    shpo = page.split("{: #shpo }")[1].split("### ")[0]
    assert "Only one of the 2 reports we hold prints this figure, so there is no chart over time." in shpo
    assert "<figure" not in shpo


def test_every_title_names_the_site_once(built):
    areas = {row.split(",")[0]: row for row in (built.datapackage / "areas.csv").read_text(encoding="utf-8").splitlines()}
    checked = 0
    for html in built.site.rglob("index.html"):
        rel = html.relative_to(built.site).as_posix()
        title = re.search(r"<title>(.*?)</title>", html.read_text(encoding="utf-8"))[1]
        assert title.count(SITE_NAME) == 1, (rel, title)
        year_page = re.fullmatch(r"areas/([a-z-]+)/(\d{4}-\d{2})/index.html", rel)
        if year_page:
            assert title.endswith(f" {year_page[2]} - {SITE_NAME}") and year_page[1] in areas, title
        checked += 1
    assert (built.site / "index.html").read_text(encoding="utf-8").count(
        "<title>MAPPA statistics for England and Wales</title>") == 1
    assert checked > 20


def test_the_home_page_leads_with_what_we_hold_and_the_levels(built):
    home = (built.site / "index.html").read_text(encoding="utf-8")
    headings = [re.sub(r"<[^>]+>|&para;", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", home)]
    assert headings[:2] == ["What we hold", "What the levels mean"]
    assert headings[-1] == "Map and list of all 42 areas"
    levels = home.split('id="levels"')[1].split("<h2")[0]
    for level in ("1", "2", "3"):
        definition = next(t for t in yaml.safe_load((REPO / "metadata" / "glossary.yaml").read_text(encoding="utf-8"))
                          if t["term_id"] == f"level-{level}")["definition"]
        assert " ".join(definition.split())[:60] in " ".join(levels.split())
    # The held areas' table comes before any area we hold nothing for.
    assert home.index("Headline figures from the latest report") < home.index("none yet")


def test_register_entries_have_headings_in_words(tiny_project):
    from test_crosschecks import ENTRY, add_ftr_row, write_register

    add_ftr_row(tiny_project)
    write_register(tiny_project, [ENTRY])
    page = (build(tiny_project).docs / "methodology" / "index.md").read_text(encoding="utf-8")
    assert "### Staffordshire 2023-24 {: #register-staffordshire-2023-24 }" in page
    assert ("#### These figures appear not to agree: SHPOs with foreign travel restriction {: #tiny-ftr }" in page)
    assert "- **Entry:** <code>tiny-ftr</code>, measure <code>shpo&#95;foreign&#95;travel</code>" in page


@pytest.mark.parametrize("kind", yaml.safe_load((REPO / "metadata" / "schemas" / "quality.yaml").read_text(
    encoding="utf-8"))["fields"][3]["constraints"]["enum"])
def test_every_kind_of_register_entry_has_words(kind):
    words = (REPO / "templates" / "_quality.md.j2").read_text(encoding="utf-8")
    assert re.search(rf'^  "{kind}": "[A-Z][^"]+",$', words, re.M), kind
