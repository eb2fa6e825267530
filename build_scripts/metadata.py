"""Readers for the metadata files (YAML and CSV) that describe the package once.

Every reader here turns malformed input into InputProblems (file, line, column, expected,
found), never a traceback: the later steps can trust what they are given.
"""
from __future__ import annotations

import csv
import datetime
import functools
import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frictionless
import yaml

from .errors import BuildError, InputProblem
from .paths import Paths

RESOURCE_NAMES = ["observations", "measures", "areas", "reports", "glossary", "quality", "corrections"]
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
    # A byte-order mark is what Excel's "CSV UTF-8" writes; it says nothing about the data.
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def read_csv_dicts(path: Path, root: Path) -> list[dict[str, str]]:
    text = read_text_strict(path, root)
    return list(csv.DictReader(io.StringIO(text, newline="")))


def checked_once(cache: Path | None, inputs: Any, check: Callable[[], list[InputProblem]]) -> list[InputProblem]:
    """Run `check` unless the same inputs passed it before (a marker file named by their hash), so a
    rebuild with unchanged metadata does not validate it again."""
    if cache is None:
        return check()
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()
    marker = cache / digest
    if marker.exists():
        return []
    problems = check()
    if not problems:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    return problems


# ---------------------------------------------------------------------------------------------
# CSV


@dataclass
class CsvTable:
    rows: list[dict[str, str]]
    lines: list[int]  # the line of each row in the file


def read_csv_table(path: Path, root: Path, fields: list[str], row_noun: str, may_be_empty: bool = False) -> CsvTable:
    """Read a curated CSV whose shape is sound: a header, then one line per row, each with a
    cell for every column. Types and values are frictionless's job (load.validate_table).

    Windows line endings and a byte-order mark are accepted: Excel writes both, git may check
    files out with CRLF on Windows, and neither changes a value (the package is written with LF).
    A line break inside a cell is not: no printed label has one, and it is nearly always a
    missing closing quote that has swallowed the rows below it.

    `may_be_empty`: a header with no rows is fine (a log that starts empty, such as
    curated/corrections.csv).
    """
    text = read_text_strict(path, root)
    file = rel(path, root)
    header_words = "the header row " + ",".join(fields)
    if not text.strip():
        raise BuildError([InputProblem(file, 1, None, header_words, "an empty file")])
    problems: list[InputProblem] = []
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    last_line = 0
    try:
        for cells in reader:
            line = last_line + 1
            if reader.line_num > line:
                problems.append(_quote_problem(file, text, line, header or fields))
                break
            last_line = reader.line_num
            if header is None:
                header = cells
                for number, name in enumerate(cells, start=1):
                    if not name.strip():
                        problems.append(InputProblem(file, 1, f"cell {number}", header_words,
                                                     "a blank header cell"))
                continue
            if not cells:
                problems.append(InputProblem(file, line, None, f"a row of {len(header)} cells",
                                             "a blank line (delete it)"))
            elif len(cells) > len(header):
                problems.append(InputProblem(
                    file, line, f"cell {len(header) + 1}", f"{len(header)} cells, one for each column of the header",
                    f"{len(cells)} cells (put a value that contains a comma in double quotes, like \"1,409\")"))
            elif len(cells) < len(header):
                problems.append(InputProblem(
                    file, line, header[len(cells)], f"{len(header)} cells, one for each column of the header",
                    f"{len(cells)} cells (none for {', '.join(header[len(cells):])})"))
            else:
                rows.append(dict(zip(header, cells, strict=True)))
                lines.append(line)
    except csv.Error as error:
        problems.append(_quote_problem(file, text, last_line + 1, header or fields, error))
    if not problems and not rows and not may_be_empty:
        problems.append(InputProblem(file, 2, None, f"at least one {row_noun} (a row after the header)",
                                     "only the header row"))
    if problems:
        raise BuildError(problems)
    return CsvTable(rows, lines)


def _quote_problem(file: str, text: str, line: int, header: list[str],
                   error: csv.Error | None = None) -> InputProblem:
    """Say which cell of `line` has a quote that the CSV reader could not make sense of."""
    line_text = text.splitlines()[line - 1] if line <= len(text.splitlines()) else ""
    cell, position = 0, 0
    while position <= len(line_text):
        if line_text.startswith('"', position):
            start, position = position, position + 1
            while True:
                close = line_text.find('"', position)
                if close == -1:
                    return InputProblem(file, line, _column_name(header, cell),
                                        'a closing double quote (") before the end of the line',
                                        f"{_short(line_text[start:])!r} with no closing quote")
                if line_text.startswith('""', close):  # a doubled quote is a quote inside the text
                    position = close + 2
                    continue
                position = close + 1
                break
            if position < len(line_text) and line_text[position] != ",":
                end = line_text.find(",", position)
                return InputProblem(file, line, _column_name(header, cell),
                                    "a comma straight after a closing double quote (put the whole value in quotes)",
                                    repr(_short(line_text[start:end if end != -1 else None])))
        else:
            comma = line_text.find(",", position)
            position = len(line_text) if comma == -1 else comma
        position += 1
        cell += 1
    return InputProblem(file, line, None, "a well-formed CSV row", str(error) if error else "a malformed row")


# What `make new-report` writes where the curator must write something (new_report.py). A cell
# that still starts with it is refused, naming the cell and what to write there.
PLACEHOLDER = "TODO"


def placeholder_problems(table: CsvTable, file: str, schema: dict[str, Any]) -> list[InputProblem]:
    """Every cell of `table` that still holds a placeholder, with what to write there in words
    (the field's description in its Table Schema)."""
    described = {f["name"]: f.get("description", "") for f in schema.get("fields", [])}
    problems = []
    for line, row in zip(table.lines, table.rows, strict=True):
        for column, value in row.items():
            if value.strip().startswith(PLACEHOLDER):
                problems.append(InputProblem(file, line, column, in_words(described.get(column)) or "a value",
                                             f"the placeholder {_short(value)!r} that make new-report wrote "
                                             "(replace it)"))
    return problems


def in_words(description: str | None) -> str:
    """A field's description as the 'expected' part of a message: 'The value as printed.' ->
    'the value as printed'."""
    text = " ".join((description or "").split()).rstrip(".")
    first = text.split(" ", 1)[0]
    return text if len(first) > 1 and first.isupper() else text[:1].lower() + text[1:]


def _column_name(header: list[str], index: int) -> str:
    return header[index] if index < len(header) else f"cell {index + 1}"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------
# YAML

# libyaml's loader when present: a rebuild parses these files on every run.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlDocument:
    """A parsed YAML file that can say on which line any key or list item is written."""

    file: str
    data: Any
    node: yaml.Node

    def line(self, *keys: str | int) -> int:
        """The line of the key or list item at `keys` (of the nearest one above it when missing)."""
        node = self.node
        line = node.start_mark.line + 1
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == key:
                        line, node = key_node.start_mark.line + 1, value_node
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                return line
        return line


def read_yaml_document(path: Path, root: Path, expected: str) -> YamlDocument:
    """Parse one YAML file; `expected` says in words what it should hold, for an empty file."""
    text = read_text_strict(path, root)
    file = rel(path, root)
    try:
        node, data = _compose(text, YAML_LOADER)
    except yaml.YAMLError:
        # Parse again with PyYAML's own parser: its messages name what it found, libyaml's do not.
        try:
            node, data = _compose(text, yaml.SafeLoader)
        except yaml.YAMLError as error:
            raise BuildError([_yaml_problem(file, text, error)]) from None
    if node is None or data is None:
        raise BuildError([InputProblem(file, 1, None, expected, "an empty file")])
    problems = _duplicate_keys(file, node)
    if problems:
        raise BuildError(problems)
    return YamlDocument(file, data, node)


def _compose(text: str, loader_class: type) -> tuple[yaml.Node | None, Any]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def _duplicate_keys(file: str, root_node: yaml.Node) -> list[InputProblem]:
    """YAML keeps the last of two equal keys without a word; a curator would lose the first."""
    problems = []
    pending = [root_node]
    while pending:
        node = pending.pop()
        if isinstance(node, yaml.MappingNode):
            first_line: dict[str, int] = {}
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 1
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in first_line:
                        problems.append(InputProblem(
                            file, line, key_node.value, "each key once in a mapping",
                            f"'{key_node.value}' again (first on line {first_line[key_node.value]})"))
                    else:
                        first_line[key_node.value] = line
                pending.append(value_node)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
    return sorted(problems, key=lambda p: p.line or 0)


TOKEN_WORDS = {
    "<scalar>": "more text",
    "<block end>": "the end of the entry",
    "<block mapping start>": "a key indented differently from the keys above it",
    "<block sequence start>": "a list item indented differently",
    "<stream end>": "the end of the file",
    "-": "a '-' list item",
}


def _yaml_problem(file: str, text: str, error: yaml.YAMLError) -> InputProblem:
    """PyYAML's parser error, in words a curator can act on, at the line and character it names."""
    lines = text.splitlines()

    def at(mark) -> tuple[int, str, str]:
        line_text = lines[mark.line].strip() if mark.line < len(lines) else ""
        return mark.line + 1, f"character {mark.column + 1}", repr(_short(line_text)) if line_text else "''"

    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        character = error.character if isinstance(error.character, int) else ord(error.character)
        return InputProblem(file, line, f"character {column}", "printable text",
                            f"the control character U+{character:04X} (delete it)")
    if not isinstance(error, yaml.MarkedYAMLError) or error.problem_mark is None:
        return InputProblem(file, None, None, "well-formed YAML", str(error))
    problem, context = error.problem or "", error.context or ""
    line, column, line_text = at(error.problem_mark)
    # Two errors are found only after the mistake, at the end of the file or on the next line;
    # the context mark is where the curator must look.
    if "quoted scalar" in context and error.context_mark is not None:
        line, column, line_text = at(error.context_mark)
        quote = lines[error.context_mark.line][error.context_mark.column]
        return InputProblem(file, line, column, f"a closing {quote} for the text that opens here",
                            f"no closing {quote} before the end of the file")
    if "could not find expected ':'" in problem and error.context_mark is not None:
        line, column, line_text = at(error.context_mark)
        return InputProblem(file, line, column,
                            "'key: value' (or, for text that goes on over several lines, those lines "
                            "indented under the key)", f"{line_text} with no ':'")
    if "mapping values are not allowed" in problem:
        return InputProblem(file, line, column,
                            "one 'key: value' per line, lined up with the keys above it (put a value "
                            "that contains ': ' in quotes)", f"a ':' in {line_text} that cannot start a value")
    if problem.startswith("found character '\\t'"):
        return InputProblem(file, line, column, "spaces (YAML does not allow tabs)", "a tab")
    found_character = re.match(r"found character '(.+)' that cannot start any token", problem)
    if found_character:
        return InputProblem(file, line, column,
                            f"the value in quotes, because it starts with {found_character.group(1)}",
                            f"{found_character.group(1)} at the start of a value, in {line_text}")
    flow = re.match(r"expected ',' or '([\]}])', but got (.*)", problem)
    if flow and error.context_mark is not None:
        kind = "list" if flow.group(1) == "]" else "mapping"
        return InputProblem(file, line, column,
                            f"',' or '{flow.group(1)}' to close the {kind} opened on line "
                            f"{error.context_mark.line + 1}", _token_words(flow.group(2)) + (f" in {line_text}" if line_text != "''" else ""))
    block = re.match(r"expected <block end>, but found (.*)", problem)
    if block:
        return InputProblem(file, line, column,
                            "the next key or list item, lined up with the ones above it (a quoted value "
                            "ends at its closing quote)", f"{_token_words(block.group(1))} in {line_text}")
    if "another document" in problem:
        return InputProblem(file, line, column, "a single YAML document", "a second document after '---'")
    if "alias" in problem or "alias" in context or "anchor" in context:
        return InputProblem(file, line, column,
                            "the value in quotes, because it starts with '*' or '&'", line_text)
    if "could not determine a constructor for the tag" in problem:
        return InputProblem(file, line, column, "the value in quotes, because it starts with '!'", line_text)
    return InputProblem(file, line, column, "well-formed YAML",
                        f"{problem}" + (f" ({context})" if context else "") + f" in {line_text}")


def _token_words(token: str) -> str:
    token = token.strip()
    return TOKEN_WORDS.get(token.strip("'"), TOKEN_WORDS.get(token, token))


def describe_value(value: Any) -> str:
    """What a YAML value is, in words, when it is not what was expected."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()}, which YAML reads as yes/no (put it in quotes)"
    if isinstance(value, datetime.date):
        return f"{value}, which YAML reads as a date (put it in quotes)"
    if isinstance(value, int | float):
        return f"the number {value} (put it in quotes to make it text)"
    if isinstance(value, dict):
        return "a mapping (key: value lines)"
    if isinstance(value, list):
        return "a list"
    return repr(value)


# ---------------------------------------------------------------------------------------------
# Table Schemas


def load_schema(paths: Paths, name: str, cache: bool = True) -> dict[str, Any]:
    """A Table Schema from metadata/schemas/, checked. Callers must not change the dict returned.
    With cache=False nothing is written to .cache/ (for read-only commands)."""
    path = paths.schemas / f"{name}.yaml"
    try:
        mtime_ns = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise BuildError([InputProblem(rel(path, paths.root), None, None, f"the Table Schema {name}",
                                       "no such file")]) from None
    return _load_schema(path, paths.root, paths.cache / "validated" if cache else None, mtime_ns)


@functools.lru_cache(maxsize=64)
def _load_schema(path: Path, root: Path, cache: Path | None, _mtime_ns: int) -> dict[str, Any]:
    document = read_yaml_document(path, root, "a Table Schema (title, description, fields, primaryKey)")
    published = path.stem in RESOURCE_NAMES
    problems = checked_once(cache, ["table-schema", published, document.data],
                            lambda: schema_problems(document, published))
    if problems:
        raise BuildError(problems)
    return document.data


def schema_problems(document: YamlDocument, published: bool) -> list[InputProblem]:
    """Frictionless checks the descriptor; this adds what it lets through (a regular expression
    that does not compile) and what the package needs of a published table's schema."""
    schema, file = document.data, document.file
    if not isinstance(schema, dict):
        return [InputProblem(file, document.line(), None, "a Table Schema (title, description, fields, primaryKey)",
                             describe_value(schema))]
    problems = []
    for error in frictionless.Schema.validate_descriptor(schema).errors:
        line, field_name = _schema_error_place(document, error.note)
        problems.append(InputProblem(file, line, field_name, "a valid Table Schema", error.note))
    for index, spec in enumerate(schema.get("fields") if isinstance(schema.get("fields"), list) else []):
        pattern = spec.get("constraints", {}).get("pattern") if isinstance(spec, dict) else None
        if isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error as error:
                problems.append(InputProblem(file, document.line("fields", index), spec.get("name"),
                                             "a pattern that is a valid regular expression",
                                             f"{pattern!r} ({error})"))
    for key in ("title", "description", "primaryKey") if published else ():
        if key not in schema:
            problems.append(InputProblem(file, document.line(), key,
                                         f"a {key} (every published table's schema has one)", "none"))
    return problems


def _schema_error_place(document: YamlDocument, note: str) -> tuple[int, str | None]:
    """Frictionless names what is wrong but not where: find the line of the field or key it names."""
    fields = document.data.get("fields")
    for index, spec in enumerate(fields if isinstance(fields, list) else []):
        if isinstance(spec, dict) and note in [e.note for e in frictionless.Field.validate_descriptor(spec).errors]:
            return document.line("fields", index), spec.get("name")
    for key, words in (("primaryKey", "primary key"), ("foreignKeys", "foreign key")):
        if words in note:
            return document.line(key), key
    named = re.search(r"at property '([^']+)'", note)
    if named:
        keys = [int(k) if k.isdigit() else k for k in named.group(1).split("/")]
        return document.line(*keys), named.group(1)
    return document.line(), None


def rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
