"""The built site: every published URL, no broken link or anchor, no request to another host,
and the things a reader or a search engine needs on every page."""
from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from conftest import REPO

from build_scripts.inputs.urls import read_manifest

SITE_URL = "https://mappa-open-data.github.io/mappa-statistics/"
BASE_PATH = urlparse(SITE_URL).path  # /mappa-statistics/


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag/attr, url)
        self.imgs: list[dict[str, str]] = []
        self.canonical = None
        self.jsonld: list[str] = []
        self._in_jsonld = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.ids.add(a["name"])
        if tag == "a" and a.get("href"):
            self.links.append(("a", a["href"]))
        if tag in ("img", "script", "iframe", "source", "video", "audio") and a.get("src"):
            self.links.append((tag, a["src"]))
        if tag == "link" and a.get("href"):
            self.links.append((f"link:{a.get('rel')}", a["href"]))
            if a.get("rel") == "canonical":
                self.canonical = a["href"]
        if tag == "img":
            self.imgs.append(a)
        if tag == "script" and a.get("type") == "application/ld+json":
            self._in_jsonld = True

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld.append(data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_jsonld = False


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def pages(built):
    return {p.relative_to(built.site).as_posix(): parse(p) for p in built.site.rglob("*.html")}


def url_of(rel: str) -> str:
    return "/" + rel.removesuffix("index.html")


def target_file(site: Path, path: str) -> Path:
    target = site / path.lstrip("/")
    return target / "index.html" if path.endswith("/") or target.is_dir() else target


def test_every_published_url_still_exists(built):
    manifest = read_manifest(REPO / "published-urls.txt")
    assert len(manifest) > 100
    missing = [u for u in manifest if not target_file(built.site, u).exists()]
    assert missing == [], "URLs dropped without a redirect (add one in mkdocs.yml)"


def test_no_broken_links_or_anchors(built, pages):
    broken = []
    for rel, page in pages.items():
        base = SITE_URL + rel.removesuffix("index.html")
        for _kind, href in page.links:
            absolute = urljoin(base, href)
            parsed = urlparse(absolute)
            if parsed.scheme not in ("http", "https") or not absolute.startswith(SITE_URL):
                continue
            path = parsed.path[len(BASE_PATH) - 1:]
            file = target_file(built.site, path)
            if not file.exists():
                broken.append(f"{rel}: {href}")
                continue
            if parsed.fragment and file.suffix == ".html":
                target = pages.get(file.relative_to(built.site).as_posix())
                if target is not None and parsed.fragment not in target.ids:
                    broken.append(f"{rel}: {href} (no such anchor)")
    assert broken == []


def test_pages_load_nothing_from_other_hosts(pages):
    external = [f"{rel}: {kind} {href}" for rel, page in pages.items() for kind, href in page.links
                if kind != "a" and not kind.startswith("link:canonical") and urlparse(href).netloc]
    assert external == []


def test_no_reference_to_font_or_analytics_hosts(built):
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in built.site.rglob("*.html"))
    for host in ("fonts.googleapis.com", "fonts.gstatic.com", "googletagmanager", "cdn.jsdelivr", "unpkg.com"):
        assert host not in text


def test_canonical_links_and_sitemap(built, pages):
    page = pages["areas/staffordshire/2023-24/index.html"]
    assert page.canonical == SITE_URL + "areas/staffordshire/2023-24/"
    sitemap = (built.site / "sitemap.xml").read_text()
    assert f"<loc>{SITE_URL}areas/staffordshire/2023-24/</loc>" in sitemap


def test_every_chart_has_a_text_alternative_and_a_table(pages):
    charts = 0
    for rel, page in pages.items():
        for img in page.imgs:
            if img.get("src", "").endswith(".svg") and "chart" not in img.get("class", ""):
                charts += 1
                assert len(img.get("alt", "")) > 30, (rel, img)
                assert img.get("width") and img.get("height")
    assert charts > 25  # one per table that compares two or more values; single figures are not charts


def test_version_shown_on_every_content_page(built, pages):
    version = json.loads((built.datapackage / "datapackage.json").read_text())["version"]
    without = [rel for rel in pages if rel != "404.html" and f"Data package version {version}" not in
               (built.site / rel).read_text()]
    assert without == []


def test_data_page_has_dataset_jsonld_and_checksummed_downloads(built, pages):
    page = pages["data/index.html"]
    dataset = json.loads("".join(page.jsonld))
    assert dataset["@type"] == "Dataset"
    assert dataset["license"].startswith("https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3")
    sums = (built.site / "data" / "latest" / "SHA256SUMS").read_text()
    assert re.search(r"^[0-9a-f]{64}  mappa-statistics\.zip$", sums, re.M)
    assert (built.site / "data" / "latest" / "observations.csv").read_bytes() == (
        built.datapackage / "observations.csv").read_bytes()


def test_data_page_jsonld_has_the_recommended_dataset_properties(built, pages):
    from build_scripts.inputs.releases import UNRELEASED, read_releases

    dataset = json.loads("".join(pages["data/index.html"].jsonld))
    descriptor = json.loads((built.datapackage / "datapackage.json").read_text())
    version = descriptor["version"]

    def rows(name):
        with (built.datapackage / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    reports = sorted(rows("reports"), key=lambda r: r["period_start"])
    years = sorted({r["year"] for r in reports})
    held = {r["area_id"] for r in reports}
    assert dataset["description"].endswith(
        f"This version holds {len(reports)} report{'s' if len(reports) != 1 else ''} from {len(held)} of the "
        f"{len(rows('areas'))} MAPPA areas of England and Wales, for "
        + (years[0] if len(years) == 1 else f"years from {years[0]} to {years[-1]}") + ".")
    assert [v["propertyID"] for v in dataset["variableMeasured"]] == [
        m["measure_id"] for m in sorted(rows("measures"), key=lambda m: int(m["sort_order"]))]
    assert dataset["measurementTechnique"].startswith("Transcription, figure for figure as printed")
    assert dataset["creator"] == {"@type": "Organization", "name": "MAPPA open data", "url": SITE_URL}
    releases = read_releases(built)
    assert (dataset["datePublished"], dataset["dateModified"]) == (releases.date(releases.versions[0]),
                                                                 descriptor["created"][:10])
    assert [r["alternateName"] for r in dataset["isBasedOn"]] == [r["title_as_printed"] for r in reports]
    assert dataset["temporalCoverage"] == f"{reports[0]['period_start']}/{reports[-1]['period_end']}"
    assert len(dataset["spatialCoverage"]["containsPlace"]) == len(held)
    files = [d["name"] for d in dataset["distribution"]]
    assert files == ["datapackage.json", "observations.csv", "measures.csv", "areas.csv", "reports.csv",
                     "glossary.csv", "quality.csv", "corrections.csv", "mappa-statistics.xlsx", "mappa-statistics.zip"]
    folder = "latest" if version.endswith(UNRELEASED) else f"v{version}"
    for download in dataset["distribution"]:
        assert download["contentUrl"] == f"{SITE_URL}data/{folder}/{download['name']}"
        path = built.site / "data" / folder / download["name"]
        assert download["contentSize"] == f"{path.stat().st_size} bytes"
        assert re.fullmatch(r"[0-9a-f]{64}", download["sha256"])


def test_area_year_page_explains_every_table(tiny_project):
    from build_scripts.build import build_docs, build_package

    build_package(tiny_project)
    build_docs(tiny_project)
    text = (tiny_project.docs / "areas" / "staffordshire" / "2023-24" / "index.md").read_text()
    assert "On 31 March 2024, 1,741 people in Staffordshire were eligible for MAPPA." in text
    assert "1,740 (99.9%) at level 1" in text
    assert "Download this data (CSV, " in text
    assert "Sexual Offences Prevention Orders imposed" in text.split("Not published in this report")[1]
    assert "Cite this page" in text and "https://mappa-open-data.github.io/mappa-statistics/areas/staffordshire/2023-24/" in text


def test_every_report_and_area_has_its_pages_with_a_section_per_table(built):
    """Whatever reports the data hold: an area page for each area held, and for each report a
    page with a section, a table and a CSV download for every table it prints."""
    with (built.datapackage / "observations.csv").open(encoding="utf-8", newline="") as handle:
        printed: dict[str, set[str]] = {}
        for o in csv.DictReader(handle):
            printed.setdefault(o["report_id"], set()).add(o["measure_id"])
    with (built.datapackage / "reports.csv").open(encoding="utf-8", newline="") as handle:
        reports = list(csv.DictReader(handle))
    assert reports and {r["report_id"] for r in reports} == set(printed)
    for r in reports:
        folder = built.site / "areas" / r["area_id"] / r["year"]
        html = (folder / "index.html").read_text(encoding="utf-8")
        for measure in printed[r["report_id"]]:
            assert f'id="{measure}"' in html, (r["report_id"], measure)
            assert (folder / f"{r['report_id']}-{measure}.csv").is_file(), (r["report_id"], measure)
        assert (built.site / "areas" / r["area_id"] / "index.html").is_file()


def test_sidebar_lists_sections_not_reports(built):
    """The navigation links only to the six sections (and the page's own headings), so it does
    not grow with 1,000+ reports."""
    html = (built.site / "areas" / "staffordshire" / "2023-24" / "index.html").read_text()
    nav_links = set(re.findall(r'<a href="([^"#][^"]*)" class="md-nav__link', html))
    sections = {"../../..", "../../", "../../../compare/", "../../../glossary/", "../../../data/",
                "../../../methodology/"}
    assert nav_links == sections


def test_the_not_found_page_says_what_happened_and_leads_on(built, pages):
    """The 404 page (theme/404.html) has its own title, says why a reader may be there, and links
    to the home page, the areas and the data, from any address it is served at (absolute links)."""
    html = (built.site / "404.html").read_text(encoding="utf-8")
    assert "<title>Page not found - MAPPA statistics</title>" in html
    assert re.search(r"<h1>Page not found</h1>", html)
    assert "mistyped" in html and "old address" in html
    links = {href for kind, href in pages["404.html"].links if kind == "a"}
    for target in ("", "areas/", "data/"):
        assert BASE_PATH + target in links, target
    # The search: a button that opens it (with JavaScript, which the search needs).
    assert "data-open-search" in html and "assets/javascripts/not-found.js" in html


def test_links_to_a_figure_lead_to_its_section(pages):
    """The compare page's areas and a glossary term's years lead to the section of the year's page
    that holds the figure (issue 29: they opened the top of an 18,000 px page), and that section
    exists (test_no_broken_links_or_anchors checks every fragment of every link)."""
    year_page = re.compile(r"(?:\.\./)+areas/[a-z-]+/\d{4}-\d{2}/(#.*)?$")
    checked = 0
    for rel, page in pages.items():
        if rel != "compare/index.html" and not re.fullmatch(r"glossary/[a-z0-9-]+/index\.html", rel):
            continue
        for kind, href in page.links:
            match = year_page.match(href)
            if kind == "a" and match:
                checked += 1
                assert match[1], f"{rel}: {href} has no section"
    assert checked > 20
    # The SHPO figure of an area's year, from both places: whichever years we hold (a report a
    # curator adds changes which year the compare page shows).
    compare = [href for kind, href in pages["compare/index.html"].links if year_page.match(href)]
    assert any(re.fullmatch(r"\.\./areas/[a-z-]+/\d{4}-\d{2}/#shpo", href) for href in compare), compare
    shpo = [href for kind, href in pages["glossary/shpo/index.html"].links if year_page.match(href)]
    assert any(re.fullmatch(r"\.\./\.\./areas/[a-z-]+/\d{4}-\d{2}/#shpo", href) for href in shpo), shpo
