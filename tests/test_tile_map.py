"""The tile map of the 42 areas (home page and /areas/): its layout is checked like any input, it
shows the data, every tile is named in full (its accessible name and hover text) and spelt out
in the key, every tile of an area we hold links to the area's page and is reached with the
keyboard, its text fits and is legible on a 390 px phone, in the chart font, and its downloads
carry its title, source and licence."""
from __future__ import annotations

import csv
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from conftest import REPO

from build_scripts.errors import BuildError
from build_scripts.render.images import FONT_FAMILY
from build_scripts.render.tilemap import CLASSES, TILE_W, WIDTH, read_layout

MAP_PAGES = ["", "areas/"]
AREA_IDS = sorted(row["area_id"] for row in csv.DictReader((REPO / "metadata" / "areas.csv").open(encoding="utf-8")))


def test_the_layout_places_every_area_once_on_its_own_tile():
    layout = read_layout(REPO, AREA_IDS)
    assert sorted(layout) == AREA_IDS
    assert len({(t["col"], t["row"]) for t in layout.values()}) == len(AREA_IDS)
    assert WIDTH <= 340


def bad_layout(tmp_path, edit):
    (tmp_path / "metadata").mkdir(exist_ok=True)
    lines = (REPO / "metadata" / "tile-map.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "metadata" / "tile-map.csv").write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
    with pytest.raises(BuildError) as error:
        read_layout(tmp_path, AREA_IDS)
    return [str(p) for p in error.value.problems]


def test_a_bad_layout_stops_the_build_with_file_line_and_column(tmp_path):
    # lines[1] is northumbria (4,0); lines[2] is cumbria (3,1).
    assert bad_layout(tmp_path, lambda ls: ls[:2] + ["cumbria,4,0,CUM"] + ls[3:]) == [
        "metadata/tile-map.csv:3: column 'tile_col': expected a tile no other area uses; "
        "found column 4, row 0, already northumbria"]
    assert bad_layout(tmp_path, lambda ls: ls[:2] + ls[3:]) == [
        "metadata/tile-map.csv: expected a tile for every area of metadata/areas.csv; found no row for cumbria"]
    assert bad_layout(tmp_path, lambda ls: ls + ["atlantis,0,0,ATL"]) == [
        "metadata/tile-map.csv:44: column 'area_id': expected an area_id from metadata/areas.csv; found 'atlantis'"]
    assert bad_layout(tmp_path, lambda ls: ls[:2] + ["cumbria,8,1,CUM"] + ls[3:]) == [
        "metadata/tile-map.csv:3: column 'tile_col': expected a whole number from 0 to 7; found '8'"]
    assert bad_layout(tmp_path, lambda ls: ls[:2] + ["cumbria,3,1,Cumbria"] + ls[3:]) == [
        f"metadata/tile-map.csv:3: column 'tile_label': expected a short label that fits a {TILE_W} px tile "
        "(about 4 capital letters); found 'Cumbria'"]
    assert bad_layout(tmp_path, lambda ls: ["area_id,col,row,label"] + ls[1:]) == [
        "metadata/tile-map.csv:1: expected the header area_id,tile_col,tile_row,tile_label; found 'area_id,col,row,label'"]


class MapParser(HTMLParser):
    """The inline SVG of a page: its tiles (links or named groups) and their text, and every id."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.tiles: list[dict] = []
        self.svgs = 0
        self._tile = None
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "svg" and "tile-map__svg" in (a.get("class") or ""):
            self.svgs += 1
        if (tag == "a" and a.get("class") == "tile-map__link") or (tag == "g" and a.get("role") == "img"):
            self._tile = dict(href=a.get("href"), name=a["aria-label"], texts=[], fill=None, title="")
            self.tiles.append(self._tile)
        if tag == "title" and self._tile is not None:
            self._in_title = True
        if tag == "rect" and self._tile is not None and a.get("class") == "tile-map__tile":
            self._tile["fill"] = a["fill"]
            self._tile["stroke_width"] = a["stroke-width"]

    def handle_data(self, data):
        if self._tile is not None and self._in_title:
            self._tile["title"] += data
        elif self._tile is not None and data.strip():
            self._tile["texts"].append(data)

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag in ("a", "g") and self._tile is not None:
            self._tile = None


def latest_rates(built):
    reports = list(csv.DictReader((built.datapackage / "reports.csv").open(encoding="utf-8")))
    obs = {(o["report_id"], o["measure_id"]): o for o in csv.DictReader(
        (built.datapackage / "observations.csv").open(encoding="utf-8"))
        if o["level"] == "all" and o["category"] == "all"}
    latest = {}
    for r in sorted(reports, key=lambda r: r["year"]):
        latest[r["area_id"]] = (r["year"], obs.get((r["report_id"], "rso_per_100k")))
    return latest


@pytest.mark.parametrize("path", MAP_PAGES)
def test_the_map_shows_the_data_and_links_every_area_we_hold(built, path):
    html = (built.site / path / "index.html").read_text(encoding="utf-8")
    parsed = MapParser()
    parsed.feed(html)
    assert parsed.svgs == 1
    assert len(parsed.ids) == len(set(parsed.ids)), "ids repeat on the page"
    assert len(parsed.tiles) == len(AREA_IDS)
    areas = {row["name"]: row for row in csv.DictReader((built.datapackage / "areas.csv").open(encoding="utf-8"))}
    labels = {row["area_id"]: row["tile_label"] for row in
              csv.DictReader((REPO / "metadata" / "tile-map.csv").open(encoding="utf-8"))}
    latest = latest_rates(built)
    linked = 0
    for tile in parsed.tiles:
        name = tile["name"].split(" (")[0]
        area = areas[name]
        assert tile["name"].startswith(f"{name} ({area['nation']}): ")
        assert tile["stroke_width"] == ("3" if area["nation"] == "Wales" else "1")
        assert tile["texts"][0] == labels[area["area_id"]]
        assert tile["title"] == tile["name"]  # the hover text spells out the area, as its accessible name does
        if area["area_id"] not in latest:
            assert tile["href"] is None and tile["texts"] == [labels[area["area_id"]]]
            assert tile["name"].endswith("no reports yet")
            continue
        linked += 1
        year, obs = latest[area["area_id"]]
        assert (built.site / path / tile["href"] / "index.html").resolve() == \
            built.site / "areas" / area["area_id"] / "index.html"
        if obs is None or obs["status"] != "reported":
            continue
        rate = f"{Decimal(obs['value']):,}"
        assert tile["texts"] == [labels[area["area_id"]], rate, year]
        assert tile["name"] == (f"{name} ({area['nation']}): {rate} registered sex offenders per 100,000 people "
                                f"in {year}")
        fill = next(f for low, high, f, _ in CLASSES
                    if (low is None or Decimal(obs["value"]) >= low) and (high is None or Decimal(obs["value"]) < high))
        assert tile["fill"] == fill
    assert linked == len(latest) > 0
    # The key below the map spells out every tile's code, and gives every figure with its year.
    table = html.split("<caption>Key to the map: each area&#39;s tile, and the latest rate of registered sex "
                       "offenders per 100,000 people we hold</caption>")[1].split("</table>")[0]
    assert table.count("<tr>") == len(AREA_IDS) + 1
    keyed = dict(re.findall(r'<th scope="row">(?:<a href="[^"]*">)?([^<]+)(?:</a>)?</th><td>([A-Z]+)</td>', table))
    assert {name.removesuffix(" (Wales)"): code for name, code in keyed.items()} == {
        name: labels[area["area_id"]] for name, area in areas.items()}
    assert "Dyfed-Powys (Wales)" in keyed and "Kent" in keyed
    for name, area in areas.items():
        if area["area_id"] in latest and (latest[area["area_id"]][1] or {}).get("status") == "reported":
            year, obs = latest[area["area_id"]]
            # A Welsh area is named "Gwent (Wales)" in the key, whether we hold it or not.
            assert re.search(rf'{re.escape(name)}( \(Wales\))?</a></th><td>{labels[area["area_id"]]}</td><td>{year}</td>'
                             rf'<td>{Decimal(obs["value"]):,}</td>', table), name
        elif area["area_id"] not in latest:
            assert re.search(rf'<th scope="row">{re.escape(name)}( \(Wales\))?</th><td>{labels[area["area_id"]]}</td>'
                             r'<td>none yet</td><td></td>', table), name


MAP_TEXT = """async () => {
  await document.fonts.ready;
  const svg = document.querySelector('svg.tile-map__svg');
  const frame = svg.getBoundingClientRect();
  const scale = frame.width / svg.viewBox.baseVal.width;
  const boxes = [...svg.querySelectorAll('text')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, left: r.left - frame.left, top: r.top - frame.top, right: r.right - frame.left,
            bottom: r.bottom - frame.top, size: parseFloat(getComputedStyle(t).fontSize) * scale};
  });
  const loaded = [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family.replace(/"/g, ''));
  return {width: frame.width, height: frame.height, boxes, loaded,
          scrollWidth: document.documentElement.scrollWidth};
}"""


@pytest.mark.parametrize("path", MAP_PAGES)
def test_map_text_fits_never_overlaps_and_is_legible_on_a_phone(browser, server, path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(server + path, wait_until="networkidle")
        found = page.evaluate(MAP_TEXT)
    finally:
        context.close()
    assert FONT_FAMILY in found["loaded"]
    assert found["width"] == WIDTH and found["scrollWidth"] <= 390
    boxes = found["boxes"]
    assert len(boxes) > 42
    problems = []
    for i, a in enumerate(boxes):
        if a["size"] < 10:
            problems.append(f"{a['text']!r} is {a['size']} px")
        if a["left"] < 0 or a["top"] < 0 or a["right"] > found["width"] or a["bottom"] > found["height"]:
            problems.append(f"{a['text']!r} runs outside the map")
        for b in boxes[i + 1:]:
            if (min(a["right"], b["right"]) - max(a["left"], b["left"]) > 0.5
                    and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 0.5):
                problems.append(f"{a['text']!r} overlaps {b['text']!r}")
    assert problems == []


def test_keyboard_reaches_every_tile_link_with_a_visible_focus(browser, server, built):
    page = browser.new_page()
    try:
        page.goto(server + "areas/", wait_until="networkidle")
        expected = page.eval_on_selector_all("a.tile-map__link", "els => els.map(e => e.getAttribute('aria-label'))")
        held = {row["area_id"] for row in csv.DictReader((built.datapackage / "reports.csv").open(encoding="utf-8"))}
        assert len(expected) == len(held)
        reached = []
        for _ in range(200):
            page.keyboard.press("Tab")
            focused = page.evaluate("""() => {
                const a = document.activeElement;
                if (!a || !a.classList.contains('tile-map__link')) return null;
                const rect = a.querySelector('rect');
                return {name: a.getAttribute('aria-label'), stroke: getComputedStyle(rect).strokeWidth};
            }""")
            if focused:
                reached.append(focused["name"])
                assert focused["stroke"] == "4px", focused
            if len(reached) == len(expected):
                break
        assert reached == expected
    finally:
        page.close()


def test_tile_labels_are_escaped_in_the_map(tmp_path):
    """A label is free text: markup in it is drawn as text, never as an element."""
    from build_scripts.inputs.dataset import read_dataset
    from build_scripts.inputs.metadata import measure_layout, tile_map_measure
    from build_scripts.paths import Paths
    from build_scripts.render.markup import environment
    from build_scripts.render.tilemap import tile_map

    (tmp_path / "metadata").mkdir()
    text = (REPO / "metadata" / "tile-map.csv").read_text(encoding="utf-8").replace(",NFK\n", ",<i>\n")
    (tmp_path / "metadata" / "tile-map.csv").write_text(text, encoding="utf-8")
    values = tile_map(read_dataset(REPO / "datapackage"), read_layout(tmp_path, AREA_IDS),
                      tile_map_measure(measure_layout(Paths())), lambda a: "x")
    svg = environment(REPO / "templates").get_template("tile_map.svg.j2").render(map=values)
    assert ">&lt;i&gt;</text>" in svg and "<i>" not in svg


def test_the_map_downloads_carry_title_source_and_licence(built):
    svg = (built.site / "areas" / "tile-map.svg").read_text(encoding="utf-8")
    text = " ".join(re.findall(r"<text\b[^>]*>([^<]*)</text>", svg))
    assert "Map of the 42 MAPPA areas: registered sex offenders per 100,000 people" in text
    assert "Source: MAPPA annual reports of each area, latest year held, as published by MAPPA open data," in text
    assert "Licence: Open Government Licence v3.0." in text
    png = (built.site / "areas" / "tile-map.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    svg_width, svg_height = (int(v) for v in re.search(r'width="(\d+)" height="(\d+)"', svg).groups())
    assert width >= 1200 and width / svg_width == height / svg_height  # the same picture, at print size
    for page in MAP_PAGES:
        html = (built.site / page / "index.html").read_text(encoding="utf-8")
        assert re.search(r'Download this map: <a href="[^"]*tile-map\.svg" download>SVG, [\d.]+ kB</a> or '
                         r'<a href="[^"]*tile-map\.png" download>PNG, [\d.]+ kB</a>', html)
