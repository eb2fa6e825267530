"""Charts a reader can trust on any screen: every bar of a chart, across its panels, is drawn
on one scale from zero (read bar by bar from every chart SVG, on the pages and in the
downloads); checked in Debian's chromium, every chart's text is drawn in the font it was
measured with, lies inside the image and overlaps no other text; chart text is 12 px on a 390 px
phone and on a desktop, where the chart uses the column's width; the first chart of a page
loads at once; every chart offers SVG and PNG (at least 1200 px wide) downloads that carry the
title, source and licence."""
from __future__ import annotations

import re
import struct
from html.parser import HTMLParser
from pathlib import Path

import pytest

from build_scripts.render.images import FONT_FAMILY, FONT_SIZE, NARROW, WIDE, converter
from build_scripts.steps.charts import ChartJob

# A bar as Vega writes it in SVG: a <path> whose ARIA description is "bar", labelled with its
# datum ("value: 1094; row: Category 1"), drawn from its panel's origin: d="M0,y h<length> v…".
TAG = re.compile(r"<path\b[^>]*>")
ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')
BAR_PATH = re.compile(r"M([-\d.e]+),[-\d.e]+h([-\d.e]+)v")


def bars(svg: str) -> list[tuple[float, float, float]]:
    """(value, start, length in px) of every bar of a chart SVG."""
    found = []
    for tag in TAG.findall(svg):
        a = dict(ATTRIBUTE.findall(tag))
        if a.get("aria-roledescription") != "bar":
            continue
        value = re.match(r"value: ([-\d.,e]+)", a["aria-label"])
        path = BAR_PATH.match(a["d"])
        assert value and path, tag
        found.append((float(value.group(1).replace(",", "")), float(path.group(1)), float(path.group(2))))
    return found


def scale_problems(svg: str) -> list[str]:
    """Why a chart's bars are not on one scale from zero: a bar that does not start at its
    panel's zero, a zero drawn as a bar, or two bars with different pixels per unit."""
    found = bars(svg)
    problems = [f"bar for {v:g} starts at x={x:g}, not at zero" for v, x, _ in found if abs(x) > 1e-6]
    problems += [f"bar for 0 is {w:g} px long" for v, _, w in found if v == 0 and abs(w) > 1e-6]
    scales = sorted((w / v, v) for v, _, w in found if v > 0)
    if scales and scales[-1][0] - scales[0][0] > 1e-6 * scales[-1][0]:
        problems.append(f"{scales[0][1]:g} is drawn at {scales[0][0]:.4g} px per unit, {scales[-1][1]:g} at "
                        f"{scales[-1][0]:.4g}")
    return problems


def cells(*values):
    """A level-by-category table: (level, category, value) triples, and the total of all."""
    return [{"level": lv, "category": ct, "value": v, "status": "reported"} for lv, ct, v in values] + [
        {"level": "all", "category": "all", "value": "1", "status": "reported"}]


@pytest.mark.parametrize("width", [NARROW, WIDE])
def test_panels_of_very_different_size_share_one_scale(width):
    """Norfolk 2018-19's shape: thousands at level 1, a handful at level 3. Every bar is drawn at
    the same pixels per person, so level 3's bars are short, and each carries its figure."""
    job = ChartJob("x.svg", "title", "alt", "levels",
                   (cells(("1", "1", "1094"), ("1", "2", "462"), ("3", "1", "0"), ("3", "2", "1"), ("3", "3", "2")),),
                   "x", "source")
    svg = converter().vegalite_to_svg(job.spec(width))
    drawn = {value: length for value, _, length in bars(svg)}
    assert sorted(drawn) == [0, 1, 2, 462, 1094]
    assert drawn[0] == 0 and drawn[1094] == pytest.approx(1094 * drawn[1]) == pytest.approx(547 * drawn[2])
    assert scale_problems(svg) == []
    labels = re.findall(r">([\d,]+)</text>", svg)
    assert {"1,094", "462", "0", "1", "2"} <= set(labels)
    assert float(re.search(r'width="([\d.]+)"', svg).group(1)) <= width


def test_a_chart_with_panels_on_their_own_scales_is_caught():
    """The check itself: two panels whose bars use different pixels per unit fail it."""
    svg = ('<svg><path aria-label="value: 1094; row: Category 1" aria-roledescription="bar" d="M0,1h228v19h-228Z"/>'
           '<path aria-label="value: 1; row: Category 2" aria-roledescription="bar" d="M0,1h228v19h-228Z"/></svg>')
    assert scale_problems(svg) == ["1094 is drawn at 0.2084 px per unit, 1 at 228"]
    assert scale_problems(svg.replace("M0,1h228", "M5,1h228", 1)) == [
        "bar for 1094 starts at x=5, not at zero", "1094 is drawn at 0.2084 px per unit, 1 at 228"]


def chart_svgs(site: Path) -> list[Path]:
    """Every chart SVG of the site: for a phone, for a desktop, and to download."""
    return sorted(p for p in site.rglob("*.svg") if not p.is_relative_to(site / "assets")
                  and p.name not in ("card.svg", "tile-map.svg"))


def test_every_bar_of_every_chart_is_on_one_scale_from_zero(built):
    checked, bar_count, problems = 0, 0, []
    for path in chart_svgs(built.site):
        found = bars(path.read_text(encoding="utf-8"))
        if not found:
            continue
        checked += 1
        bar_count += len(found)
        problems += [f"{path.relative_to(built.site)}: {p}" for p in scale_problems(path.read_text(encoding="utf-8"))]
    assert problems == []
    # Each chart in three versions (phone, desktop, download); more than one chart of each kind.
    assert checked > 3 * 20 and bar_count > checked * 2


def png_width(path: Path) -> int:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">I", head[16:20])[0]

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
CHARTS_SHOWN = """els => els.map(e => {
    const style = getComputedStyle(e);
    const content = e.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
        - parseFloat(style.borderLeftWidth) - parseFloat(style.borderRightWidth);
    const column = e.closest('article');
    const columnStyle = getComputedStyle(column);
    return {src: e.currentSrc, content, natural: e.naturalWidth, box: e.getBoundingClientRect().width,
            column: column.clientWidth - parseFloat(columnStyle.paddingLeft) - parseFloat(columnStyle.paddingRight)};
})"""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("path", CHART_PAGES)
def test_chart_text_is_12_px_on_a_phone_and_on_a_desk(browser, server, built, path, width):
    """At 390 px the phone's chart is shown at its own size; at 1280 px the desktop's, which
    fills most of the column. Either way the smallest chart text is FONT_SIZE (12 px) on screen:
    never shrunk, never blown up."""
    phone = width < 500
    context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=2, is_mobile=phone)
    page = context.new_page()
    try:
        page.goto(server + path, wait_until="networkidle")
        for img in page.locator("figure.chart img").all():
            img.scroll_into_view_if_needed()
            img.evaluate("e => e.decode()")  # loaded (lazy images load once scrolled to)
        charts = page.eval_on_selector_all("figure.chart img", CHARTS_SHOWN)
        assert charts
        for chart in charts:
            assert chart["src"].endswith(".svg") and chart["src"].endswith(".wide.svg") != phone, chart
            svg = (built.site / chart["src"].removeprefix(server)).read_text(encoding="utf-8")
            sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)(?:px)?"', svg)]
            scale = chart["content"] / chart["natural"]
            assert min(sizes) * scale == pytest.approx(FONT_SIZE, abs=0.05), chart
            assert chart["box"] <= chart["column"], chart
            if not phone:
                assert chart["box"] >= 0.9 * chart["column"], chart  # the column's width, not a thumbnail
        assert page.evaluate("document.documentElement.scrollWidth") <= width
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
        if "embed" in html_file.relative_to(built.site).parts:
            continue  # the chart alone, for another site's frame: its links go to the chart's page
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
                # Print size, and the same picture as the SVG download (title, source and licence
                # included), drawn at twice its size.
                svg_width = re.search(r'width="(\d+)"', target.with_suffix(".svg").read_text(encoding="utf-8"))
                assert png_width(target) >= 1200 and png_width(target) == 2 * int(svg_width.group(1)), target
            else:
                svg = target.read_text(encoding="utf-8")
                assert "Licence: Open Government Licence v3.0." in svg
                assert "Source: MAPPA annual report" in svg and "mappa-statistics" in svg
                assert "as published by MAPPA open data" in svg  # the publisher's one name, as in citations
        checked += 1
    assert checked >= 6


def test_no_chart_of_a_single_value(built):
    """A single figure is shown large, with its sentence and table, not as a one-bar chart."""
    page = (built.site / "areas" / "staffordshire" / "2023-24" / "index.html").read_text(encoding="utf-8")
    shpo = page.split('id="shpo"')[1].split("<h2")[0]
    assert '<figure class="chart"' not in shpo
    assert '<span class="big-number__value">138</span>' in shpo
