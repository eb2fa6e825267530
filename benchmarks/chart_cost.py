"""Where a chart's drawing time goes: the cost of each step for the charts of the current build.

    .venv/bin/python benchmarks/chart_cost.py          # after make site (reads datapackage/)

Prints one JSON object: milliseconds per chart for each step of charts._render (Vega-Lite to
Vega, Vega to SVG, the page SVG's font, the download SVG and PNG source, the 2x PNG), and what
vl-convert's SVG step costs with and without the chart's text (its marks, axes and titles), which
shows that laying out text (about a millisecond a string, in vl-convert's renderer) is most of it.
Single process, so the numbers add up to one core's work; `make bench` gives whole builds.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from build_scripts.steps import charts  # noqa: E402
from build_scripts.inputs.dataset import read_dataset  # noqa: E402
from build_scripts.paths import Paths  # noqa: E402


def without_text(node):
    """The Vega spec with its text marks, axis labels, ticks and titles taken out."""
    if isinstance(node, dict):
        if node.get("type") == "text":
            return None
        out = {}
        for key, value in node.items():
            if key == "title":
                continue
            if key == "axes":
                value = [dict(axis, labels=False, title=None, ticks=False) for axis in value]
            kept = without_text(value)
            if kept is not None:
                out[key] = kept
        return out
    if isinstance(node, list):
        return [kept for kept in (without_text(v) for v in node) if kept is not None]
    return node


def main() -> int:
    data = read_dataset(Paths().datapackage)
    jobs = list(charts.chart_jobs(data).values())
    vlc = charts.converter()
    vlc.vegalite_to_svg(jobs[0].spec())  # start the renderer (about half a second) outside the timing
    steps: dict[str, list[float]] = {}

    def timed(name, work, *args):
        started = time.perf_counter()
        result = work(*args)
        steps.setdefault(name, []).append(1000 * (time.perf_counter() - started))
        return result

    texts = []
    for job in jobs:
        vega = timed("vegalite_to_vega_ms", vlc.vegalite_to_vega, job.spec())
        svg = timed("vega_to_svg_ms", vlc.vega_to_svg, vega)
        timed("vega_to_svg_without_text_ms", vlc.vega_to_svg, without_text(vega))
        timed("page_svg_font_ms", charts.embed_font, svg)
        _, raster = timed("download_svg_and_png_source_ms", charts.framed, svg, job.title, job.source)
        timed("png_2x_ms", vlc.svg_to_png, raster, 2)
        texts.append(svg.count("<text"))
    result = {"charts": len(jobs), "text_elements_per_chart": round(statistics.mean(texts), 1)}
    result.update({name: round(statistics.mean(values), 1) for name, values in steps.items()})
    text_cost = result["vega_to_svg_ms"] - result["vega_to_svg_without_text_ms"]
    result["text_layout_ms_per_string"] = round(text_cost / result["text_elements_per_chart"], 2)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
