"""The one way every cache key of the build is made: from everything a cached output is made of.

    key(kind, inputs, code=("build_scripts.steps.charts",), libraries=("altair",), files=(font,))

- `inputs`: the data the output is made from (anything JSON can write);
- `code`: the modules that make it. Each counts with every module of build_scripts it imports,
  found from its import statements, transitively (as owid/etl's step checksums hash every file
  a step runs), hashed by its source text. So any edit to the code that draws a chart, a card or
  a page gives every output it draws a new key: nothing is bumped by hand;
- `libraries`: installed distributions whose version can change the output's bytes;
- `files`: data files read along the way (fonts, templates), hashed by content.

A cached output is found only under the key of what it would be made from now, so a stale entry
is never used, whether the cache is built here, restored by CI, or left from an older checkout.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import json
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

PACKAGE = "build_scripts"


def digest(*parts: Any) -> str:
    """A stable hash of JSON-able values (dict keys sorted)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def key(kind: str, inputs: Any = None, code: Iterable[str] = (), libraries: Iterable[str] = (),
        files: Iterable[Path] = ()) -> str:
    """The cache key of an output of `kind` (see the module's docstring)."""
    return digest(kind, inputs, code_digest(tuple(sorted(code))), library_versions(tuple(sorted(libraries))),
                  [file_digest(Path(f)) for f in files])


@functools.lru_cache(maxsize=None)
def code_digest(modules: tuple[str, ...]) -> str:
    """The source of the modules and of every build_scripts module they import, transitively."""
    return digest(sorted(code_modules(modules).items()))


def code_modules(modules: tuple[str, ...]) -> dict[str, str]:
    """The modules and every build_scripts module they import, transitively: each one's name and
    the hash of its source."""
    seen: dict[str, str] = {}
    pending = list(modules)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        path = _source_path(name)
        source = path.read_text(encoding="utf-8")
        seen[name] = hashlib.sha256(source.encode()).hexdigest()
        pending.extend(_imported_modules(source))
    return seen


@functools.lru_cache(maxsize=None)
def library_versions(libraries: tuple[str, ...]) -> list[tuple[str, str]]:
    def installed(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:  # not installed: part of the key all the same
            return "not installed"

    return [(name, installed(name)) for name in libraries]


def file_digest(path: Path) -> str:
    """A file's bytes, or, for a folder, every file's path and bytes in it."""
    h = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()
                                                 and "__pycache__" not in p.parts)
    for file in files:
        h.update(file.relative_to(path).as_posix().encode() if file != path else b"")
        h.update(b"\0" + file.read_bytes() + b"\0")
    return h.hexdigest()


def _source_path(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(module)
    return Path(spec.origin)


def _imported_modules(source: str) -> list[str]:
    """The build_scripts modules a module's source imports. The build imports its own modules by
    their full names (tests/test_lint.py checks), so every one is found here; a name imported
    from a package counts as a module when the package has a module of that name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.split(".")[0] == PACKAGE]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == PACKAGE:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names
                      if importlib.util.find_spec(node.module).submodule_search_locations is not None
                      and importlib.util.find_spec(f"{node.module}.{alias.name}") is not None]
    return found
