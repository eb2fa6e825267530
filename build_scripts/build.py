"""The build, top to bottom: the five steps in the order they run, inside one transaction.

    1. load     steps/load.py     curated/ and metadata/, every input checked   -> Curated
    2. package  steps/package.py  the published tables, checked against the releases, written
                                  to a staging folder; frictionless validates them meanwhile
    3. charts   steps/charts.py   every chart, into the docs/ staging folder
    4. pages    steps/pages/      every page and download, into the same folder (one module per
                                  kind of page; build_pages in its __init__.py)
    5. site     steps/site.py     MkDocs' strict build of that folder, into a staging folder

Then, and only then, the transaction (transaction.py) publishes: datapackage/ (with
CITATION.cff beside the project), docs/ (with the URLs it adds to published-urls.txt) and site/,
a rename each. Any failure before that publishes nothing. `make site` runs build_all; the
smaller commands run a part of it the same way: build_package (make package), build_docs (make
docs, from datapackage/), build_site (step 5 alone, from docs/).
"""
from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import jinja2

from build_scripts.cache.memo import DiskMemo, environment_digest
from build_scripts.errors import BuildError, InputProblem
from build_scripts.inputs.dataset import Dataset, read_dataset
from build_scripts.inputs.metadata import rel
from build_scripts.inputs.releases import ReleaseState, read_releases
from build_scripts.inputs.urls import read_manifest
from build_scripts.paths import Paths
from build_scripts.render.citation import citation_cff
from build_scripts.steps.charts import build_charts
from build_scripts.steps.load import Curated, load
from build_scripts.steps.package import StagedPackage, contents, stage_package
from build_scripts.steps.pages import build_pages
from build_scripts.steps.site import run_mkdocs
from build_scripts.transaction import Transaction

MANIFEST_HEADER = (
    "# Every URL the site has published, one per line. The build adds new URLs; it never removes\n"
    "# one. A URL that stops being built must get a redirect (mkdocs.yml, plugins: redirects),\n"
    "# or tests/test_site.py fails.\n"
)


def build_all(paths: Paths = Paths(), timings: dict[str, float] | None = None) -> list[str]:
    """make site: the data package, docs/ and site/, published together. Returns the URLs."""
    clock = Clock(timings)
    with Transaction(paths.root) as transaction:
        with clock("load_validate_s"):
            curated = load(paths)                                                             # 1
            releases = read_releases(paths)
        with clock("package_s"):
            package = stage_package(curated, releases, paths, transaction.staging("datapackage"))   # 2
        try:
            docs = transaction.staging("docs")
            urls = docs_steps(paths, read_dataset(package.folder), docs, clock)                # 3, 4
            with clock("before_swap_s"):
                package.raise_if_invalid()
            site = transaction.staging("site")
            with clock("mkdocs_s"):
                run_mkdocs(paths, docs, site, json.loads(package.files["datapackage.json"]))    # 5
        except BuildError:
            raise
        except Exception:
            # The pages were built from a package not yet validated: if it is invalid, that is
            # the problem to report, not what it broke on the way.
            package.raise_if_invalid()
            raise
        finally:
            package.close()
        publish_package(paths, transaction, package)
        transaction.publish(docs, paths.docs)
        write_manifest(paths.url_manifest, urls)
        transaction.publish(site, paths.site)
    return urls


def build_package(paths: Paths = Paths(), timings: dict[str, float] | None = None) -> ReleaseState:
    """make package: steps 1 and 2; datapackage/ (and CITATION.cff) published once valid."""
    clock = Clock(timings)
    with Transaction(paths.root) as transaction:
        with clock("load_validate_s"):
            curated = load(paths)
            releases = read_releases(paths)
        with clock("package_s"):
            package = stage_package(curated, releases, paths, transaction.staging("datapackage"), in_background=False)
            package.raise_if_invalid()
            publish_package(paths, transaction, package)
    return package.state


def build_docs(paths: Paths = Paths(), timings: dict[str, float] | None = None, seen: dict | None = None,
               environment: str | None = None) -> list[str]:
    """make docs: steps 3 and 4 from datapackage/; docs/ published. `seen`, if given, receives
    the units of the build and their keys, and `environment` is the key of what they are made
    with (make preview)."""
    clock = Clock(timings)
    with Transaction(paths.root) as transaction:
        docs = transaction.staging("docs")
        urls = docs_steps(paths, read_dataset(paths.datapackage), docs, clock, seen, environment)
        transaction.publish(docs, paths.docs)
        write_manifest(paths.url_manifest, urls)
    return urls


def build_site(paths: Paths = Paths(), timings: dict[str, float] | None = None) -> Path:
    """Step 5 alone: MkDocs builds docs/ into site/."""
    clock = Clock(timings)
    descriptor = json.loads((paths.datapackage / "datapackage.json").read_text(encoding="utf-8"))
    with Transaction(paths.root) as transaction:
        site = transaction.staging("site")
        with clock("mkdocs_s"):
            run_mkdocs(paths, paths.docs, site, descriptor)
        transaction.publish(site, paths.site)
    return paths.site


def working_package(paths: Paths, releasing: str | None = None) -> tuple[Curated, dict[str, bytes], ReleaseState]:
    """Steps 1 and 2 in memory, for the curator's tools (make preview, make release): the checked
    inputs, the package's files and its release state. `releasing`: the version make release is
    making, which package.yaml then says."""
    curated = load(paths)
    files, state = contents(curated, read_releases(paths), paths, releasing)
    return curated, files, state


def save_package(paths: Paths, curated: Curated, files: dict[str, bytes], state: ReleaseState) -> None:
    """working_package's files, validated, published as datapackage/ (make preview's slow pass)."""
    with Transaction(paths.root) as transaction:
        folder = transaction.staging("datapackage")
        for name, data in files.items():
            (folder / name).write_bytes(data)
        package = StagedPackage(folder, files, state, citation_cff(curated.package), in_background=False)
        package.raise_if_invalid()
        publish_package(paths, transaction, package)


# -- the parts -------------------------------------------------------------------------------

def docs_steps(paths: Paths, data: Dataset, docs: Path, clock: Clock, seen: dict | None = None,
               environment: str | None = None) -> list[str]:
    """Steps 3 and 4: the charts and the pages, written into `docs` (a staging folder)."""
    memo = DiskMemo(docs, paths.cache / "pages", environment or environment_digest(paths.templates))
    with clock("charts_s"):
        charts, _stats = build_charts(data, docs, paths.cache / "charts")                      # 3
    with clock("pages_s"):
        try:
            urls = build_pages(data, charts, docs, paths, memo)                                # 4
        except jinja2.TemplateSyntaxError as error:
            raise BuildError([InputProblem(rel(Path(error.filename or paths.templates), paths.root), error.lineno,
                                           None, "a template Jinja can read",
                                           f"a mistake in it: {error.message}")]) from None
    if seen is not None:
        seen.update(memo.seen)
    return urls


def publish_package(paths: Paths, transaction: Transaction, package: StagedPackage) -> None:
    """datapackage/, and CITATION.cff beside the project, written from the same metadata."""
    transaction.publish(package.folder, paths.datapackage)
    (paths.root / "CITATION.cff").write_text(package.citation, encoding="utf-8")


def write_manifest(path: Path, urls: list[str]) -> None:
    merged = sorted(set(read_manifest(path)) | set(urls))
    # Written whole, then renamed: a build stopped mid-write must not lose a published URL.
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(MANIFEST_HEADER + "".join(f"{u}\n" for u in merged), encoding="utf-8")
    tmp.replace(path)


class Clock:
    """Seconds spent in each part of the build, into `timings` (printed by make site, read by
    the benchmark)."""

    def __init__(self, timings: dict[str, float] | None):
        self.timings = timings if timings is not None else {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started

