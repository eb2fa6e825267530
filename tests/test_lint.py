"""The Python code passes ruff (pyflakes and bugbear rules, configured in pyproject.toml)."""
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def test_ruff_finds_nothing():
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([str(ruff), "check", "build_scripts", "tests", "benchmarks"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# Who may import whom (build_scripts/__init__.py): each floor imports only floors below it and
# itself; build.py runs the steps; the curator's commands and the command line use everything.
GROUND = {"paths", "errors", "lock", "transaction", "workers", "reproducible"}
FLOORS = {"ground": 0, "cache": 1, "inputs": 2, "checks": 3, "render": 4, "steps": 5, "build": 6, "curator": 7,
          "__main__": 8}


def floor(module: str) -> str:
    """build_scripts.render.cards -> render; build_scripts.paths -> ground."""
    part = module.split(".")[1] if module.count(".") else "ground"
    return "ground" if part in GROUND else part


def imports(path: Path) -> list[tuple[str, int]]:
    """The build_scripts modules a file imports, with their lines; imports for type checking only
    (under `if TYPE_CHECKING:`) are not dependencies and are left out."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and getattr(node.test, "id", "") ==
               "TYPE_CHECKING" for n in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.level:
            found.append((f"relative import from .{node.module or ''}", node.lineno))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("build_scripts"):
            found.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("build_scripts")]
    return found


def step(module: str) -> str:
    """build_scripts.steps.pages.embed -> pages; build_scripts.steps.charts -> charts."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 else ""


def wrong_imports(root: Path) -> list[str]:
    """Each import of build_scripts/ under `root` that goes up a floor, sideways from one step to
    another, or by a relative name. The modules of one step (a package, as steps/pages/ is) import
    each other; a step never imports another step."""
    wrong = []
    for path in sorted((root / "build_scripts").rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        own = floor(module) if module != "build_scripts" else "ground"
        for imported, line in imports(path):
            if imported.startswith("relative"):
                wrong.append(f"{path.relative_to(root)}:{line}: {imported}")
                continue
            other = floor(imported) if imported != "build_scripts" else "ground"
            sideways_step = own == other == "steps" and step(imported) != step(module)
            if FLOORS[other] > FLOORS[own] or sideways_step:
                wrong.append(f"{path.relative_to(root)}:{line}: a module of {own}/ imports {imported}")
    return wrong


def test_each_floor_imports_only_the_floors_below_it_and_by_full_name():
    """Shared helpers live on a lower floor, never borrowed sideways from a step; and the cache
    key (cache/keys.py) finds every module a step runs from absolute imports."""
    assert wrong_imports(REPO) == []


def test_a_step_package_imports_its_own_modules_and_no_other_step(tmp_path):
    """The rule above on a made-up tree: the modules of the pages step import each other, and
    the charts step's output for type checking only; importing the charts step itself, the steps'
    package, or a page module from another step or from a lower floor is caught."""
    files = {
        "steps/pages/__init__.py": "from build_scripts.steps.pages.embed import embed_chart\n",
        "steps/pages/embed.py": "from typing import TYPE_CHECKING\n"
                                "from build_scripts.render.markup import url\n"
                                "from build_scripts.steps.pages.writer import Site\n"
                                "if TYPE_CHECKING:\n    from build_scripts.steps.charts import ChartJob\n"
                                "from build_scripts.steps.charts import BAR_COLOUR\n",
        "steps/pages/writer.py": "from build_scripts.steps import charts\n",
        "steps/charts.py": "from build_scripts.steps.pages.words import human_bytes\n",
        "render/cards.py": "import build_scripts.steps.pages.words\n",
    }
    for name, text in files.items():
        (tmp_path / "build_scripts" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "build_scripts" / name).write_text(text, encoding="utf-8")
    assert wrong_imports(tmp_path) == [
        "build_scripts/render/cards.py:1: a module of render/ imports build_scripts.steps.pages.words",
        "build_scripts/steps/charts.py:1: a module of steps/ imports build_scripts.steps.pages.words",
        "build_scripts/steps/pages/embed.py:6: a module of steps/ imports build_scripts.steps.charts",
        "build_scripts/steps/pages/writer.py:1: a module of steps/ imports build_scripts.steps",
    ]
