"""Ground floor for incremental builds: groups of output files ("units": a page with its CSV
files, citation files and link-preview card) remembered by a key made of everything they are
made from, so a rebuild renders only the units whose inputs changed.

Two ways to remember, one interface:

- `DiskMemo` (make site): each unit's files are stored in .cache/pages by content, and an
  unchanged unit is written into the fresh staging folder from there. The key hashes the
  build code, the templates, the versions of the packages that shape the output, the metadata
  and the unit's own data, so a stale entry can never be used: a change to any of them gives a
  new key. The build is still a full build: every file is written, only the rendering is skipped.
- `LiveMemo` (make preview): docs/ is updated in place. An unchanged unit is not touched at
  all; a changed unit writes only the files whose bytes changed and removes the files it no
  longer writes, so MkDocs rebuilds only those pages.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from build_scripts.cache import keys
from build_scripts.cache.keys import digest

# Packages whose version can change the bytes of a page or of the files beside it.
OUTPUT_PACKAGES = ["jinja2", "markupsafe", "pyyaml", "altair", "vl-convert-python", "font-lato", "fonttools",
                   "uharfbuzz"]


def environment_digest(templates: Path) -> str:
    """What every unit is made with: the code of the pages step (with every module it runs: the
    package's __init__ imports each of its modules, tests/test_cache_keys.py checks), the
    templates and the versions of the packages that shape a page (keys.py)."""
    return keys.key("page unit", code=["build_scripts.steps.pages"], libraries=OUTPUT_PACKAGES, files=[templates])


def place(source: Path, target: Path) -> None:
    """Put `source`'s bytes at `target` by a hard link (or a copy across file systems), replacing
    any file there in one rename, so a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)  # the common case, a fresh staging folder: one system call
        return
    except FileExistsError:
        pass
    except OSError:
        target.write_bytes(source.read_bytes())
        return
    if os.path.samefile(source, target):
        return
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        os.link(source, tmp)
    except OSError:
        tmp.write_bytes(source.read_bytes())
    tmp.replace(target)


def write_if_changed(target: Path, data: bytes) -> bool:
    """Write only when the bytes differ (MkDocs rebuilds by modification time). True if written."""
    if target.exists() and target.stat().st_size == len(data) and target.read_bytes() == data:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    tmp.replace(target)
    return True


class Recording:
    """What one unit wrote: files (path, sha256, whether its URL is published) and cards."""

    def __init__(self) -> None:
        self.files: list[list[Any]] = []
        self.cards: list[list[str]] = []


class NoMemo:
    """Render everything, write into a fresh folder (tests can compare against this)."""

    def __init__(self, out: Path, environment: str = ""):
        self.out = out
        self.environment = environment  # what every unit is made with (environment_digest)
        self.changed: list[str] = []
        self.recalled: list[str] = []  # units taken from the memo, not rendered (for tests and logs)

    def key(self, name: str, unit_digest: str) -> str:
        return digest(self.environment, name, unit_digest)

    def recall(self, key: str, name: str) -> Recording | None:
        return None

    def write(self, rel_path: str, data: bytes) -> str:
        target = self.out / rel_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.changed.append(rel_path)
        return ""

    def remember(self, key: str | None, name: str, recording: Recording) -> None:
        """Keep what a unit wrote under its key (None: a unit rendered every time)."""

    def place_file(self, source: Path, rel_path: str) -> None:
        """Put a cached file (a chart, a card) at rel_path."""
        target = self.out / rel_path
        if not (target.exists() and os.path.samefile(source, target)):
            place(source, target)
            self.changed.append(rel_path)

    def finish(self, live_units: set[str]) -> None:
        pass


class DiskMemo(NoMemo):
    def __init__(self, out: Path, cache: Path, environment: str):
        super().__init__(out, environment)
        self.cache = cache
        self.blobs = cache / "blobs"
        self.units = cache / "units"
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.units.mkdir(parents=True, exist_ok=True)
        self.seen: dict[str, tuple[str, Recording]] = {}  # unit -> (key, files) of this build

    def recall(self, key: str, name: str) -> Recording | None:
        path = self.units / f"{key}.json"
        if not path.exists():
            return None
        stored = json.loads(path.read_text(encoding="utf-8"))
        stamps = stored.get("stamps", {})
        for _, sha, _ in stored["files"]:
            # Checked, not trusted: a blob is hard-linked into docs/, so an edit made in place
            # there would change it. An edit changes the file's modification time, so a blob
            # with the size and time it had when stored is taken as is; any other is hashed.
            blob = self.blobs / sha
            try:
                stat = blob.stat()
            except FileNotFoundError:
                return None
            if [stat.st_size, stat.st_mtime_ns] != stamps.get(sha) and \
                    hashlib.sha256(blob.read_bytes()).hexdigest() != sha:
                blob.unlink(missing_ok=True)
                return None
        recording = Recording()
        recording.files, recording.cards = stored["files"], stored["cards"]
        self.seen[name] = (key, recording)
        self.recalled.append(name)
        for rel_path, sha, _ in recording.files:
            place(self.blobs / sha, self.out / rel_path)
        return recording

    def write(self, rel_path: str, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        blob = self.blobs / sha
        # An existing blob is reused only if it still holds these bytes (one edited in place
        # through docs/ is replaced), since remember() records its size and time as checked.
        write_if_changed(blob, data)
        place(blob, self.out / rel_path)
        return sha

    def remember(self, key: str | None, name: str, recording: Recording) -> None:
        if key is None:
            return  # rendered every time: nothing to store
        self.seen[name] = (key, recording)
        tmp = self.units / f".{key}.tmp-{os.getpid()}"
        stamps = {}
        for _, sha, _ in recording.files:
            stat = (self.blobs / sha).stat()
            stamps[sha] = [stat.st_size, stat.st_mtime_ns]
        tmp.write_text(json.dumps({"unit": name, "files": recording.files, "cards": recording.cards,
                                   "stamps": stamps}), encoding="utf-8")
        tmp.replace(self.units / f"{key}.json")


class LiveMemo(NoMemo):
    """Keeps, between preview passes, each unit's key and files; updates docs/ in place."""

    def __init__(self, out: Path, environment: str, known: dict[str, tuple[str, Recording]] | None = None):
        """`known`: the units (key, files) of the build that wrote docs/ (DiskMemo.seen)."""
        super().__init__(out, environment)
        self.keys = {name: key for name, (key, _) in (known or {}).items()}
        self.recordings = {name: recording for name, (_, recording) in (known or {}).items()}
        self.placed: dict[str, Path] = {}

    def begin(self) -> None:
        self.changed, self.recalled = [], []

    def place_file(self, source: Path, rel_path: str) -> None:
        # A cached file is named by its key: the same source as last time is already in place.
        if self.placed.get(rel_path) != source:
            super().place_file(source, rel_path)
            self.placed[rel_path] = source

    def recall(self, key: str, name: str) -> Recording | None:
        if self.keys.get(name) == key:
            self.recalled.append(name)
            return self.recordings[name]  # unchanged: its files in docs/ are already right
        return None

    def write(self, rel_path: str, data: bytes) -> str:
        if write_if_changed(self.out / rel_path, data):
            self.changed.append(rel_path)
        return ""

    def remember(self, key: str | None, name: str, recording: Recording) -> None:
        # Kept even for a unit rendered every time: its files are what it removes next time.
        previous = self.recordings.get(name)
        if previous is not None:
            self._remove_unwritten(previous, recording)
        self.keys[name], self.recordings[name] = key or "", recording

    def finish(self, live_units: set[str]) -> None:
        """Remove the files of units that no longer exist (a deleted report)."""
        for name in sorted(set(self.recordings) - live_units):
            self._remove_unwritten(self.recordings.pop(name), Recording())
            self.keys.pop(name, None)

    def _remove_unwritten(self, previous: Recording, current: Recording) -> None:
        kept = {f[0] for f in current.files} | {c[2] for c in current.cards}
        for rel_path in [f[0] for f in previous.files] + [c[2] for c in previous.cards]:
            if rel_path not in kept and (self.out / rel_path).exists():
                (self.out / rel_path).unlink()
                self.placed.pop(rel_path, None)
                self.changed.append(rel_path)
