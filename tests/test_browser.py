"""The built site in a real browser: Debian's chromium driven by Playwright over a local
HTTP server. One page of each kind: no console error, no failed request, no request to any
other host, charts visible, search works, and axe-core finds no WCAG 2.2 A/AA violation."""
from __future__ import annotations

import functools
import http.server
import io
import json
import re
import threading
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import site_pages

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


def load_images(page, selector: str) -> None:
    """Scroll each image into view so a lazy one loads, and wait for its own load and decode (not
    for the network to go quiet, which a busy machine can reach first). A broken image is left
    for the caller's check to find."""
    for img in page.locator(selector).all():
        img.scroll_into_view_if_needed()
        img.evaluate("e => e.decode().catch(() => null)")


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_page_in_browser(browser, server, kind):
    context, page, problems = open_page(browser, server + PAGES[kind])
    try:
        load_images(page, "figure.chart img")
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


@pytest.mark.parametrize("kind", ["area-year", "home", "compare", "glossary-term"])
def test_dark_scheme_passes_accessibility_checks(browser, server, kind):
    context, page, problems = open_page(browser, server + PAGES[kind], scheme="dark")
    try:
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.violations_count == 0, results.generate_report()
        assert problems["console"] == [] and problems["other_hosts"] == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind, drawing", [("area-year", "figure.chart img"), ("compare", "figure.chart img"),
                                           ("home", "figure.tile-map svg")])
def test_charts_and_the_tile_map_belong_to_the_colour_scheme(browser, server, kind, drawing, scheme):
    """Issue 29: in the dark scheme a chart or the tile map is not a bright white box (extra.css
    inverts it, hues turned back); in the light scheme it is the drawing as made. Measured on the
    pixels the reader sees: the mean grey of the drawing as shown."""
    from PIL import Image, ImageStat

    context, page, problems = open_page(browser, server + PAGES[kind], scheme=scheme)
    try:
        element = page.locator(drawing).first
        element.scroll_into_view_if_needed()
        page.wait_for_load_state("networkidle")
        grey = ImageStat.Stat(Image.open(io.BytesIO(element.screenshot())).convert("L")).mean[0]
        assert grey < 70 if scheme == "dark" else grey > 185, grey
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
    pages = [p.relative_to(built.site).as_posix().removesuffix("index.html") for p in site_pages(built.site)]
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
    # Every page of the site; an embed page (a chart alone, for other sites' frames) is not searched.
    pages = {p.relative_to(built.site).as_posix().removesuffix("index.html") for p in site_pages(built.site)}
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


# Where a section's heading and its first table's column headings are, below Material's header.
LANDED = """(id) => {
  const heading = document.getElementById(id);
  let el = heading.nextElementSibling, head = null;
  while (el && !/^H[12]$/.test(el.tagName) && !head) { head = el.querySelector('table thead'); el = el.nextElementSibling; }
  return {header: document.querySelector('.md-header').getBoundingClientRect().bottom,
          heading: heading.getBoundingClientRect().top, head: head && head.getBoundingClientRect().bottom,
          height: window.innerHeight};
}"""


@pytest.mark.parametrize("screen", ["phone", "desk"])
@pytest.mark.parametrize("kind", ["area-year", "compare"])
def test_a_link_to_a_section_shows_its_heading_and_its_tables_headings(browser, server, built, kind, screen):
    """Issue 29: a link to a figure's section (from a glossary term, the compare page, a citation)
    opens with the section's heading below the sticky header and its table's column headings in
    view, on a 390 px phone and on a desk."""
    html = (built.site / PAGES[kind] / "index.html").read_text(encoding="utf-8")
    sections = re.findall(r'<h2 [^>]*\bid="([a-z0-9_-]+)"', html)
    options = PHONE if screen == "phone" else dict(viewport={"width": 1280, "height": 800})
    context = browser.new_context(**options)
    page = context.new_page()
    measured, hidden = 0, []
    try:
        for section in sections:
            page.goto(f"{server}{PAGES[kind]}#{section}", wait_until="networkidle")
            where = page.evaluate(LANDED, section)
            if where["head"] is None:  # a section without a table (the citation, the notes)
                continue
            measured += 1
            if not (where["header"] - 1 <= where["heading"] < where["height"] and where["head"] <= where["height"]):
                hidden.append(f"#{section}: {where}")
    finally:
        context.close()
    assert measured >= 10
    assert hidden == []


@pytest.mark.parametrize("kind", ["area-year", "area", "glossary-term", "compare", "data", "methodology"])
def test_a_long_page_offers_its_contents_one_tap_from_the_top(browser, server, built, kind):
    """Issue 29: at 390 px "On this page" is on the first screen; opened from the keyboard it lists
    every section of the page (those of Material's contents sidebar), and each entry opens its
    section. On a desk, where the sidebar shows the same list, it is not shown."""
    html = (built.site / PAGES[kind] / "index.html").read_text(encoding="utf-8")
    toc = html.split('data-md-type="toc"')[1].split('class="md-content"')[0]  # the contents sidebar
    sidebar = re.findall(r'<a href="(#[^"]+)" class="md-nav__link">', toc)
    context, page, problems = open_page(browser, server + PAGES[kind], **PHONE)
    try:
        summary = page.locator("nav.page-contents summary")
        box = summary.bounding_box()
        assert box and box["y"] + box["height"] <= page.viewport_size["height"], box
        assert page.get_by_role("navigation", name="On this page").count() == 1
        links = page.locator("nav.page-contents a")
        assert not links.first.is_visible()
        summary.focus()
        page.keyboard.press("Enter")
        hrefs = [a.get_attribute("href") for a in links.all()]
        assert hrefs == sidebar and len(hrefs) >= 2
        assert links.first.is_visible()
        last = links.last
        last.click()
        page.wait_for_timeout(300)
        assert page.evaluate("location.hash") == hrefs[-1]
        top = page.evaluate(f"document.getElementById({hrefs[-1][1:]!r}).getBoundingClientRect().top")
        assert 0 <= top < page.viewport_size["height"], top
        assert problems["console"] == []
    finally:
        context.close()
    context, page, _ = open_page(browser, server + PAGES[kind], viewport={"width": 1280, "height": 800})
    try:
        assert not page.locator("nav.page-contents").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("query, first", [
    ("SHPO", "glossary/shpo/"), ("SHPOs", "glossary/shpo/"), ("Sexual Harm Prevention Orders", "glossary/shpo/"),
    ("Norfolk 2018", "areas/norfolk/2018-19/"),
])
def test_search_puts_what_the_reader_means_first(browser, server, query, first):
    """Issue 29: a term's definition comes first for its name, its abbreviation and their plurals
    (its page's tags: templates/term.md.j2), and an area with a year finds that year's page."""
    context, page, problems = open_page(browser, server)
    try:
        box = page.locator("input.md-search__input")
        box.click()
        box.press_sequentially(query, delay=30)
        page.wait_for_selector(".md-search-result__item", timeout=15000)
        page.wait_for_timeout(500)  # the last keystroke's results
        href = page.locator(".md-search-result__item > a").first.get_attribute("href")
        assert urlparse(href).path == "/" + first, (query, href)
    finally:
        context.close()


def test_a_measures_section_is_found_and_opens_there(browser, server):
    """Issue 29: each measure's section of a year page is in the search, by its heading and
    headline sentence, so "West Midlands SHPO" offers West Midlands 2021-22's section on SHPOs,
    and following it opens the page at that section, its heading in view."""
    context, page, problems = open_page(browser, server, **PHONE)
    try:
        page.locator("label.md-header__button[for=__search]").click()
        page.locator("input.md-search__input").press_sequentially("West Midlands SHPO", delay=30)
        page.wait_for_selector(".md-search-result__item", timeout=15000)
        page.wait_for_timeout(500)  # the last keystroke's results
        group = page.locator(".md-search-result__item").filter(
            has=page.locator('a[href*="areas/west-midlands/2021-22/"]')).first
        link = group.locator('a[href*="areas/west-midlands/2021-22/"][href$="#shpo"]')
        if not link.is_visible():  # among Material's "more on this page"
            group.locator("details.md-search-result__more > summary").click()
        link.click()
        page.wait_for_function("location.hash === '#shpo'")
        page.wait_for_timeout(300)
        where = page.evaluate(LANDED, "shpo")
        assert where["header"] <= where["heading"] < where["height"], where
        assert problems["console"] == []
    finally:
        context.close()


def requested_paths(page) -> list[str]:
    """Every path the page asked its own host for, in order (data: URLs aside)."""
    paths: list[str] = []
    page.on("request", lambda r: paths.append(urlparse(r.url).path) if r.url.startswith("http") else None)
    return paths


def test_a_first_visit_asks_for_what_the_benchmark_counts_and_the_index_only_on_search(browser, server, built):
    """Issue 27: the first visit that benchmarks/bench.py weighs is what Chromium fetches (every
    chart scrolled into view); the search index is not part of it, and comes once the reader
    goes to the search. Material's request for the site map, made beside our feed link, is not sent."""
    from benchmarks.bench import first_visit_files

    page_path = PAGES["area-year"]
    counted, on_demand = first_visit_files(built.site, page_path.rstrip("/"))
    counted_paths = {"/" + f.relative_to(built.site).as_posix() for f in counted}
    context = browser.new_context(**PHONE)
    page = context.new_page()
    asked = requested_paths(page)
    try:
        page.goto(server + page_path, wait_until="networkidle")
        load_images(page, "img")
        page.wait_for_load_state("networkidle")
        files = {p + "index.html" if p.endswith("/") else p for p in asked}
        assert files - counted_paths == set()
        assert on_demand is not None and "/search/search_index.json" not in asked
        assert "/sitemap.xml" not in asked
        page.locator("label.md-header__button[for=__search]").click()
        page.locator("input.md-search__input").press_sequentially("SHPO", delay=30)
        page.wait_for_selector(".md-search-result__item", timeout=15000)
        assert asked.count("/search/search_index.json") == 1
    finally:
        context.close()


def test_a_reader_from_a_search_result_gets_its_words_highlighted(browser, server):
    """Material highlights a search's words (?h=) from the index: arriving so loads it at once."""
    context, page, problems = open_page(browser, server + PAGES["glossary-term"] + "?h=shpo")
    try:
        page.wait_for_selector("article mark", timeout=15000)
        assert problems["console"] == []
    finally:
        context.close()


def test_with_another_material_bundle_the_index_loads_as_material_loads_it(browser, server, built):
    """search-on-demand.js was written for one bundle of Material: served under any other name
    (an upgrade), the page holds nothing back and search works as Material made it."""
    bundle = next((built.site / "assets" / "javascripts").glob("bundle.*.min.js"))
    context = browser.new_context()
    page = context.new_page()
    page.route("**/bundle.other.min.js", lambda route: route.fulfill(
        body=bundle.read_bytes(), content_type="application/javascript"))

    def renamed(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace(bundle.name, "bundle.other.min.js"))
    page.route(re.compile(r".*/areas/west-midlands/2021-22/$"), renamed)
    asked = requested_paths(page)
    try:
        page.goto(server + PAGES["area-year"], wait_until="networkidle")
        assert "/assets/javascripts/bundle.other.min.js" in asked
        assert "/search/search_index.json" in asked and "/sitemap.xml" in asked
        page.locator("input.md-search__input").click()
        page.locator("input.md-search__input").press_sequentially("SHPO", delay=30)
        page.wait_for_selector(".md-search-result__item", timeout=15000)
    finally:
        context.close()


def test_the_not_found_page_leads_on_and_opens_the_search(browser, built, tmp_path):
    """The 404 page as GitHub Pages serves it, under the site's path (its links are absolute):
    it loads everything it needs, its links lead to the home, areas and data pages, and its
    button opens the search, with the cursor in the box, from the keyboard."""
    (tmp_path / "mappa-statistics").symlink_to(built.site, target_is_directory=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    root = f"http://127.0.0.1:{httpd.server_address[1]}/mappa-statistics/"
    context, page, problems = open_page(browser, root + "404.html", **PHONE)
    try:
        assert page.title() == "Page not found - MAPPA statistics"
        for name, target in [("The home page", ""), ("The areas", "areas/"), ("The data", "data/")]:
            href = page.get_by_role("link", name=name).get_attribute("href")
            assert href == "/mappa-statistics/" + target
        button = page.get_by_role("button", name="Search the site")
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("document.activeElement && document.activeElement.matches('input.md-search__input')")
        assert problems == {"console": [], "failed": [], "other_hosts": []}
    finally:
        context.close()
        httpd.shutdown()
