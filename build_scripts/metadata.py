"""Readers for the metadata files (YAML and CSV) that describe the package once."""
from __future__ import annotations

import csv
import functools
import io
from pathlib import Path
from typing import Any

import yaml

from .errors import BuildError, InputProblem
from .paths import Paths

RESOURCE_NAMES = ["observations", "measures", "areas", "reports", "glossary", "quality"]
LEVELS = ["1", "2", "3", "all"]
CATEGORIES = ["1", "2", "3", "4", "all"]


def read_text_strict(path: Path, root: Path) -> str:
    """Decode UTF-8 strictly; on failure name the line and column of the first bad byte."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise BuildError([InputProblem(
            rel(path, root), line, f"character {column}",
            "text encoded as UTF-8",
            f"byte 0x{data[error.start]:02x}, which is not valid UTF-8 (save the file as UTF-8)",
        )]) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def read_csv_dicts(path: Path, root: Path) -> list[dict[str, str]]:
    text = read_text_strict(path, root)
    return list(csv.DictReader(io.StringIO(text, newline="")))


# libyaml's loader when present: a rebuild parses these files on every run.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, root: Path) -> Any:
    return yaml.load(read_text_strict(path, root), Loader=YAML_LOADER)  # noqa: S506 - a safe loader


def load_schema(paths: Paths, name: str) -> dict[str, Any]:
    """A Table Schema from metadata/schemas/. Callers must not change the dict returned."""
    path = paths.schemas / f"{name}.yaml"
    return _load_schema(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _load_schema(path: Path, _mtime_ns: int) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)  # noqa: S506 - a safe loader


def rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
