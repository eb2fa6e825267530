"""One cache key (build_scripts/cache/keys.py): every cached output is keyed by its inputs, the
source of every module that makes it, the library versions and the files it reads, so an edit
to the code that draws a chart, a card or a page gives it a new key, and a rebuild from the
cache equals a build from nothing. Nothing is bumped by hand."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from build_scripts.cache import keys
from conftest import FIXTURES, REPO
from test_curator_workflow import clone

# A constant of each renderer's code, and what to change it to: the bars' colour (charts), the
# text colour of every image's frame (images: charts' downloads, cards, the map), the cards'
# accent colour (cards), how file sizes are written (the pages' words) and the room under an
# embedded chart (the pages' embed module: another module of the same step's package).
EDITS = [
    ("build_scripts/steps/charts.py", 'BAR_COLOUR = "#1f4e79"', 'BAR_COLOUR = "#1f4e7a"'),
    ("build_scripts/render/images.py", 'MUTED_COLOUR = "#595959"', 'MUTED_COLOUR = "#595958"'),
    ("build_scripts/render/cards.py", 'ACCENT = "#1f4e79"', 'ACCENT = "#1f4e7b"'),
    ("build_scripts/steps/pages/words.py", ':.1f} kB"', ':.1f} kilobytes"'),
    ("build_scripts/steps/pages/embed.py", "EMBED_ROOM = 190", "EMBED_ROOM = 191"),
]


def build(root: Path) -> dict[str, str]:
    """make site with the project's own code; the hash of every output file."""
    result = subprocess.run([sys.executable, "-m", "build_scripts", "all"], cwd=root, capture_output=True, text=True,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in ("datapackage", "docs", "site") for p in sorted((root / folder).rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The whole project, code included, with the tiny fixture's inputs, built once (warm caches)."""
    root = clone(tmp_path_factory.mktemp("keys") / "project")
    for name in ("curated", "releases", "datapackage", "docs", ".cache"):
        shutil.rmtree(root / name, ignore_errors=True)
    shutil.copytree(FIXTURES / "tiny", root, dirs_exist_ok=True)
    build(root)
    return root


@pytest.mark.slow  # whole builds of a copy of the project, cold and from the cache
@pytest.mark.parametrize("file, old, new", EDITS, ids=[Path(e[0]).stem for e in EDITS])
def test_a_renderer_edited_rebuilds_from_the_cache_as_from_nothing(project, file, old, new):
    before = build(project)
    code = project / file
    text = code.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{file} no longer has {old!r}: choose another constant to edit"
    code.write_text(text.replace(old, new), encoding="utf-8")
    try:
        cached = build(project)
        shutil.rmtree(project / ".cache")  # every cache: charts, cards, fonts, pages, conversions, checks
        cold = build(project)
    finally:
        code.write_text(text, encoding="utf-8")
    assert cached != before, f"editing {file} changed no output: the test edits nothing that is drawn"
    assert cached == cold


def test_a_module_counts_with_every_build_scripts_module_it_imports(tmp_path, monkeypatch):
    """The closure is found from import statements: editing a module imported two steps down
    changes the key of the module at the top, and an unrelated module does not."""
    package = tmp_path / "build_scripts"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "top.py").write_text("from build_scripts.middle import helper\n", encoding="utf-8")
    (package / "middle.py").write_text("import build_scripts.bottom\n\ndef helper():\n    pass\n",
                                       encoding="utf-8")
    (package / "bottom.py").write_text("VALUE = 1\n", encoding="utf-8")
    (package / "other.py").write_text("OTHER = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "build_scripts" or m.startswith("build_scripts.")]:
        monkeypatch.delitem(sys.modules, name)
    keys.code_digest.cache_clear()
    first = keys.key("test", code=["build_scripts.top"])
    (package / "other.py").write_text("OTHER = 2\n", encoding="utf-8")
    keys.code_digest.cache_clear()
    assert keys.key("test", code=["build_scripts.top"]) == first
    (package / "bottom.py").write_text("VALUE = 2\n", encoding="utf-8")
    keys.code_digest.cache_clear()
    assert keys.key("test", code=["build_scripts.top"]) != first
    keys.code_digest.cache_clear()


def test_the_page_units_key_counts_every_module_of_the_pages_step():
    """The memo keys every page unit by the code of build_scripts.steps.pages (memo.py), a package:
    each of its modules is found from the package's own imports, so an edit to any of them (the
    embed page's, a page's words) gives every unit a new key and leaves no stale page in the cache."""
    package = REPO / "build_scripts" / "steps" / "pages"
    modules = {"build_scripts.steps.pages" + ("" if p.stem == "__init__" else f".{p.stem}")
               for p in package.glob("*.py")}
    assert len(modules) > 1
    assert modules - set(keys.code_modules(("build_scripts.steps.pages",))) == set()
