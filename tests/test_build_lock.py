"""One build at a time, and nothing left of a build that was stopped (build_scripts/lock.py).

Builds run as the curator runs them (`python -m build_scripts`, as the Makefile does) on the
tiny project: two started together, a preview and `make site` together, builds SIGKILLed at
several moments, from nothing (cold) and over a finished build (warm). Each ends with the
outputs of a clean build, no staging folder or half-written file, and no process left."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO, copy_tiny_project
from test_incremental import tree

from build_scripts.lock import LOCK_NAME, PROCESSES_LOCK_NAME, build_lock

# Whole builds run as processes, together and killed.
pytestmark = pytest.mark.slow

OUTPUTS = ["datapackage", "docs", "site", "CITATION.cff", "published-urls.txt"]
INPUTS = ["CHANGELOG.md", "curated", "metadata", "mkdocs.yml", "templates", "theme"]
# What a project holds after a build: nothing else may be left in its folder.
AFTER_A_BUILD = sorted(INPUTS + OUTPUTS + [".cache", LOCK_NAME, PROCESSES_LOCK_NAME])
WAITING = "Waiting: another build is running in this project (pid "
WAITING_FOR_ANY = "Waiting: another build is running in this project ("


def start(root: Path, step: str = "all", stderr=subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "build_scripts", "--root", str(root), step], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=stderr, text=True)


def outputs(root: Path) -> dict[str, bytes]:
    found = {}
    for name in OUTPUTS:
        path = root / name
        found.update({f"{name}/{k}": v for k, v in tree(path).items()} if path.is_dir() else {name: path.read_bytes()})
    return found


def wait_until(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def assert_nothing_left(root: Path) -> None:
    """Only inputs, outputs, the cache and the lock files; no half-written file anywhere. An old
    folder being deleted by swap_in's background process is given the time to go."""
    wait_until(lambda: sorted(p.name for p in root.iterdir()) == AFTER_A_BUILD,
               f"only {AFTER_A_BUILD} in the project, not {sorted(p.name for p in root.iterdir())}", seconds=30)
    for folder in (root / ".cache", root / "docs"):
        assert [p for p in folder.rglob("*") if ".tmp" in p.name] == []
    assert (root / LOCK_NAME).read_text() == ""  # the last build ended, and said so


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, pending = [], [pid]
    while pending:
        below = children.get(pending.pop(), [])
        found += below
        pending += below
    return found


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    """The tiny project built once, from nothing, by one build alone."""
    root = copy_tiny_project(tmp_path_factory.mktemp("clean") / "project").root
    build = start(root)
    assert build.wait(timeout=300) == 0, build.stderr.read()
    assert_nothing_left(root)
    return root


def test_two_builds_started_together_both_succeed_one_after_the_other(clean, tmp_path):
    root = copy_tiny_project(tmp_path / "project").root
    builds = [start(root), start(root)]
    errors = [build.communicate(timeout=300)[1] for build in builds]
    assert [build.returncode for build in builds] == [0, 0], errors
    # The waiting build names the holder, or says "just starting" when it looks in the moment
    # between the holder taking the lock and writing its name (lock._holder).
    assert sum(error.startswith(WAITING_FOR_ANY) for error in errors) == 1, errors
    assert outputs(root) == outputs(clean)
    assert_nothing_left(root)


def test_a_build_waits_while_another_holds_the_lock_and_says_which(tmp_path):
    root = copy_tiny_project(tmp_path / "project").root
    log = tmp_path / "stderr.txt"
    with build_lock(root, "the test's build"), log.open("w") as stderr:
        build = start(root, "package", stderr=stderr)
        wait_until(lambda: log.read_text(), "the waiting build to say so")
        time.sleep(0.5)
        assert build.poll() is None and not (root / "datapackage").exists()
    assert log.read_text().startswith(f"{WAITING}{os.getpid()}, the test's build, started ")
    assert build.wait(timeout=120) == 0
    assert (root / "datapackage" / "datapackage.json").exists()


# A stopped build's leftovers, as a SIGKILLed build leaves them.
LEFTOVERS = [".docs-x1y2z3/index.md", ".site-old-1-2/index.html", ".published-urls.txt.tmp-99999",
             ".cache/charts/abc.svg.tmp", ".cache/pages/units/.key.json.tmp-99999", "docs/.index.md.tmp-99999"]
HOLD_AND_LEAVE = """
import sys, time
from pathlib import Path
from build_scripts.lock import build_lock
root = Path(sys.argv[1])
with build_lock(root, "a build about to be killed"):
    for name in sys.argv[2:]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("half")
    print("ready", flush=True)
    time.sleep(600)
"""


def test_a_dead_builds_lock_is_free_and_the_next_build_sweeps_what_it_left(tmp_path):
    root = copy_tiny_project(tmp_path / "project").root
    holder = subprocess.Popen([sys.executable, "-c", HOLD_AND_LEAVE, str(root), *LEFTOVERS], cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "ready\n"
    holder.kill()
    holder.wait()
    assert "a build about to be killed" in (root / LOCK_NAME).read_text()

    build = start(root, "package")
    assert build.wait(timeout=120) == 0
    assert WAITING not in build.stderr.read()
    assert [name for name in LEFTOVERS if (root / name).exists()] == []
    assert [p.name for p in root.iterdir() if p.name.startswith((".docs-", ".site-"))] == []


def kill_at(root: Path, moment: str) -> None:
    """Start a build, SIGKILL it as soon as a file matching `moment` appears in the project
    folder, and check that every process it started ends."""
    build = start(root, stderr=subprocess.DEVNULL)
    wait_until(lambda: any(root.glob(moment)) or build.poll() is not None, f"{moment} to appear")
    assert build.poll() is None, f"the build ended before {moment} appeared"
    family = descendants(build.pid)
    build.kill()
    build.wait()
    wait_until(lambda: not any(running(pid) for pid in family), "the killed build's processes to end")


# Four moments, each a step later (two of them over a finished build, whose caches the build
# reads and whose folders it swaps): the package staged, MkDocs building the site, docs/ being
# built, and the swap of the new folders for the old ones.
MOMENTS = [("cold", ".datapackage-*"), ("cold", ".site-*"), ("warm", ".docs-*"), ("warm", ".*-old-*")]


@pytest.mark.parametrize("cache, moment", MOMENTS)
def test_a_build_killed_mid_way_leaves_nothing_behind_the_next_build(clean, tmp_path, cache, moment):
    root = tmp_path / "project"
    if cache == "cold":
        copy_tiny_project(root)
    else:
        shutil.copytree(clean, root, symlinks=True)
    kill_at(root, moment)
    rebuild = start(root)
    assert rebuild.wait(timeout=300) == 0, rebuild.stderr.read()
    assert outputs(root) == outputs(clean)
    assert_nothing_left(root)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_preview_and_make_site_share_the_lock(clean, tmp_path):
    """Both are made to start while the test holds the lock, so they are sure to meet; then one
    waits for the other, both finish, and the outputs are a clean build's."""
    root = copy_tiny_project(tmp_path / "project").root
    port = free_port()
    logs = [tmp_path / "preview.txt", tmp_path / "site.txt"]
    with build_lock(root, "the test's build"), logs[0].open("w") as preview_log, logs[1].open("w") as site_log:
        # Ctrl-C as a curator's terminal sends it. A test run started in the background (`make test &`)
        # ignores SIGINT, and so would the preview it starts, which would never stop: restore it.
        preview = subprocess.Popen([sys.executable, "-m", "build_scripts", "--root", str(root), "preview", "--port",
                                    str(port)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=preview_log,
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        site = start(root, stderr=site_log)
        wait_until(lambda: all("Waiting: another build" in log.read_text() for log in logs), "both to wait")
    try:
        assert site.wait(timeout=300) == 0, logs[1].read_text()
        url = f"http://127.0.0.1:{port}/mappa-statistics/"

        def serving() -> bool:
            assert preview.poll() is None, logs[0].read_text()
            try:
                return b"MAPPA" in urllib.request.urlopen(url, timeout=5).read()
            except OSError:
                return False

        wait_until(serving, "the preview to serve", seconds=300)
    finally:
        preview.send_signal(signal.SIGINT)
        try:
            preview.wait(timeout=60)
        finally:
            preview.kill()  # never left running after the test, whatever happened
    assert outputs(root) == outputs(clean)
    assert_nothing_left(root)
