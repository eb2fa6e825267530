"""Embedded charts (build_scripts/steps/pages/embed.py, templates/embed.html.j2): every chart's
page offers the <iframe> code of an embed page that exists; the embed page shows the chart alone
with its source, data version and licence, reads well in a frame of 320 and 800 px in light and
dark, asks nothing of another host, passes axe, and stays small."""
from __future__ import annotations

import gzip
import html
import re
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import site_pages
from test_browser import WCAG_TAGS

IFRAME = re.compile(r'<pre class="copyable"><code>(&lt;iframe src=&#34;(.+?)&#34;.*?&lt;/iframe&gt;)</code></pre>')


def embeds_on(built, page: str) -> list[tuple[str, str]]:
    """(the iframe code as a reader copies it, the embed page's path in the site) on one page."""
    text = (built.site / page).read_text(encoding="utf-8")
    homepage = "https://mappa-open-data.github.io/mappa-statistics/"
    found = []
    for code, src in IFRAME.findall(text):
        src = html.unescape(src)
        assert src.startswith(homepage), src
        found.append((html.unescape(code), src.removeprefix(homepage) + "index.html"))
    return found


def every_embed(built) -> dict[str, list[tuple[str, str]]]:
    pages = [p.relative_to(built.site).as_posix() for p in site_pages(built.site)]
    return {page: embeds_on(built, page) for page in pages if embeds_on(built, page)}


def test_every_chart_offers_an_embed_whose_page_exists_and_is_published(built):
    found = every_embed(built)
    charts = {page: (built.site / page).read_text(encoding="utf-8").count('<figure class="chart"') for page in found}
    assert found and all(len(found[page]) == charts[page] for page in found), charts
    published = set((built.root / "published-urls.txt").read_text(encoding="utf-8").split())
    for page, embeds in found.items():
        for code, path in embeds:
            assert (built.site / path).is_file(), (page, path)
            assert "/" + path.removesuffix("index.html") in published, path
            assert re.fullmatch(r'<iframe src="[^"]+" title="[^"]+ \(chart\)" width="100%" height="\d+" '
                                r'loading="lazy" style="border: 0; max-width: 900px"></iframe>', code), code


def kinds_of_embed(built) -> dict[str, list[str]]:
    """The first and last embed of each kind of page (year, area, compare)."""
    kinds: dict[str, list[str]] = {}
    for page, embeds in every_embed(built).items():
        kind = "compare" if page.startswith("compare/") else "year" if page.count("/") == 3 else "area"
        kinds.setdefault(kind, []).extend(path for _, path in embeds)
    return {kind: sorted({paths[0], paths[-1]}) for kind, paths in kinds.items()}


def test_an_embed_page_is_the_chart_with_its_source_version_and_licence_and_stays_small(built):
    data_version = __import__("json").loads((built.datapackage / "datapackage.json").read_text())["version"]
    for kind, paths in kinds_of_embed(built).items():
        for path in paths:
            page = (built.site / path).read_text(encoding="utf-8")
            assert '<meta name="robots" content="noindex">' in page
            # Its own icon, or a browser opening it asks the host's root for /favicon.ico, which is not ours.
            icon = re.search(r'<link rel="icon" href="([^"]+)">', page)
            assert icon and (built.site / path).parent.joinpath(icon.group(1)).resolve().is_file(), path
            canonical = re.search(r'<link rel="canonical" href="([^"]+)">', page).group(1)
            assert path.startswith(urlparse(canonical).path.removeprefix("/mappa-statistics/")), (canonical, path)
            source = re.search(r'<p class="source">(.*?)</p>', page, re.S).group(1)
            assert f"Data package version {data_version}" in source and "Source: " in source, source
            if kind == "year":
                assert "the table printed as" in source, source
            if kind == "compare":
                assert "years and population bases differ" in source, source
            assert "Open Government Licence" in page and "md-header" not in page and "search" not in page
            images = re.findall(r'(?:src|srcset)="([^"]+\.svg)"', page)
            assert len(images) == 2, images
            size = len(gzip.compress(page.encode())) + sum(
                len(gzip.compress((built.site / path).parent.joinpath(i).resolve().read_bytes())) for i in images)
            assert size < 60_000, (path, size)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [320, 800])
def test_an_embed_reads_in_a_frame_of_any_width_without_scrolling_sideways_or_other_hosts(browser, server, built,
                                                                                          width, scheme):
    for paths in kinds_of_embed(built).values():
        for path in paths:
            context = browser.new_context(viewport={"width": width, "height": 700}, color_scheme=scheme)
            page = context.new_page()
            others: list[str] = []
            page.on("request", lambda r, seen=others: seen.append(r.url)
                    if urlparse(r.url).hostname not in ("127.0.0.1", None) and not r.url.startswith("data:") else None)
            # Nothing it asks for fails (an icon it did not name would be asked of the host's root).
            page.on("response", lambda r, seen=others: seen.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.on("requestfailed", lambda r, seen=others: seen.append(f"failed {r.url}"))
            try:
                # The reader's frame: the iframe code of the chart's page, in a page of another site.
                page.set_content(f'<iframe src="{server}{path.removesuffix("index.html")}" title="t" '
                                 f'style="border:0;width:100%;height:650px"></iframe>')
                frame = page.frame_locator("iframe")
                image = frame.locator("figure.chart img")
                image.evaluate("e => e.decode()")  # the chart itself has loaded
                inner = page.frames[1]
                assert inner.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
                assert inner.evaluate("document.querySelector('figure.chart img').naturalWidth") > 0
                assert others == []
            finally:
                context.close()
            # axe on the embed page itself, at this width and scheme; opened alone, as a browser opens
            # a page at its top level, it asks for nothing that fails either.
            context = browser.new_context(viewport={"width": width, "height": 700}, color_scheme=scheme)
            page = context.new_page()
            failed: list[str] = []
            page.on("response", lambda r, seen=failed: seen.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            try:
                page.goto(server + path.removesuffix("index.html"), wait_until="networkidle")
                assert failed == []
                results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
                assert results.violations_count == 0, results.generate_report()
            finally:
                context.close()


def test_the_embed_code_and_a_citation_each_have_a_copy_button_that_copies_them(browser, server, built):
    """Where JavaScript runs (theme/assets/javascripts/copy.js): the button copies exactly the text
    shown, and says so to a screen reader."""
    page_path, embeds = next((p, e) for p, e in sorted(every_embed(built).items()) if p.count("/") == 3)
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(server + page_path.removesuffix("index.html"), wait_until="load")
        block = page.locator("details.embed-chart").first
        block.locator("summary").click()
        block.get_by_role("button", name="Copy the code").click()
        block.get_by_role("status").get_by_text("Copied").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == embeds[0][0]
        citation = page.locator("q.citation").first
        page.get_by_role("button", name="Copy the citation").first.click()
        assert page.evaluate("navigator.clipboard.readText()") == citation.inner_text().strip()
    finally:
        context.close()


def test_a_year_embed_carries_the_notes_of_its_figures(built):
    """A figure's caveat goes where the figure goes: an embedded table whose figures carry
    data-quality notes on their year page lists those notes, each linked to it in full, and says
    under the chart what its marks mean."""
    checked = 0
    for page, embeds in every_embed(built).items():
        if page.count("/") != 3:
            continue
        text = (built.site / page).read_text(encoding="utf-8")
        for _, path in embeds:
            measure = path.split("/embed/")[1].split("/")[0]
            section = text.split(f'id="{measure}"', 1)[1].split("<h2", 1)[0]
            numbers = sorted(set(re.findall(rf'id="{measure}-note-(\d+)"', section)))
            embed = (built.site / path).read_text(encoding="utf-8")
            listed = sorted(set(re.findall(rf'#{measure}-note-(\d+)" target="_blank" rel="noopener">Note', embed)))
            assert listed == numbers, (path, listed, numbers)
            checked += bool(numbers)
    assert checked  # the real data has noted figures in some charted table


def test_an_embed_whose_chart_is_no_longer_drawn_keeps_its_page_with_the_figures(tmp_path):
    """A report a curator adds can leave a compare chart with nothing to draw (every area's latest
    figure 0): its published embed URL still answers, with the figures as a table and no image,
    and the compare page offers no embed of it. An embed never published is not made."""
    from conftest import copy_tiny_project

    from build_scripts.build import build_docs, build_package

    paths = copy_tiny_project(tmp_path / "project")
    build_package(paths)
    build_docs(paths)
    embed = paths.docs / "compare" / "embed" / "shpo" / "index.html"
    assert not embed.exists()  # one area: no compare chart, and this embed was never published
    with paths.url_manifest.open("a", encoding="utf-8") as manifest:
        manifest.write("/compare/embed/shpo/\n")
    build_docs(paths)
    page = embed.read_text(encoding="utf-8")
    assert "<img" not in page and "This chart is no longer drawn" in page
    assert re.search(r'<div>\n<table>\n<caption>Sexual Harm Prevention Orders imposed: latest year held for each area'
                     r'</caption>.*<td>138</td>', page, re.S)
    assert "embed/shpo" not in (paths.docs / "compare" / "index.md").read_text(encoding="utf-8")
