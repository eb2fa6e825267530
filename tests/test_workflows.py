"""The GitHub Actions workflows pass actionlint and zizmor offline, with no findings."""
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

BIN = Path(sys.executable).parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def test_actionlint_finds_nothing():
    result = subprocess.run([str(BIN / "actionlint"), *map(str, WORKFLOWS)], capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr


def test_zizmor_offline_finds_nothing():
    result = subprocess.run([str(BIN / "zizmor"), "--offline", "--no-progress", str(REPO / ".github" / "workflows")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_actions_are_pinned_to_full_commit_shas():
    uses = [u for w in WORKFLOWS for u in re.findall(r"uses:\s*(\S+)", w.read_text())]
    assert uses and all(re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", u) for u in uses), uses


def test_workflows_run_only_make_targets_or_the_release_step():
    runs = [r.strip() for w in WORKFLOWS for r in re.findall(r"run: ([^|\n].*)", w.read_text())]
    assert sorted(set(runs)) == ["make check-released", "make site", "make test"]
