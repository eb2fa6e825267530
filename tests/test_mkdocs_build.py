"""MkDocs with cached, parallel page conversions (build_scripts/cache/mkdocs_build.py): the same site
as a stock `mkdocs build --strict`, byte for byte, and every warning still stops the build."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Whole MkDocs sites built, stock and ours, cold and from the cache.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
PAGES = 40  # more than PARALLEL_FROM, so a cold build converts in worker processes
CONFIG = """\
site_name: Test
site_url: https://example.org/test/
theme:
  name: material
  font: false
plugins:
  - search
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - toc:
      permalink: true
validation:
  absolute_links: info
  anchors: warn
  unrecognized_links: warn
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    docs = tmp_path / "docs"
    (docs / "pages").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n\nSee [the target](target.md#the-part) and [page 7](pages/p7.md).\n",
                                   encoding="utf-8")
    (docs / "target.md").write_text("# Target\n\n## The part\n\nText.\n", encoding="utf-8")
    for i in range(PAGES):
        (docs / "pages" / f"p{i}.md").write_text(
            f"# Page {i}\n\n## Figures {{: #figures-{i} }}\n\n| A | B |\n|---|---|\n| {i} | {i * i:,} |\n\n"
            f"[Home](../index.md) <span class=\"x\">raw {i}</span>\n\n!!! note \"Note {i}\"\n    A *note*.\n\n"
            f"<div markdown id=\"block-{i}\">\n**In HTML** [home](../index.md)\n</div>\n", encoding="utf-8")
    return tmp_path


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True)


def ours(project: Path, site: str) -> subprocess.CompletedProcess:
    return run("-m", "build_scripts.cache.mkdocs_build", "--config-file", str(project / "mkdocs.yml"),
               "--docs-dir", str(project / "docs"), "--site-dir", str(project / site),
               "--cache", str(project / "cache"), "--workers", "2")


def stock(project: Path, site: str, *flags: str) -> subprocess.CompletedProcess:
    return run("-m", "mkdocs", "build", "--strict", *flags, "--site-dir", str(project / site), cwd=project)


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def entries(project: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (project / "cache").glob("*/*.json")}


def test_the_site_is_byte_identical_to_a_stock_build_cold_and_from_the_cache(project):
    assert stock(project, "stock").returncode == 0
    cold = ours(project, "cold")
    assert cold.returncode == 0, cold.stderr
    assert cold.stdout.strip() == f"MkDocs: {PAGES + 2} pages, {PAGES + 2} converted ({PAGES + 2} in parallel), " \
                                  "0 from the cache"
    cached = entries(project)
    assert len(cached) == PAGES + 2
    warm = ours(project, "warm")
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout.strip() == f"MkDocs: {PAGES + 2} pages, 0 converted (0 in parallel), {PAGES + 2} from the cache"
    assert entries(project) == cached  # read, not rewritten
    expected = tree(project / "stock")
    assert len(expected) > PAGES
    assert tree(project / "cold") == expected
    assert tree(project / "warm") == expected


def test_only_the_changed_page_is_converted_again_and_the_old_conversion_is_dropped(project):
    assert ours(project, "first").returncode == 0
    before = entries(project)
    page = project / "docs/pages/p3.md"
    page.write_text(page.read_text(encoding="utf-8").replace("| 3 |", "| 33 |"), encoding="utf-8")
    again = ours(project, "second")
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"MkDocs: {PAGES + 2} pages, 1 converted (0 in parallel), {PAGES + 1} from the cache"
    after = entries(project)
    assert len(after) == len(before) and len(set(after) - set(before)) == 1
    assert stock(project, "stock").returncode == 0
    assert tree(project / "second") == tree(project / "stock")


def test_a_broken_link_stops_the_build_every_time_though_quiet_mkdocs_lets_it_pass(project):
    (project / "docs/pages/p5.md").write_text("# Page 5\n\n[Gone](../missing.md)\n", encoding="utf-8")
    for attempt in ("one", "two"):  # a conversion that warned is never cached
        result = ours(project, attempt)
        assert result.returncode == 1
        assert "Doc file 'pages/p5.md' contains a link '../missing.md'" in result.stderr
        assert "Aborted with 1 warnings in strict mode!" in result.stderr
    # Why make site no longer runs `mkdocs build --strict --quiet`: --quiet raises MkDocs' log
    # level above warnings, so strict mode never counts them and the build passes.
    assert stock(project, "quiet", "--quiet").returncode == 0
    assert stock(project, "loud").returncode == 1


def test_a_link_whose_target_went_is_warned_about_though_the_linking_page_is_unchanged(project):
    assert ours(project, "first").returncode == 0
    (project / "docs/pages/p7.md").unlink()
    result = ours(project, "second")
    assert result.returncode == 1
    assert "Doc file 'index.md' contains a link 'pages/p7.md'" in result.stderr


def test_an_anchor_that_went_is_warned_about_though_the_linking_page_comes_from_the_cache(project):
    assert ours(project, "first").returncode == 0
    (project / "docs/target.md").write_text("# Target\n\n## Another part\n", encoding="utf-8")
    result = ours(project, "second")
    assert result.returncode == 1
    assert result.stdout.strip() == f"MkDocs: {PAGES + 2} pages, 1 converted (0 in parallel), {PAGES + 1} from the cache"
    assert "does not contain an anchor '#the-part'" in result.stderr


def test_a_changed_link_check_converts_the_pages_again(project):
    """An absolute link is only noted at `absolute_links: info`; set to warn, the page that has
    one must be converted again and stop the build, though its Markdown did not change."""
    page = project / "docs/pages/p9.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[Elsewhere](/elsewhere/)\n", encoding="utf-8")
    assert ours(project, "first").returncode == 0
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("absolute_links: info", "absolute_links: warn"),
                      encoding="utf-8")
    result = ours(project, "second")
    assert result.returncode == 1
    assert "Doc file 'pages/p9.md' contains an absolute link '/elsewhere/'" in result.stderr


def test_the_real_site_is_byte_identical_to_a_stock_build_and_to_the_fallback(built, tmp_path):
    """On the project's own pages (the `built` site, made by make site's MkDocs step): a stock
    `mkdocs build --strict` of the same docs/ writes the same bytes; so does the step when it
    takes MkDocs' own build instead of the conversion cache (private_interfaces.py)."""
    import json

    from build_scripts.reproducible import source_date_epoch

    descriptor = json.loads((built.datapackage / "datapackage.json").read_text(encoding="utf-8"))
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(source_date_epoch(descriptor)))
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
                             str(built.root / "mkdocs.yml"), "--site-dir", str(tmp_path / "stock")],
                            cwd=built.root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    expected = tree(tmp_path / "stock")
    assert len(expected) > 100 and tree(built.site) == expected
    fallback = subprocess.run(
        [sys.executable, "-m", "build_scripts.cache.mkdocs_build", "--config-file", str(built.root / "mkdocs.yml"),
         "--docs-dir", str(built.docs), "--site-dir", str(tmp_path / "fallback"), "--cache", str(tmp_path / "cache")],
        cwd=REPO, env={**env, "MAPPA_STOCK_PATHS": "1"}, capture_output=True, text=True)
    assert fallback.returncode == 0, fallback.stderr
    assert fallback.stdout.strip() == "MkDocs: a stock build, every page converted (MAPPA_STOCK_PATHS=1)"
    assert tree(tmp_path / "fallback") == expected
    assert not (tmp_path / "cache").exists()  # nothing cached on the stock path
