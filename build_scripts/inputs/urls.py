"""published-urls.txt: every URL the site has published. The build only adds to it (build.py,
write_manifest); the pages step keeps a page at each (an embed page whose chart is no longer drawn)."""
from __future__ import annotations

from pathlib import Path


def read_manifest(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
