"""Command line: python -m build_scripts <step>. The Makefile wraps these."""
from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

from build_scripts.errors import BuildError, MkDocsFailed
from build_scripts.lock import build_lock
from build_scripts.paths import Paths

# The steps that write the build's outputs: one at a time in a project (build_scripts/lock.py).
BUILD_STEPS = {"package", "docs", "site", "all", "release"}
# A file of thousands of bad rows is one mistake (a shifted column, a wrong file): the first
# problems say what it is.
PRINTED_PROBLEMS = 100


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
    new.add_argument("--into", help="folder to write the file in (default curated/reports; keying/ for a second "
                                    "keying)")
    draft = sub.add_parser("draft-report", help="draft the first keying of a report from its PDF, Word file or text")
    draft.add_argument("--from", dest="source", required=True, help="the report's document: .pdf, .docx or .txt")
    draft.add_argument("--area", help="area_id, when the document does not say it plainly")
    draft.add_argument("--year", help="financial year, when the tables' dates do not say it plainly")
    draft.add_argument("--into", help="keying: write the draft into keying/ (to compare with a file in curated/)")
    compare = sub.add_parser("compare-keyings", help="compare two independent keyings of one report, cell by cell")
    compare.add_argument("first", help="the first keying, e.g. curated/reports/norfolk-2024-25.csv")
    compare.add_argument("second", help="the second keying, e.g. keying/norfolk-2024-25.csv")
    release = sub.add_parser("release", help="freeze the working data as a release (curated/README.md, step 9)")
    release.add_argument("--version", required=True, help="the new version, e.g. 1.2.0")
    release.add_argument("--reason", help="why the figures it corrects changed (for every one of them)")
    release.add_argument("--date", help="the release date, YYYY-MM-DD (default: today)")
    status = sub.add_parser("status", help="say whether datapackage/ is a release (exit 1 with --require-released "
                                           "when it is not)")
    status.add_argument("--require-released", action="store_true")
    preview = sub.add_parser("preview", help="serve the site and update the changed pages on every save")
    preview.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    paths = Paths(root=Path(args.root).resolve()) if args.root else Paths()
    if not paths.root.is_dir():
        parser.error(f"--root {args.root}: no such folder")

    if args.step == "preview":
        import logging

        from build_scripts.curator.preview import serve

        logging.basicConfig(level=logging.INFO, format="%(levelname)-7s -  %(message)s", stream=sys.stderr)
        logging.getLogger("fontTools").setLevel(logging.WARNING)  # subsetting reports every glyph
        try:
            serve(paths, port=args.port)
        except BuildError as error:
            _print_problems(f"Preview not started: {len(error.problems)} problem(s) in the inputs.", error)
            return 1
        return 0

    if args.step == "status":
        state = _release_state(paths)
        print(state)
        return 1 if args.require_released and state.startswith("Not yet released") else 0
    if args.step == "compare-keyings":
        return _compare_keyings(paths, Path(args.first), Path(args.second))
    if args.step == "draft-report":
        return _draft_report(paths, args)
    try:
        with build_lock(paths.root, f"build_scripts {args.step}") if args.step in BUILD_STEPS \
                else contextlib.nullcontext():
            return _run(args, paths)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace, paths: Paths) -> int:
    try:
        if args.step == "release":
            from build_scripts.curator.release import release

            print(release(paths, args.version, args.reason, args.date))
            return 0
        if args.step == "new-report":
            from build_scripts.curator.new_report import new_report

            print(new_report(paths, args.area, args.year, Path(args.into) if args.into else None))
            return 0
        if args.step == "all":
            from build_scripts.build import build_all

            timings: dict[str, float] = {}
            t = time.perf_counter()
            urls = build_all(paths, timings)
            print(f"datapackage/ built and valid, docs/ built: {len(urls)} URLs, site/ built "
                  f"({time.perf_counter() - t:.1f} s: " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()) + ")")
            print(_release_state(paths))
        if args.step == "package":
            from build_scripts.build import build_package

            t = time.perf_counter()
            build_package(paths)
            print(f"datapackage/ built and valid ({time.perf_counter() - t:.1f} s)")
            print(_release_state(paths))
        if args.step == "docs":
            from build_scripts.build import build_docs

            t = time.perf_counter()
            urls = build_docs(paths)
            print(f"docs/ built: {len(urls)} URLs ({time.perf_counter() - t:.1f} s)")
        if args.step == "site":
            from build_scripts.build import build_site

            t = time.perf_counter()
            build_site(paths)
            print(f"site/ built ({time.perf_counter() - t:.1f} s)")
    except BuildError as error:
        what = "Release stopped" if args.step == "release" else "Build stopped"
        _print_problems(f"{what}: {len(error.problems)} problem(s) in the inputs. Nothing was changed.", error)
        return 1
    except MkDocsFailed as error:
        sys.stderr.write(error.output)
        print(f"Build stopped: {error}.", file=sys.stderr)
        return 1
    return 0


def _release_state(paths: Paths) -> str:
    """Whether the data just built are a release, and what to do when they are not."""
    import json

    from build_scripts.inputs.releases import read_releases

    version = json.loads((paths.datapackage / "datapackage.json").read_text(encoding="utf-8"))["version"]
    latest = read_releases(paths).latest
    if version == latest:
        return f"The data are release {latest}."
    since = f"differ from release {latest}" if latest else "have never been released"
    return (f"Not yet released: the data {since}. They are published at /data/latest/ as version {version}; "
            "make release VERSION=<next version> releases them (curated/README.md, step 9).")


def _print_problems(heading: str, error: BuildError) -> None:
    print(heading, file=sys.stderr)
    for problem in error.problems[:PRINTED_PROBLEMS]:
        print(f"  {problem}", file=sys.stderr)
    if len(error.problems) > PRINTED_PROBLEMS:
        print(f"  ... and {len(error.problems) - PRINTED_PROBLEMS} more problems, not shown", file=sys.stderr)


def _draft_report(paths: Paths, args: argparse.Namespace) -> int:
    """Exit 0 with the draft written; 1 with one line that says why nothing was written."""
    from build_scripts.curator.draft import DraftStopped, ReadFailed, draft_report

    try:
        print(draft_report(paths, Path(args.source), args.area or None, args.year or None, args.into or None))
    except (ReadFailed, DraftStopped) as stopped:
        print(f"Draft stopped: {stopped}", file=sys.stderr)
        return 1
    except BuildError as error:
        _print_problems(f"Draft stopped: {len(error.problems)} problem(s). Nothing was written.", error)
        return 1
    return 0


def _compare_keyings(paths: Paths, first: Path, second: Path) -> int:
    """Exit 0 when the keyings agree, 1 when they differ or a file is not a sound curated report."""
    from build_scripts.curator.second_keying import compare_keyings, report_lines

    try:
        comparison = compare_keyings(first, second, paths)
    except BuildError as error:
        _print_problems(f"Cannot compare the keyings: {len(error.problems)} problem(s) in the files. Fix them, then "
                        "compare again.", error)
        return 1
    print("\n".join(report_lines(comparison)))
    return 0 if comparison.agree else 1


if __name__ == "__main__":
    sys.exit(main())
