"""Copy the current release's files (docs/data/v<version>/) into releases/v<version>/.

Run before bumping the version, so that the old release stays downloadable at its own
versioned URL once /data/latest/ moves on. The pages step publishes every folder in releases/.
"""
from __future__ import annotations

import json
import shutil

from .paths import Paths


def archive_release(paths: Paths = Paths()) -> str:
    version = json.loads((paths.datapackage / "datapackage.json").read_text(encoding="utf-8"))["version"]
    source = paths.docs / "data" / f"v{version}"
    target = paths.releases / f"v{version}"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    return f"Archived {source} to {target}"


if __name__ == "__main__":
    print(archive_release())
