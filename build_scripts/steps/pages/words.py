"""Text the pages compute (the templates word the rest): dates, file sizes, sentences, a
measure's headline filled with its figure, a breakdown in words, a figure of the corrections log
as a reader says it, runs of years."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from build_scripts.inputs.dataset import number, percent
from build_scripts.inputs.metadata import CATEGORIES


def long_date(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B %Y')}"


def human_bytes(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1_000_000:.1f} MB"


def sentence(text: str) -> str:
    """End a register field with a full stop, so fields read as separate sentences."""
    text = text.strip()
    return text if text.endswith((".", "?", "!", '"', ")")) else text + "."


def constraint_parts(constraints: dict[str, Any] | None) -> list[dict[str, str]]:
    """A field's constraints in words, for the data dictionary: each part is `text`, and
    `code` where a value must be shown exactly (a pattern)."""
    c = constraints or {}
    parts = []
    if c.get("required"):
        parts.append("required")
    if c.get("unique"):
        parts.append("unique")
    if "enum" in c:
        parts.append("one of " + ", ".join(str(v) for v in c["enum"]))
    if "minimum" in c:
        parts.append(f"at least {c['minimum']}")
    listed = [{"text": text, "code": ""} for text in parts]
    if "pattern" in c:
        listed.append({"text": "pattern", "code": c["pattern"]})
    return listed


def headline(words: dict[str, str], total: dict[str, str] | None, area: str, report: dict[str, str]) -> str:
    """A measure's headline sentence (its `words` of metadata/headlines.yaml) for a printed
    figure; empty when there is none (the template says so for a printed dash)."""
    if total is None or total["status"] != "reported":
        return ""
    n = Decimal(total["value"])
    return fill(words["none" if n == 0 else "one" if n == 1 else "many"], area, report, number(n))


def fill(text: str, area: str, report: dict[str, str], n: str = "") -> str:
    """A text of metadata/headlines.yaml with its placeholders filled with values, as plain text
    (the template escapes it). load has checked that it names no other placeholder and holds no
    other brace, so no attribute, index or format spec can run."""
    return text.format(n=n, area=area, snapshot=long_date(report["snapshot_date"]),
                       start=long_date(report["period_start"]), end=long_date(report["period_end"]))


def breakdown_sentence(cells: list[dict[str, str]]) -> str:
    index = {(c["level"], c["category"]): c for c in cells if c["status"] == "reported"}
    total = index.get(("all", "all"))
    if total is None:
        return ""
    whole = total["value"]
    parts = []
    levels = [(lv, index[(lv, "all")]["value"]) for lv in ("1", "2", "3") if (lv, "all") in index]
    if len(levels) > 1:
        bits = [f"{number(v)} ({percent(v, whole)}) at level {lv}" for lv, v in levels]
        parts.append("By level: " + ", ".join(bits[:-1]) + " and " + bits[-1] + ".")
    cats = [(ct, index[("all", ct)]["value"]) for ct in CATEGORIES[:-1] if ("all", ct) in index]
    if len(cats) > 1:
        bits = [f"{number(v)} ({percent(v, whole)}) in category {ct}" for ct, v in cats]
        parts.append("By category: " + ", ".join(bits[:-1]) + " and " + bits[-1] + ".")
    return " ".join(parts)


def printed_as(cells: list[dict[str, str]]) -> str:
    """The printed title of a table, and for a single figure its printed row label too."""
    first = cells[0]
    if len(cells) == 1 and first["source_row"] and first["source_row"] != first["source_table"]:
        return f'"{first["source_table"]}", row "{first["source_row"]}"'
    return f'"{first["source_table"]}"'


def figure_words(value: str, status: str) -> str:
    """A figure of the corrections log as a reader says it."""
    return {"reported": number(value) if value else "", "not_applicable": "a dash (does not apply)",
            "not_published": "not published"}[status]


def year_ranges(years: list[str]) -> str:
    """['2018-19', '2019-20', '2021-22'] -> '2018-19 to 2019-20, 2021-22'."""
    starts = sorted(int(y[:4]) for y in years)
    runs: list[list[int]] = []
    for start in starts:
        if runs and start == runs[-1][-1] + 1:
            runs[-1].append(start)
        else:
            runs.append([start])

    def fy(start: int) -> str:
        return f"{start}-{str(start + 1)[-2:]}"

    return ", ".join(fy(r[0]) if len(r) == 1 else f"{fy(r[0])} to {fy(r[-1])}" for r in runs)
