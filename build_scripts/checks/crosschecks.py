"""Checks across tables: rules that hold for any honest report, whatever its figures.

A total that is not the sum of its parts shows a slip inside one table (totals.py). These
rules catch slips that no total reveals: two tables of one report that cannot both be right.
Each rule says which figure can never be larger than which, and why. A breach is never
corrected: like a total mismatch it must be listed in the data-quality register (kind
`cross_table`), or the build stops.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from build_scripts.inputs.metadata import CATEGORIES, load_schema, read_csv_table
from build_scripts.paths import Paths


@dataclass(frozen=True)
class Rule:
    rule_id: str
    smaller: str  # the measure whose figure can never be larger...
    larger: str  # ...than this measure's figure, compared category by category
    levels: tuple[str, ...]  # the levels added up on each side ("all" for single figures)
    reason: str


RULES_FILE = "crosscheck-rules.csv"


# The rules are in metadata/crosscheck-rules.csv, each with its reason in words; the methodology
# page lists them. On levels: the yearly table (managed_l2_l3) counts each person once, at the
# highest level they reached in the year. So anyone at level 3 at some point is in its level 3
# row, and anyone at level 2 or 3 at some point is in its level 2 and 3 rows together; level 2
# alone is no bound, because a person at level 2 on 31 March may be counted at level 3 for the year.
def rules_from_rows(rows: Iterable[dict[str, str]]) -> tuple[Rule, ...]:
    return tuple(Rule(row["rule_id"], row["smaller"], row["larger"], tuple(row["levels"].split()),
                      " ".join(row["reason"].split())) for row in rows)


def read_rules(paths: Paths) -> tuple[Rule, ...]:
    """metadata/crosscheck-rules.csv, as step 1 (load) checked it."""
    names = [spec["name"] for spec in load_schema(paths, "crosscheck-rules")["fields"]]
    return rules_from_rows(read_csv_table(paths.metadata / RULES_FILE, paths.root, names, "rule").rows)


@dataclass(frozen=True)
class Breach:
    report_id: str
    rule: Rule
    category: str
    smaller: Decimal  # the sum of the printed figures that should be the smaller
    larger: Decimal

    @property
    def rule_id(self) -> str:
        return self.rule.rule_id


def _side(values: dict[tuple[str, str, str], Decimal | None], measure: str, levels: tuple[str, ...],
          category: str) -> Decimal | None:
    """The sum of a measure's printed figures at these levels, or None when any is not printed
    as a number (a dash, or a table the report did not print): nothing to compare."""
    figures = [values.get((measure, level, category)) for level in levels]
    return None if any(f is None for f in figures) else sum(figures, Decimal(0))


def find_breaches(observations: Iterable[dict[str, str]], rules: Iterable[Rule]) -> list[Breach]:
    """Every rule, in every report, for every category that both tables print."""
    by_report: dict[str, dict[tuple[str, str, str], Decimal | None]] = {}
    for obs in observations:
        value = Decimal(obs["value"]) if obs["status"] == "reported" else None
        by_report.setdefault(obs["report_id"], {})[(obs["measure_id"], obs["level"], obs["category"])] = value
    breaches = []
    for report_id, values in sorted(by_report.items()):
        for rule in rules:
            categories = ["all"] if rule.levels == ("all",) else CATEGORIES
            for category in categories:
                smaller = _side(values, rule.smaller, rule.levels, category)
                larger = _side(values, rule.larger, rule.levels, category)
                if smaller is not None and larger is not None and smaller > larger:
                    breaches.append(Breach(report_id, rule, category, smaller, larger))
    return breaches
