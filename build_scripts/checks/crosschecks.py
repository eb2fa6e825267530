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

from build_scripts.inputs.metadata import CATEGORIES


@dataclass(frozen=True)
class Rule:
    rule_id: str
    smaller: str  # the measure whose figure can never be larger...
    larger: str  # ...than this measure's figure, compared category by category
    levels: tuple[str, ...]  # the levels added up on each side ("all" for single figures)
    reason: str


# Levels: the yearly table (managed_l2_l3) counts each person once, at the highest level they
# reached in the year. So anyone at level 3 at some point is in its level 3 row, and anyone at
# level 2 or 3 at some point is in its level 2 and 3 rows together; level 2 alone is no bound,
# because a person at level 2 on 31 March may be counted at level 3 for the year.
def _custody_rules(name: str, measure: str) -> tuple[Rule, ...]:
    """Returns to custody (for breach of a licence, or of an order) are counted in people, at the
    level they were managed at when returned."""
    return (
        Rule(f"custody-{name}-level-3-within-managed", measure, "managed_l2_l3", ("3",),
             "A person returned to custody while managed at level 3 was managed at level 3 during the year, "
             "so the yearly table's level 3 row includes them."),
        Rule(f"custody-{name}-levels-2-3-within-managed", measure, "managed_l2_l3", ("2", "3"),
             "A person returned to custody while managed at level 2 or 3 was managed at level 2 or 3 during the "
             "year, so the yearly table's levels 2 and 3 together include them."),
    )


RULES = (
    Rule("eligible-level-3-within-managed", "eligible", "managed_l2_l3", ("3",),
         "Everyone managed at level 3 on 31 March was managed at level 3 during the year, and the yearly "
         "table counts each person at the highest level they reached, so its level 3 row includes them all."),
    Rule("eligible-levels-2-3-within-managed", "eligible", "managed_l2_l3", ("2", "3"),
         "Everyone managed at level 2 or 3 on 31 March was managed at level 2 or 3 during the year, so the "
         "yearly table's levels 2 and 3 together include them all."),
    *_custody_rules("licence", "custody_breach_licence"),
    *_custody_rules("order", "custody_breach_order"),
    Rule("shpo-foreign-travel-within-shpo", "shpo_foreign_travel", "shpo", ("all",),
         "A Sexual Harm Prevention Order with a foreign travel restriction is a Sexual Harm Prevention Order, "
         "so in one year there cannot be more of them than Sexual Harm Prevention Orders made."),
)
RULES_BY_ID = {rule.rule_id: rule for rule in RULES}


@dataclass(frozen=True)
class Breach:
    report_id: str
    rule_id: str
    category: str
    smaller: Decimal  # the sum of the printed figures that should be the smaller
    larger: Decimal

    @property
    def rule(self) -> Rule:
        return RULES_BY_ID[self.rule_id]


def _side(values: dict[tuple[str, str, str], Decimal | None], measure: str, levels: tuple[str, ...],
          category: str) -> Decimal | None:
    """The sum of a measure's printed figures at these levels, or None when any is not printed
    as a number (a dash, or a table the report did not print): nothing to compare."""
    figures = [values.get((measure, level, category)) for level in levels]
    return None if any(f is None for f in figures) else sum(figures, Decimal(0))


def find_breaches(observations: Iterable[dict[str, str]]) -> list[Breach]:
    """Every rule, in every report, for every category that both tables print."""
    by_report: dict[str, dict[tuple[str, str, str], Decimal | None]] = {}
    for obs in observations:
        value = Decimal(obs["value"]) if obs["status"] == "reported" else None
        by_report.setdefault(obs["report_id"], {})[(obs["measure_id"], obs["level"], obs["category"])] = value
    breaches = []
    for report_id, values in sorted(by_report.items()):
        for rule in RULES:
            categories = ["all"] if rule.levels == ("all",) else CATEGORIES
            for category in categories:
                smaller = _side(values, rule.smaller, rule.levels, category)
                larger = _side(values, rule.larger, rule.levels, category)
                if smaller is not None and larger is not None and smaller > larger:
                    breaches.append(Breach(report_id, rule.rule_id, category, smaller, larger))
    return breaches
