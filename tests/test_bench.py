"""The benchmark script keeps working: a tiny run prints the JSON line the issue asks for,
and its synthetic reports pass the build (so their totals add up). Speed itself is measured by
`make bench`, not by tests."""
import json
import subprocess
import sys

import pytest
from conftest import REPO

# Whole builds of synthetic projects, and every chart of the package drawn.
pytestmark = pytest.mark.slow

KEYS = {"area_years", "pages", "cold_build_s", "rebuild_one_s", "bare_mkdocs_s", "peak_rss_mb",
        "first_visit_gzip_bytes", "first_visit_raw_bytes", "first_search_gzip_bytes", "cold_stages_s", "rebuild_stages_s",
        "preview_one_s", "repo_bytes_one_report", "cold_vs_bare_mkdocs",
        "rebuild_vs_bare_mkdocs", "mkdocs_step_vs_bare"}
STAGES = {"load_validate_s", "package_s", "charts_s", "pages_s", "before_swap_s", "mkdocs_s"}


def test_tiny_benchmark_run_prints_its_figures():
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench.py"), "--area-years", "3",
                             "--preview-pause", "3"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert KEYS <= set(figures)
    assert figures["area_years"] == 3
    assert set(figures["cold_stages_s"]) == set(figures["rebuild_stages_s"]) == STAGES
    assert figures["first_visit_gzip_bytes"] < figures["first_visit_raw_bytes"]
    # The search index is loaded when the reader goes to the search, not with the page.
    assert figures["first_search_gzip_bytes"] > 0
    # 3 area-year pages, 3 area pages, and the fixed pages (home, areas, compare, glossary, data, ...).
    assert figures["pages"] > 6
    assert 0 < figures["preview_one_s"] < 60
    # One changed figure adds a little text to the repository, never the binaries.
    assert 0 < figures["repo_bytes_one_report"] < 200_000


def test_chart_cost_splits_a_charts_drawing_time():
    """benchmarks/chart_cost.py runs on the committed package and gives every step's cost."""
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "chart_cost.py")],
                            capture_output=True, text=True, timeout=600, cwd=REPO)
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    steps = ["vegalite_to_vega_ms", "vega_to_svg_ms", "vega_to_svg_without_text_ms", "page_svg_font_ms",
             "download_svg_and_png_source_ms", "png_2x_ms"]
    assert figures["charts"] > 0 and figures["text_elements_per_chart"] > 0
    assert all(figures[step] >= 0 for step in steps)
    assert figures["vega_to_svg_without_text_ms"] < figures["vega_to_svg_ms"]
