"""What each release did, once, for the Atom feed (/feed.xml) and the home page's "What's new".

The record is made from the releases themselves (releases/, checked against releases/SHA256SUMS)
and the corrections log, never by hand: the reports a release added are those in its reports.csv
that the release before it lacks, and the figures it corrected are the corrections log's rows
`corrected_in` it. The feed is written by ElementTree (escaped by construction); each entry's
words come from templates/feed_entry.html.j2 (autoescaped). An entry's id is its release's data
address, which never changes, so a feed reader shows each release once.
"""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from typing import Any

ATOM = "http://www.w3.org/2005/Atom"
FEED_PATH = "feed.xml"


def release_record(releases: Any, corrections: list[dict[str, str]], reports: dict[str, dict[str, str]],
                   areas: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """Every release, newest first: version, date, the reports it added and the figures it corrected."""
    def report_ids(version: str) -> list[str]:
        text = releases.read(version, "reports.csv").decode("utf-8")
        return [row["report_id"] for row in csv.DictReader(io.StringIO(text))]

    record = []
    before: set[str] = set()
    for version in releases.versions:
        ids = report_ids(version)
        added = []
        for report_id in ids:
            if report_id in before:
                continue
            report = reports.get(report_id)
            area_id, year = (report["area_id"], report["year"]) if report else (report_id[:-8], report_id[-7:])
            added.append(dict(report_id=report_id, area_id=area_id, year=year,
                              name=f"{areas.get(area_id, {}).get('name', area_id)} {year}",
                              held=report is not None))
        before = set(ids)
        fixed = [c for c in corrections if c["corrected_in"] == version]
        record.append(dict(version=version, date=releases.date(version), added=added, corrections=fixed,
                           files=releases.names(version)))
    return list(reversed(record))


def atom_feed(record: list[dict[str, Any]], homepage: str, title: str, author: str, entry_html: Any) -> bytes:
    """The Atom feed (RFC 4287) of the releases: one entry per release, newest first.
    `entry_html(release)` gives an entry's content as HTML."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = homepage + FEED_PATH
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}subtitle").text = "Each release of the data: the reports it adds and every figure it corrects."
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _timestamp(record[0]["date"]) if record else "1970-01-01T00:00:00Z"
    ET.SubElement(ET.SubElement(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = author
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=homepage + FEED_PATH)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=homepage + "data/")
    for release in record:
        folder = f"{homepage}data/v{release['version']}/"
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = folder
        ET.SubElement(entry, f"{{{ATOM}}}title").text = f"Release {release['version']}" + _what(release)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _timestamp(release["date"])
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _timestamp(release["date"])
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=homepage + "data/#versions")
        for name in release["files"]:
            if not name.endswith(".sha256"):  # each file's own checksum: SHA256SUMS lists them all
                ET.SubElement(entry, f"{{{ATOM}}}link", rel="related", href=folder + name, title=name)
        ET.SubElement(entry, f"{{{ATOM}}}content", type="html").text = entry_html(release)
    ET.indent(feed)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8") + b"\n"


def _what(release: dict[str, Any]) -> str:
    parts = []
    if release["added"]:
        n = len(release["added"])
        parts.append(f"{n} report{'s' if n != 1 else ''} added")
    if release["corrections"]:
        n = len(release["corrections"])
        parts.append(f"{n} figure{'s' if n != 1 else ''} corrected")
    return ": " + ", ".join(parts) if parts else ""


def _timestamp(date: str) -> str:
    return f"{date}T00:00:00Z"
