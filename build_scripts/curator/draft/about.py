"""About: what a report says of itself. Its area (from the name it gives itself), its year (from
the dates its tables state, never the cover: curated/README.md, step 1), its printed title, the
population base of its rate, the publisher; and, for a regional report, where each area's part
begins.
"""
from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass

from build_scripts.curator.draft.find import FoundTable
from build_scripts.curator.draft.read import Line

MONTHS = {m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august",
                                      "september", "october", "november", "december"], start=1)}
SNAPSHOT = re.compile(r"\b31(?:st)?\s+March\s+(\d{4})\b", re.IGNORECASE)
PERIOD = re.compile(r"\b1(?:st)?\s+April\s+(\d{4})\s*(?:to|-|–|until)\s*31(?:st)?\s+March\s+(\d{4})\b", re.IGNORECASE)
COVER_YEAR = re.compile(r"\b(20\d\d|19\d\d)\s*(?:[-/–]|to)\s*(20\d\d|19\d\d|\d\d)\b")
# Where a report names itself: on its cover, in its page headers, or as the board that publishes it.
SELF_NAMING = (r"{name}\s+(?:MAPPA|Multi[- ]Agency Public Protection|Strategic Management Board|SMB)",
               r"MAPPA\s+(?:in|for|across)\s+{name}")
COVER_LINES = 8
DOMINANT_MENTIONS = 3


@dataclass(frozen=True)
class Area:
    area_id: str
    names: tuple[str, ...]


@dataclass
class Finding:
    """A value found in the document, or None with why not (the message asks for it)."""

    value: str | None
    why: str


def financial_year(end_year: int) -> str:
    return f"{end_year - 1}-{end_year % 100:02d}"


def name_pattern(name: str) -> re.Pattern:
    return re.compile(r"(?<![A-Za-z])" + re.escape(name).replace(r"\ ", r"\s+") + r"(?![A-Za-z])", re.IGNORECASE)


def mentions(text: str, areas: list[Area]) -> list[tuple[int, int, str]]:
    """(start, end, area_id) of every area named in the text; a name inside a longer one
    (Leicestershire in Leicester, Leicestershire and Rutland) is the longer one's."""
    found = []
    for area in areas:
        for name in area.names:
            found.extend((m.start(), m.end(), area.area_id) for m in name_pattern(name).finditer(text))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    kept: list[tuple[int, int, str]] = []
    for start, end, area_id in found:
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end, area_id))
    return kept


def cover_lines(lines: list[Line]) -> list[Line]:
    """The cover: the first page of a PDF, else the lines before the first paragraph of text."""
    if lines and lines[0].page:
        return [line for line in lines if line.page == lines[0].page][:COVER_LINES * 3]
    cover = []
    for line in lines[:COVER_LINES]:
        if len(line.text.split()) > 15:
            break
        cover.append(line)
    return cover


def area_of(lines: list[Line], furniture: list[str], areas: list[Area]) -> Finding:
    """The area the report names itself by: its cover, its page headers, the board it names as
    its own; else the one area it names far more often than any other."""
    def only(texts: list[str]) -> str | None:
        named = {m[2] for text in texts for m in mentions(text, areas)}
        return named.pop() if len(named) == 1 else None

    on_cover = only([line.text for line in cover_lines(lines)])
    if on_cover:
        return Finding(on_cover, "named on its cover")
    in_headers = only(furniture)
    if in_headers:
        return Finding(in_headers, "named in its page headers")
    text = "\n".join(line.text for line in lines)
    boards = Counter()
    for area in areas:
        for name in area.names:
            for pattern in SELF_NAMING:
                boards[area.area_id] += len(re.findall(pattern.format(name=re.escape(name).replace(r"\ ", r"\s+")),
                                                       text, re.IGNORECASE))
    boards = Counter({k: v for k, v in boards.items() if v})
    if len(boards) == 1:
        return Finding(next(iter(boards)), "named as the MAPPA area or board the report is by")
    counts = Counter(m[2] for m in mentions(text, areas))
    ranked = counts.most_common(2)
    if ranked and ranked[0][1] >= DOMINANT_MENTIONS and (len(ranked) == 1 or ranked[0][1] >= 3 * ranked[1][1]):
        return Finding(ranked[0][0], f"named {_times(ranked[0][1])}, far more than any other area")
    if not ranked:
        return Finding(None, "it names no area of metadata/areas.csv")
    named = ", ".join(f"{a} ({_times(n)})" for a, n in counts.most_common(4))
    return Finding(None, f"it names more than one area and none of them on its cover: {named}")


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def year_of(tables: list[FoundTable], lines: list[Line]) -> tuple[Finding, dict[str, str]]:
    """The financial year the tables state (a snapshot on 31 March, a period from 1 April), and
    the dates found, for the register row."""
    years: dict[str, str] = {}
    dates: dict[str, str] = {}
    for table in tables:
        for match in SNAPSHOT.finditer(table.title):
            year = financial_year(int(match.group(1)))
            years.setdefault(year, f"the table {table.title!r}")
            dates.setdefault("snapshot_date", f"{match.group(1)}-03-31")
    text = " ".join(line.text for line in lines)
    for match in PERIOD.finditer(text):
        start, end = int(match.group(1)), int(match.group(2))
        if end == start + 1:
            years.setdefault(financial_year(end), f"the period {match.group(0)!r}")
            dates.setdefault("period_start", f"{start}-04-01")
            dates.setdefault("period_end", f"{end}-03-31")
    if len(years) == 1:
        year, where = next(iter(years.items()))
        return Finding(year, f"from {where}"), dates
    if not years:
        return Finding(None, "its tables state no date (31 March, or 1 April to 31 March)"), dates
    listed = "; ".join(f"{y} from {w}" for y, w in years.items())
    return Finding(None, f"its tables state more than one year: {listed}"), {}


def cover_title(lines: list[Line]) -> tuple[str | None, str | None]:
    """(the title as printed on the cover: its line that says "annual report"; the financial year
    it names) or Nones."""
    for line in cover_lines(lines):
        if "annual report" in line.text.lower():
            title = " ".join(line.text.split())
            match = COVER_YEAR.search(title)
            if not match:
                return title, None
            end = match.group(2)
            end_year = int(end) if len(end) == 4 else int(match.group(1)[:2] + end)
            return title, financial_year(end_year) if end_year == int(match.group(1)) + 1 else None
    return None, None


def population_base(lines: list[Line]) -> tuple[str | None, str | None]:
    """(the estimate the rate was calculated with, as stated; the date it was published) or Nones."""
    text = " ".join(" ".join(line.text for line in lines).split())
    match = re.search(r"calculated using (?:the )?(.+?population[^,.;]*)(.*?)(?:\.(?:\s|$)|$)", text, re.IGNORECASE)
    if not match:
        return None, None
    base = match.group(1).strip()
    rest = match.group(2)
    excluding = re.search(r"(excluding [^.;]+)", rest, re.IGNORECASE)
    if excluding:
        base = f"{base}, {excluding.group(1).strip()}"
    published = re.search(r"published by [^.;]*? on (\d{1,2})(?:st|nd|rd|th)? ([A-Za-z]+) (\d{4})", rest, re.IGNORECASE)
    date = None
    if published and published.group(2).lower() in MONTHS:
        try:
            date = datetime.date(int(published.group(3)), MONTHS[published.group(2).lower()],
                                 int(published.group(1))).isoformat()
        except ValueError:
            date = None
    return base, date


def publisher(lines: list[Line], area: Area | None) -> str | None:
    """The board the report names as its publisher: '<area> MAPPA Strategic Management Board' (or,
    for a regional report, the region's Boards)."""
    text = " ".join(" ".join(line.text for line in lines).split())
    match = re.search(r"published by (?:the )?([^.;]*?Strategic Management Boards?)\b", text, re.IGNORECASE)
    if match:
        return match.group(1).strip()
    if area:
        for name in area.names:
            found = re.search(re.escape(name) + r"\s+(?:MAPPA\s+)?Strategic Management Boards?\b", text,
                              re.IGNORECASE)
            if found:
                return " ".join(found.group(0).split())
    return None


def regional_parts(lines: list[Line], areas: list[Area]) -> list[tuple[str, int]]:
    """(area_id, index of its heading line) for each area heading of a regional report: a line that
    is an area's name alone (or with MAPPA), with the template's tables below it. [] otherwise."""
    headings = []
    for index, line in enumerate(lines):
        text = " ".join(line.text.split())
        words = re.sub(r"\b(MAPPA|area|statistics)\b", "", text, flags=re.IGNORECASE).strip(" :-–")
        named = mentions(words, areas)
        if len(named) == 1 and named[0][0] == 0 and named[0][1] == len(words):
            headings.append((named[0][2], index))
    distinct = {area_id for area_id, _ in headings}
    if len(distinct) < 2:
        return []
    # One heading per area: its first as a line alone (a heading), ignoring later mentions.
    first: dict[str, int] = {}
    for area_id, index in headings:
        first.setdefault(area_id, index)
    return sorted(first.items(), key=lambda item: item[1])
