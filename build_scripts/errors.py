"""One error type for bad input: it always says file, line, column, expected and found."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputProblem:
    file: str
    line: int | None
    column: str | None
    expected: str
    found: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f": column '{self.column}'"
        return f"{where}: expected {self.expected}; found {self.found}"


class BuildError(Exception):
    """Raised with every problem found, so a curator can fix them all in one pass."""

    def __init__(self, problems: list[InputProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class MkDocsFailed(Exception):
    """`mkdocs build --strict` stopped (a warning counts): its own messages say why."""

    def __init__(self, returncode: int, output: str):
        self.returncode, self.output = returncode, output
        super().__init__(f"mkdocs build --strict failed (exit {returncode}); nothing was published")


EXCERPT_LIMIT = 60


def excerpt(text: object, limit: int = EXCERPT_LIMIT) -> str:
    """What a message quotes of an input: at most `limit` characters, in quotes, with control and
    invisible characters written as escapes (Python's repr), so a message stays one short line
    that shows what is there and never pours out a file."""
    text = str(text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)
