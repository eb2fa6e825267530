"""A printed page (theme/assets/stylesheets/print.css), printed to PDF by Chromium and read back
with pypdf: each table's caption is on the same page as its first row, the site's name, the page's
permanent URL, the data version and the date of printing are printed at the top of page 1, and
the site's navigation, the contents list, download links and row-by-row citations are not; a
year's page fits on few sheets (issue 29: Norfolk 2018-19 took 15)."""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

PAGE = "areas/west-midlands/2021-22/"
SITE_URL = "https://mappa-open-data.github.io/mappa-statistics/"
NAVIGATION = ["Compare areas", "Skip to content", "Back to top", "Table of contents", "Switch to dark mode",
              "Link to this section"]


def squash(text: str) -> str:
    """Text without white space: PDF text extraction breaks lines where the printer wrapped them."""
    return re.sub(r"\s+", "", text)


class Tables(HTMLParser):
    """Each data table's caption and the text of its first body row."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict[str, str]] = []
        self._where = None
        self._hidden = False
        self._current = False

    def handle_starttag(self, tag, attrs):
        if tag == "span" and dict(attrs).get("class") == "visually-hidden":  # not printed
            self._hidden = True
        if tag == "table":
            self._current = "data-table" in (dict(attrs).get("class") or "")
            if self._current:
                self.tables.append(dict(caption="", row="", rows=0))
        elif not self._current:
            return
        elif tag == "caption":
            self._where = "caption"
        elif tag == "tr" and self._where == "tbody":
            self.tables[-1]["rows"] += 1
        elif tag == "tbody":
            self._where = "tbody"

    def handle_endtag(self, tag):
        if tag in ("caption", "table"):
            self._where = None
        if tag == "table":
            self._current = False
        if tag == "span":
            self._hidden = False

    def handle_data(self, data):
        if self._hidden:
            return
        if self._where == "caption":
            self.tables[-1]["caption"] += data
        elif self._where == "tbody" and self.tables[-1]["rows"] == 1:
            self.tables[-1]["row"] += data


def print_pdf(browser, url, javascript=True) -> list[str]:
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    try:
        page.goto(url, wait_until="networkidle")
        today = page.evaluate("""() => new Date().toLocaleDateString("en-GB",
            {day: "numeric", month: "long", year: "numeric"})""") if javascript else None
        pdf = page.pdf(format="A4", print_background=False)
    finally:
        context.close()
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages], today


@pytest.fixture(scope="module")
def printed(browser, server):
    return print_pdf(browser, server + PAGE)


def test_each_table_caption_is_printed_on_the_page_of_its_first_row(printed, built):
    pages, _ = printed
    assert len(pages) > 2
    parser = Tables()
    parser.feed((built.site / PAGE / "index.html").read_text(encoding="utf-8"))
    assert len(parser.tables) >= 10
    squashed = [squash(p) for p in pages]
    for table in parser.tables:
        caption, row = squash(table["caption"]), squash(table["row"])
        where = [i for i, text in enumerate(squashed) if caption in text]
        assert len(where) == 1, (table["caption"], where)
        text = squashed[where[0]]
        assert row in text[text.index(caption) + len(caption):], (table["caption"], table["row"], where[0])


def test_the_site_permanent_url_version_and_date_are_printed_at_the_top(printed, built):
    pages, today = printed
    version = re.search(r"Data package version ([0-9A-Za-z.+]+)", (built.docs / "index.md").read_text()).group(1)
    first = squash(pages[0])
    line = squash(f"MAPPA statistics · printed from {SITE_URL}{PAGE} · data package version {version} · "
                  f"printed on {today}.")
    assert first.startswith(line), pages[0][:300]


def test_navigation_is_not_printed(printed):
    pages, _ = printed
    text = squash(" ".join(pages))
    for words in NAVIGATION:
        assert squash(words) not in text, words
    # The sidebar's list of sections, in a row, is not printed.
    assert squash("Home Areas Compare areas Glossary Data Methodology") not in text


def test_without_javascript_the_print_line_gives_the_url_and_version(browser, server):
    pages, _ = print_pdf(browser, server + PAGE, javascript=False)
    first = squash(pages[0])
    assert first.startswith(squash(f"MAPPA statistics · printed from {SITE_URL}{PAGE} · data package version"))
    assert "printedon" not in first


COMPACT = "areas/norfolk/2018-19/"


@pytest.fixture(scope="module")
def printed_compact(browser, server):
    return print_pdf(browser, server + COMPACT)


def test_a_years_page_prints_on_at_most_ten_a4_sheets(printed_compact):
    pages, _ = printed_compact
    assert 2 < len(pages) <= 10, len(pages)


def test_what_only_works_on_a_screen_is_not_printed(printed_compact, built):
    """No download link (of a chart, a table's CSV, a citation), no contents list, no row-by-row
    citation box (Material opens every <details> before printing); the table's own link stays."""
    pages, _ = printed_compact
    html = (built.site / COMPACT / "index.html").read_text(encoding="utf-8")
    assert "Download this chart" in html and "Link to or cite one row" in html and "On this page" in html
    text = squash(" ".join(pages))
    for words in ["Download", "SVG,", "CSV,", "BibTeX", "On this page", "Link to or cite one row"]:
        assert squash(words) not in text, words
    assert squash("Link to this table:") in text
    # A row's own citation is printed only in its box: "Level 1: MAPPA open data (...)".
    assert not re.search(r"Level1:MAPPAopendata", text)


def test_the_sites_name_is_on_page_one(printed_compact):
    pages, _ = printed_compact
    assert squash("MAPPA statistics · printed from") in squash(pages[0])
    assert squash("Norfolk, 2018-19") in squash(pages[0])
