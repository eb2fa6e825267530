"""The built site in a real browser: Debian's chromium driven by Playwright over a local
HTTP server. One page of each kind: no console error, no failed request, no request to any
other host, charts visible, search works, and axe-core finds no WCAG 2.2 A/AA violation."""
from __future__ import annotations

import json
import re
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PAGES = {
    "home": "",
    "areas": "areas/",
    "area": "areas/west-midlands/",
    "area-year": "areas/west-midlands/2021-22/",
    "area-year-older": "areas/cheshire/2014-15/",
    "compare": "compare/",
    "glossary": "glossary/",
    "glossary-term": "glossary/shpo/",
    "data": "data/",
    "changelog": "data/changelog/",
    "methodology": "methodology/",
    "about": "about/",
}


PHONE = dict(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True, has_touch=True)


def open_page(browser, url, scheme="light", **context_options):
    context = browser.new_context(color_scheme=scheme, **context_options)
    page = context.new_page()
    problems = {"console": [], "failed": [], "other_hosts": []}
    page.on("console", lambda m: problems["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems["console"].append(str(e)))
    page.on("requestfailed", lambda r: problems["failed"].append(r.url))
    page.on("response", lambda r: problems["failed"].append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("request", lambda r: problems["other_hosts"].append(r.url)
            if urlparse(r.url).hostname not in ("127.0.0.1", None) and not r.url.startswith("data:") else None)
    page.goto(url, wait_until="networkidle")
    return context, page, problems


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_page_in_browser(browser, server, kind):
    context, page, problems = open_page(browser, server + PAGES[kind])
    try:
        # Scroll every chart into view so lazy images load, then check each one rendered.
        for img in page.locator("figure.chart img").all():
            img.scroll_into_view_if_needed()
        page.wait_for_load_state("networkidle")
        widths = page.eval_on_selector_all("figure.chart img", "els => els.map(e => e.complete && e.naturalWidth)")
        assert all(w and w > 0 for w in widths), widths
        if kind in ("area-year", "area-year-older", "compare"):
            assert widths, "expected charts on this page"
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.violations_count == 0, results.generate_report()
        assert problems == {"console": [], "failed": [], "other_hosts": []}
    finally:
        context.close()


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_page_on_a_phone_passes_accessibility_checks(browser, server, kind):
    """As a phone shows it (390 px, touch, mobile text sizing): a code example that scrolled
    sideways there was out of the keyboard's reach (axe: scrollable-region-focusable)."""
    context, page, problems = open_page(browser, server + PAGES[kind], **PHONE)
    try:
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.violations_count == 0, results.generate_report()
        assert problems == {"console": [], "failed": [], "other_hosts": []}
    finally:
        context.close()


def test_dark_scheme_passes_accessibility_checks(browser, server):
    context, page, problems = open_page(browser, server + PAGES["area-year"], scheme="dark")
    try:
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.violations_count == 0, results.generate_report()
        assert problems["console"] == [] and problems["other_hosts"] == []
    finally:
        context.close()


def test_search_finds_an_order(browser, server):
    context, page, problems = open_page(browser, server)
    try:
        page.locator("input.md-search__input").click()
        # Typed key by key, as a reader would: search runs on each keystroke.
        page.locator("input.md-search__input").press_sequentially("Sexual Harm Prevention", delay=30)
        page.wait_for_selector(".md-search-result__item", timeout=15000)
        titles = page.locator(".md-search-result__item").all_inner_texts()
        assert any("Sexual Harm Prevention Order" in t for t in titles), titles
        assert problems["other_hosts"] == []
    finally:
        context.close()


def test_page_reads_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(server + PAGES["area-year"])
        assert page.locator("figure.chart img").count() >= 4
        assert page.locator(".big-number").count() >= 4
        assert "5,486 people in West Midlands were eligible for MAPPA" in page.inner_text("body")
        assert page.locator("table.data-table").count() >= 10
    finally:
        context.close()


def test_citations_links_and_code_examples_have_a_copy_button_only_where_javascript_runs(browser, server):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(server + PAGES["area-year"], wait_until="networkidle")
        citations = page.locator("q.citation, blockquote.citation").count()
        links = page.locator(".table-cite > a, .row-cites li > a").count()
        assert citations > 10 and links > 10
        assert page.locator("q.citation + button.copy-button, blockquote.citation + button.copy-button").count() == citations
        assert page.locator(".table-cite > a + button.copy-button, .row-cites li > a + button.copy-button").count() == links
        page.locator(".table-cite > a + button.copy-button").first.click()
        assert page.evaluate("navigator.clipboard.readText()") == page.locator(".table-cite > a").first.get_attribute("href")
        page.locator("q.citation + button.copy-button").first.click()
        assert page.evaluate("navigator.clipboard.readText()") == page.locator("q.citation").first.inner_text().strip()
        page.goto(server + PAGES["data"], wait_until="networkidle")
        assert page.locator("pre + button.copy-button").count() == page.locator("pre > code").count() >= 4
        page.locator("pre + button.copy-button").first.click()
        assert page.evaluate("navigator.clipboard.readText()") == page.locator("pre > code").first.text_content()
    finally:
        context.close()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(server + PAGES["area-year"])
        assert page.locator("q.citation").count() > 10 and page.locator(".copy-button").count() == 0
    finally:
        context.close()


# Every table on a page: whether it, and each of its cells, lies inside the page's column, and
# whether it scrolls sideways in its wrapper.
TABLES = """() => {
  const column = document.querySelector('article').getBoundingClientRect();
  return [...document.querySelectorAll('article table')].map(t => {
    const wrap = t.closest('.table-wrap') || t.parentElement;
    const cells = [...t.querySelectorAll('th, td')];
    const outside = cells.filter(c => c.getBoundingClientRect().right > column.right + 0.5
                                      || c.getBoundingClientRect().left < column.left - 0.5);
    return {caption: t.caption ? t.caption.textContent.trim() : t.className,
            width: t.getBoundingClientRect().width, column: column.width,
            scrolls: wrap.scrollWidth > wrap.clientWidth + 0.5,
            outside: outside.map(c => c.textContent.trim().slice(0, 30))};
  });
}"""


def test_every_table_of_every_page_fits_a_phone(browser, server, built):
    """At 390 px every table of every built page shows all its columns in the page's column,
    with nothing to scroll sideways (issue 21: 31 of 169 tables hid columns)."""
    pages = sorted(p.relative_to(built.site).as_posix().removesuffix("index.html")
                   for p in built.site.rglob("index.html"))
    context = browser.new_context(**PHONE)
    page = context.new_page()
    measured, too_wide = 0, []
    try:
        for path in pages:
            page.goto(server + path, wait_until="load")
            tables = page.evaluate(TABLES)
            # Every table of the page's content was measured (none slipped out of the selector).
            content = (built.site / path / "index.html").read_text(encoding="utf-8").split("<article")[1]
            assert len(tables) == content.split("</article>")[0].count("<table"), path
            for table in tables:
                measured += 1
                if table["scrolls"] or table["outside"] or table["width"] > table["column"] + 0.5:
                    too_wide.append(f"{path or '/'}: {table}")
    finally:
        context.close()
    assert too_wide == []
    assert measured > len(pages)


def test_every_page_is_in_the_search_and_an_areas_year_comes_first(browser, server, built):
    """Every page can be found (issue 21: year pages were left out), and a reader who types an
    area's name is offered its years first, where its figures are."""
    index = json.loads((built.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    located = {doc["location"].split("#")[0] for doc in index["docs"]}
    pages = {p.relative_to(built.site).as_posix().removesuffix("index.html") for p in built.site.rglob("index.html")}
    assert pages - located == set()
    area_year = next(p for p in sorted(pages) if re.fullmatch(r"areas/[a-z-]+/\d{4}-\d{2}/", p))
    area = area_year.split("/")[1]
    name = re.search(r"<h1[^>]*>([^<,]+),", (built.site / area_year / "index.html").read_text(encoding="utf-8"))[1]
    context, page, problems = open_page(browser, server)
    try:
        page.locator("input.md-search__input").click()
        page.locator("input.md-search__input").press_sequentially(name, delay=30)
        page.wait_for_selector(".md-search-result__item", timeout=15000)
        first = page.locator(".md-search-result__item > a").first.get_attribute("href")
        assert re.search(rf"areas/{area}/\d{{4}}-\d{{2}}/", first), first
    finally:
        context.close()
