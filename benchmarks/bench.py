"""Benchmark: build speed, memory and page weight at full scale, on synthetic data.

    make bench                   # 42 areas x 25 years = 1,050 area-years
    make bench AREA_YEARS=100    # a smaller run

Generates plausible curated inputs (totals add up) in a temporary folder, never beside the
real data, and measures, printing as its last line one JSON object:

- cold_build_s: `make site` with empty caches (every chart format drawn);
- rebuild_one_s: `make site` again after changing one figure of one report;
- bare_mkdocs_s: a stock `mkdocs build --strict` of the same pages, with SOURCE_DATE_EPOCH as
  make site sets it (the faster of two runs: the first can share the machine with the deletion
  of the folders the rebuild replaced). It converts every page; make site's MkDocs step
  (build_scripts/cache/mkdocs_build.py) converts only pages not in its cache, on every core;
- mkdocs_step_vs_bare: make site's MkDocs step in the rebuild against the stock build;
- preview_one_s: with `make preview` running, from saving one changed report to the server
  giving its page with the new figure (the median of three saves, each in another area);
- repo_bytes_one_report: what committing that change adds to a git repository of the
  project (a git bundle of that commit alone; .gitignore as in this repository);
- peak memory, the first visit's weight of an area-year page, and what opening the search adds
  (the search index, loaded only then).
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import platform
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from build_scripts.build import build_all  # noqa: E402
from build_scripts.paths import Paths  # noqa: E402
from build_scripts.reproducible import source_date_epoch  # noqa: E402

PROJECT_INPUTS = ["metadata", "templates", "theme", "mkdocs.yml", "CHANGELOG.md"]
FIRST_YEAR = 2000
HEADER = ["table", "row", "column", "value", "measure_id", "level", "category", "note"]


def financial_year(start: int) -> str:
    return f"{start}-{str(start + 1)[-2:]}"


def matrix(rng: random.Random, measure: str, levels: list[str], scale: dict[str, int],
           dash_level_1_cat_3: bool, bound: dict[tuple[str, str], int] | None = None) -> tuple[list[list[str]], dict]:
    """A level x category table whose row and column totals add up. A `bound` (another table's
    parts) keeps each part within it, so the rules across tables (crosschecks.py) hold too."""
    values = {}
    for level in levels:
        for category in ("1", "2", "3"):
            if level == "1" and category == "3" and dash_level_1_cat_3:
                values[(level, category)] = None
            else:
                top = scale[level] * (4 if category == "1" else 2)
                values[(level, category)] = rng.randint(0, min(top, bound.get((level, category), top)) if bound else top)
    rows = []
    for level in levels + ["all"]:
        for category in ("1", "2", "3", "all"):
            if level != "all" and category != "all":
                value = values[(level, category)]
            elif level != "all":
                value = sum(v for (lv, _), v in values.items() if lv == level and v is not None)
            elif category != "all":
                value = sum(v for (_, c), v in values.items() if c == category and v is not None)
            else:
                value = sum(v for v in values.values() if v is not None)
            printed = "-" if value is None else str(value)
            rows.append([f"Synthetic {measure}", "Total" if level == "all" else f"Level {level}",
                         "Total" if category == "all" else f"Category {category}", printed, measure, level,
                         category, ""])
    return rows, values


def synthetic_report(rng: random.Random, start: int) -> list[list[str]]:
    size = rng.randint(300, 4000)
    managed, bound = matrix(rng, "managed_l2_l3", ["2", "3"], {"2": 30, "3": 5}, False)
    rows, _ = matrix(rng, "eligible", ["1", "2", "3"], {"1": size // 4, "2": 5, "3": 2}, True, bound)
    rows += managed
    rows += matrix(rng, "custody_breach_licence", ["2", "3"], {"2": 8, "3": 2}, False, bound)[0]
    singles = {"breach_notification": 60, "notification_order": 6, "rso_per_100k": 160}
    if start >= 2012:
        singles["notification_revoked"] = 20
    if start >= 2015:
        singles.update(shpo=200, shpo_foreign_travel=3, sro_breach_notification=3)
    else:
        singles.update(sopo=120, foreign_travel_order=3)
    drawn = {}
    for measure, top in singles.items():
        # At most as many SHPOs with a foreign travel restriction as SHPOs (crosschecks.py).
        drawn[measure] = rng.randint(0, min(top, drawn.get("shpo", top)))
        rows.append([f"Synthetic {measure}", measure, "", str(drawn[measure]), measure, "all", "all", ""])
    return rows


def make_project(root: Path, area_years: int, seed: int = 2026) -> tuple[Paths, list[str]]:
    for name in PROJECT_INPUTS:
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
    (root / "metadata" / "quality-register.yaml").write_text("[]\n", encoding="utf-8")
    with (REPO / "metadata" / "areas.csv").open(encoding="utf-8") as handle:
        areas = [row["area_id"] for row in csv.DictReader(handle)]
    rng = random.Random(seed)
    reports_dir = root / "curated" / "reports"
    reports_dir.mkdir(parents=True)
    register = [["report_id", "area_id", "year", "title_as_printed", "period_start", "period_end", "snapshot_date",
                 "population_base", "population_base_published", "publisher", "source_title", "source_url",
                 "source_accessed"]]
    ids = []
    for i in range(area_years):
        area, start = areas[i % len(areas)], FIRST_YEAR + i // len(areas)
        year = financial_year(start)
        report_id = f"{area}-{year}"
        ids.append(report_id)
        with (reports_dir / f"{report_id}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(HEADER)
            writer.writerows(synthetic_report(rng, start))
        register.append([report_id, area, year, f"Synthetic report {year}", f"{start}-04-01", f"{start + 1}-03-31",
                         f"{start + 1}-03-31", f"Synthetic mid-{start} estimate", "", "Synthetic SMB",
                         f"Synthetic report {report_id}", "", ""])
    with (root / "curated" / "reports.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(register)
    return Paths(root=root), ids


STAGES = ("load_validate_s", "package_s", "charts_s", "pages_s", "before_swap_s", "mkdocs_s")


def full_build(paths: Paths) -> dict[str, float]:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    build_all(paths, timings)  # what make site runs
    timings["total_s"] = time.perf_counter() - started
    return {k: round(v, 2) for k, v in timings.items()}


def change_one_report(paths: Paths, report_id: str, by: int = 1) -> str:
    """Change one printed single figure (totals still add up). Returns the new figure as pages
    print it."""
    path = paths.report_files / f"{report_id}.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    for row in rows:
        if row[4] == "notification_order":
            row[3] = str(int(row[3]) + by)
            new = int(row[3])
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return f"{new:,}"


def git(root: Path, *args: str) -> str:
    # gc.auto=0: a commit of thousands of files would start a background gc that the measured
    # `git gc` then collides with.
    command = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", "-c", "gc.auto=0", *args]
    return subprocess.run(command, cwd=root, check=True, capture_output=True, text=True).stdout


def packed_bytes(root: Path) -> int:
    git(root, "gc", "--quiet")
    counts = dict(line.split(": ") for line in git(root, "count-objects", "-v").splitlines())
    return (int(counts["size-pack"]) + int(counts["size"])) * 1024


def commit_all(root: Path, message: str) -> int:
    """Commit what the repository commits (its .gitignore); returns the packed size after."""
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", message)
    return packed_bytes(root)


def commit_bytes(root: Path) -> int:
    """What the last commit adds to the repository: the size of a bundle of it alone (its new
    objects, delta-compressed against the commit before), which is what a clone that already has
    the parent fetches. Differences of packed sizes can come out negative when git repacks."""
    bundle = root.parent / "last-commit.bundle"
    git(root, "bundle", "create", str(bundle), "HEAD^..HEAD")
    try:
        return bundle.stat().st_size
    finally:
        bundle.unlink()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    return urllib.request.urlopen(url, timeout=60).read().decode("utf-8")


def preview_times(paths: Paths, report_ids: list[str], pause: float) -> dict[str, float]:
    """Start `make preview`'s command, then save a changed report at a time and time until the
    server gives its page with the new figure."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/mappa-statistics/"
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "build_scripts", "--root", str(paths.root), "preview",
                                "--port", str(port)], cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=(paths.root / "preview.log").open("w"))  # kept with --keep
    try:
        while True:
            try:
                fetch(base)
                break
            except OSError:
                if process.poll() is not None:
                    raise SystemExit("make preview stopped") from None
                time.sleep(0.5)
        start_s = time.perf_counter() - started
        times = []
        for report_id in report_ids:
            area, year = re.match(r"(.+)-(\d{4}-\d{2})$", report_id).groups()
            url = f"{base}areas/{area}/{year}/"
            figure = change_one_report(paths, report_id, by=1000)
            saved = time.perf_counter()
            while figure not in fetch(url):
                time.sleep(0.02)
            times.append(time.perf_counter() - saved)
            time.sleep(pause)  # let the slow pass (package, data page) finish before the next save
        return {"preview_start_s": round(start_s, 2), "preview_one_s": round(statistics.median(times), 2),
                "preview_each_s": [round(t, 2) for t in times]}
    finally:
        process.terminate()
        process.wait(timeout=60)


def bare_mkdocs(paths: Paths) -> float:
    """A stock `mkdocs build --strict` (not --quiet, which stops strict mode counting warnings) with
    make site's SOURCE_DATE_EPOCH (without it, MkDocs took 7 s longer at 1,050 area-years, which
    would flatter the ratio), into a folder beside the project."""
    out = Path(tempfile.mkdtemp(prefix="bare-site-", dir=paths.root.parent))
    descriptor = json.loads((paths.datapackage / "datapackage.json").read_text(encoding="utf-8"))
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(source_date_epoch(descriptor)))
    try:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
                        str(paths.root / "mkdocs.yml"), "--site-dir", str(out)], cwd=paths.root, check=True,
                       capture_output=True, env=env)
        return round(time.perf_counter() - started, 2)
    finally:
        shutil.rmtree(out, ignore_errors=True)


class Resources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.config = ""
        self._in_config = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("rel") in ("stylesheet", "icon") and a.get("href"):
            self.urls.append(a["href"])
        if tag in ("script", "img") and a.get("src"):
            self.urls.append(a["src"])
        if tag == "script" and a.get("id") == "__config":
            self._in_config = True

    def handle_data(self, data):
        if self._in_config:
            self.config += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_config = False


def first_visit_files(site: Path, page: str) -> tuple[list[Path], Path | None]:
    """What a browser downloads on a first visit to `page` (the HTML, its CSS, JS, images: every
    chart, though they load lazily, and Material's search worker), and the search index, which
    theme/assets/javascripts/search-on-demand.js holds back until the reader goes to the search
    (None if the page loads it at once: then it is one of the first visit's files).
    tests/test_browser.py checks that Chromium asks for nothing else."""
    html_path = site / page / "index.html"
    parser = Resources()
    parser.feed(html_path.read_text(encoding="utf-8"))
    files = [html_path]
    for url in parser.urls:
        files.append((html_path.parent / url.split("#")[0].split("?")[0]).resolve())
    config = json.loads(parser.config or "{}")
    on_demand = None
    if "search" in config:
        # Both paths in Material's config are relative to the page.
        files.append((html_path.parent / config["search"]).resolve())
        index = (html_path.parent / config.get("base", ".") / "search" / "search_index.json").resolve()
        if any(f.name == "search-on-demand.js" for f in files):
            on_demand = index
        else:
            files.append(index)
    return files, on_demand


def first_visit(site: Path, page: str) -> dict[str, int]:
    """The first visit's weight, raw and gzip, and what opening the search adds to it."""
    def gzip_size(f: Path) -> int:
        return len(gzip.compress(f.read_bytes(), compresslevel=6, mtime=0))
    files, on_demand = first_visit_files(site, page)
    return {"first_visit_raw_bytes": sum(f.stat().st_size for f in files),
            "first_visit_gzip_bytes": sum(gzip_size(f) for f in files), "first_visit_files": len(files),
            "first_search_gzip_bytes": gzip_size(on_demand) if on_demand else 0}


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def save(path: Path, result: dict) -> None:
    """A measurement kept with what it was measured on: the commit (and whether the tree had
    uncommitted changes), the machine's cores and memory, and the day."""
    def git_out(*args: str) -> str:
        return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True).stdout.strip()
    memory_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal:"))
    record = {"measured": {"date": time.strftime("%Y-%m-%d"), "commit": git_out("rev-parse", "HEAD"),
                           "uncommitted_changes": bool(git_out("status", "--porcelain", "--untracked-files=no")),
                           "cores": os.cpu_count(), "memory_gib": round(memory_kib / 1024 / 1024),
                           "python": platform.python_version()},
              **result}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--area-years", type=int, default=1050)
    parser.add_argument("--keep", action="store_true", help="keep the temporary project")
    parser.add_argument("--weight-only", action="store_true",
                        help="one cold build, then the first visit's weight alone (no timings; nothing saved)")
    parser.add_argument("--preview-pause", type=float, default=15.0,
                        help="seconds between the preview's saves (its slow pass runs meanwhile)")
    parser.add_argument("--save", type=Path, metavar="FOLDER",
                        help="also write the figures, the machine and the commit measured to "
                             "FOLDER/area-years-N.json (the README's table is made from these)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="mappa-bench-"))
    try:
        paths, ids = make_project(root / "project", args.area_years)
        print(f"synthetic project: {args.area_years} area-years in {paths.root}", file=sys.stderr)
        cold = full_build(paths)
        print(f"cold build: {cold}", file=sys.stderr)
        if args.weight_only:
            area, year = re.match(r"(.+)-(\d{4}-\d{2})$", ids[-1]).groups()
            print(json.dumps({"area_years": args.area_years, **first_visit(paths.site, f"areas/{area}/{year}")}))
            return 0
        shutil.copy2(REPO / ".gitignore", paths.root / ".gitignore")
        git(paths.root, "init", "--quiet")
        before = commit_all(paths.root, "cold build")
        change_one_report(paths, ids[len(ids) // 2])
        rebuild = full_build(paths)
        print(f"rebuild after changing one report: {rebuild}", file=sys.stderr)
        commit_all(paths.root, "one report changed")
        repo_bytes = commit_bytes(paths.root)
        bare = min(bare_mkdocs(paths), bare_mkdocs(paths))
        preview = preview_times(paths, [ids[len(ids) // 3], ids[len(ids) // 4], ids[len(ids) // 5]],
                                args.preview_pause)
        print(f"preview: {preview}", file=sys.stderr)
        pages = sum(1 for _ in paths.site.rglob("index.html"))
        area, year = re.match(r"(.+)-(\d{4}-\d{2})$", ids[-1]).groups()
        weight = first_visit(paths.site, f"areas/{area}/{year}")
        result = {
            "area_years": args.area_years,
            "pages": pages,
            "cold_build_s": cold["total_s"],
            "rebuild_one_s": rebuild["total_s"],
            "bare_mkdocs_s": bare,
            "rebuild_vs_bare_mkdocs": round(rebuild["total_s"] / bare, 2),
            "mkdocs_step_vs_bare": round(rebuild["mkdocs_s"] / bare, 2),
            "cold_vs_bare_mkdocs": round(cold["total_s"] / bare, 2),
            **preview,
            "repo_bytes_one_report": repo_bytes,
            "repo_bytes_total": before + repo_bytes,
            "peak_rss_mb": peak_rss_mb(),
            **weight,
            "first_visit_page": f"/areas/{area}/{year}/",
            # before_swap_s: waiting for the package's validation, which runs while docs/ is built.
            "cold_stages_s": {k: cold[k] for k in STAGES},
            "rebuild_stages_s": {k: rebuild[k] for k in STAGES},
        }
        print(json.dumps(result))
        if args.save:
            save(args.save / f"area-years-{args.area_years}.json", result)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
