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
