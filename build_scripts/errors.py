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
