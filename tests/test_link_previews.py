"""Link previews: every page has its Open Graph and Twitter card tags, with its permanent URL and
a 1200x630 PNG card on our own host; an area-year page's card says the area, the year and the
headline figure from the data, with the source and the licence."""
from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest

from build_scripts.render.cards import png_size
from conftest import site_pages

SITE_URL = "https://mappa-open-data.github.io/mappa-statistics/"
TAGS = ["og:title", "og:description", "og:url", "og:type", "og:image", "og:image:width", "og:image:height",
        "og:image:alt", "twitter:card"]


class Meta(HTMLParser):
    def __init__(self):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("property") or a.get("name")):
            self.meta.setdefault(a.get("property") or a.get("name"), []).append(a.get("content"))
        self._in_title = tag == "title"

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag):
        self._in_title = False


def pages(built):
    # Not a release's files, nor an embed page (a chart for other sites' frames, noindex).
    return [p for p in site_pages(built.site) if not p.is_relative_to(built.site / "data" / "v")]


def test_every_page_has_every_link_preview_tag(built):
    checked = 0
    for html_file in pages(built):
        rel = html_file.relative_to(built.site).as_posix()
        parsed = Meta()
        parsed.feed(html_file.read_text(encoding="utf-8"))
        meta = parsed.meta
        for tag in TAGS:
            assert len(meta.get(tag, [])) == 1, (rel, tag)
        one = {tag: meta[tag][0] for tag in TAGS}
        assert one["og:url"] == SITE_URL + rel.removesuffix("index.html"), rel
        assert one["og:type"] == ("website" if rel == "index.html" else "article")
        assert one["twitter:card"] == "summary_large_image"
        assert parsed.title.startswith(one["og:title"])
        assert one["og:description"] == meta["description"][0]
        assert one["og:image"].startswith(SITE_URL) and one["og:image"].endswith(".png"), rel
        image = built.site / one["og:image"].removeprefix(SITE_URL)
        assert png_size(image.read_bytes()) == (1200, 630) == (int(one["og:image:width"]),
                                                                int(one["og:image:height"]))
        assert "Licence: Open Government Licence v3.0" in one["og:image:alt"]
        if re.fullmatch(r"areas/[^/]+/\d{4}-\d{2}/index.html", rel):
            assert one["og:image"] == SITE_URL + rel.removesuffix("index.html") + "card.png"
        else:
            assert one["og:image"] == SITE_URL + "card.png"
        checked += 1
    assert checked == len(list(built.docs.rglob("index.md")))


def test_no_link_preview_points_at_another_host(built):
    for html_file in pages(built):
        parsed = Meta()
        parsed.feed(html_file.read_text(encoding="utf-8"))
        for tag in ("og:url", "og:image"):
            assert urlparse(parsed.meta[tag][0]).netloc == urlparse(SITE_URL).netloc


@pytest.mark.parametrize("area_id, year, words", [
    ("west-midlands", "2021-22", "people eligible for MAPPA on 31 March 2022"),
    ("staffordshire", "2023-24", "people eligible for MAPPA on 31 March 2024"),
    ("cheshire", "2014-15", "people eligible for MAPPA on 31 March 2015"),
])
def test_an_area_year_card_says_the_figure_from_the_data(built, area_id, year, words):
    report = next(r for r in csv.DictReader((built.datapackage / "reports.csv").open(encoding="utf-8"))
                  if r["area_id"] == area_id and r["year"] == year)
    eligible = next(o for o in csv.DictReader((built.datapackage / "observations.csv").open(encoding="utf-8"))
                    if o["report_id"] == report["report_id"] and o["measure_id"] == "eligible"
                    and o["level"] == "all" and o["category"] == "all")
    value = f"{int(eligible['value']):,}"
    area = next(a for a in csv.DictReader((built.datapackage / "areas.csv").open(encoding="utf-8"))
                if a["area_id"] == area_id)
    svg = (built.site / "areas" / area_id / year / "card.svg").read_text(encoding="utf-8")
    texts = re.findall(r"<text [^>]*>([^<]*)</text>", svg)
    assert texts[:5] == ["MAPPA statistics", area["name"], f"{year}: 1 April {year[:4]} to 31 March 20{year[5:]}",
                         value, words]
    assert texts[-1] == "Licence: Open Government Licence v3.0"
    assert texts[5:-1] == [f"Source: MAPPA annual report of {area['name']}, {year}"]
    assert "@font-face" in svg and 'font-family="Lato"' in svg
    page = (built.site / "areas" / area_id / year / "index.html").read_text(encoding="utf-8")
    assert f'content="{area["name"]}. {year}: 1 April {year[:4]} to 31 March 20{year[5:]}. {value} {words}.' in page


def test_the_site_card_says_what_we_hold(built):
    svg = (built.site / "card.svg").read_text(encoding="utf-8")
    texts = re.findall(r"<text [^>]*>([^<]*)</text>", svg)
    reports = list(csv.DictReader((built.datapackage / "reports.csv").open(encoding="utf-8")))
    assert texts[1] == "England and Wales"
    areas = list(csv.DictReader((built.datapackage / "areas.csv").open(encoding="utf-8")))
    assert texts[2].startswith(f"{len(reports)} report{'s' if len(reports) != 1 else ''} from "
                               f"{len({r['area_id'] for r in reports})} of the {len(areas)} MAPPA")
    assert texts[-1] == "Licence: Open Government Licence v3.0"
