"""Step 4, pages: write the site's Markdown pages, downloads and data files from the data
package. Python computes values (figures, table rows, links, and the sentences of
metadata/headlines.yaml filled with them); templates/ owns every piece of markup, with
autoescaping on (see markup.py). Every page carries a "generated, do not edit" comment.

The step is a package, one module per kind of page, so each is found in one hop:

    __init__.py     build_pages, the step's entry: which pages are written, in which units
    writer.py       Site, which writes the files of one build (units, pages, cards, charts), and
                    the links between pages (rel_link, rel_href)
    report.py       an area-year page (a report's tables, row citations, its card)
    area.py         an area page (every year of one area)
    compare.py      the compare page (the latest year of every area)
    glossary.py     the glossary's index and one page per term
    home.py         the home page and the areas index, with the tile map
    data.py         the data page and changelog, the downloads, the dataset's JSON-LD
    feed.py         /feed.xml, and the release record in words (the home page's news too)
    embed.py        an embed page: one chart alone, for an <iframe>
    about.py, methodology.py   the About page and the methodology page
    words.py        text: dates, sizes, sentences, headlines, figures in words
    tables.py       the data tables the templates draw
    notes.py        data-quality notes and corrections beside the figures
    citations.py    one citation form for every page, table and row"""
from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Collection

from build_scripts.cache.keys import digest
from build_scripts.cache.memo import NoMemo
from build_scripts.checks.crosschecks import read_rules
from build_scripts.inputs.dataset import Dataset
from build_scripts.paths import Paths
from build_scripts.render.downloads import release_files
from build_scripts.steps.pages.about import about_page
from build_scripts.steps.pages.area import area_page
from build_scripts.steps.pages.compare import compare_page
from build_scripts.steps.pages.data import data_page, release_arguments
from build_scripts.steps.pages.glossary import glossary_pages
from build_scripts.steps.pages.home import home_and_areas
from build_scripts.steps.pages.methodology import methodology_page
from build_scripts.steps.pages.notes import QualityNotes, register_figures
from build_scripts.steps.pages.report import report_page
from build_scripts.steps.pages.writer import Site

if TYPE_CHECKING:  # the charts step's output, which the pages place: no code is borrowed from it
    from build_scripts.steps.charts import ChartJob


def build_pages(data: Dataset, charts: dict[str, ChartJob], out: Path, paths: Paths, memo: NoMemo | None = None,
                data_page_too: bool = True, only_reports: Collection[str] | None = None) -> list[str]:
    """Entry point: write every page into `out` (a staging docs/ folder, or docs/ itself for a
    preview). Returns the URLs. Area and year pages are units remembered by memo (memo.py);
    the pages that draw on the whole dataset are always rendered. `only_reports` (the preview's
    first pass): write only those reports' year pages, so the page being checked is served
    before the rest are rendered."""
    rules = read_rules(paths)  # the rules across tables, read once for the notes and the methodology page
    figures = register_figures(data)
    site = Site(data, charts, out, paths, memo, QualityNotes(data, figures), rules)
    digests = unit_digests(data, charts, figures)
    if only_reports is not None:
        for report_id in sorted(only_reports):
            name = f"report:{report_id}"
            site.unit(name, digests[name], functools.partial(report_page, site, data.reports[report_id]))
        site.cards.finish(site.memo.place_file)
        return sorted(set(site.urls))
    site.site_card()  # drawn first, outside any unit: every page without its own card shares it
    if data_page_too:
        # The downloads of data not yet released (spreadsheet, zip) are made in a thread while the
        # other pages are rendered: most of their time is deflate, which runs without the
        # interpreter lock. A release's are copied as released. The data page, which gives their
        # sizes and checksums, comes last.
        with ThreadPoolExecutor(max_workers=1) as pool:
            if data.unreleased:
                site.release = pool.submit(release_files, data, paths, *release_arguments(site.data))
            other_pages(site, digests)
            site.unit("data", None, functools.partial(data_page, site))
    else:
        other_pages(site, digests)
    site.cards.finish(site.memo.place_file)
    if data_page_too:
        site.memo.finish(site.units)
    # Chart images are not in the URL manifest: a chart belongs to its page, which is the
    # thing to cite, and may be redrawn under a new name.
    return sorted(set(site.urls))


def other_pages(site: Site, digests: dict[str, str]) -> None:
    """Every page but the data page: those drawn on the whole dataset, then each area's pages."""

    def whole_dataset_pages() -> None:
        home_and_areas(site)
        compare_page(site)
        glossary_pages(site)
        methodology_page(site)
        about_page(site)

    site.unit("site", None, whole_dataset_pages)
    for area_id in sorted({r["area_id"] for r in site.data.reports.values()}):
        site.unit(f"area:{area_id}", digests[f"area:{area_id}"], functools.partial(area_page, site, area_id))
        for report in site.data.report_ids_for_area(area_id):
            name = f"report:{report['report_id']}"
            site.unit(name, digests[name], functools.partial(report_page, site, report))


def unit_digests(data: Dataset, charts: dict[str, ChartJob],
                 figures: dict[str, list[tuple[str, str, str]]]) -> dict[str, str]:
    """For each area page and year page (unit), a hash of everything it is made from besides the
    package's metadata.
    - An area page: its reports, their figures and quality notes, its charts, and the holdings
      ("7 reports from 5 of the 42 areas"), which the site card it shares gives in its text
      alternative.
    - A year page: its own report, figures, quality notes (with the figures each concerns) and
      charts, and what it shows of its area: the area, the list of years (its links) and which figures have a chart over the years.
    So a changed figure re-renders its year page and its area page, not the area's other years.
    tests/test_incremental.py checks each kind of change against a build from nothing."""
    area_of = {rid: r["area_id"] for rid, r in data.reports.items()}
    chart_keys: dict[str, list[tuple[str, str]]] = {}
    for chart_id, job in charts.items():
        kind, owner = chart_id.split(":")[:2]
        if kind in ("area", "report"):
            chart_keys.setdefault(f"{kind}:{owner}", []).append((chart_id, job.key))
    digests, holdings = {}, data.holdings()
    for area_id in sorted(set(area_of.values())):
        reports = data.report_ids_for_area(area_id)
        years = [r["year"] for r in reports]
        area_charts = sorted(chart_keys.get(f"area:{area_id}", []))
        own = {}
        for report in reports:
            rid = report["report_id"]
            own[rid] = digest(report, data.by_report.get(rid, []), data.quality_for(rid), data.corrections_for(rid),
                              [figures.get(q["quality_id"], []) for q in data.quality_for(rid)],
                              sorted(chart_keys.get(f"report:{rid}", [])))
            digests[f"report:{rid}"] = digest(data.areas[area_id], years, [c for c, _ in area_charts], own[rid])
        digests[f"area:{area_id}"] = digest(data.areas[area_id], [own[r["report_id"]] for r in reports], area_charts,
                                            holdings)
    return digests
