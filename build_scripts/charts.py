"""Step 3, charts: Altair specs from the data package, rendered to static SVG offline.

Each chart is cached by the hash of its spec, so a rebuild renders only charts whose data
changed; a cold build renders in parallel. Every chart has a title and a text alternative,
and its data table sits beside it on the page.
"""
from __future__ import annotations

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

from .dataset import Dataset, category_label, level_label, number

# Colours: each has at least 3:1 contrast with the white chart background (WCAG 1.4.11),
# and the three levels differ in lightness as well as hue. Charts keep a white background
# in the dark scheme too, so their text always has strong contrast.
LEVEL_COLOURS = {"Level 1": "#1f4e79", "Level 2": "#b35309", "Level 3": "#6a3d9a"}
BAR_COLOUR = "#1f4e79"
HIGHLIGHT_COLOUR = "#b35309"
TEXT_COLOUR = "#1b1b1b"
WIDTH = 520
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
RENDERER_VERSION = "vl-convert 1.9 / charts v3"  # bump to invalidate the cache


@dataclass(frozen=True)
class ChartJob:
    path: str  # relative to docs/, e.g. areas/staffordshire/2023-24/eligible.svg
    title: str
    alt: str
    spec: dict[str, Any]

    @property
    def key(self) -> str:
        payload = json.dumps(self.spec, sort_keys=True) + RENDERER_VERSION
        return hashlib.sha256(payload.encode()).hexdigest()


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


def matrix_chart(title: str, cells: list[dict[str, str]], unit: str) -> tuple[dict[str, Any], str] | None:
    """Stacked bars: one bar per category, split by level. Falls back to one bar per level
    when the report printed no category breakdown."""
    parts = [c for c in cells if c["status"] == "reported" and c["level"] != "all" and c["category"] != "all"]
    if parts:
        rows = [{"group": category_label(c["category"]), "level": level_label(c["level"]),
                 "value": float(c["value"])} for c in parts]
        df = pd.DataFrame(rows)
        totals = df.groupby("group", as_index=False)["value"].sum()
        # Label each bar with the total the report printed, which can differ from the sum of
        # its parts (see the quality register); fall back to the sum where none was printed.
        printed = {category_label(c["category"]): float(c["value"]) for c in cells
                   if c["level"] == "all" and c["category"] != "all" and c["status"] == "reported"}
        totals["value"] = [printed.get(g, v) for g, v in zip(totals["group"], totals["value"])]
        bars = alt.Chart(df).mark_bar().encode(
            y=alt.Y("group:N", title=None, sort=sorted(df["group"].unique())),
            x=alt.X("sum(value):Q", title=f"Number of {unit}", axis=alt.Axis(format=",d", tickMinStep=1)),
            color=alt.Color("level:N", title="Level", scale=alt.Scale(domain=list(LEVEL_COLOURS),
                                                                       range=list(LEVEL_COLOURS.values()))),
            order=alt.Order("level:N"),
        )
        totals["end"] = [float(df[df.group == g]["value"].sum()) for g in totals["group"]]
        labels = alt.Chart(totals).mark_text(align="left", dx=4, color=TEXT_COLOUR, fontSize=12).encode(
            y=alt.Y("group:N", sort=sorted(df["group"].unique())), x="end:Q", text=alt.Text("value:Q", format=",d"))
        summary = "; ".join(
            f"{g}: {number(Decimal(str(t)))} in total as printed ("
            + ", ".join(f"{r.level} {number(Decimal(str(r.value)))}" for r in df[df.group == g].itertuples())
            + ")" for g, t in zip(totals["group"], totals["value"]))
        alt_text = f"Stacked bar chart: {title}, by category and level. {summary}."
    else:
        levels = [c for c in cells if c["status"] == "reported" and c["level"] != "all"]
        if not levels:
            return None
        df = pd.DataFrame([{"group": level_label(c["level"]), "value": float(c["value"])} for c in levels])
        bars = alt.Chart(df).mark_bar(color=BAR_COLOUR).encode(
            y=alt.Y("group:N", title=None), x=alt.X("value:Q", title=f"Number of {unit}",
                                                     axis=alt.Axis(format=",d", tickMinStep=1)))
        labels = bars.mark_text(align="left", dx=4, color=TEXT_COLOUR, fontSize=12).encode(
            text=alt.Text("value:Q", format=",d"))
        alt_text = f"Bar chart: {title}, by level. " + "; ".join(
            f"{r.group}: {number(Decimal(str(r.value)))}" for r in df.itertuples()) + "."
    height = 28 * df["group"].nunique()
    chart = alt.layer(bars, labels).properties(width=WIDTH - 140, height=height)
    return _spec(chart), alt_text


def series_chart(title: str, points: list[tuple[str, str | None]], unit: str,
                 highlight: str | None = None) -> tuple[dict[str, Any], str]:
    """Bars over financial years. Built for 25+ years: the x axis lists every year held, and
    years with no published figure are shown as gaps, never as zero."""
    df = pd.DataFrame([{"year": y, "value": (float(v) if v not in (None, "") else None),
                        "label": ("not published" if v is None else ("not applicable" if v == "" else number(v))),
                        "current": "This report" if y == highlight else "Other years"} for y, v in points])
    years = [y for y, _ in points]
    x = alt.X("year:O", title="Financial year", sort=years, axis=alt.Axis(labelAngle=-45 if len(years) > 8 else 0))
    colour = (alt.Color("current:N", title=None, scale=alt.Scale(domain=["This report", "Other years"],
                                                                  range=[HIGHLIGHT_COLOUR, BAR_COLOUR]))
              if highlight and len(years) > 1 else alt.value(BAR_COLOUR))
    bars = alt.Chart(df).mark_bar().encode(x=x, y=alt.Y("value:Q", title=unit.capitalize(),
                                                        axis=alt.Axis(format=",d", tickMinStep=1)), color=colour)
    labels = alt.Chart(df).mark_text(dy=-6, color=TEXT_COLOUR, fontSize=11).encode(
        x=x, y="value:Q", text="label:N")
    step = max(22, min(60, (WIDTH - 80) // max(1, len(years))))
    chart = alt.layer(bars, labels).properties(width=alt.Step(step), height=180)
    described = "; ".join(f"{y}: {('not published' if v is None else 'not applicable' if v == '' else number(v))}"
                          for y, v in points)
    alt_text = f"Bar chart: {title}, by financial year. {described}."
    return _spec(chart), alt_text


def ranked_chart(title: str, rows: list[tuple[str, str]], unit: str) -> tuple[dict[str, Any], str]:
    """Horizontal bars, largest first: one bar per area, each label carrying its year."""
    df = pd.DataFrame([{"area": a, "value": float(v)} for a, v in rows])
    order = list(df.sort_values(["value", "area"], ascending=[False, True])["area"])
    bars = alt.Chart(df).mark_bar(color=BAR_COLOUR).encode(
        y=alt.Y("area:N", title=None, sort=order), x=alt.X("value:Q", title=unit.capitalize(),
                                                            axis=alt.Axis(format=",d", tickMinStep=1)))
    labels = bars.mark_text(align="left", dx=4, color=TEXT_COLOUR, fontSize=12).encode(
        text=alt.Text("value:Q", format=",d"))
    chart = alt.layer(bars, labels).properties(width=WIDTH - 220, height=24 * len(order))
    described = "; ".join(f"{a}: {number(Decimal(str(v)))}" for a, v in
                          sorted(((a, float(v)) for a, v in rows), key=lambda t: (-t[1], t[0])))
    return _spec(chart), f"Bar chart: {title}, largest first. {described}."


def _render(job_spec: str) -> str:
    import vl_convert as vlc  # imported in the worker process

    svg = vlc.vegalite_to_svg(json.loads(job_spec))
    return svg


def render_jobs(jobs: list[ChartJob], out_dir: Path, cache_dir: Path, workers: int | None = None) -> dict[str, int]:
    """Write each job's SVG under out_dir, rendering only those not in the cache."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    todo = {}
    for job in jobs:
        if not (cache_dir / f"{job.key}.svg").exists():
            todo[job.key] = job
    if todo:
        specs = [json.dumps(j.spec, sort_keys=True) for j in todo.values()]
        workers = workers or min(len(todo), os.cpu_count() or 1)
        if workers > 1 and len(todo) > 4:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                svgs = list(pool.map(_render, specs, chunksize=max(1, len(specs) // (workers * 4))))
        else:
            svgs = [_render(s) for s in specs]
        for key, job, svg in zip(todo, todo.values(), svgs):
            svg = svg.replace('class="marks"', f'class="marks" role="img" aria-label="{_attr(job.title)}"', 1)
            tmp = cache_dir / f"{key}.svg.tmp"
            tmp.write_text(svg, encoding="utf-8")
            tmp.replace(cache_dir / f"{key}.svg")
    for job in jobs:
        target = out_dir / job.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cache_dir / f"{job.key}.svg", target)
    return {"charts": len(jobs), "rendered": len(todo)}


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def svg_size(svg_path: Path) -> tuple[int, int]:
    head = svg_path.read_text(encoding="utf-8")[:400]
    import re

    width = re.search(r'width="(\d+)"', head)
    height = re.search(r'height="(\d+)"', head)
    return int(width.group(1)) if width else WIDTH, int(height.group(1)) if height else 200


def chart_jobs(data: Dataset) -> dict[str, ChartJob]:
    """Every chart on the site, keyed by an id the pages use to place them."""
    jobs: dict[str, ChartJob] = {}
    measures = data.measures_in_order()
    for area_id in sorted({r["area_id"] for r in data.reports.values()}):
        area = data.areas[area_id]
        reports = data.report_ids_for_area(area_id)
        years = [r["year"] for r in reports]
        for measure in measures:
            mid = measure["measure_id"]
            points = []
            for report in reports:
                obs = data.cell(report["report_id"], mid)
                points.append((report["year"], None if obs is None else obs["value"]))
            if all(v is None for _, v in points):
                continue
            title = f"{measure['short_label']}, {area['name']}"
            spec, alt_text = series_chart(title, points, measure["unit"])
            jobs[f"area:{area_id}:{mid}"] = ChartJob(f"areas/{area_id}/{mid}.svg", title, alt_text, spec)
            for report in reports:
                rid = report["report_id"]
                cells = data.cells(rid, mid)
                if not cells:
                    continue
                if measure["breakdown"] == "level_and_category":
                    title_y = f"{measure['label']}, {area['name']} {report['year']}"
                    made = matrix_chart(title_y, cells, measure["unit"])
                    if made is None:
                        continue
                    spec, alt_text = made
                else:
                    title_y = f"{measure['short_label']}, {area['name']}, all years held"
                    spec, alt_text = series_chart(title_y, points, measure["unit"], highlight=report["year"])
                jobs[f"report:{rid}:{mid}"] = ChartJob(f"areas/{area_id}/{report['year']}/{mid}.svg",
                                                       title_y, alt_text, spec)
        del years
    for measure in measures:
        latest = latest_by_area(data, measure["measure_id"])
        if not latest:
            continue
        rows = [(f"{data.areas[a]['name']} ({r['year']})", obs["value"]) for a, (r, obs) in sorted(latest.items())]
        title = f"{measure['short_label']}: latest year held for each area"
        spec, alt_text = ranked_chart(title, rows, measure["unit"])
        jobs[f"compare:{measure['measure_id']}"] = ChartJob(f"compare/{measure['measure_id']}.svg", title,
                                                            alt_text, spec)
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
