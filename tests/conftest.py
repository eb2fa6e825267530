"""Shared fixtures: temporary copies of the project, tiny hand-built inputs, one full build."""
from __future__ import annotations

import functools
import http.server
import shutil
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from build_scripts.paths import Paths  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# What a build reads. A copy of these is a complete, independent project.
INPUTS = ["curated", "metadata", "templates", "theme", "releases", "mkdocs.yml", "CHANGELOG.md",
          "published-urls.txt"]


def copy_project(target: Path, inputs=INPUTS) -> Paths:
    target.mkdir(parents=True, exist_ok=True)
    for name in inputs:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.exists():
            shutil.copy2(source, target / name)
    return Paths(root=target)


def copy_tiny_project(target: Path) -> Paths:
    """The real metadata with one tiny, consistent report, and a glossary (the terms it needs) and
    package.yaml of its own (tests/fixtures/tiny), laid out as the bad-input tests' line numbers
    expect, so editing or re-versioning the real ones moves no expected line."""
    paths = copy_project(target, inputs=["metadata", "templates", "theme", "mkdocs.yml", "CHANGELOG.md"])
    shutil.copytree(FIXTURES / "tiny", paths.root, dirs_exist_ok=True)
    return paths


@pytest.fixture
def tiny_project(tmp_path: Path) -> Paths:
    """A tiny project (copy_tiny_project) of its own for each test."""
    return copy_tiny_project(tmp_path / "tiny")


@pytest.fixture(scope="session")
def _packaged_tiny_projects(tmp_path_factory) -> dict:
    return {}


@pytest.fixture
def packaged_tiny_project(tmp_path: Path, tmp_path_factory, _packaged_tiny_projects):
    """A tiny project whose package is already built, with a quality register of the caller's
    (None keeps the tiny one). Each register's project is built once a session and copied to
    each test, caches and all: the many bad-input tests then pay for one build each, not two."""
    from build_scripts.build import build_package

    def make(register: str | None = None) -> Paths:
        if register not in _packaged_tiny_projects:
            built = copy_tiny_project(tmp_path_factory.mktemp("packaged-tiny") / "tiny")
            if register is not None:
                (built.metadata / "quality-register.yaml").write_text(register, encoding="utf-8")
            build_package(built)
            _packaged_tiny_projects[register] = built.root
        shutil.copytree(_packaged_tiny_projects[register], tmp_path / "tiny", symlinks=True)
        return Paths(root=tmp_path / "tiny")
    return make


def full_build(target: Path) -> Paths:
    from build_scripts.build import build_docs, build_package, build_site

    paths = copy_project(target)
    build_package(paths)
    build_docs(paths)
    build_site(paths)
    return paths


def site_pages(site: Path, pattern: str = "index.html") -> list[Path]:
    """The site's own pages, in order: every page matching `pattern` but the embed pages (a chart
    alone, for other sites' frames: no header, navigation or search, noindex)."""
    return sorted(p for p in site.rglob(pattern) if "embed" not in p.relative_to(site).parts)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Paths:
    """One full build (package, docs, site) of a fresh copy of the inputs, shared by the site tests."""
    return full_build(tmp_path_factory.mktemp("build") / "project")


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server(built):
    """The built site served on 127.0.0.1, as a reader's browser would fetch it."""
    handler = functools.partial(QuietHandler, directory=str(built.site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


# The real-data checks: what must hold for any data the curator adds (every printed cell
# published, every page built, every download and checksum right, every client loads it), as
# opposed to exact outputs, which are tested on fixtures. A test is one if it reads the built
# real project without a browser (the `built` fixture), or is marked `real_data` because it reads
# the committed files. tests/test_curator_workflow.py runs exactly these on a copy of the project
# to which it has added and released a made-up report: `pytest -m real_data`.
#
# The slow tests, left out of `make test-fast` (`pytest -m "not slow"`): every test that uses the
# full build, the browser or the server below is slow by construction; a test that builds a
# whole project or runs a whole command by itself says so with `@pytest.mark.slow`.
BROWSER_FIXTURES = {"browser", "server"}
SLOW_FIXTURES = {"built"} | BROWSER_FIXTURES


def pytest_collection_modifyitems(items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "built" in fixtures and not fixtures & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.real_data)
        if fixtures & SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)
