"""The released versions of the data package, frozen in releases/ (ground floor).

Each release is a folder `releases/v<version>/` holding every file published under
/data/v<version>/, byte for byte, and `releases/SHA256SUMS` lists the SHA-256 of every one of
them (`cd releases && sha256sum -c SHA256SUMS` checks them with a tool we did not write). Only
`make release` (release.py) adds to it; nothing ever changes a released file. The build reads a
released file only through `Releases.read`, which checks its bytes against the manifest, so a
changed file stops the build instead of being published under its old version.

The data package the build makes is the *working* data. When its files are byte for byte those
of the newest release, it is that release; otherwise it is published as not yet released, under
the version `<newest release>+unreleased` (Semantic Versioning build metadata: the newest release
plus changes), at /data/latest/ only, never under a released version.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from build_scripts.errors import BuildError, InputProblem
from build_scripts.paths import Paths

MANIFEST = "SHA256SUMS"
README = "README.md"
UNRELEASED = "+unreleased"
VERSION_PATTERN = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
MANIFEST_LINE = re.compile(r"([0-9a-f]{64})  v([0-9.]+)/([A-Za-z0-9][A-Za-z0-9._-]*)")
RESTORE = "a released file never changes: restore it with `git checkout -- {file}`"


def version_key(version: str) -> tuple[int, int, int]:
    """'1.10.0' -> (1, 10, 0), so versions sort as numbers."""
    match = VERSION_PATTERN.fullmatch(version)
    if not match:
        raise ValueError(f"not a version like 1.2.0: {version!r}")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def is_version(text: str) -> bool:
    return VERSION_PATTERN.fullmatch(text) is not None


@dataclass(frozen=True)
class ReleasedFile:
    version: str
    name: str
    sha256: str
    line: int  # its line in releases/SHA256SUMS


@dataclass
class Releases:
    """What releases/SHA256SUMS lists, by version, oldest first."""

    paths: Paths
    files: dict[str, list[ReleasedFile]] = field(default_factory=dict)

    @property
    def versions(self) -> list[str]:
        return sorted(self.files, key=version_key)

    @property
    def latest(self) -> str | None:
        return self.versions[-1] if self.files else None

    def previous(self, version: str) -> str | None:
        earlier = [v for v in self.versions if version_key(v) < version_key(version)]
        return earlier[-1] if earlier else None

    def names(self, version: str) -> list[str]:
        return [f.name for f in self.files.get(version, [])]

    def folder(self, version: str) -> Path:
        return self.paths.releases / f"v{version}"

    def read(self, version: str, name: str) -> bytes:
        """A released file's bytes, checked against the manifest."""
        listed = next((f for f in self.files.get(version, []) if f.name == name), None)
        if listed is None:
            raise BuildError([InputProblem(f"releases/{MANIFEST}", None, None,
                                           f"a line for v{version}/{name}", "none")])
        path = self.folder(version) / name
        data = path.read_bytes()
        found = hashlib.sha256(data).hexdigest()
        if found != listed.sha256:
            file = f"releases/v{version}/{name}"
            raise BuildError([InputProblem(
                file, None, None,
                f"the bytes released as v{version}, SHA-256 {listed.sha256[:16]}… (releases/{MANIFEST}:"
                f"{listed.line}); " + RESTORE.format(file=file) + ", and publish changed data as a new "
                "version with make release VERSION=<next version>", f"SHA-256 {found[:16]}…")])
        return data

    def descriptor(self, version: str) -> dict:
        return json.loads(self.read(version, "datapackage.json"))

    def date(self, version: str) -> str:
        """The release date: the `created` date of its datapackage.json."""
        return str(self.descriptor(version).get("created", ""))[:10]

    def package_files(self, version: str) -> dict[str, bytes]:
        """datapackage.json and the files of its resources, as released."""
        descriptor = self.read(version, "datapackage.json")
        names = [r["path"] for r in json.loads(descriptor)["resources"]]
        return {"datapackage.json": descriptor, **{name: self.read(version, name) for name in names}}


def read_releases(paths: Paths) -> Releases:
    """The manifest, checked against the folders (names only; `Releases.read` checks bytes)."""
    releases = Releases(paths)
    folder = paths.releases
    manifest = folder / MANIFEST
    problems: list[InputProblem] = []
    folders = sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    if not manifest.exists():
        if folders:
            raise BuildError([InputProblem(f"releases/{MANIFEST}", None, None,
                                           "the list of every released file and its SHA-256",
                                           "no such file, though releases/ has release folders "
                                           "(restore it with `git checkout -- releases/`)")])
        return releases
    listed: set[tuple[str, str]] = set()
    for number, text in enumerate(manifest.read_text(encoding="utf-8").splitlines(), start=1):
        match = MANIFEST_LINE.fullmatch(text)
        if not match or not is_version(match.group(2)):
            problems.append(InputProblem(f"releases/{MANIFEST}", number, None,
                                         "'<SHA-256 in 64 hex digits>  v<version>/<file name>', as make release "
                                         "writes it", repr(text[:80])))
            continue
        digest, version, name = match.groups()
        if (version, name) in listed:
            problems.append(InputProblem(f"releases/{MANIFEST}", number, None, "each file once",
                                         f"v{version}/{name} again"))
            continue
        listed.add((version, name))
        if not (folder / f"v{version}" / name).is_file():
            problems.append(InputProblem(f"releases/v{version}/{name}", None, None,
                                         f"the file listed at releases/{MANIFEST}:{number}",
                                         "no such file (" + RESTORE.format(file=f"releases/v{version}/{name}") + ")"))
        releases.files.setdefault(version, []).append(ReleasedFile(version, name, digest, number))
    for path in folders:
        version = path.name.removeprefix("v")
        if version not in releases.files:
            problems.append(InputProblem(f"releases/{path.name}", None, None,
                                         f"a release listed in releases/{MANIFEST}",
                                         "a folder it does not list (left by a make release that did not "
                                         "finish? delete the folder, then run make release again)"))
            continue
        for file in sorted(path.iterdir()):
            if (version, file.name) not in listed:
                problems.append(InputProblem(f"releases/{path.name}/{file.name}", None, None,
                                             f"only the files listed in releases/{MANIFEST}",
                                             "a file it does not list (delete it: a release never gains files)"))
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if not path.is_dir() and path.name not in (MANIFEST, README):
            problems.append(InputProblem(f"releases/{path.name}", None, None,
                                         f"only release folders, {MANIFEST} and {README} in releases/",
                                         "another file"))
    if problems:
        raise BuildError(problems)
    return releases


@dataclass(frozen=True)
class ReleaseState:
    """Whether the working data are a release. `version` is what the working package says."""

    latest: str | None  # the newest release, if any
    released: bool  # the working package's files are exactly the newest release's
    version: str


def working_state(releases: Releases, package_version: str, files: dict[str, bytes]) -> ReleaseState:
    """Compare the working package's files (made with package.yaml's version, which is the newest
    release's) with the newest release."""
    latest = releases.latest
    released = latest is not None and releases.package_files(latest) == files
    return ReleaseState(latest, released, package_version if released else package_version + UNRELEASED)


def version_problem(releases: Releases, package_version: str, line: int | None,
                    releasing: str | None = None) -> InputProblem | None:
    """metadata/package.yaml's version must be the newest release's (make release sets it), or,
    while `make release` runs, the version being released."""
    if releasing is not None and package_version == releasing:
        return None
    latest = releases.latest
    if latest is None or package_version == latest:
        return None
    return InputProblem("metadata/package.yaml", line, "version",
                        f"{latest}, the newest release in releases/{MANIFEST} (make release VERSION=… sets "
                        "the version; never edit it by hand)",
                        f"{package_version!r}" + (" (a make release that did not finish? restore the files it "
                                                  "changes with `git checkout -- metadata/package.yaml "
                                                  "CHANGELOG.md CITATION.cff curated/corrections.csv "
                                                  "curated/correction-reasons.csv`)"
                                                  if is_version(package_version) and
                                                  version_key(package_version) > version_key(latest) else ""))
