"""Charts a reader can trust on any screen, checked in Debian's chromium: every chart's text
is drawn in the font it was measured with, lies inside the image and overlaps no other text;
no chart text is smaller than 10 px on a 390 px phone; the first chart of a page loads at
once; every chart offers SVG and PNG downloads that carry the title, source and licence."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from build_scripts.charts import FONT_FAMILY

TEXT_BOXES = """async () => {
  await document.fonts.ready;
  const root = document.documentElement;
  const frame = root.getBoundingClientRect();
  const boxes = [...document.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, left: r.left - frame.left, top: r.top - frame.top,
            right: r.right - frame.left, bottom: r.bottom - frame.top};
  });
  const loaded = [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family.replace(/"/g, ''));
  return {width: frame.width, height: frame.height, boxes, loaded};
}"""
TOLERANCE = 0.5  # px: sub-pixel rounding


def overlap(a, b) -> bool:
    return (min(a["right"], b["right"]) - max(a["left"], b["left"]) > TOLERANCE
            and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > TOLERANCE)


@pytest.fixture(scope="module")
def chart_files(built):
    files = sorted(p.relative_to(built.site).as_posix() for p in built.site.rglob("*.svg")
                   if not p.is_relative_to(built.site / "assets"))
    assert len(files) > 20
    return files


def test_chart_text_fits_and_never_overlaps(browser, server, chart_files):
    page = browser.new_page()
    problems = []
    try:
        for rel in chart_files:
            page.goto(server + rel)
            found = page.evaluate(TEXT_BOXES)
            if FONT_FAMILY not in found["loaded"]:
                problems.append(f"{rel}: the chart font {FONT_FAMILY} did not load ({found['loaded']})")
            for box in found["boxes"]:
                if (box["left"] < -TOLERANCE or box["top"] < -TOLERANCE or box["right"] > found["width"] + TOLERANCE
                        or box["bottom"] > found["height"] + TOLERANCE):
                    problems.append(f"{rel}: {box['text']!r} runs outside the {found['width']}x{found['height']} image")
            boxes = found["boxes"]
            for i, a in enumerate(boxes):
                for b in boxes[i + 1:]:
                    if overlap(a, b):
                        problems.append(f"{rel}: {a['text']!r} overlaps {b['text']!r}")
    finally:
        page.close()
    assert problems == []


CHART_PAGES = ["areas/west-midlands/2021-22/", "areas/cheshire/2014-15/", "areas/staffordshire/2023-24/",
               "compare/"]


@pytest.mark.parametrize("path", CHART_PAGES)
def test_chart_text_is_legible_on_a_phone(browser, server, built, path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(server + path, wait_until="networkidle")
        charts = page.eval_on_selector_all("figure.chart img", """els => els.map(e => ({
            src: e.getAttribute('src'), shown: e.getBoundingClientRect().width, natural: e.naturalWidth || e.width}))""")
        assert charts
        for chart in charts:
            svg = (built.site / path / chart["src"]).resolve().read_text(encoding="utf-8")
            smallest = min(float(size) for size in re.findall(r'font-size="([\d.]+)(?:px)?"', svg))
            assert smallest * chart["shown"] / chart["natural"] >= 10, (chart, smallest)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


class Figures(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: list[dict[str, str]] = []
        self.downloads: list[str] = []
        self._in_figure = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "figure" and "chart" in (a.get("class") or ""):
            self._in_figure = True
        elif self._in_figure and tag == "img":
            self.images.append(a)
        elif self._in_figure and tag == "a" and "download" in a:
            self.downloads.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "figure":
            self._in_figure = False


def test_first_chart_is_not_lazy_and_every_chart_has_downloads(built):
    checked = 0
    for html_file in built.site.rglob("index.html"):
        figures = Figures()
        figures.feed(html_file.read_text(encoding="utf-8"))
        if not figures.images:
            continue
        assert "loading" not in figures.images[0], html_file
        assert all(img.get("loading") == "lazy" for img in figures.images[1:]), html_file
        assert len(figures.downloads) == 2 * len(figures.images), html_file
        for href in figures.downloads:
            target = (html_file.parent / href).resolve()
            assert target.exists(), (html_file, href)
            if href.endswith(".png"):
                assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            else:
                svg = target.read_text(encoding="utf-8")
                assert "Licence: Open Government Licence v3.0." in svg
                assert "Source: MAPPA annual report" in svg and "mappa-statistics" in svg
        checked += 1
    assert checked >= 6


def test_no_chart_of_a_single_value(built):
    """A single figure is shown large, with its sentence and table, not as a one-bar chart."""
    page = (built.site / "areas" / "staffordshire" / "2023-24" / "index.html").read_text(encoding="utf-8")
    shpo = page.split('id="shpo"')[1].split("<h2")[0]
    assert '<figure class="chart">' not in shpo
    assert '<span class="big-number__value">138</span>' in shpo
