"""Step 5, site: assemble docs/ (charts, pages, assets) and run `mkdocs build --strict`.

Both docs/ and site/ are built in a temporary folder and swapped in whole, so a failed
build never leaves a half-written folder behind.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import jinja2

from .charts import build_charts
from .dataset import Dataset, read_dataset
from .errors import BuildError, InputProblem, excerpt
from .lock import inherited_fds
from .memo import DiskMemo, environment_digest
from .package import stage_package, swap_in
from .metadata import read_csv_table, rel
from .pages import SENTENCES, build_pages
from .paths import REPO_ROOT, Paths
from .reproducible import source_date_epoch

URL_MANIFEST = "published-urls.txt"
MANIFEST_HEADER = (
    "# Every URL the site has published, one per line. The build adds new URLs; it never removes\n"
    "# one. A URL that stops being built must get a redirect (mkdocs.yml, plugins: redirects),\n"
    "# or tests/test_site.py fails.\n"
)


def read_manifest(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def write_manifest(path: Path, urls: list[str]) -> None:
    merged = sorted(set(read_manifest(path)) | set(urls))
    # Written whole, then renamed: a build stopped mid-write must not lose a published URL.
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(MANIFEST_HEADER + "".join(f"{u}\n" for u in merged), encoding="utf-8")
    tmp.replace(path)


def build_docs(paths: Paths = Paths(), timings: dict[str, float] | None = None,
               seen: dict | None = None, environment: str | None = None, datapackage: Path | None = None,
               before_swap: Callable[[Path], Any] = lambda staging: None) -> list[str]:
    """Entry point: write docs/ from datapackage/ (or the `datapackage` folder given). Returns the
    URLs of this build. `seen`, if given, receives the units of the build and their keys (for make
    preview). `before_swap(staging)` runs once docs/ is built in `staging`, before it is swapped
    in; if it raises, docs/ is left as it was (make site: the package's validation and MkDocs)."""
    timings = timings if timings is not None else {}
    started = time.perf_counter()
    data = read_dataset(datapackage or paths.datapackage)
    measures_without_sentences(data, paths)
    staging = Path(tempfile.mkdtemp(prefix=".docs-", dir=paths.root))
    staging.chmod(0o755)
    try:
        memo = DiskMemo(staging, paths.cache / "pages", environment or environment_digest(paths.templates))
        t = time.perf_counter()
        charts, _stats = build_charts(data, staging, paths.cache / "charts")
        timings["charts_s"] = time.perf_counter() - t
        t = time.perf_counter()
        try:
            urls = build_pages(data, charts, staging, paths, memo)
        except jinja2.TemplateSyntaxError as error:
            raise BuildError([InputProblem(rel(Path(error.filename or paths.templates), paths.root), error.lineno,
                                           None, "a template Jinja can read",
                                           f"a mistake in it: {error.message}")]) from None
        if seen is not None:
            seen.update(memo.seen)
        timings["pages_s"] = time.perf_counter() - t
        before_swap(staging)
        swap_in(staging, paths.docs)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    write_manifest(paths.root / URL_MANIFEST, urls)
    timings["docs_total_s"] = time.perf_counter() - started
    return urls


def measures_without_sentences(data: Dataset, paths: Paths) -> None:
    """Each measure's headline is a sentence written for it (pages.SENTENCES): a measure added to
    metadata/measures.csv needs one before any page is written. Raises BuildError."""
    missing = [measure_id for measure_id in data.measures if measure_id not in SENTENCES]
    if not missing:
        return
    try:
        table = read_csv_table(paths.metadata / "measures.csv", paths.root, ["measure_id"], "measure")
        lines = {row.get("measure_id"): line for line, row in zip(table.lines, table.rows, strict=True)}
    except BuildError:
        lines = {}
    raise BuildError([InputProblem("metadata/measures.csv", lines.get(measure_id, 1), "measure_id",
                                   "a measure the pages have a headline sentence for (a developer adds one to "
                                   "SENTENCES in build_scripts/pages.py)", excerpt(measure_id))
                      for measure_id in missing])


def build_all(paths: Paths = Paths(), timings: dict[str, float] | None = None) -> list[str]:
    """make site: the data package, docs/ and site/. frictionless validates the package in
    another process while docs/ is built from its staging folder; MkDocs then builds the site
    from the docs/ staging folder. Every step that can fail on the inputs (validation, charts,
    pages, MkDocs) runs before anything is published, so such a failure publishes none of them;
    then the package, docs/ and site/ are swapped in, a rename each, one after the other."""
    timings = timings if timings is not None else {}
    staged = stage_package(paths, timings)
    built: list[Path] = []

    def validate_then_build_site(docs_staging: Path) -> None:
        t = time.perf_counter()
        staged.raise_if_invalid()
        timings["before_swap_s"] = time.perf_counter() - t
        built.append(make_site(paths, docs_staging, staged.staging / "datapackage.json", timings))
        staged.publish()

    try:
        urls = build_docs(paths, timings, datapackage=staged.staging, before_swap=validate_then_build_site)
        swap_in(built[0], paths.site)
    except BuildError:
        raise
    except Exception:
        # The pages were built from a package not yet validated: if it is invalid, that is the
        # problem to report, not what it broke on the way.
        if staged.staging.exists():
            staged.raise_if_invalid()
        raise
    finally:
        staged.discard()
        for folder in built:
            if folder.exists():
                shutil.rmtree(folder)
    return urls


def build_site(paths: Paths = Paths(), timings: dict[str, float] | None = None) -> Path:
    """make site's last step alone: MkDocs builds docs/ into a temporary folder, swapped in as site/."""
    staging = make_site(paths, paths.docs, paths.datapackage / "datapackage.json", timings)
    try:
        swap_in(staging, paths.site)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return paths.site


def make_site(paths: Paths, docs_dir: Path, descriptor: Path, timings: dict[str, float] | None = None) -> Path:
    """`mkdocs build --strict` of `docs_dir` into a new temporary folder, returned; on failure the
    folder is deleted and SystemExit raised with MkDocs' messages. Conversions are cached in
    .cache/mkdocs (build_scripts/mkdocs_build.py); SOURCE_DATE_EPOCH comes from the package."""
    timings = timings if timings is not None else {}
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", str(source_date_epoch(json.loads(descriptor.read_text(encoding="utf-8")))))
    staging = Path(tempfile.mkdtemp(prefix=".site-", dir=paths.root))
    try:
        t = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "build_scripts.mkdocs_build", "--config-file", str(paths.root / "mkdocs.yml"),
             "--docs-dir", str(docs_dir), "--site-dir", str(staging), "--cache", str(paths.cache / "mkdocs")],
            cwd=REPO_ROOT, env=env, capture_output=True, text=True, pass_fds=inherited_fds())
        timings["mkdocs_s"] = time.perf_counter() - t
        if result.returncode != 0:
            sys.stderr.write(result.stdout + result.stderr)
            raise SystemExit(f"mkdocs build --strict failed (exit {result.returncode}); nothing was published")
        staging.chmod(0o755)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging
