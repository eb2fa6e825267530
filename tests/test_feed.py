"""The feed of releases and corrections (build_scripts/render/feed.py), from a tiny record of
releases made by hand, read back by a feed parser we did not write (feedparser)."""
from __future__ import annotations

import feedparser

from build_scripts.render.feed import atom_feed, release_record
from conftest import site_pages

HOME = "https://example.org/mappa/"


class TwoReleases:
    """What read_releases gives, for two releases: 1.0.0 holds one report, 1.1.0 adds another."""

    versions = ["1.0.0", "1.1.0"]
    reports = {"1.0.0": ["norfolk-2018-19"], "1.1.0": ["norfolk-2018-19", "kent-2023-24"]}

    def read(self, version: str, name: str) -> bytes:
        assert name == "reports.csv"
        return ("report_id,area_id\n" + "".join(f"{r},x\n" for r in self.reports[version])).encode()

    def date(self, version: str) -> str:
        return {"1.0.0": "2026-01-02", "1.1.0": "2026-03-04"}[version]

    def names(self, version: str) -> list[str]:
        return ["observations.csv", "observations.csv.sha256", "SHA256SUMS"]


CORRECTION = {"report_id": "norfolk-2018-19", "area_id": "norfolk", "year": "2018-19", "measure_id": "shpo",
              "level": "all", "category": "all", "released_value": "60", "corrected_value": "41",
              "released_in": "1.0.0", "corrected_in": "1.1.0", "reason": "Typed 60 for <b>41</b>."}
REPORTS = {"norfolk-2018-19": {"area_id": "norfolk", "year": "2018-19"}, "kent-2023-24": {"area_id": "kent",
                                                                                        "year": "2023-24"}}
AREAS = {"norfolk": {"name": "Norfolk"}, "kent": {"name": "Kent"}}


def test_each_release_lists_the_reports_it_added_and_the_figures_it_corrected_newest_first():
    record = release_record(TwoReleases(), [CORRECTION], REPORTS, AREAS)
    assert [(r["version"], r["date"], [a["name"] for a in r["added"]], [c["reason"] for c in r["corrections"]])
            for r in record] == [("1.1.0", "2026-03-04", ["Kent 2023-24"], ["Typed 60 for <b>41</b>."]),
                                 ("1.0.0", "2026-01-02", ["Norfolk 2018-19"], [])]


def test_the_feed_is_atom_a_feed_reader_reads_with_stable_ids_and_escaped_words():
    record = release_record(TwoReleases(), [CORRECTION], REPORTS, AREAS)

    def words(release):  # as templates/feed_entry.html.j2 gives them: HTML, already escaped
        return "<p>" + "; ".join(c["reason"].replace("<", "&lt;").replace(">", "&gt;")
                                 for c in release["corrections"]) + "</p>"

    xml = atom_feed(record, HOME, "Title & more", "Us", words)
    assert xml == atom_feed(record, HOME, "Title & more", "Us", words)  # the same bytes every time
    parsed = feedparser.parse(xml)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Title & more" and parsed.feed.id == HOME + "feed.xml"
    assert parsed.feed.updated == "2026-03-04T00:00:00Z"
    assert [(e.id, e.title, e.updated) for e in parsed.entries] == [
        (HOME + "data/v1.1.0/", "Release 1.1.0: 1 report added, 1 figure corrected", "2026-03-04T00:00:00Z"),
        (HOME + "data/v1.0.0/", "Release 1.0.0: 1 report added", "2026-01-02T00:00:00Z")]
    assert [link.href for link in parsed.entries[0].links if link.rel == "related"] == [
        HOME + "data/v1.1.0/observations.csv", HOME + "data/v1.1.0/SHA256SUMS"]
    # The reason's markup is text: escaped once for HTML and once more for Atom's type="html".
    assert b"Typed 60 for &amp;lt;b&amp;gt;41&amp;lt;/b&amp;gt;." in xml
    assert parsed.entries[0].summary == "<p>Typed 60 for &lt;b&gt;41&lt;/b&gt;.</p>"


def test_a_project_with_no_release_has_a_valid_empty_feed():
    class NoRelease(TwoReleases):
        versions: list[str] = []

    parsed = feedparser.parse(atom_feed(release_record(NoRelease(), [], {}, {}), HOME, "T", "Us", str))
    assert not parsed.bozo and parsed.entries == []


def test_the_built_site_has_an_entry_for_every_release_and_every_page_links_the_feed(built):
    """Invariants on the real data: one entry per release in releases/, each id its release's
    address; every page's head names the feed, by a link that stays on the site."""
    from build_scripts.inputs.releases import read_releases

    parsed = feedparser.parse((built.site / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    versions = read_releases(built).versions
    assert sorted(e.id.rsplit("/data/v", 1)[1].rstrip("/") for e in parsed.entries) == sorted(versions)
    assert len({e.id for e in parsed.entries}) == len(parsed.entries)
    pages = site_pages(built.site, "*.html")
    assert pages
    for page in pages:
        head = page.read_text(encoding="utf-8").split("</head>", 1)[0]
        assert 'rel="alternate" type="application/atom+xml"' in head, page
        assert 'feed.xml"' in head and 'href="http' not in head.split('application/atom+xml"', 1)[1].split(">")[0], page
