"""Ground floor: a build's outputs are published all together or not at all.

Each output (datapackage/, docs/, site/) is built in a staging folder of the transaction, beside
its target. `publish` swaps them in at the end, a rename each, so a reader never sees a
half-written folder; a transaction left without publishing (an error anywhere) deletes its
staging folders, and the outputs stay as they were. A build killed outright leaves its staging
folders behind; the next build removes them (lock.sweep).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType


class Transaction:
    def __init__(self, root: Path):
        self.root = root
        self._staged: list[Path] = []

    def __enter__(self) -> Transaction:
        return self

    def staging(self, name: str) -> Path:
        """A new, empty staging folder for the output `name` (e.g. docs), readable like the output."""
        folder = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=self.root))
        folder.chmod(0o755)  # mkdtemp makes it private; the published folder must be readable
        self._staged.append(folder)
        return folder

    def publish(self, staged: Path, target: Path) -> None:
        """Swap one staging folder in as its target. Call it only once every step has passed."""
        swap_in(staged, target)
        self._staged.remove(staged)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        for folder in self._staged:
            shutil.rmtree(folder, ignore_errors=True)
        self._staged.clear()


def swap_in(staging: Path, target: Path) -> None:
    """Replace target by staging with renames, so readers never see a half-written folder. The
    old folder is deleted by a detached process: at full scale it holds 15,000+ files, and the
    build need not wait for them."""
    old = target.with_name(f".{target.name}-old-{os.getpid()}-{time.monotonic_ns()}")
    if target.exists():
        target.rename(old)
    staging.rename(target)
    if old.exists():
        subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)",
                          str(old)], start_new_session=True, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
