"""Readers for the metadata files (YAML and CSV) that describe the package once.

Every reader here turns malformed input into InputProblems (file, line, column, expected,
found), never a traceback: the later steps can trust what they are given.
"""
from __future__ import annotations

import csv
import datetime
import functools
import io
import os
import re
import stat
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frictionless
import yaml

from build_scripts.cache import keys
from build_scripts.errors import BuildError, InputProblem, excerpt
from build_scripts.paths import Paths

RESOURCE_NAMES = ["observations", "measures", "areas", "reports", "glossary", "quality", "corrections"]
LEVELS = ["1", "2", "3", "all"]
CATEGORIES = ["1", "2", "3", "4", "all"]
# The glossary term that explains each level and category (the pages step): load checks that the
# glossary defines each, so that deleting one stops the build at its file, not in the pages.
LEVEL_TERMS = {"1": "level-1", "2": "level-2", "3": "level-3"}
CATEGORY_TERMS = {"1": "category-1", "2": "category-2", "3": "category-3", "4": "category-4"}

# What the build says about each measure and where it places it, beside measures.csv but not
# published: the headline sentences and other words of the pages (headlines.yaml), and the
# measure's table in a new report's blank file and the measure on the tile map
# (measure-layout.csv). load checks both (steps/load.py); the pages read them with
# measure_words and measure_layout.
HEADLINES = "headlines.yaml"
HEADLINES_EXPECTED = "a list of measures, each starting '- measure_id:'"
MEASURE_LAYOUT = "measure-layout.csv"
# What the pages fill in a headline sentence (steps/pages/words.py, headline), and in a card's words
# all but {n}, which the card prints itself. load refuses any other placeholder.
HEADLINE_PLACEHOLDERS = ("n", "area", "snapshot", "start", "end")


# No input of the project comes near this: the largest, curated/reports.csv, holds about 250
# bytes a report (260 kB at 1,050 reports). A file over it is a mistake or an attack, and is
# refused before it is read, so no file can make the build read or parse for long.
MAX_INPUT_BYTES = 2 * 1024 * 1024


def read_input(path: Path, root: Path) -> bytes:
    """The bytes of one input file, refused (BuildError) before anything is read from it when it
    is a symbolic link, lies outside the project, is not a regular file or is larger than
    MAX_INPUT_BYTES. The messages never quote the file: it may be anyone's."""
    file = rel(path, root)

    def refuse(expected: str, found: str, line: int | None = 1) -> BuildError:
        return BuildError([InputProblem(file, line, None, expected, found)])

    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            raise BuildError([link_problem(file)])
        # A file reached through the project's folders must be in it (a file named on the command
        # line, such as a second keying, may be anywhere).
        if Path(os.path.abspath(path)).is_relative_to(os.path.abspath(root)) and \
                not path.resolve().is_relative_to(root.resolve()):
            raise refuse("a file inside the project folder", "a path that leads outside it, through a linked folder")
        # O_NONBLOCK: opening a named pipe must not wait for a writer; O_NOFOLLOW: no link swapped in since.
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise refuse("this file", "no such file", line=None) from None
    except OSError as error:
        raise refuse("a file the build can read", error.strerror or type(error).__name__) from None
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_INPUT_BYTES:
        os.close(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise refuse("a file", "a folder")
        if not stat.S_ISREG(status.st_mode):
            raise refuse("a file", "a special file (not a regular file)")
        raise refuse(f"a file of at most {MAX_INPUT_BYTES:,} bytes", f"{status.st_size:,} bytes")
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:  # it grew while being read
        raise refuse(f"a file of at most {MAX_INPUT_BYTES:,} bytes", "a file still growing")
    return data


def link_problem(file: str) -> InputProblem:
    return InputProblem(file, 1, None, "a file or folder of its own in the project",
                        "a symbolic link (copy what it leads to here instead: the build reads nothing through a link)")


# What a build reads from the project: load reads curated/ and metadata/ file by file; the pages
# and MkDocs read the rest.
INPUTS = ["curated", "metadata", "templates", "theme", "releases", "CHANGELOG.md", "mkdocs.yml"]


def linked_inputs(root: Path) -> list[InputProblem]:
    """Every symbolic link among the project's inputs. A link can lead to any file on the machine,
    and a template, a theme file, a release or the changelog is published as it is."""
    problems = []
    for name in INPUTS:
        top = root / name
        if top.is_symlink():
            problems.append(link_problem(name))
            continue
        for folder, folders, files in os.walk(top):  # does not enter a linked folder
            for entry in sorted(folders + files):
                if os.path.islink(os.path.join(folder, entry)):
                    problems.append(link_problem(rel(Path(folder) / entry, root)))
    return problems


def check_yaml_structure(path: Path, root: Path) -> None:
    """A YAML file another program reads (mkdocs.yml): bounded as ours are (read_yaml_document),
    without building it. Raises BuildError."""
    text = read_text_strict(path, root)
    file = rel(path, root)
    try:
        problem = _structure_problem(file, text, YAML_LOADER)
    except yaml.YAMLError:
        try:
            problem = _structure_problem(file, text, yaml.SafeLoader)
        except yaml.YAMLError as error:
            problem = _yaml_problem(file, text, error)
    if problem is not None:
        raise BuildError([problem])


def read_text_strict(path: Path, root: Path) -> str:
    """Decode UTF-8 strictly; on failure name the line and column of the first bad byte."""
    data = read_input(path, root)
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


# Characters no printed label, note or metadata text holds: control characters (tab apart),
# invisible format characters (zero-width spaces, soft hyphens, right-to-left overrides: copied
# from PDFs, or planted), line and paragraph separators, and private-use characters (a symbol
# font's glyphs). Each would be published unseen.
UNSEEN_CATEGORIES = {"Cc": "a control character", "Cf": "an invisible formatting character",
                     "Zl": "a line separator", "Zp": "a paragraph separator", "Co": "a private-use character"}
_NOT_PLAIN_ASCII = re.compile(r"[^\t\n\x20-\x7e]")  # a tab and a line break (in YAML text) are fine


def unseen_character(text: str) -> tuple[int, str] | None:
    """(0-based position, words) of the first character `text` must not hold, or None."""
    for match in _NOT_PLAIN_ASCII.finditer(text):
        kind = UNSEEN_CATEGORIES.get(unicodedata.category(match.group()))
        if kind:
            return match.start(), f"{kind}, {character_name(match.group())}"
    return None


def character_name(character: str) -> str:
    """'U+2212 MINUS SIGN': how a message names one character (control characters have no name)."""
    return f"U+{ord(character):04X} {unicodedata.name(character, '')}".rstrip()


def unseen_problem(file: str, line: int | None, column: str | None, text: str) -> InputProblem | None:
    found = unseen_character(text)
    if found is None:
        return None
    position, words = found
    return InputProblem(file, line, column, "text with no control or invisible characters (delete it; it can "
                        "come with text copied from a PDF)", f"{words}, at character {position + 1} of {excerpt(text)}")


def read_csv_dicts(path: Path, root: Path) -> list[dict[str, str]]:
    text = read_text_strict(path, root)
    return list(csv.DictReader(io.StringIO(text, newline="")))


# What checks an input, for the key of a passed check (cache/keys.py): the load step runs every
# check of the inputs, with every module it imports, and frictionless validates.
CHECKED_BY = {"code": ["build_scripts.steps.load"], "libraries": ["frictionless"]}


def checked_once(cache: Path | None, inputs: Any, check: Callable[[], list[InputProblem]]) -> list[InputProblem]:
    """Run `check` unless the same inputs passed it before with the same checking code (a marker
    file named by their key), so a rebuild with unchanged metadata does not validate it again."""
    if cache is None:
        return check()
    marker = cache / keys.key("passed check", inputs, **CHECKED_BY)
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
    So are spaces around a column name in the header, which frictionless ignores too. A line
    break inside a cell is not: no printed label has one, and it is nearly always a missing
    closing quote that has swallowed the rows below it. Nor is a control or invisible character
    in any cell (unseen_character), nor a header separated by semicolons or tabs.

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
    # One pass over the file in the common case; CR of a CRLF line end is not in any cell.
    check_characters = unseen_character(text.replace("\r", "")) is not None
    last_line = 0
    try:
        for cells in reader:
            line = last_line + 1
            if reader.line_num > line:
                problems.append(_quote_problem(file, text, line, header or fields))
                break
            last_line = reader.line_num
            for number, cell in enumerate(cells if check_characters else []):
                problem = unseen_problem(file, line, header[number] if header and number < len(header)
                                         else f"cell {number + 1}", cell)
                if problem:
                    problems.append(problem)
            if header is None:
                header = [name.strip() for name in cells]
                separator = _wrong_separator(cells, fields)
                if separator:
                    raise BuildError([InputProblem(
                        file, 1, None, f"{header_words}, the names separated by commas",
                        f"names separated by {separator} (save the file as \"CSV UTF-8 (Comma delimited)\", or "
                        "with commas as the separator)")])
                for number, name in enumerate(header, start=1):
                    if not name:
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


def _wrong_separator(header: list[str], fields: list[str]) -> str | None:
    """'semicolons' or 'tabs' when the header is the expected one separated by those (as a
    spreadsheet set to a European locale saves CSV), else None."""
    if len(header) >= len(fields):
        return None
    text = ",".join(header)
    for separator, words in ((";", "semicolons"), ("\t", "tabs")):
        names = [name.strip().strip('"') for name in text.split(separator)]
        if len(names) > len(header) and len(set(names) & set(fields)) > len(set(header) & set(fields)):
            return words
    return None


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
                                        f"{excerpt(line_text[start:])} with no closing quote")
                if line_text.startswith('""', close):  # a doubled quote is a quote inside the text
                    position = close + 2
                    continue
                position = close + 1
                break
            if position < len(line_text) and line_text[position] != ",":
                end = line_text.find(",", position)
                return InputProblem(file, line, _column_name(header, cell),
                                    "a comma straight after a closing double quote (put the whole value in quotes)",
                                    excerpt(line_text[start:end if end != -1 else None]))
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
                                             f"the placeholder {excerpt(value)} that make new-report or make "
                                             "draft-report wrote (replace it)"))
    return problems


def in_words(description: str | None) -> str:
    """A field's description as the 'expected' part of a message: 'The value as printed.' ->
    'the value as printed'."""
    text = " ".join((description or "").split()).rstrip(".")
    first = text.split(" ", 1)[0]
    return text if len(first) > 1 and first.isupper() else text[:1].lower() + text[1:]


def _column_name(header: list[str], index: int) -> str:
    return header[index] if index < len(header) else f"cell {index + 1}"


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


def read_yaml_document(path: Path, root: Path, expected: str, plain_text: bool = True) -> YamlDocument:
    """Parse one YAML file; `expected` says in words what it should hold, for an empty file.
    With `plain_text` (all but the Table Schemas, whose patterns name control characters), every value
    is checked to be text a reader can see.

    Bounded: the file's size is limited (read_input), and its parser events are checked before
    anything is built from them, refusing anchors and aliases (a few hundred bytes of aliases
    to aliases stand for billions of values) and nesting deeper than MAX_YAML_DEPTH. So the
    document built is a tree no larger than the file, and walking it is quick."""
    text = read_text_strict(path, root)
    file = rel(path, root)
    try:
        problem = _structure_problem(file, text, YAML_LOADER)
        if problem is not None:
            raise BuildError([problem])
        node, data = _compose(text, YAML_LOADER)
    except yaml.YAMLError:
        # Parse again with PyYAML's own parser: its messages name what it found, libyaml's do not.
        try:
            problem = _structure_problem(file, text, yaml.SafeLoader)
            node, data = _compose(text, yaml.SafeLoader) if problem is None else (None, None)
        except yaml.YAMLError as error:
            raise BuildError([_yaml_problem(file, text, error)]) from None
        if problem is not None:
            raise BuildError([problem]) from None
    if node is None or data is None:
        raise BuildError([InputProblem(file, 1, None, expected, "an empty file")])
    problems = _duplicate_keys(file, node) + (_unseen_in_yaml(file, node) if plain_text else [])
    if problems:
        raise BuildError(sorted(problems, key=lambda p: p.line or 0))
    return YamlDocument(file, data, node)


# The project's YAML nests at most 6 deep (a quality-register check).
MAX_YAML_DEPTH = 20


def _structure_problem(file: str, text: str, loader_class: type) -> InputProblem | None:
    """The first anchor, alias or too-deep nesting in `text`, from the parser's events alone
    (a stream, read in one pass with constant memory: nothing is built)."""
    loader = loader_class(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            line, column = event.start_mark.line + 1, f"character {event.start_mark.column + 1}"
            if isinstance(event, yaml.AliasEvent):
                return InputProblem(file, line, column, "a value written out in full (put a value that starts "
                                    "with '*' in quotes: these files use no YAML aliases)",
                                    f"the alias {excerpt('*' + str(event.anchor))}")
            if getattr(event, "anchor", None) is not None:
                return InputProblem(file, line, column, "a value written out in full (put a value that starts "
                                    "with '&' in quotes: these files use no YAML anchors)",
                                    f"the anchor {excerpt('&' + str(event.anchor))}")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    return InputProblem(file, line, column, f"lists and mappings at most {MAX_YAML_DEPTH} deep",
                                        f"one {depth} deep")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()
    return None


def _unseen_in_yaml(file: str, root_node: yaml.Node) -> list[InputProblem]:
    """Every key and value holds only text a reader can see (unseen_character), escapes included:
    "\\0" in double quotes is a NUL."""
    problems = []
    pending: list[tuple[yaml.Node, str | None]] = [(root_node, None)]
    while pending:
        node, key = pending.pop()
        if isinstance(node, yaml.ScalarNode):
            mark = node.start_mark
            problem = unseen_problem(file, mark.line + 1, key or f"character {mark.column + 1}", node.value)
            if problem:
                problems.append(problem)
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                pending.append((key_node, None))
                pending.append((value_node, str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else None))
        elif isinstance(node, yaml.SequenceNode):
            pending.extend((item, key) for item in node.value)
    return problems


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
        return mark.line + 1, f"character {mark.column + 1}", excerpt(line_text) if line_text else "''"

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
    return excerpt(value)


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
    document = read_yaml_document(path, root, "a Table Schema (title, description, fields, primaryKey)", plain_text=False)
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
    fields = schema.get("fields")
    shapeless = [index for index, spec in enumerate(fields if isinstance(fields, list) else [])
                 if not isinstance(spec, dict)]
    if shapeless:  # frictionless's validator expects each field to be a mapping
        return [InputProblem(file, document.line("fields", index), "fields",
                             "a field of 'key: value' pairs (name, type, ...)", describe_value(fields[index]))
                for index in shapeless]
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
    """The path as a message names it: relative to the project, as reached through its folders
    (a link is named as the link, never as the file it leads to)."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        pass
    try:
        return (path.parent.resolve() / path.name).relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


# A printed dash, typed as "-": the only character read as one (curated/README.md, "Dashes").
DASHES = {"-"}


def parse_value(printed: str) -> tuple[str, str]:
    """Return (value, status) for a printed value that already passed the schema's pattern."""
    if printed in DASHES:
        return "", "not_applicable"
    return printed.replace(",", ""), "reported"


# ---------------------------------------------------------------------------------------------
# The build's words and layout for each measure (HEADLINES, MEASURE_LAYOUT), as load checked them


def measure_words(paths: Paths) -> dict[str, dict[str, str]]:
    """metadata/headlines.yaml: each measure's words by measure_id, every field of the schema
    present (an optional one left out is empty), each text on one line."""
    names = [spec["name"] for spec in load_schema(paths, "headlines")["fields"]]
    document = read_yaml_document(paths.metadata / HEADLINES, paths.root, HEADLINES_EXPECTED)
    return {entry["measure_id"]: {name: " ".join(str(entry.get(name) or "").split()) for name in names}
            for entry in document.data}


def measure_layout(paths: Paths) -> dict[str, dict[str, str]]:
    """metadata/measure-layout.csv: each measure's row by measure_id."""
    names = [spec["name"] for spec in load_schema(paths, "measure-layout")["fields"]]
    table = read_csv_table(paths.metadata / MEASURE_LAYOUT, paths.root, names, "measure")
    return {row["measure_id"]: row for row in table.rows}


def tile_map_measure(layout: dict[str, dict[str, str]]) -> str:
    """The one measure whose latest figure colours the tile map (load checks there is one)."""
    return next(measure_id for measure_id, row in layout.items() if row["tile_map"] == "true")
