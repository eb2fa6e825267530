"""How long make draft-report takes a report, measured on the test documents of every format.

    python benchmarks/draft_speed.py                 # print seconds per document (best of 3 runs)
    python benchmarks/draft_speed.py --save DIR      # and keep them, with the commit and machine, in DIR

Each run is the whole command as a curator runs it (a new process: reading in its bounded child,
finding, writing the draft and the review sheet), into a temporary copy of the project. The issue's
aim is under 10 seconds a report on the project's 2-core machine.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted(p for p in (REPO / "tests" / "fixtures" / "draft").iterdir()
                   if p.suffix in {".pdf", ".docx", ".txt"} and not p.name.startswith(("broken", "encrypted", "not-",
                                                                                          "scanned")))
RUNS = 3


def measure(document: Path, root: Path) -> float:
    best = float("inf")
    for run in range(RUNS):
        out = root / f"out-{document.stem}-{run}"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "build_scripts", "--root", str(root), "draft-report", "--from",
                        str(document), "--into", str(out)], check=True, capture_output=True, cwd=REPO)
        best = min(best, time.perf_counter() - started)
        shutil.rmtree(out)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", help="folder to keep the measurements in (JSON)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "project"
        for name in ("curated", "metadata", "templates"):
            shutil.copytree(REPO / name, root / name)
        seconds = {document.name: round(measure(document, root), 2) for document in DOCUMENTS}
    for name, value in seconds.items():
        print(f"{name:32} {value:6.2f} s")
    print(f"{'slowest':32} {max(seconds.values()):6.2f} s (aim: under 10 s a report)")
    if args.save:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=REPO).stdout.strip()
        record = {"commit": commit, "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                  "python": platform.python_version(), "seconds_per_document": seconds}
        target = Path(args.save) / f"draft-{commit}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"Saved {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
