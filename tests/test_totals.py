"""The totals check, on tiny hand-built tables with exact expected results."""
from decimal import Decimal

from build_scripts.checks.totals import Mismatch, find_mismatches


def obs(level, category, value, measure="eligible", report="r-2020-21"):
    status = "not_applicable" if value is None else "reported"
    return {"report_id": report, "measure_id": measure, "level": level, "category": category,
            "value": "" if value is None else str(value), "status": status}


def test_consistent_table_has_no_mismatch():
    table = [obs("1", "1", 5), obs("1", "2", None), obs("1", "all", 5),
             obs("2", "1", 2), obs("2", "2", 3), obs("2", "all", 5),
             obs("all", "1", 7), obs("all", "2", 3), obs("all", "all", 10)]
    assert find_mismatches(table) == []


def test_row_and_column_mismatches_are_both_found():
    table = [obs("1", "1", 3669), obs("1", "2", 1763), obs("1", "3", 1), obs("1", "all", 5432),
             obs("2", "1", 11), obs("2", "2", 29), obs("2", "3", 5), obs("2", "all", 45),
             obs("3", "1", 2), obs("3", "2", 5), obs("3", "3", 2), obs("3", "all", 9),
             obs("all", "1", 3682), obs("all", "2", 1797), obs("all", "3", 7), obs("all", "all", 5486)]
    assert find_mismatches(table) == [
        Mismatch("r-2020-21", "eligible", "1", "all", "category", Decimal(5432), Decimal(5433)),
        Mismatch("r-2020-21", "eligible", "all", "3", "level", Decimal(7), Decimal(8)),
    ]


def test_single_figures_and_totals_without_parts_are_not_checked():
    table = [obs("all", "all", 138, measure="shpo"),
             obs("2", "all", 0, measure="custody_breach_order"), obs("3", "all", 0, measure="custody_breach_order"),
             obs("all", "all", 1, measure="custody_breach_order")]
    assert find_mismatches(table) == [
        Mismatch("r-2020-21", "custody_breach_order", "all", "all", "level", Decimal(1), Decimal(0))]


def test_a_dashed_total_is_not_checked():
    assert find_mismatches([obs("1", "3", 4), obs("1", "all", None), obs("2", "3", 1)]) == []
