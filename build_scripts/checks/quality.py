"""The data-quality register: every entry must still match the data, and every total
mismatch and every breach of a rule across tables (crosschecks.py) must have an entry."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from build_scripts.checks.crosschecks import Breach, Rule
from build_scripts.checks.totals import Mismatch
from build_scripts.errors import BuildError, InputProblem
from build_scripts.inputs.metadata import CATEGORIES, LEVELS, describe_value

REGISTER_FILE = "metadata/quality-register.yaml"
PUBLISHED_FIELDS = ["quality_id", "report_id", "measure_id", "kind", "grade", "location", "printed", "found",
                    "handling"]
# How much an entry matters when the register does not say (metadata/schemas/quality.yaml, `grade`).
GRADE_OF_KIND = {"cross_table": "disagree", "label_missing": "unaffected", "terminology": "unaffected",
                 "total_mismatch": "doubtful", "period_mismatch": "doubtful", "other": "doubtful"}


TOTAL_CHECK_KEYS = ["level", "category", "over", "printed_total", "sum_of_parts"]
CROSS_CHECK_KEYS = ["rule", "breaches"]
BREACH_KEYS = ["category", "smaller", "larger"]
CHECK_EXPECTATIONS = ["present", "absent"]


def check_problems(entry: dict[str, Any], table_fields: dict[str, list[str]],
                   rule_ids: list[str]) -> list[tuple[tuple, str, str]]:
    """What is wrong with the shape of an entry's `check`, as (keys within the entry, expected, found).

    `table_fields` maps each table a check may look at to its field names; `rule_ids` are the
    rules across tables (metadata/crosscheck-rules.csv)."""
    check = entry.get("check")
    if entry.get("kind") == "cross_table":
        return _cross_check_problems(entry, check, rule_ids)
    if entry.get("kind") == "total_mismatch":
        if not isinstance(check, dict):
            return [(("check",), "a check with " + ", ".join(TOTAL_CHECK_KEYS),
                     describe_value(check) if "check" in entry else "none")]
        problems = [(("check", key), "only the keys " + ", ".join(TOTAL_CHECK_KEYS), repr(key))
                    for key in check if key not in TOTAL_CHECK_KEYS]
        if not entry.get("measure_id"):
            problems.append((("measure_id",), "a measure_id (a printed total is in one measure's table)", "none"))
        allowed = {"level": LEVELS, "category": CATEGORIES, "over": ["category", "level"]}
        for key in TOTAL_CHECK_KEYS:
            value = check.get(key)
            if key not in check:
                problems.append((("check",), f"a {key} in the check", "none"))
            elif key in allowed and (isinstance(value, bool) or str(value) not in allowed[key]):
                problems.append((("check", key), "one of " + ", ".join(allowed[key]), describe_value(value)))
            elif key not in allowed and not _is_number(value):
                problems.append((("check", key), "a number", describe_value(value)))
        return problems
    if not isinstance(check, dict) or not check:
        return [(("check",), "a check: present or absent, with conditions on observations or reports rows",
                 describe_value(check) if "check" in entry else "none")]
    problems = []
    for expectation, tables in check.items():
        if expectation not in CHECK_EXPECTATIONS:
            problems.append((("check", expectation), "present or absent", repr(expectation)))
            continue
        if not isinstance(tables, dict) or not tables:
            problems.append((("check", expectation), "observations or reports, with conditions",
                             describe_value(tables)))
            continue
        for table, conditions in tables.items():
            if table not in table_fields:
                problems.append((("check", expectation, table), "one of " + ", ".join(table_fields), repr(table)))
            elif not isinstance(conditions, dict) or not conditions:
                problems.append((("check", expectation, table), "conditions as 'field: value'",
                                 describe_value(conditions)))
            else:
                for name, wanted in conditions.items():
                    field_name = str(name).removesuffix("_contains")
                    if field_name not in table_fields[table]:
                        problems.append((("check", expectation, table, name),
                                         f"a field of {table} (with _contains for part of the text): "
                                         + ", ".join(table_fields[table]), repr(name)))
                    elif isinstance(wanted, bool) or not isinstance(wanted, str | int | float):
                        problems.append((("check", expectation, table, name), "text", describe_value(wanted)))
    return problems


def _cross_check_problems(entry: dict[str, Any], check: Any, rule_ids: list[str]) -> list[tuple[tuple, str, str]]:
    """A cross_table check names a rule and lists each breach: category, smaller, larger."""
    if not isinstance(check, dict):
        return [(("check",), "a check with " + ", ".join(CROSS_CHECK_KEYS),
                 describe_value(check) if "check" in entry else "none")]
    problems = [(("check", key), "only the keys " + ", ".join(CROSS_CHECK_KEYS), repr(key))
                for key in check if key not in CROSS_CHECK_KEYS]
    if str(check.get("rule")) not in rule_ids:
        problems.append((("check", "rule"), "one of the rules " + ", ".join(rule_ids),
                         describe_value(check.get("rule")) if "rule" in check else "none"))
    breaches = check.get("breaches")
    if not isinstance(breaches, list) or not breaches:
        return problems + [(("check", "breaches"), "a list of breaches, each with " + ", ".join(BREACH_KEYS),
                            describe_value(breaches) if "breaches" in check else "none")]
    for index, breach in enumerate(breaches):
        if not isinstance(breach, dict) or sorted(breach) != sorted(BREACH_KEYS):
            problems.append((("check", "breaches", index), "exactly the keys " + ", ".join(BREACH_KEYS),
                             describe_value(breach)))
        elif isinstance(breach["category"], bool) or str(breach["category"]) not in CATEGORIES:
            problems.append((("check", "breaches", index, "category"), "one of " + ", ".join(CATEGORIES),
                             describe_value(breach["category"])))
        else:
            problems += [(("check", "breaches", index, key), "a number", describe_value(breach[key]))
                         for key in ("smaller", "larger") if not _is_number(breach[key])]
    return problems


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return False
    try:
        return Decimal(str(value)).is_finite()
    except ArithmeticError:
        return False


def _row_matches(row: dict[str, str], where: dict[str, Any]) -> bool:
    for key, wanted in where.items():
        if key.endswith("_contains"):
            if str(wanted) not in (row.get(key[: -len("_contains")]) or ""):
                return False
        elif (row.get(key) or "") != str(wanted):
            return False
    return True


def _mismatch_key(m: Mismatch) -> tuple:
    return (m.report_id, m.measure_id, m.level, m.category, m.over, m.printed_total, m.sum_of_parts)


def _breach_key(b: Breach) -> tuple:
    return (b.report_id, b.rule_id, b.category, b.smaller, b.larger)


def check_register(
    register: list[dict[str, Any]],
    mismatches: list[Mismatch],
    breaches: list[Breach],
    tables: dict[str, list[dict[str, str]]],
    locate_cell,
    locate_entry=lambda index, *keys: None,
) -> None:
    """Raise BuildError for an unlisted mismatch or breach, or an entry that no longer matches.

    `tables` maps "observations" and "reports" to their rows; `locate_cell(report_id,
    measure_id, level, category)` gives (file, line) of a printed cell in the curated inputs,
    and `locate_entry(index, *keys)` the line of a key of the register's entry `index`, for
    the error message.
    """
    problems: list[InputProblem] = []
    listed = {}
    listed_breaches = set()
    found_breaches = {_breach_key(b) for b in breaches}
    for index, entry in enumerate(register):
        where = f"the entry {entry.get('quality_id', index + 1)}"
        check = entry.get("check") or {}
        if entry.get("kind") == "cross_table":
            for number, breach in enumerate(check["breaches"]):
                key = (entry["report_id"], check["rule"], str(breach["category"]), Decimal(str(breach["smaller"])),
                       Decimal(str(breach["larger"])))
                listed_breaches.add(key)
                if key not in found_breaches:
                    problems.append(InputProblem(
                        REGISTER_FILE, locate_entry(index, "check", "breaches", number), "check.breaches",
                        f"a breach of rule {check['rule']} in category {breach['category']} that the data still shows",
                        f"the data no longer breaks it (remove or update {where})"))
            continue
        if entry.get("kind") == "total_mismatch":
            key = (entry["report_id"], entry.get("measure_id"), str(check.get("level")), str(check.get("category")),
                   check.get("over"), Decimal(str(check.get("printed_total"))), Decimal(str(check.get("sum_of_parts"))))
            listed[key] = entry
            if key not in {_mismatch_key(m) for m in mismatches}:
                problems.append(InputProblem(REGISTER_FILE, locate_entry(index, "check"), "check",
                                             "a total mismatch that the data still shows",
                                             f"the data no longer has this mismatch (remove or update {where})"))
            continue
        if not check:
            problems.append(InputProblem(REGISTER_FILE, locate_entry(index), "check", "a check", "none"))
        for expectation, resources in check.items():
            for resource, conditions in resources.items():
                rows = [r for r in tables[resource] if r["report_id"] == entry["report_id"]]
                hit = any(_row_matches(r, conditions) for r in rows)
                if hit != (expectation == "present"):
                    problems.append(InputProblem(
                        REGISTER_FILE, locate_entry(index, "check", expectation, resource), f"check.{expectation}",
                        f"{resource} rows of {entry['report_id']} where {conditions} to be {expectation}",
                        f"the data no longer matches (update or remove {where})"))
    for breach in breaches:
        if _breach_key(breach) not in listed_breaches:
            rule = breach.rule
            file, line = locate_cell(breach.report_id, rule.smaller, rule.levels[-1], breach.category)
            levels = " and ".join(rule.levels)
            problems.append(InputProblem(
                file, line, "value",
                f"{rule.smaller} at level {levels}, category {breach.category} ({breach.smaller}) no larger than "
                f"{rule.larger} ({breach.larger}), or an entry of kind cross_table in {REGISTER_FILE} "
                f"for rule {rule.rule_id}", "a breach: " + rule.reason))
    for mismatch in mismatches:
        if _mismatch_key(mismatch) not in listed:
            file, line = locate_cell(mismatch.report_id, mismatch.measure_id, mismatch.level, mismatch.category)
            parts = "categories" if mismatch.over == "category" else "levels"
            problems.append(InputProblem(
                file, line, "value",
                f"the sum of its {parts} ({mismatch.sum_of_parts}) or an entry in {REGISTER_FILE} "
                f"for {mismatch.measure_id} level {mismatch.level} category {mismatch.category}",
                f"printed total {mismatch.printed_total}"))
    if problems:
        raise BuildError(problems)


def grade_of(entry: dict[str, Any]) -> str:
    """How much an entry matters: its own `grade`, or its kind's."""
    return str(entry.get("grade") or GRADE_OF_KIND.get(str(entry.get("kind")), "doubtful"))


def published_rows(register: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{f: (grade_of(entry) if f == "grade" else str(entry.get(f) or "")).strip() for f in PUBLISHED_FIELDS}
            for entry in register]


def figures_concerned(entry: dict[str, Any], rows: list[dict[str, str]],
                      rules: dict[str, Rule]) -> list[tuple[str, str, str]]:
    """The printed figures a register entry is about, as (measure_id, level, category), in the order
    of `rows` (its report's observations), found the way the build checks the entry:
    - a total mismatch: the printed total that is not the sum of its parts;
    - a breach across tables: the figures on both sides, at the rule's levels, in each category
      the entry lists;
    - an entry whose check finds observations present: the figures it finds.
    Any other entry (one about a table that is absent, or about the report's own details)
    concerns no printed figure."""
    check = entry.get("check") or {}
    cells = [(row["measure_id"], row["level"], row["category"]) for row in rows]
    if entry.get("kind") == "total_mismatch":
        wanted = {(entry.get("measure_id"), str(check["level"]), str(check["category"]))}
        return [cell for cell in cells if cell in wanted]
    if entry.get("kind") == "cross_table":
        rule = rules[check["rule"]]
        wanted = {(measure, level, str(breach["category"])) for breach in check["breaches"]
                  for measure in (rule.smaller, rule.larger) for level in rule.levels}
        return [cell for cell in cells if cell in wanted]
    conditions = (check.get("present") or {}).get("observations")
    return [cell for cell, row in zip(cells, rows, strict=True) if conditions and _row_matches(row, conditions)]
