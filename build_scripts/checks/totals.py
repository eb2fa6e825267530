"""Checks a schema cannot express: every printed total against the sum of its parts."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

PART_LEVELS = ["1", "2", "3"]
PART_CATEGORIES = ["1", "2", "3", "4"]


@dataclass(frozen=True)
class Mismatch:
    report_id: str
    measure_id: str
    level: str
    category: str
    over: str  # "category": the parts are the categories in that level's row; "level": the levels in that column
    printed_total: Decimal
    sum_of_parts: Decimal


def _number(text: str) -> Decimal:
    return Decimal(text)


def find_mismatches(observations: Iterable[dict[str, str]]) -> list[Mismatch]:
    """Compare each printed total (level or category 'all') with the sum of its printed parts.

    A dash (not applicable) is not a part. A total with no printed parts is not checked.
    """
    tables: dict[tuple[str, str], dict[tuple[str, str], Decimal | None]] = defaultdict(dict)
    for obs in observations:
        value = _number(obs["value"]) if obs["status"] == "reported" else None
        tables[(obs["report_id"], obs["measure_id"])][(obs["level"], obs["category"])] = value
    found = []
    for (report_id, measure_id), cells in sorted(tables.items()):
        if set(cells) == {("all", "all")}:
            continue  # a single figure: nothing to add up
        for (level, category), total in sorted(cells.items()):
            if total is None:
                continue
            checks = []
            if category == "all":
                checks.append(("category", [cells.get((level, c)) for c in PART_CATEGORIES if (level, c) in cells]))
            if level == "all":
                checks.append(("level", [cells.get((lv, category)) for lv in PART_LEVELS if (lv, category) in cells]))
            for over, parts in checks:
                printed = [p for p in parts if p is not None]
                if printed and sum(printed) != total:
                    found.append(Mismatch(report_id, measure_id, level, category, over, total, sum(printed)))
    return found
