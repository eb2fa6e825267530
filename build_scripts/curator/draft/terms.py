"""The words by which a printed table is known (metadata/draft-terms.csv), and printed text put
in the form those words are compared in.

Reports word the same table many ways (offenders or individuals; SHPOs or Sexual Harm Prevention
Orders; a date or a period in the title), so a table is known by key phrases it must hold and
phrases it must not, not by one exact title. The phrases are data, beside the measures they
name: a new wording is a new row of that file, not new code.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from build_scripts.errors import BuildError, InputProblem
from build_scripts.inputs.metadata import CATEGORIES, rel
from build_scripts.paths import Paths
from build_scripts.steps.load import read_table

TERMS_FILE = "draft-terms.csv"
# Titles that start a table of several measures rather than one: the orders table (its rows say
# which order) and the returns to custody table (its sections say which breach).
GROUPS = ("orders", "custody")

# A footnote mark printed after a label or a value: never part of either.
MARK = r"(?:\s*(?:[*†‡§¶#⁰¹²³⁴⁵⁶⁷⁸⁹]+|\((?:[a-z]|[ivx]+|\d)\)))"
_MARK_AT_END = re.compile(MARK + r"$")


@dataclass(frozen=True)
class Term:
    key: str
    part: str
    all_of: tuple[str, ...]
    none_of: tuple[str, ...]
    line: int


def normalise(text: str) -> str:
    """Lower case, accents and punctuation gone, thousands separators dropped, a plural's s gone:
    ' mappa eligible offender on 31 march 2024 ' (padded, so a phrase matches whole words)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    words = [w[:-1] if len(w) >= 4 and w.endswith("s") and not w.endswith(("ss", "us", "is")) else w for w in words]
    return f" {' '.join(words)} "


def holds(normalised: str, phrase: str) -> bool:
    return f" {phrase} " in normalised


def without_mark(text: str) -> tuple[str, str]:
    """(text, mark): 'Level 2*' -> ('Level 2', '*'); a label or value without one -> (text, '')."""
    match = _MARK_AT_END.search(text)
    if not match or not text[: match.start()].strip():
        return text, ""
    return text[: match.start()].rstrip(), match.group(0).strip()


class Terms:
    """The terms of draft-terms.csv, checked: each key is a measure (or a group, or a category)
    that its part can name."""

    def __init__(self, paths: Paths, measure_ids: list[str]):
        path = paths.metadata / TERMS_FILE
        table = read_table(paths, path, "draft-terms", "term", cache=False)
        allowed = {"title": set(measure_ids) | set(GROUPS), "row": set(measure_ids), "section": set(measure_ids),
                   "column": set(CATEGORIES)}
        problems = []
        self.terms: list[Term] = []
        for line, row in zip(table.lines, table.rows, strict=True):
            if row["key"] not in allowed[row["part"]]:
                what = {"column": "a category (1, 2, 3, 4 or all)", "title": "a measure of measures.csv, orders or "
                        "custody"}.get(row["part"], "a measure of measures.csv")
                problems.append(InputProblem(rel(path, paths.root), line, "key", f"{what} for part {row['part']}",
                                             repr(row["key"])))
            # Each phrase is put in the form the printed text is compared in, so both read alike.
            split = (lambda text: tuple(normalise(p).strip() for p in text.split(" + ") if p.strip()))
            self.terms.append(Term(row["key"], row["part"], split(row["all_of"]), split(row["none_of"]), line))
        if problems:
            raise BuildError(problems)

    def keys(self, text: str, part: str) -> list[str]:
        """The keys whose terms the text matches, in the file's order, each once."""
        normalised = normalise(text)
        found: list[str] = []
        for term in self.terms:
            if term.part != part or term.key in found:
                continue
            if all(holds(normalised, p) for p in term.all_of) and not any(holds(normalised, p) for p in term.none_of):
                found.append(term.key)
        return found

    def key(self, text: str, part: str) -> str | None:
        """The one key the text matches, or None when it matches none or more than one."""
        found = self.keys(text, part)
        return found[0] if len(found) == 1 else None
