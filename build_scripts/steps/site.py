"""Step 5, site: MkDocs' own strict build of the docs/ folder that step 4 wrote.

`mkdocs build --strict` runs in another process (build_scripts/cache/mkdocs_build.py, which
converts only the pages not converted before), with SOURCE_DATE_EPOCH from the package's date,
into the folder it is given. A warning stops it like an error; its messages are raised with
MkDocsFailed.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from build_scripts.errors import MkDocsFailed
from build_scripts.lock import inherited_fds
from build_scripts.paths import REPO_ROOT, Paths
from build_scripts.reproducible import source_date_epoch


def run_mkdocs(paths: Paths, docs_dir: Path, site_dir: Path, descriptor: dict[str, Any]) -> None:
    """Entry point: `mkdocs build --strict` of `docs_dir` into `site_dir` (an empty staging folder).
    Conversions are cached in .cache/mkdocs. Raises MkDocsFailed with MkDocs' messages."""
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", str(source_date_epoch(descriptor)))
    result = subprocess.run(
        [sys.executable, "-m", "build_scripts.cache.mkdocs_build", "--config-file", str(paths.root / "mkdocs.yml"),
         "--docs-dir", str(docs_dir), "--site-dir", str(site_dir), "--cache", str(paths.cache / "mkdocs")],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, pass_fds=inherited_fds())
    if result.returncode != 0:
        raise MkDocsFailed(result.returncode, result.stdout + result.stderr)
