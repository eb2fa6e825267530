"""Cite a figure: every data table of an area-year page has its permanent URL and a one-line
citation, and every cite box offers BibTeX and RIS files that a BibTeX parser and an RIS reader
read back with the same fields as the page's citation and the package metadata."""
from __future__ import annotations

import csv
import json
import re
from html import unescape
from html.parser import HTMLParser

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware

from build_scripts.render.markup import bibtex_text, citation_url, ris_text

SITE_URL = "https://mappa-open-data.github.io/mappa-statistics/"
HOSTILE = "A {b} \\ & % $ # _ ~ ^ <i>'\"` é 🙂 [x](javascript:alert(1)) }{ @misc{x, ER  - TY  - X"


def test_bibtex_text_escapes_tex_and_reads_back():
    assert bibtex_text("R&D {50%} $5 #1 a_b ~ ^ \\") == (
        r"R\&D \{50\%\} \$5 \#1 a\_b \textasciitilde{} \textasciicircum{} \textbackslash{}")
    assert bibtex_text("two\nlines\x07") == "two lines"
    library = bibtexparser.parse_string("@misc{k,\n  title = {" + bibtex_text(HOSTILE) + "},\n}\n",
                                        append_middleware=[LatexDecodingMiddleware()])
    assert library.failed_blocks == [] and len(library.entries) == 1
    # pylatexenc reads \textasciicircum{} as the modifier letter U+02C6; LaTeX prints "^".
    assert library.entries[0]["title"].replace("\u02c6", "^") == " ".join(HOSTILE.split())


def test_ris_text_keeps_one_line_and_reads_back():
    assert ris_text("a\r\nER  - b\u2028c\x00") == "a ER - b c"
    entries = rispy.loads(f"TY  - DATA\nTI  - {ris_text(HOSTILE)}\nER  - \n")
    assert len(entries) == 1 and entries[0]["title"] == " ".join(HOSTILE.split())


def test_citation_urls_are_checked_not_escaped():
    assert citation_url(SITE_URL + "areas/west-midlands/2021-22/#eligible") == \
        SITE_URL + "areas/west-midlands/2021-22/#eligible"
    for bad in ("javascript:alert(1)", "https://x.org/a b", "https://x.org/}", "https://x.org/\n"):
        with pytest.raises(ValueError):
            citation_url(bad)


def descriptor(built):
    return json.loads((built.datapackage / "datapackage.json").read_text(encoding="utf-8"))


def reports(built):
    return list(csv.DictReader((built.datapackage / "reports.csv").open(encoding="utf-8")))


class CiteBox(HTMLParser):
    """The cite box's title, its download links, and each table's link and citation."""

    def __init__(self):
        super().__init__()
        self.cells: list[str] = []
        self.downloads: list[str] = []
        self.table_links: list[str] = []
        self.table_citations: list[str] = []
        self.ids: set[str] = set()
        self._in = None
        self._td = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "table" and a.get("class") == "cite-table":
            self._in = "cite-table"
        elif tag == "p" and a.get("class") == "cite-downloads":
            self._in = "downloads"
        elif tag == "p" and a.get("class") == "table-cite":
            self._in = "table-cite"
        elif tag == "a" and self._in == "downloads":
            self.downloads.append(a["href"])
        elif tag == "a" and self._in == "table-cite":
            self.table_links.append(a["href"])
        elif tag == "q" and self._in == "table-cite":
            self.table_citations.append("")
            self._in = "q"
        elif tag == "td" and self._in == "cite-table":
            self.cells.append("")
            self._td = True

    def handle_endtag(self, tag):
        if tag == "td":
            self._td = False
        if tag in ("table", "p"):
            self._in = None
        if tag == "q" and self._in == "q":
            self._in = "table-cite"

    def handle_data(self, data):
        if self._in == "cite-table" and self._td:
            self.cells[-1] += data
        if self._in == "q":
            self.table_citations[-1] += data


def parse(built, rel):
    parser = CiteBox()
    parser.feed((built.site / rel / "index.html").read_text(encoding="utf-8"))
    return parser


def test_every_table_of_an_area_year_page_has_its_link_and_citation(built):
    d = descriptor(built)
    for report in reports(built):
        rel = f"areas/{report['area_id']}/{report['year']}/"
        page = parse(built, rel)
        sections = re.findall(r'<h2[^>]* id="([^"]+)"', (built.site / rel / "index.html").read_text(encoding="utf-8"))
        measures = [s for s in sections if s not in ("not-published", "quality", "source", "cite")]
        assert page.table_links == [f"{SITE_URL}{rel}#{m}" for m in measures]
        assert len(page.table_citations) == len(measures)
        for link, text in zip(page.table_links, page.table_citations, strict=True):
            assert link.split("#")[1] in page.ids
            assert text.startswith(f"{d['contributors'][0]['title']} ({d['created'][:4]}). ")
            # A table's data-quality notes follow its citation, each with its address on the page.
            notes = re.findall(r" Read with data-quality note \d+: (\S+)", text)
            assert all(note.startswith(f"{SITE_URL}{rel}#") and note.split("#")[1] in page.ids for note in notes)
            text = re.sub(r"( Read with data-quality note \d+: \S+)+$", "", text)
            files = "" if d["version"].endswith("+unreleased") else f" ({SITE_URL}data/v{d['version']}/)"
            assert text.endswith(f". In: {d['title']}. Dataset version {d['version']}{files}. {link}")


def test_a_table_citation_names_the_figure_the_area_and_the_date(tiny_project):
    from build_scripts.build import build_docs, build_package

    build_package(tiny_project)
    build_docs(tiny_project)
    page = (tiny_project.docs / "areas/staffordshire/2023-24/index.md").read_text(encoding="utf-8")
    assert ("Cite this table: <q class=\"citation\">MAPPA open data (2026). On 31 March 2024, 1,741 people in "
            "Staffordshire were eligible for MAPPA. In: MAPPA annual report statistics for England and Wales. "
            f"Dataset version 1.0.0+unreleased. {SITE_URL}areas/staffordshire/2023-24/#eligible</q>") in page


@pytest.mark.parametrize("kind", ["area-year", "area"])
def test_bibtex_and_ris_downloads_match_the_page_and_the_metadata(built, kind):
    d = descriptor(built)
    pages = ([f"areas/{r['area_id']}/{r['year']}/" for r in reports(built)] if kind == "area-year"
             else sorted({f"areas/{r['area_id']}/" for r in reports(built)}))
    for rel in pages:
        page = parse(built, rel)
        assert page.downloads == ["cite.bib", "cite.ris"]
        title = unescape(page.cells[0])
        assert page.cells[3] == SITE_URL + rel
        key = "mappa-" + rel.removeprefix("areas/").strip("/").replace("/", "-")
        bib = (built.site / rel / "cite.bib").read_text(encoding="utf-8")
        raw = bibtexparser.parse_string(bib)
        library = bibtexparser.parse_string(bib, append_middleware=[LatexDecodingMiddleware()])
        assert library.failed_blocks == [] and len(library.entries) == 1
        entry = library.entries[0]
        assert (entry.entry_type, entry.key) == ("misc", key)
        assert {name: entry[name] for name in ("author", "title", "publisher", "year", "version", "date")} == {
            "author": d["contributors"][0]["title"], "title": title, "publisher": d["contributors"][0]["title"],
            "year": d["created"][:4], "version": d["version"], "date": d["created"][:10]}
        assert entry["howpublished"] == f"In: {d['title']}"
        assert raw.entries[0]["url"] == SITE_URL + rel  # verbatim: read without LaTeX decoding
        ris = rispy.loads((built.site / rel / "cite.ris").read_text(encoding="utf-8"))
        assert len(ris) == 1
        assert {k: ris[0][k] for k in ("type_of_reference", "id", "authors", "title", "secondary_title",
                                       "publisher", "year", "date", "edition", "urls")} == {
            "type_of_reference": "DATA", "id": key, "authors": [d["contributors"][0]["title"]], "title": title,
            "secondary_title": d["title"], "publisher": d["contributors"][0]["title"], "year": d["created"][:4],
            "date": d["created"][:10].replace("-", "/"), "edition": d["version"], "urls": [SITE_URL + rel]}
