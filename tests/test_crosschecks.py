"""Checks across tables: each rule, broken once by a tiny hand-built report, finds exactly that
breach; an unlisted breach stops the build at the cell; a listed one is published as printed;
an entry that no longer matches, or names no rule, stops the build."""
from decimal import Decimal

import pytest
import yaml

from build_scripts.build import build_package
from build_scripts.checks.crosschecks import Breach, find_breaches, read_rules
from build_scripts.errors import BuildError
from build_scripts.paths import Paths
from conftest import REPO

R = "tiny-2023-24"
# The project's rules (metadata/crosscheck-rules.csv), as the build reads them.
RULES = read_rules(Paths(root=REPO))
RULES_BY_ID = {rule.rule_id: rule for rule in RULES}


def table(measure, cells):
    return [{"report_id": R, "measure_id": measure, "level": lv, "category": ct, "value": v,
             "status": "not_applicable" if v == "" else "reported"} for (lv, ct), v in cells.items()]


# A consistent report: every rule holds, with room to break each one without breaking another.
BASE = {
    "managed_l2_l3": {("2", "1"): "10", ("3", "1"): "2", ("2", "2"): "5", ("3", "2"): "1"},
    "eligible": {("2", "1"): "2", ("3", "1"): "1", ("2", "2"): "1", ("3", "2"): "", ("1", "1"): "900"},
    "custody_breach_licence": {("2", "1"): "3", ("3", "1"): "1"},
    "custody_breach_order": {("2", "1"): "1", ("3", "1"): "0"},
    "shpo": {("all", "all"): "20"},
    "shpo_foreign_travel": {("all", "all"): "2"},
}
# One edit per rule: (measure, level, category, new value) -> the one breach it makes.
BREAKING_EDITS = {
    "eligible-level-3-within-managed": (("eligible", "3", "1", "3"), ("1", "3", "2")),
    "eligible-levels-2-3-within-managed": (("eligible", "2", "1", "12"), ("1", "13", "12")),
    "custody-licence-level-3-within-managed": (("custody_breach_licence", "3", "1", "3"), ("1", "3", "2")),
    "custody-licence-levels-2-3-within-managed": (("custody_breach_licence", "2", "1", "12"), ("1", "13", "12")),
    "custody-order-level-3-within-managed": (("custody_breach_order", "3", "1", "3"), ("1", "3", "2")),
    "custody-order-levels-2-3-within-managed": (("custody_breach_order", "2", "1", "13"), ("1", "13", "12")),
    "shpo-foreign-travel-within-shpo": (("shpo_foreign_travel", "all", "all", "21"), ("all", "21", "20")),
}


def observations(edit=None):
    tables = {m: dict(cells) for m, cells in BASE.items()}
    if edit:
        measure, level, category, value = edit
        tables[measure][(level, category)] = value
    return [row for measure, cells in tables.items() for row in table(measure, cells)]


def test_a_consistent_report_breaks_no_rule():
    assert find_breaches(observations(), RULES) == []


def test_every_rule_has_a_breaking_fixture():
    assert sorted(BREAKING_EDITS) == sorted(rule.rule_id for rule in RULES)


@pytest.mark.parametrize("rule_id", sorted(BREAKING_EDITS))
def test_each_rule_finds_its_breach(rule_id):
    edit, (category, smaller, larger) = BREAKING_EDITS[rule_id]
    assert find_breaches(observations(edit), RULES) == [
        Breach(R, RULES_BY_ID[rule_id], category, Decimal(smaller), Decimal(larger))]


def test_a_dash_or_a_missing_table_is_nothing_to_compare():
    # eligible level 3 category 2 is a dash in BASE; remove the SHPO table altogether.
    rows = [r for r in observations(("eligible", "3", "2", "")) if r["measure_id"] != "shpo"]
    assert find_breaches(rows, RULES) == []


# The tiny project (tests/fixtures/tiny) prints 138 SHPOs; a foreign-travel figure of 140 breaks a rule.
REPORT = "curated/reports/staffordshire-2023-24.csv"
FTR_ROW = "Restrictive orders,SHPO with foreign travel restriction,,140,shpo_foreign_travel,all,all,\n"
ENTRY = {
    "quality_id": "tiny-ftr", "report_id": "staffordshire-2023-24", "measure_id": "shpo_foreign_travel",
    "kind": "cross_table", "location": "rows SHPO and SHPO with foreign travel restriction",
    "printed": "140 and 138", "found": "More orders with a restriction than orders.",
    "handling": "Published as printed.",
    "check": {"rule": "shpo-foreign-travel-within-shpo",
              "breaches": [{"category": "all", "smaller": 140, "larger": 138}]},
}


def add_ftr_row(paths):
    path = paths.root / REPORT
    path.write_text(path.read_text(encoding="utf-8") + FTR_ROW, encoding="utf-8")


def write_register(paths, entries):
    (paths.metadata / "quality-register.yaml").write_text(yaml.safe_dump(entries), encoding="utf-8")


def problems(paths):
    with pytest.raises(BuildError) as caught:
        build_package(paths)
    return [str(p) for p in caught.value.problems]


def test_unlisted_breach_stops_the_build_at_the_cell(tiny_project):
    add_ftr_row(tiny_project)
    assert problems(tiny_project) == [
        f"{REPORT}:13: column 'value': expected shpo_foreign_travel at level all, category all (140) no larger "
        "than shpo (138), or an entry of kind cross_table in metadata/quality-register.yaml for rule "
        "shpo-foreign-travel-within-shpo; found a breach: A Sexual Harm Prevention Order with a foreign travel "
        "restriction is a Sexual Harm Prevention Order, so in one year there cannot be more of them than Sexual "
        "Harm Prevention Orders made."]


def test_listed_breach_is_published_as_printed(tiny_project):
    add_ftr_row(tiny_project)
    write_register(tiny_project, [ENTRY])
    build_package(tiny_project)
    observations_csv = (tiny_project.datapackage / "observations.csv").read_text(encoding="utf-8")
    assert "staffordshire-2023-24,staffordshire,2023-24,shpo_foreign_travel,all,all,140,reported" in observations_csv
    quality = (tiny_project.datapackage / "quality.csv").read_text(encoding="utf-8").splitlines()
    assert quality[1].startswith("tiny-ftr,staffordshire-2023-24,shpo_foreign_travel,cross_table,")


def test_entry_that_no_longer_matches_fails(tiny_project):
    write_register(tiny_project, [ENTRY])  # no foreign-travel row: nothing is broken
    assert problems(tiny_project) == [
        "metadata/quality-register.yaml:3: column 'check.breaches': expected a breach of rule "
        "shpo-foreign-travel-within-shpo in category all that the data still shows; found the data no longer "
        "breaks it (remove or update the entry tiny-ftr)"]


def test_entry_naming_no_rule_is_a_clear_error(tiny_project):
    add_ftr_row(tiny_project)
    entry = dict(ENTRY, check={"rule": "shpo-within-ftr", "breaches": [{"category": "all", "smaller": 140}]})
    write_register(tiny_project, [entry])
    found = problems(tiny_project)
    assert any(p.startswith("metadata/quality-register.yaml:") and "column 'check.rule': expected one of the rules "
               "eligible-level-3-within-managed" in p and p.endswith("found 'shpo-within-ftr'") for p in found), found
    assert any("column 'check.breaches.0': expected exactly the keys category, smaller, larger" in p
               for p in found), found
