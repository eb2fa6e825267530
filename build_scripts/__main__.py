"""Command line: python -m build_scripts <step>. The Makefile wraps these."""
from __future__ import annotations

import argparse
import sys
import time

from .errors import BuildError
from .paths import Paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m build_scripts", description=__doc__)
    parser.add_argument("--root", help="project folder (default: this repository)")
    sub = parser.add_subparsers(dest="step", required=True)
    sub.add_parser("package", help="curated/ -> datapackage/ (validated)")
    sub.add_parser("docs", help="datapackage/ -> docs/ (charts and pages)")
    sub.add_parser("site", help="docs/ -> site/ (mkdocs build --strict)")
    sub.add_parser("all", help="package, docs and site")
    new = sub.add_parser("new-report", help="write a blank curated CSV for a new area and year")
    new.add_argument("--area", required=True, help="area_id, e.g. staffordshire")
    new.add_argument("--year", required=True, help="financial year the tables cover, e.g. 2024-25")
    args = parser.parse_args(argv)
    paths = Paths(root=__import__("pathlib").Path(args.root).resolve()) if args.root else Paths()

    try:
        if args.step == "new-report":
            from .new_report import new_report

            print(new_report(paths, args.area, args.year))
            return 0
        if args.step in ("package", "all"):
            from .package import build_package

            t = time.perf_counter()
            build_package(paths)
            print(f"datapackage/ built and valid ({time.perf_counter() - t:.1f} s)")
        if args.step in ("docs", "all"):
            from .site import build_docs

            t = time.perf_counter()
            urls = build_docs(paths)
            print(f"docs/ built: {len(urls)} URLs ({time.perf_counter() - t:.1f} s)")
        if args.step in ("site", "all"):
            from .site import build_site

            t = time.perf_counter()
            build_site(paths)
            print(f"site/ built ({time.perf_counter() - t:.1f} s)")
    except BuildError as error:
        print(f"Build stopped: {len(error.problems)} problem(s) in the inputs. Nothing was changed.",
              file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
