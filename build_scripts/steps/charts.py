"""Step 3, charts: Altair specs from the data package, rendered to static SVG offline.

Text that fits in every browser: charts are laid out by vl-convert with one font (Lato, from
the `font-lato` package) and each SVG carries that same font, subset to the characters it
uses, so the browser draws the text with the metrics it was measured with, whatever fonts
the reader's system has. Each chart is drawn twice: NARROW wide for a phone (never shrunk on a
390 px screen, so its text stays 12 px) and WIDE for the column of a desktop page; the page
shows the one that fits (a <picture> in the `figure` macro).

Every chart compares at least two values (a single figure is shown as a figure, not a
one-bar chart) and labels every bar. Every bar of a chart, across its panels, is drawn on one
scale from zero, so a bar's length is always proportional to its figure (tests/test_charts.py
reads every bar of every chart). Each chart also has a download version (SVG, and a PNG at
least 1200 px wide) with its title, source and licence drawn inside the image.

Each chart is cached by the hash of its inputs, so a rebuild renders only charts whose data
changed; a cold build renders in parallel.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import textwrap
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import altair as alt
import pandas as pd
from markupsafe import Markup

from build_scripts.cache import keys
from build_scripts.cache.memo import place
from build_scripts.inputs.dataset import Dataset, category_label, level_label, number
from build_scripts.render import images
from build_scripts.render.images import (
    FONT_FAMILY,
    FONT_SIZE,
    NARROW,
    TEXT_COLOUR,
    TEXT_LIBRARIES,
    WIDE,
    converter,
    embed_font,
    framed,
    text_width,
)
from build_scripts.workers import render_pool

# Colours: each has at least 3:1 contrast with the white chart background (WCAG 1.4.11).
# Charts keep a white background in the dark scheme too, so their text always has strong contrast.
BAR_COLOUR = "#1f4e79"
BAR_STEP = 22
# Beside the figure of a bar that a data-quality note concerns, in every image of the chart, and
# said under the chart in its download image and on the page (NOTED).
NOTE_MARK = "*"
NOTED = f"{NOTE_MARK} A data-quality note concerns each figure marked so: read it on the report's page of this site."
# Wrap longer row labels (area names) onto several lines: fewer lines where there is room.
LABEL_CHARS = {NARROW: 22, WIDE: 48}
# Packages whose version can change a chart's bytes (with the code that draws it: keys.py).
CHART_LIBRARIES = ("altair", "vl-convert-python", *TEXT_LIBRARIES, "brotli", "markupsafe")


@dataclass(frozen=True)
class ChartJob:
    """A chart to draw. The key hashes the chart's inputs, so a cached SVG is reused without
    even building its spec; specs are built and rendered in worker processes."""

    path: str  # relative to docs/, e.g. areas/staffordshire/2023-24/eligible.svg
    title: str
    alt: str
    kind: str  # "levels", "series" or "ranked"
    args: tuple
    download_stem: str  # e.g. areas/staffordshire/2023-24/staffordshire-2023-24-eligible
    source: str  # the source line drawn in the download image
    caveats: tuple[str, ...] = ()  # drawn in the download image, under the chart, before the source

    @property
    def noted(self) -> bool:
        """Whether a bar of the chart carries the mark of a data-quality note (NOTE_MARK)."""
        return NOTE_MARK in self.alt

    @functools.cached_property
    def key(self) -> str:
        return keys.key("chart", [self.kind, self.args, self.title, self.source, self.caveats], code=[__name__],
                        libraries=CHART_LIBRARIES)

    def spec(self, width: int = NARROW) -> dict[str, Any]:
        return _vegalite(*SPEC_PARTS[self.kind](*self.args, width=width))

    def altair_spec(self, width: int = NARROW) -> dict[str, Any]:
        """The same spec built by Altair in full (slow): what spec() must equal."""
        return altair_spec(*SPEC_PARTS[self.kind](*self.args, width=width))

    @property
    def wide_path(self) -> str:
        """The chart drawn for a desktop column, beside the phone's (e.g. .../eligible.wide.svg)."""
        return self.path.removesuffix(".svg") + ".wide.svg"

    @property
    def downloads(self) -> dict[str, str]:
        return {"svg": self.download_stem + ".svg", "png": self.download_stem + ".png"}


def _config(chart: alt.Chart) -> alt.Chart:
    # All text is one weight (normal), so one font file serves the whole chart.
    return (chart.configure(font=FONT_FAMILY, background="white", padding=4)
            .configure_axis(labelColor=TEXT_COLOUR, titleColor=TEXT_COLOUR, labelFontSize=FONT_SIZE,
                            titleFontSize=FONT_SIZE, titleFontWeight="normal", domain=False, ticks=False,
                            grid=False, labelPadding=6)
            .configure_header(labelColor=TEXT_COLOUR, labelFontSize=13, labelFontWeight="normal",
                              titleFontWeight="normal")
            .configure_text(font=FONT_FAMILY, fontSize=FONT_SIZE, color=TEXT_COLOUR)
            .configure_view(stroke=None))


def _wrap(label: str, chars: int) -> str:
    """Row labels longer than `chars` go on several lines ("|" is the line break)."""
    return "|".join(textwrap.wrap(label, chars)) or label


def _label(value: str | None) -> str:
    return "not published" if value is None else ("not applicable" if value == "" else number(value))


def _bars(rows: list[dict[str, Any]], order: list[str], bar_width: int, step: int) -> alt.LayerChart:
    """Horizontal bars, one per row, each labelled with its value as printed. Rows with no
    number (a dash, or a table not published) have no bar but keep their label."""
    y = alt.Y("row:N", title=None, sort=order,
              axis=alt.Axis(labelExpr="split(datum.label, '|')", labelLimit=0, labelLineHeight=14))
    bars = alt.Chart().mark_bar(color=BAR_COLOUR).encode(
        y=y, x=alt.X("value:Q", axis=None, scale=alt.Scale(zero=True, nice=False)))
    labels = alt.Chart().mark_text(align="left", dx=4).encode(y=y, x=alt.X("position:Q"), text="label:N")
    return alt.layer(bars, labels, data=pd.DataFrame(rows)).properties(width=bar_width, height=alt.Step(step))


def _panels(chart: alt.LayerChart, panels: list[str]) -> alt.FacetChart:
    """One panel per level, stacked, all on one scale (a facet's shared x scale): a bar's length
    means the same number in every panel."""
    return chart.facet(row=alt.Row("panel:N", title=None, sort=panels,
                                   header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start",
                                                     labelOrient="top", labelPadding=4)),
                       spacing=12)


def altair_spec(rows: list[dict[str, Any]], order: list[str], bar_width: int, panels: list[str] | None = None
                ) -> dict[str, Any]:
    """The chart's Vega-Lite spec as Altair writes it (validated against the schema)."""
    chart = _bars(rows, order, bar_width, _step(rows))
    spec = _config(_panels(chart, panels) if panels else chart).to_dict()
    spec.pop("$schema", None)  # keep specs free of any URL
    return spec


def _step(rows: list[dict[str, Any]]) -> int:
    lines = max(r["row"].count("|") + 1 for r in rows)
    return BAR_STEP if lines == 1 else 14 * lines + 8  # room for labels on several lines


# Altair takes ~40 ms to build, copy and validate each chart, more than drawing it. Every chart
# is one of two shapes (bars, or bars in level panels), so Altair writes each shape once per
# process, with placeholders, and each chart fills in its own data, order, width and height
# (tests/test_text.py checks the result equals Altair's own, chart by chart).
_WIDTH, _STEP, _ORDER, _PANELS = 900001, 900002, "\0order", "\0panels"


@functools.lru_cache(maxsize=None)
def _template(faceted: bool) -> dict[str, Any]:
    row = {"row": "\0row", "value": 1.0, "position": 1.0, "label": "\0label"}
    if faceted:
        row["panel"] = "\0panel"
    chart = _bars([row], [_ORDER], _WIDTH, _STEP)
    spec = _config(_panels(chart, [_PANELS]) if faceted else chart).to_dict()
    spec.pop("$schema", None)
    return spec


def _dataset_name(values: list[dict[str, Any]]) -> str:
    """The name Altair gives inline data: a hash of its values."""
    return "data-" + hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _vegalite(rows: list[dict[str, Any]], order: list[str], bar_width: int, panels: list[str] | None = None
              ) -> dict[str, Any]:
    """The chart's Vega-Lite spec, equal to altair_spec's, from the template of its shape."""
    template = _template(bool(panels))
    (placeholder,) = template["datasets"]
    name = _dataset_name(rows)
    fills = {_WIDTH: bar_width, _STEP: _step(rows), placeholder: name}

    def fill(node: Any) -> Any:
        if node is template["datasets"]:
            return {name: rows}
        if isinstance(node, dict):
            return {key: fill(value) for key, value in node.items()}
        if isinstance(node, list):
            return order if node == [_ORDER] else panels if node == [_PANELS] else [fill(v) for v in node]
        return fills.get(node, node) if type(node) in (int, str) else node

    return fill(template)


def _level_rows(cells: list[dict[str, str]]) -> tuple[dict[str, list[dict[str, Any]]], bool]:
    """Rows for each level panel: one bar per category (or, when the report printed no
    category breakdown, one panel with a bar per level)."""
    parts = [c for c in cells if c["level"] != "all" and c["category"] != "all"]
    if parts:
        panels: dict[str, list[dict[str, Any]]] = {}
        for c in parts:
            panels.setdefault(level_label(c["level"]), []).append(_row(category_label(c["category"]), c))
        return panels, True
    levels = [c for c in cells if c["level"] != "all"]
    return ({"All categories": [_row(level_label(c["level"]), c) for c in levels]} if levels else {}), False


def _row(label: str, cell: dict[str, str]) -> dict[str, Any]:
    value = float(cell["value"]) if cell["status"] == "reported" else None
    return {"row": label, "value": value, "position": value or 0.0,
            "label": _marked(number(cell["value"]) if value is not None else "not applicable",
                             bool(cell.get("quality_ids")))}


def _marked(label: str, noted: bool) -> str:
    """A bar's figure, with the mark of a data-quality note when one concerns it."""
    return f"{label} {NOTE_MARK}" if noted else label


def _bar_room(width: int, rows: list[dict[str, Any]]) -> float:
    """The length of the longest bar in a chart `width` wide, so that the chart uses its full
    width and no figure runs past it: the width less the padding (4 px a side), the row labels
    and their gap (6 px), and, after each bar, 4 px and its figure, each measured in the chart font."""
    row_labels = max(text_width(line, FONT_SIZE) for r in rows for line in r["row"].split("|"))
    room = width - 8 - row_labels - 6 - 2  # 2 px to spare for rounding
    longest = max((r["value"] or 0) for r in rows)
    bar = room
    for r in rows:
        if r["value"]:
            bar = min(bar, (room - 4 - text_width(r["label"], FONT_SIZE)) * longest / r["value"])
    return int(bar)


def _any_bar(values: list[str | None]) -> bool:
    """Whether a chart of these printed values would draw a bar: a chart of zeros and dashes has
    nothing to show that its table does not say better, so it is not drawn."""
    return any(v and Decimal(v) > 0 for v in values)


def levels_alt(title: str, cells: list[dict[str, str]]) -> str | None:
    panels, by_category = _level_rows(cells)
    rows = [r for panel_rows in panels.values() for r in panel_rows]
    if len(rows) < 2 or not any(r["value"] for r in rows):
        return None
    described = "; ".join(f"{panel}: " + ", ".join(f"{r['row']} {r['label']}" for r in rows)
                          for panel, rows in panels.items())
    if by_category and len(panels) > 1:
        return (f"Bar chart in {len(panels)} panels, one for each level, all on one scale: {title}, "
                f"by category. {described}.")
    return f"Bar chart: {title}. {described}."


def levels_parts(cells: list[dict[str, str]], width: int = NARROW
                 ) -> tuple[list[dict[str, Any]], list[str], int, list[str] | None]:
    """One panel per level, stacked on one scale from zero, so a bar at level 3 is as long, for
    the same number, as one at level 1; the few people at levels 2 and 3 are read from the
    labels every bar carries (the table below gives them too)."""
    panels, _ = _level_rows(cells)
    rows = [dict(r, panel=panel) for panel, panel_rows in panels.items() for r in panel_rows]
    order = sorted({r["row"] for r in rows})
    return rows, order, _bar_room(width, rows), list(panels) if len(panels) > 1 else None


def series_alt(title: str, points: list[tuple[str, str | None, bool]]) -> str:
    described = "; ".join(f"{y}: {_marked(_label(v), noted)}" for y, v, noted in points)
    return f"Bar chart: {title}, by financial year. {described}.{_noted_alt(p[2] for p in points)}"


def _noted_alt(flags) -> str:
    return f" {NOTED}" if any(flags) else ""


def series_parts(points: list[tuple[str, str | None, bool]], width: int = NARROW
                 ) -> tuple[list[dict[str, Any]], list[str], int, None]:
    """A bar for every financial year held, oldest at the top. Years with no published
    figure keep their row, labelled "not published", never drawn as zero."""
    rows = [{"row": y, "value": float(v) if v else None, "position": float(v) if v else 0.0,
             "label": _marked(_label(v), noted)} for y, v, noted in points]
    return rows, [y for y, _, _ in points], _bar_room(width, rows), None


def ranked_alt(title: str, rows: list[tuple[str, str, bool]]) -> str:
    described = "; ".join(f"{a}: {_marked(number(Decimal(str(v))), noted)}" for a, v, noted in
                          sorted(((a, float(v), noted) for a, v, noted in rows), key=lambda t: (-t[1], t[0])))
    return f"Bar chart: {title}, largest first. {described}.{_noted_alt(r[2] for r in rows)}"


def ranked_parts(rows: list[tuple[str, str, bool]], width: int = NARROW
                 ) -> tuple[list[dict[str, Any]], list[str], int, None]:
    """One bar per area, largest first; each label carries the area's year."""
    chars = LABEL_CHARS[width]
    data = [{"row": _wrap(a, chars), "value": float(v), "position": float(v), "label": _marked(number(v), noted)}
            for a, v, noted in rows]
    order = [r["row"] for r in sorted(data, key=lambda r: (-r["value"], r["row"]))]
    return data, order, _bar_room(width, data), None


def levels_spec(cells: list[dict[str, str]], width: int = NARROW) -> dict[str, Any]:
    return _vegalite(*levels_parts(cells, width=width))


SPEC_PARTS = {"levels": levels_parts, "series": series_parts, "ranked": ranked_parts}


# -- fonts -----------------------------------------------------------------------------------





















# -- downloads -------------------------------------------------------------------------------











# -- rendering ---------------------------------------------------------------------------------







# What a chart's cache entry holds, by suffix, and where each file goes under docs/. The .png is
# written last: it marks the set complete.
CACHED = (".svg", ".wide.svg", ".download.svg", ".png")


def _targets(job: ChartJob) -> tuple[str, ...]:
    return job.path, job.wide_path, job.downloads["svg"], job.downloads["png"]


def _render(job: ChartJob) -> tuple[str, str, str, bytes]:
    """The phone's chart, the desktop's, and the downloads: the desktop's chart with its title,
    source and licence, as SVG and as a PNG at twice its size (at least 1200 px wide)."""
    vlc = converter()
    label = Markup('class="marks" role="img" aria-label="{}"').format(job.title)
    narrow, wide = (vlc.vegalite_to_svg(job.spec(width)) for width in (NARROW, WIDE))
    download, raster = framed(wide, job.title, job.source, job.caveats)
    png = vlc.svg_to_png(raster, scale=2)
    return (embed_font(narrow.replace('class="marks"', label, 1)), embed_font(wide.replace('class="marks"', label, 1)),
            download, png)


def render_jobs(jobs: list[ChartJob], out_dir: Path, cache_dir: Path, workers: int | None = None,
                place_file: Callable[[Path, str], None] | None = None) -> dict[str, int]:
    """Write each job's SVG and downloads under out_dir, rendering (in parallel) only those not
    in the cache. Files are hard-linked from the cache where possible, so unchanged charts cost
    no copying."""
    images.use_font_cache(cache_dir.parent / "fonts")
    cache_dir.mkdir(parents=True, exist_ok=True)
    todo: dict[str, ChartJob] = {}
    for job in jobs:
        if job.key not in todo and not (cache_dir / f"{job.key}.png").exists():
            todo[job.key] = job
    if todo:
        pending = list(todo.values())
        workers = workers or min(len(pending), os.cpu_count() or 1)
        if workers > 1 and len(pending) > 4:
            with render_pool(workers) as pool:
                chunksize = max(1, min(32, len(pending) // (workers * 4)))
                # Written as they arrive, not gathered first: at full scale the PNGs alone are ~1 GB.
                for job, outputs in zip(pending, pool.map(_render, pending, chunksize=chunksize), strict=True):
                    _store(cache_dir, job, outputs)
        else:
            for job in pending:
                _store(cache_dir, job, _render(job))
    place_file = place_file or (lambda source, rel_path: place(source, out_dir / rel_path))
    for job in jobs:
        for suffix, target in zip(CACHED, _targets(job), strict=True):
            place_file(cache_dir / f"{job.key}{suffix}", target)
    return {"charts": len(jobs), "rendered": len(todo)}


def _store(cache_dir: Path, job: ChartJob, outputs: tuple[str, str, str, bytes]) -> None:
    for suffix, content in zip(CACHED, outputs, strict=True):
        tmp = cache_dir / f"{job.key}{suffix}.tmp"
        tmp.write_bytes(content.encode() if isinstance(content, str) else content)
        tmp.replace(cache_dir / f"{job.key}{suffix}")








def _cells_args(cells: list[dict[str, str]]) -> list[dict[str, str]]:
    keep = ("level", "category", "value", "status", "quality_ids")
    return [{k: c.get(k) or "" for k in keep} for c in cells]


def chart_jobs(data: Dataset) -> dict[str, ChartJob]:
    """Every chart on the site, keyed by an id the pages use to place them.

    Single-figure measures get one chart per area (every year held) when the area has at
    least two years to compare; it is on the area page, and each year page links to it."""
    jobs: dict[str, ChartJob] = {}
    measures = data.measures_in_order()
    site = data.descriptor["homepage"].rstrip("/") + "/"
    publisher = data.descriptor["contributors"][0]["title"]  # one name for the publisher, as in citations
    for area_id in sorted({r["area_id"] for r in data.reports.values()}):
        area = data.areas[area_id]
        reports = data.report_ids_for_area(area_id)
        for measure in measures:
            mid = measure["measure_id"]
            points = []
            for report in reports:
                obs = data.cell(report["report_id"], mid)
                points.append((report["year"], None if obs is None else obs["value"],
                               bool(obs and obs.get("quality_ids"))))
            if sum(1 for _, v, _ in points if v is not None) >= 2 and _any_bar([v for _, v, _ in points]):
                title = f"{measure['short_label']}, {area['name']}, every year we hold"
                source = (f"Source: MAPPA annual reports of {area['name']}, {points[0][0]} to {points[-1][0]}, "
                          f"as published by {publisher}, {site}areas/{area_id}/")
                alt_text = series_alt(title, points)
                jobs[f"area:{area_id}:{mid}"] = ChartJob(
                    f"areas/{area_id}/{mid}.svg", title, alt_text, "series", (points,),
                    f"areas/{area_id}/{area_id}-{mid}", source, (NOTED,) if NOTE_MARK in alt_text else ())
            if measure["breakdown"] != "level_and_category":
                continue
            for report in reports:
                rid = report["report_id"]
                cells = data.cells(rid, mid)
                title_y = f"{measure['label']}, {area['name']} {report['year']}"
                alt_text = levels_alt(title_y, cells) if cells else None
                if alt_text is None:
                    continue
                source = (f"Source: MAPPA annual report of {area['name']}, {report['year']}, as published by "
                          f"{publisher}, {site}areas/{area_id}/{report['year']}/")
                jobs[f"report:{rid}:{mid}"] = ChartJob(
                    f"areas/{area_id}/{report['year']}/{mid}.svg", title_y, alt_text, "levels", (_cells_args(cells),),
                    f"areas/{area_id}/{report['year']}/{rid}-{mid}", source, (NOTED,) if NOTE_MARK in alt_text else ())
    for measure in measures:
        latest = data.latest_by_area(measure["measure_id"])
        if len(latest) < 2 or not _any_bar([obs["value"] for _, obs in latest.values()]):
            continue
        rows = [(f"{data.areas[a]['name']} ({r['year']})", obs["value"], bool(obs.get("quality_ids")))
                for a, (r, obs) in sorted(latest.items())]
        title = f"{measure['short_label']}: latest year held for each area"
        source = (f"Source: MAPPA annual reports of each area, latest year held, as published by {publisher}, "
                  f"{site}compare/")
        years = sorted({r["year"] for r, _ in latest.values()})
        # Said in the image, which may be shared without the page: the bars are not one year's.
        caveat = (f"Each area's latest year held, from {years[0]} to {years[-1]}: the years differ"
                  + (", and so do the population bases of the rates" if measure["counts"] == "rate" else "")
                  + ". Compare with care." if len(years) > 1 else
                  ("The areas' population bases differ. Compare with care." if measure["counts"] == "rate" else ""))
        alt_text = ranked_alt(title, rows) + (f" {caveat}" if caveat else "")
        jobs[f"compare:{measure['measure_id']}"] = ChartJob(
            f"compare/{measure['measure_id']}.svg", title, alt_text, "ranked", (rows,),
            f"compare/compare-{measure['measure_id']}", source,
            tuple(c for c in (caveat, NOTED if NOTE_MARK in alt_text else "") if c))
    return jobs


def build_charts(data: Dataset, out_dir: Path, cache_dir: Path,
                 place_file: Callable[[Path, str], None] | None = None) -> tuple[dict[str, ChartJob], dict[str, int]]:
    """Entry point: load (data), process (chart jobs), save (SVG files and downloads)."""
    jobs = chart_jobs(data)
    stats = render_jobs(list(jobs.values()), out_dir, cache_dir, place_file=place_file)
    return jobs, stats
