"""Corrections: the figures of released reports that a later release changed.

A figure is identified by its report, measure, level and category. Between two releases it is
corrected when its value or status differs, or when it appears or disappears, in a report the
earlier release already held (a new report's figures are additions, not corrections). Each
correction is a row of curated/corrections.csv, written by make release (release.py) with the
values of both releases and the curator's reason, and published as the corrections resource.
Every row is checked on every build against the two releases it names, so the log can never
say what the releases do not.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Callable, Iterable

from build_scripts.errors import InputProblem
from build_scripts.inputs.releases import Releases, version_key

NOT_PUBLISHED = "not_published"
FILE = "curated/corrections.csv"
Key = tuple[str, str, str, str]  # report_id, measure_id, level, category
Figure = tuple[str, str]  # value, status


def key_of(row: dict[str, str]) -> Key:
    return row["report_id"], row["measure_id"], row["level"], row["category"]


def figures(observations: Iterable[dict[str, str]]) -> dict[Key, Figure]:
    return {key_of(row): (row["value"], row["status"]) for row in observations}


def read_observations(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


@dataclass(frozen=True)
class Change:
    key: Key
    before: Figure
    after: Figure


def figure_changes(before: list[dict[str, str]], after: list[dict[str, str]]) -> list[Change]:
    """Every figure of a report in `before` whose value or status is not the same in `after`."""
    held = {row["report_id"] for row in before}
    old, new = figures(before), figures(after)
    absent = ("", NOT_PUBLISHED)
    keys = sorted(set(old) | {key for key in new if key[0] in held})
    return [Change(key, old.get(key, absent), new.get(key, absent)) for key in keys
            if old.get(key, absent) != new.get(key, absent)]


def describe(figure: Figure) -> str:
    value, status = figure
    return {"reported": value, "not_applicable": "a dash (not applicable)",
            NOT_PUBLISHED: "no figure (not published)"}.get(status, repr(figure))


def check_corrections(rows: list[dict[str, str]], lines: list[int], releases: Releases,
                      releasing: tuple[str, list[dict[str, str]]] | None = None) -> list[InputProblem]:
    """Each row of the corrections log must say what the two releases say. `releasing`: the
    version being released and its observations (make release checks its new rows with them)."""
    cache: dict[str, dict[Key, Figure]] = {}
    held: dict[str, set[str]] = {}

    def observations_of(version: str) -> dict[Key, Figure]:
        if version not in cache:
            rows_of = releasing[1] if releasing and version == releasing[0] else read_observations(
                releases.read(version, "observations.csv"))
            cache[version] = figures(rows_of)
            held[version] = {row["report_id"] for row in rows_of}
        return cache[version]

    known = set(releases.versions) | ({releasing[0]} if releasing else set())
    problems = []
    for line, row in zip(lines, rows, strict=True):
        def problem(column: str, expected: str, found: str, line: int = line) -> None:
            problems.append(InputProblem(FILE, line, column, expected, found))

        corrected_in = row["corrected_in"]
        if row["report_id"] != f"{row['area_id']}-{row['year']}":
            problem("report_id", f"'{row['area_id']}-{row['year']}' (area_id-year)", repr(row["report_id"]))
        if corrected_in not in known:
            problem("corrected_in", "a released version (" + ", ".join(sorted(known, key=version_key)) + ")",
                    f"{corrected_in!r} (a make release that did not finish? restore this file with "
                    f"`git checkout -- {FILE}`)")
            continue
        previous = releases.previous(corrected_in) if corrected_in in releases.files else releases.latest
        if previous is None:
            problem("corrected_in", "a version after the first release (nothing is corrected in a first release)",
                    repr(corrected_in))
            continue
        if row["released_in"] != previous:
            problem("released_in", f"{previous}, the release before {corrected_in}", repr(row["released_in"]))
        old, new = observations_of(previous), observations_of(corrected_in)
        key = key_of(row)
        if key[0] not in held[previous]:
            problem("report_id", f"a report that release {previous} held (a new report's figures are not "
                                 "corrections)", repr(key[0]))
            continue
        absent = ("", NOT_PUBLISHED)
        for side, figure, version in (("released", old.get(key, absent), previous),
                                      ("corrected", new.get(key, absent), corrected_in)):
            written = (row[f"{side}_value"], row[f"{side}_status"])
            if written != figure:
                problem(f"{side}_value", f"{describe(figure)}, the figure in release {version}", describe(written))
        if old.get(key, absent) == new.get(key, absent):
            problem("corrected_in", f"a figure that release {corrected_in} changed",
                    f"the same figure in releases {previous} and {corrected_in}: {describe(old.get(key, absent))}")
    return problems


def correction_rows(changes: list[Change], area_and_year: Callable[[str], tuple[str, str]], previous: str,
                    version: str, date: str, reason_for: Callable[[Key], str]) -> list[dict[str, str]]:
    """The rows make release adds to the corrections log for `changes`."""
    rows = []
    for change in changes:
        report_id, measure_id, level, category = change.key
        area_id, year = area_and_year(report_id)
        rows.append(dict(report_id=report_id, area_id=area_id, year=year, measure_id=measure_id, level=level,
                         category=category, released_value=change.before[0], released_status=change.before[1],
                         corrected_value=change.after[0], corrected_status=change.after[1], released_in=previous,
                         corrected_in=version, corrected_on=date, reason=reason_for(change.key)))
    return rows
