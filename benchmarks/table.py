"""The README's table of measurements, made from what `make bench` saved in benchmarks/results/.

    python benchmarks/table.py           # print the table
    python benchmarks/table.py --write   # put it in README.md, between its two markers
    python benchmarks/table.py --check   # exit 1 unless README.md has exactly this table

A figure in the README is then always one that was measured, with the commit and the machine it
was measured on (tests/test_docs_honest.py runs --check).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
README = REPO / "README.md"
BEGIN = "<!-- measurements: made by benchmarks/table.py from benchmarks/results/; do not edit -->\n"
END = "<!-- end of measurements -->\n"
HEADER = ("| area-years | pages | cold build | rebuild after one change | its MkDocs step | stock `mkdocs build "
          "--strict` | preview of one save | repository growth per change | peak memory | first visit (gzip) "
          "| the search index, on first search (gzip) |\n"
          "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")


def seconds(value: float) -> str:
    return f"{value:.1f} s" if value >= 1 else f"{value:.2f} s"


def row(r: dict) -> str:
    cells = [f"{r['area_years']:,}", f"{r['pages']:,}",
             f"{seconds(r['cold_build_s'])} ({r['cold_vs_bare_mkdocs']:.1f}× stock MkDocs)",
             f"{seconds(r['rebuild_one_s'])} ({r['rebuild_vs_bare_mkdocs']:.2f}×)",
             seconds(r["rebuild_stages_s"]["mkdocs_s"]), seconds(r["bare_mkdocs_s"]), seconds(r["preview_one_s"]),
             f"{r['repo_bytes_one_report']:,} bytes", f"{round(r['peak_rss_mb']):,} MB",
             f"{r['first_visit_gzip_bytes']:,} bytes", f"{r['first_search_gzip_bytes']:,} bytes"]
    return "| " + " | ".join(cells) + " |\n"


def table(results: Path = RESULTS) -> str:
    records = sorted((json.loads(p.read_text(encoding="utf-8")) for p in results.glob("area-years-*.json")),
                     key=lambda r: r["area_years"])
    if not records:
        return BEGIN + "No measurement saved yet: run `make bench`.\n" + END
    machines = sorted({(m["cores"], m["memory_gib"], m["python"]) for m in (r["measured"] for r in records)})
    commits = sorted({(r["measured"]["date"], r["measured"]["commit"][:7]
                       + (" with uncommitted changes" if r["measured"]["uncommitted_changes"] else ""))
                      for r in records})
    runs = ", ".join(f"`{n}`" for n in (r["area_years"] for r in records))
    said = (f"Measured by `make bench AREA_YEARS=…` ({runs}) on "
            + "; ".join(f"{cores} cores, {memory} GiB, Python {python}" for cores, memory, python in machines)
            + ", at commit " + "; ".join(f"{commit} ({date})" for date, commit in commits) + ":\n\n")
    return BEGIN + said + HEADER + "".join(row(r) for r in records) + END


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true")
    action.add_argument("--check", action="store_true")
    args = parser.parse_args()
    made = table()
    if not (args.write or args.check):
        sys.stdout.write(made)
        return 0
    readme = README.read_text(encoding="utf-8")
    if readme.count(BEGIN) != 1 or readme.count(END) != 1:
        print(f"README.md: expected the markers {BEGIN.strip()} and {END.strip()} once each", file=sys.stderr)
        return 1
    before, rest = readme.split(BEGIN)
    current, after = rest.split(END)
    if args.check:
        if BEGIN + current + END == made:
            return 0
        print("README.md: the table of measurements is not what benchmarks/results/ holds; "
              "run `python benchmarks/table.py --write`", file=sys.stderr)
        return 1
    README.write_text(before + made + after, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
