"""Step 3, charts: Altair specs from the data package, rendered to static SVG offline.

Each chart is cached by the hash of its spec, so a rebuild renders only charts whose data
changed; a cold build renders in parallel. Every chart has a title and a text alternative,
and its data table sits beside it on the page.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
from markupsafe import Markup

from .dataset import Dataset, category_label, level_label, number

# Colours: each has at least 3:1 contrast with the white chart background (WCAG 1.4.11),
# and the three levels differ in lightness as well as hue. Charts keep a white background
# in the dark scheme too, so their text always has strong contrast.
LEVEL_COLOURS = {"Level 1": "#1f4e79", "Level 2": "#b35309", "Level 3": "#6a3d9a"}
BAR_COLOUR = "#1f4e79"
TEXT_COLOUR = "#1b1b1b"
WIDTH = 520
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
RENDERER_VERSION = "vl-convert 1.9 / charts v4"  # bump to invalidate the cache


@dataclass(frozen=True)
class ChartJob:
    """A chart to draw. The key hashes the chart's inputs, so a cached SVG is reused without
    even building its spec; specs are built and rendered in worker processes."""

    path: str  # relative to docs/, e.g. areas/staffordshire/2023-24/eligible.svg
    title: str
    alt: str
    kind: str  # "matrix", "series" or "ranked"
    args: tuple

    @functools.cached_property
    def key(self) -> str:
        payload = json.dumps([self.kind, self.args, RENDERER_VERSION], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()

    def spec(self) -> dict[str, Any]:
        return SPEC_BUILDERS[self.kind](*self.args)


def _config(chart: alt.Chart) -> alt.Chart:
    return (chart.configure(font=FONT, background="white")
            .configure_axis(labelColor=TEXT_COLOUR, titleColor=TEXT_COLOUR, labelFontSize=12, titleFontSize=12,
                            gridColor="#d0d0d0", domainColor="#6b6b6b", tickColor="#6b6b6b")
            .configure_legend(labelColor=TEXT_COLOUR, titleColor=TEXT_COLOUR, labelFontSize=12, titleFontSize=12,
                              orient="bottom")
            .configure_title(color=TEXT_COLOUR, fontSize=14, anchor="start")
            .configure_view(stroke=None))


def _spec(chart: alt.Chart) -> dict[str, Any]:
    spec = _config(chart).to_dict()
    spec.pop("$schema", None)  # keep specs free of any URL
    return spec


def _matrix_rows(cells: list[dict[str, str]]) -> tuple[list[dict[str, Any]], dict[str, float], bool]:
    """Bar segments (category x level), printed category totals, and whether categories exist."""
    parts = [c for c in cells if c["status"] == "reported" and c["level"] != "all" and c["category"] != "all"]
    if parts:
        rows = [{"group": category_label(c["category"]), "level": level_label(c["level"]),
                 "value": float(c["value"])} for c in parts]
        # Label each bar with the total the report printed, which can differ from the sum of
        # its parts (see the quality register); fall back to the sum where none was printed.
        printed = {category_label(c["category"]): float(c["value"]) for c in cells
                   if c["level"] == "all" and c["category"] != "all" and c["status"] == "reported"}
        return rows, printed, True
    levels = [c for c in cells if c["status"] == "reported" and c["level"] != "all"]
    return [{"group": level_label(c["level"]), "value": float(c["value"])} for c in levels], {}, False


def _groups(rows: list[dict[str, Any]]) -> list[str]:
    return sorted({r["group"] for r in rows})


def matrix_alt(title: str, cells: list[dict[str, str]]) -> str | None:
    rows, printed, by_category = _matrix_rows(cells)
    if not rows:
        return None
    if by_category:
        parts = []
        for group in _groups(rows):
            mine = [r for r in rows if r["group"] == group]
            total = printed.get(group, sum(r["value"] for r in mine))
            parts.append(f"{group}: {number(Decimal(str(total)))} in total as printed ("
                         + ", ".join(f"{r['level']} {number(Decimal(str(r['value'])))}" for r in mine) + ")")
        return f"Stacked bar chart: {title}, by category and level. " + "; ".join(parts) + "."
    return f"Bar chart: {title}, by level. " + "; ".join(
        f"{r['group']}: {number(Decimal(str(r['value'])))}" for r in rows) + "."


def matrix_spec(cells: list[dict[str, str]], unit: str) -> dict[str, Any]:
    """Stacked bars: one bar per category, split by level. Falls back to one bar per level
    when the report printed no category breakdown."""
    rows, printed, by_category = _matrix_rows(cells)
    df = pd.DataFrame(rows)
    order = _groups(rows)
    x_axis = alt.Axis(format=",d", tickMinStep=1)
    if by_category:
        totals = pd.DataFrame([{"group": g, "value": printed.get(g, float(df[df.group == g]["value"].sum())),
                                "end": float(df[df.group == g]["value"].sum())} for g in order])
        bars = alt.Chart(df).mark_bar().encode(
            y=alt.Y("group:N", title=None, sort=order),
            x=alt.X("sum(value):Q", title=f"Number of {unit}", axis=x_axis),
            color=alt.Color("level:N", title="Level", scale=alt.Scale(domain=list(LEVEL_COLOURS),
                                                                       range=list(LEVEL_COLOURS.values()))),
            order=alt.Order("level:N"),
        )
        labels = alt.Chart(totals).mark_text(align="left", dx=4, color=TEXT_COLOUR, fontSize=12).encode(
            y=alt.Y("group:N", sort=order), x="end:Q", text=alt.Text("value:Q", format=",d"))
    else:
        bars = alt.Chart(df).mark_bar(color=BAR_COLOUR).encode(
            y=alt.Y("group:N", title=None, sort=order), x=alt.X("value:Q", title=f"Number of {unit}", axis=x_axis))
        labels = bars.mark_text(align="left", dx=4, color=TEXT_COLOUR, fontSize=12).encode(
            text=alt.Text("value:Q", format=",d"))
    chart = alt.layer(bars, labels).properties(width=WIDTH - 140, height=28 * len(order))
    return _spec(chart)


def matrix_chart(title: str, cells: list[dict[str, str]], unit: str) -> tuple[dict[str, Any], str] | None:
    alt_text = matrix_alt(title, cells)
    return None if alt_text is None else (matrix_spec(cells, unit), alt_text)


def _point_label(value: str | None) -> str:
    return "not published" if value is None else ("not applicable" if value == "" else number(value))


def series_alt(title: str, points: list[tuple[str, str | None]]) -> str:
    described = "; ".join(f"{y}: {_point_label(v)}" for y, v in points)
    return f"Bar chart: {title}, by financial year. {described}."


def series_spec(points: list[tuple[str, str | None]], unit: str) -> dict[str, Any]:
    """Bars over financial years. Built for 25+ years: the x axis lists every year held, and
    years with no published figure are shown as gaps, never as zero."""
    df = pd.DataFrame([{"year": y, "value": (float(v) if v not in (None, "") else None),
                        "label": _point_label(v)} for y, v in points])
    years = [y for y, _ in points]
    x = alt.X("year:O", title="Financial year", sort=years, axis=alt.Axis(labelAngle=-45 if len(years) > 8 else 0))
    bars = alt.Chart(df).mark_bar(color=BAR_COLOUR).encode(
        x=x, y=alt.Y("value:Q", title=unit.capitalize(), axis=alt.Axis(format=",d", tickMinStep=1)))
    labels = alt.Chart(df).mark_text(dy=-6, color=TEXT_COLOUR, fontSize=11).encode(x=x, y="value:Q", text="label:N")
    step = max(22, min(60, (WIDTH - 80) // max(1, len(years))))
    chart = alt.layer(bars, labels).properties(width=alt.Step(step), height=180)
    return _spec(chart)


def series_chart(title: str, points: list[tuple[str, str | None]], unit: str) -> tuple[dict[str, Any], str]:
    return series_spec(points, unit), series_alt(title, points)


def ranked_alt(title: str, rows: list[tuple[str, str]]) -> str:
    described = "; ".join(f"{a}: {number(Decimal(str(v)))}" for a, v in
                          sorted(((a, float(v)) for a, v in rows), key=lambda t: (-t[1], t[0])))
    return f"Bar chart: {title}, largest first. {described}."


def ranked_spec(rows: list[tuple[str, str]], unit: str) -> dict[str, Any]:
    """Horizontal bars, largest first: one bar per area, each label carrying its year."""
    df = pd.DataFrame([{"area": a, "value": float(v)} for a, v in rows])
    order = list(df.sort_values(["value", "area"], ascending=[False, True])["area"])
    bars = alt.Chart(df).mark_bar(color=BAR_COLOUR).encode(
        y=alt.Y("area:N", title=None, sort=order), x=alt.X("value:Q", title=unit.capitalize(),
                                                            axis=alt.Axis(format=",d", tickMinStep=1)))
    labels = bars.mark_text(align="left", dx=4, color=TEXT_COLOUR, fontSize=12).encode(
        text=alt.Text("value:Q", format=",d"))
    chart = alt.layer(bars, labels).properties(width=WIDTH - 220, height=24 * len(order))
    return _spec(chart)


SPEC_BUILDERS = {"matrix": matrix_spec, "series": series_spec, "ranked": ranked_spec}


def _render(job: ChartJob) -> str:
    import vl_convert as vlc  # imported in the worker process

    svg = vlc.vegalite_to_svg(job.spec())
    label = Markup('class="marks" role="img" aria-label="{}"').format(job.title)
    return svg.replace('class="marks"', label, 1)


def render_jobs(jobs: list[ChartJob], out_dir: Path, cache_dir: Path, workers: int | None = None) -> dict[str, int]:
    """Write each job's SVG under out_dir, rendering (in parallel) only those not in the cache.
    Files are hard-linked from the cache where possible, so unchanged charts cost no copying."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    todo: dict[str, ChartJob] = {}
    for job in jobs:
        if job.key not in todo and not (cache_dir / f"{job.key}.svg").exists():
            todo[job.key] = job
    if todo:
        pending = list(todo.values())
        workers = workers or min(len(pending), os.cpu_count() or 1)
        if workers > 1 and len(pending) > 4:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                svgs = list(pool.map(_render, pending, chunksize=max(1, min(32, len(pending) // (workers * 4)))))
        else:
            svgs = [_render(job) for job in pending]
        for job, svg in zip(pending, svgs, strict=True):
            tmp = cache_dir / f"{job.key}.svg.tmp"
            tmp.write_text(svg, encoding="utf-8")
            tmp.replace(cache_dir / f"{job.key}.svg")
    for job in jobs:
        target = out_dir / job.path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(cache_dir / f"{job.key}.svg", target)
        except OSError:
            shutil.copyfile(cache_dir / f"{job.key}.svg", target)
    return {"charts": len(jobs), "rendered": len(todo)}


@functools.lru_cache(maxsize=None)
def svg_size(svg_path: Path) -> tuple[int, int]:
    head = svg_path.read_text(encoding="utf-8")[:400]
    import re

    width = re.search(r'width="(\d+)"', head)
    height = re.search(r'height="(\d+)"', head)
    return int(width.group(1)) if width else WIDTH, int(height.group(1)) if height else 200


def _cells_args(cells: list[dict[str, str]]) -> list[dict[str, str]]:
    keep = ("level", "category", "value", "status")
    return [{k: c[k] for k in keep} for c in cells]


def chart_jobs(data: Dataset) -> dict[str, ChartJob]:
    """Every chart on the site, keyed by an id the pages use to place them.

    Single-figure measures get one chart per area (every year held); the area page and each
    of its year pages show that same file, so it is drawn once and cached once."""
    jobs: dict[str, ChartJob] = {}
    measures = data.measures_in_order()
    for area_id in sorted({r["area_id"] for r in data.reports.values()}):
        area = data.areas[area_id]
        reports = data.report_ids_for_area(area_id)
        for measure in measures:
            mid = measure["measure_id"]
            points = []
            for report in reports:
                obs = data.cell(report["report_id"], mid)
                points.append((report["year"], None if obs is None else obs["value"]))
            if all(v is None for _, v in points):
                continue
            title = f"{measure['short_label']}, {area['name']}, every year we hold"
            jobs[f"area:{area_id}:{mid}"] = ChartJob(f"areas/{area_id}/{mid}.svg", title, series_alt(title, points),
                                                     "series", (points, measure["unit"]))
            if measure["breakdown"] != "level_and_category":
                continue
            for report in reports:
                rid = report["report_id"]
                cells = data.cells(rid, mid)
                title_y = f"{measure['label']}, {area['name']} {report['year']}"
                alt_text = matrix_alt(title_y, cells) if cells else None
                if alt_text is None:
                    continue
                jobs[f"report:{rid}:{mid}"] = ChartJob(f"areas/{area_id}/{report['year']}/{mid}.svg", title_y,
                                                       alt_text, "matrix", (_cells_args(cells), measure["unit"]))
    for measure in measures:
        latest = latest_by_area(data, measure["measure_id"])
        if not latest:
            continue
        rows = [(f"{data.areas[a]['name']} ({r['year']})", obs["value"]) for a, (r, obs) in sorted(latest.items())]
        title = f"{measure['short_label']}: latest year held for each area"
        jobs[f"compare:{measure['measure_id']}"] = ChartJob(f"compare/{measure['measure_id']}.svg", title,
                                                            ranked_alt(title, rows), "ranked",
                                                            (rows, measure["unit"]))
    return jobs


def latest_by_area(data: Dataset, measure_id: str) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """For each area, its latest report that printed a number for this measure's total."""
    latest = {}
    for report in sorted(data.reports.values(), key=lambda r: r["year"]):
        obs = data.cell(report["report_id"], measure_id)
        if obs is not None and obs["status"] == "reported":
            latest[report["area_id"]] = (report, obs)
    return latest


def build_charts(data: Dataset, out_dir: Path, cache_dir: Path) -> tuple[dict[str, ChartJob], dict[str, int]]:
    """Entry point: load (data), process (chart jobs), save (SVG files)."""
    jobs = chart_jobs(data)
    stats = render_jobs(list(jobs.values()), out_dir, cache_dir)
    return jobs, stats
