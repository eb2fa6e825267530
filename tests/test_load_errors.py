"""Every class of bad input stops the build with file, line, column, expected and found,
a non-zero exit, and the previous datapackage/ left untouched."""
from __future__ import annotations

import shutil

import pytest

from build_scripts.__main__ import main
from build_scripts.errors import BuildError
from build_scripts.package import build_package
from conftest import FIXTURES

REPORT = "curated/reports/staffordshire-2023-24.csv"

CASES = {
    "non_number": f"{REPORT}:3: column 'value': expected The value as printed: a whole or decimal number "
                  "(thousands separators allowed) or a dash.; found '33l'",
    "negative_count": f"{REPORT}:11: column 'value': expected The value as printed: a whole or decimal number "
                      "(thousands separators allowed) or a dash.; found '-138'",
    "unknown_measure": f"{REPORT}:11: column 'measure_id': expected one of eligible, managed_l2_l3, "
                       "breach_notification, notification_revoked, shpo, shpo_foreign_travel, sopo, "
                       "notification_order, foreign_travel_order, sro_breach_notification, custody_breach_licence, "
                       "custody_breach_order, rso_per_100k; found 'shpos'",
    "unknown_level": f"{REPORT}:5: column 'level': expected one of 1, 2, 3, all; found '4'",
    "unknown_category": f"{REPORT}:6: column 'category': expected one of 1, 2, 3, 4, all; found '5'",
    "duplicate_cell": f"{REPORT}:13: column 'measure_id, level, category': expected each cell (measure, level, "
                      "category) once; found a duplicate of an earlier row",
    "missing_column": f"{REPORT}:1: column 'category': expected a column named 'category'; "
                      "found no such column in the header",
    "total_mismatch": f"{REPORT}:4: column 'value': expected the sum of its categories (1740) or an entry in "
                      "metadata/quality-register.yaml for eligible level 1 category all; found printed total 1750",
    "wrong_encoding": f"{REPORT}:12: column 'character 18': expected text encoded as UTF-8; found byte 0xe9, "
                      "which is not valid UTF-8 (save the file as UTF-8)",
    "formula_cell": f"{REPORT}:11: column 'row': expected The row label as printed.; found '=HYPERLINK(\"x\")'",
}


def test_tiny_project_builds(tiny_project):
    """The fixture itself is valid, so each broken copy differs from a good one in one thing."""
    build_package(tiny_project)
    observations = (tiny_project.datapackage / "observations.csv").read_text(encoding="utf-8").splitlines()
    assert len(observations) == 1 + 11
    assert "staffordshire-2023-24,staffordshire,2023-24,eligible,1,1,1409,reported" in observations[1]
    assert "staffordshire-2023-24,staffordshire,2023-24,eligible,2,2,,not_applicable" in observations[5]


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_report_file(tiny_project, case, capsys):
    build_package(tiny_project)
    before = {p.name: p.read_bytes() for p in tiny_project.datapackage.iterdir()}
    shutil.copyfile(FIXTURES / "bad" / f"{case}.csv", tiny_project.root / REPORT)

    with pytest.raises(BuildError) as caught:
        build_package(tiny_project)
    assert CASES[case] in [str(p) for p in caught.value.problems]

    exit_code = main(["--root", str(tiny_project.root), "package"])
    assert exit_code == 1
    assert CASES[case] in capsys.readouterr().err
    after = {p.name: p.read_bytes() for p in tiny_project.datapackage.iterdir()}
    assert after == before, "the previous datapackage/ must be left untouched"


def test_unknown_area_in_register(tiny_project):
    shutil.copyfile(FIXTURES / "bad" / "reports_unknown_area.csv", tiny_project.register)
    with pytest.raises(BuildError) as caught:
        build_package(tiny_project)
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith("curated/reports.csv:2: column 'area_id': expected one of avon-and-somerset, ")
               and m.endswith("; found 'staffs'") for m in messages), messages


def test_report_file_without_register_row(tiny_project):
    extra = tiny_project.report_files / "norfolk-2018-19.csv"
    shutil.copyfile(tiny_project.root / REPORT, extra)
    with pytest.raises(BuildError) as caught:
        build_package(tiny_project)
    assert [str(p) for p in caught.value.problems] == [
        "curated/reports/norfolk-2018-19.csv: expected a row for norfolk-2018-19 in curated/reports.csv; found none"]


def test_single_figure_measure_with_a_level(tiny_project):
    path = tiny_project.root / REPORT
    path.write_text(path.read_text().replace("138,shpo,all,all,", "138,shpo,2,all,"), encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        build_package(tiny_project)
    assert [str(p) for p in caught.value.problems] == [
        f"{REPORT}:11: column 'level': expected level 'all' and category 'all' (measure shpo has no breakdown); "
        "found level '2', category 'all'"]
