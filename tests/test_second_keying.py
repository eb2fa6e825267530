"""Second keying: two independent transcriptions of one report compared cell by cell (issue 11).

Each fixture in tests/fixtures/keying differs from base.csv (the tiny test report) in one thing."""
from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import FIXTURES, REPO
from test_load_errors import CASES as BUILD_REFUSES
from test_load_errors import REPORT

from build_scripts.__main__ import main
from build_scripts.curator.new_report import new_report
from build_scripts.curator.second_keying import compare_keyings, report_lines
from build_scripts.errors import BuildError

KEYING = FIXTURES / "keying"
K = "tests/fixtures/keying/"
ADVICE = ("Check each against the printed report and correct the keying that is wrong; "
          "never settle one by picking a keying.")
TABLE = "table 'Eligible on 31 March'"


def differ(first: str, second: str, count: int) -> list[str]:
    return [f"The two keyings differ: {count} difference{'s' if count != 1 else ''} between {K}{first}.csv "
            f"(first keying) and {K}{second}.csv (second keying).", ADVICE]


# (first, second) -> (exit code, every line printed)
EXPECTED = {
    ("base", "identical"): (0, [f"The two keyings agree: 11 cells ({K}base.csv and {K}identical.csv)."]),
    ("base", "value"): (1, [
        *differ("base", "value", 1),
        "",
        "measure eligible, level 1, category 2: the value differs: '331' in the first keying, '313' in the second",
        f"  first:  {K}base.csv:3: value '331'; {TABLE}, row 'Level 1', column 'Category 2'",
        f"  second: {K}value.csv:3: value '313'; {TABLE}, row 'Level 1', column 'Category 2'",
    ]),
    ("base", "dash"): (1, [
        *differ("base", "dash", 1),
        "",
        "measure eligible, level 2, category 2: a dash (not applicable) in one keying and a number in the other: "
        "'-' in the first keying, '0' in the second",
        f"  first:  {K}base.csv:6: value '-'; {TABLE}, row 'Level 2', column 'Category 2'",
        f"  second: {K}dash.csv:6: value '0'; {TABLE}, row 'Level 2', column 'Category 2'",
    ]),
    ("base", "format"): (1, [
        *differ("base", "format", 1),
        "",
        "measure eligible, level 1, category 1: the value is written differently: '1,409' in the first keying, "
        "'1409' in the second (the same number; counted because the curated file records each value as printed)",
        f"  first:  {K}base.csv:2: value '1,409'; {TABLE}, row 'Level 1', column 'Category 1'",
        f"  second: {K}format.csv:2: value '1409'; {TABLE}, row 'Level 1', column 'Category 1'",
    ]),
    ("base", "missing_row"): (1, [
        *differ("base", "missing_row", 1),
        "",
        "measure shpo, level all, category all: in the first keying only: the second has no row for this cell",
        f"  first:  {K}base.csv:11: value '138'; table 'Restrictive orders', row 'SHPO', column ''",
        "  second: no row",
    ]),
    ("missing_row", "base"): (1, [
        *differ("missing_row", "base", 1),
        "",
        "measure shpo, level all, category all: in the second keying only: the first has no row for this cell",
        "  first:  no row",
        f"  second: {K}base.csv:11: value '138'; table 'Restrictive orders', row 'SHPO', column ''",
    ]),
    ("base", "label"): (1, [
        *differ("base", "label", 1),
        "",
        "measure eligible, level 1, category all: the printed column label differs: 'Total' in the first keying, "
        "'Totals' in the second",
        f"  first:  {K}base.csv:4: value '1740'; {TABLE}, row 'Level 1', column 'Total'",
        f"  second: {K}label.csv:4: value '1740'; {TABLE}, row 'Level 1', column 'Totals'",
    ]),
    # Line 3 keyed as category 1 again: the repeat, and the cell it should have been.
    ("base", "duplicate"): (1, [
        *differ("base", "duplicate", 2),
        "",
        "measure eligible, level 1, category 1: written twice in the second keying (lines 2 and 3); "
        "the build refuses a cell written twice",
        f"  first:  {K}base.csv:2: value '1,409'; {TABLE}, row 'Level 1', column 'Category 1'",
        f"  second: {K}duplicate.csv:2: value '1,409'; {TABLE}, row 'Level 1', column 'Category 1'",
        f"  second: {K}duplicate.csv:3: value '331'; {TABLE}, row 'Level 1', column 'Category 2'",
        "",
        "measure eligible, level 1, category 2: in the first keying only: the second has no row for this cell",
        f"  first:  {K}base.csv:3: value '331'; {TABLE}, row 'Level 1', column 'Category 2'",
        "  second: no row",
    ]),
    ("duplicate", "base"): (1, [
        *differ("duplicate", "base", 2),
        "",
        "measure eligible, level 1, category 1: written twice in the first keying (lines 2 and 3); "
        "the build refuses a cell written twice",
        f"  first:  {K}duplicate.csv:2: value '1,409'; {TABLE}, row 'Level 1', column 'Category 1'",
        f"  first:  {K}duplicate.csv:3: value '331'; {TABLE}, row 'Level 1', column 'Category 2'",
        f"  second: {K}base.csv:2: value '1,409'; {TABLE}, row 'Level 1', column 'Category 1'",
        "",
        "measure eligible, level 1, category 2: in the second keying only: the first has no row for this cell",
        "  first:  no row",
        f"  second: {K}base.csv:3: value '331'; {TABLE}, row 'Level 1', column 'Category 2'",
    ]),
    # Notes are the keyers' own words: shown, never counted.
    ("base", "note"): (0, [
        f"The two keyings agree: 11 cells ({K}base.csv and {K}note.csv).",
        "",
        "For information, not counted as differences: the notes differ on 1 cell. Notes are each keyer's own words; "
        "keep the clearer one.",
        "",
        "measure eligible, level 2, category 2: the note differs: none in the first keying, "
        "'Printed as a dash; read as not applicable' in the second",
        f"  first:  {K}base.csv:6: value '-'; {TABLE}, row 'Level 2', column 'Category 2'",
        f"  second: {K}note.csv:6: value '-'; {TABLE}, row 'Level 2', column 'Category 2'",
    ]),
}
MALFORMED = [
    "Cannot compare the keyings: 1 problem(s) in the files. Fix them, then compare again.",
    f"  {K}malformed.csv:3: column 'value': expected the value as printed: a whole or decimal number (thousands "
    "separators allowed), or - for a printed dash; found '33l'",
]


@pytest.mark.parametrize("pair", list(EXPECTED), ids="-vs-".join)
def test_function_lists_every_difference(pair):
    code, lines = EXPECTED[pair]
    comparison = compare_keyings(KEYING / f"{pair[0]}.csv", KEYING / f"{pair[1]}.csv")
    assert report_lines(comparison) == lines
    assert comparison.agree == (code == 0)


@pytest.mark.parametrize("pair", list(EXPECTED), ids="-vs-".join)
def test_command_prints_them_and_exits(pair, capsys):
    code, lines = EXPECTED[pair]
    assert main(["compare-keyings", str(KEYING / f"{pair[0]}.csv"), str(KEYING / f"{pair[1]}.csv")]) == code
    out, err = capsys.readouterr()
    assert out.splitlines() == lines
    assert err == ""


@pytest.mark.parametrize("second", ["identical", "value", "dash", "missing_row", "label", "malformed"])
def test_command_run_as_the_curator_runs_it(second):
    """A real process, from the repository, as `make compare-keyings` runs it."""
    result = subprocess.run([sys.executable, "-m", "build_scripts", "compare-keyings", f"{K}base.csv",
                             f"{K}{second}.csv"], cwd=REPO, capture_output=True, text=True)
    if second == "malformed":
        assert (result.returncode, result.stdout, result.stderr.splitlines()) == (1, "", MALFORMED)
    else:
        code, lines = EXPECTED[("base", second)]
        assert (result.returncode, result.stdout.splitlines(), result.stderr) == (code, lines, "")


def test_malformed_file_is_refused_with_its_line_and_no_traceback(capsys):
    with pytest.raises(BuildError) as caught:
        compare_keyings(KEYING / "base.csv", KEYING / "malformed.csv")
    assert [f"  {p}" for p in caught.value.problems] == MALFORMED[1:]
    assert main(["compare-keyings", str(KEYING / "base.csv"), str(KEYING / "malformed.csv")]) == 1
    out, err = capsys.readouterr()
    assert (out, err.splitlines()) == ("", MALFORMED)


def test_problems_in_both_files_are_all_listed(capsys):
    assert main(["compare-keyings", str(KEYING / "no-such-file.csv"), str(KEYING / "malformed.csv")]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "Cannot compare the keyings: 2 problem(s) in the files. Fix them, then compare again.",
        f"  {K}no-such-file.csv: expected a curated report CSV; found no such file",
        MALFORMED[1],
    ]


# Every bad file the build refuses, refused with the build's message. Two exceptions: a total that
# is not the sum of its parts is for the build to find (the comparison checks each cell against the
# other keying, not against its neighbours), and a cell written twice is listed as a difference.
REFUSED_ALIKE = sorted(set(BUILD_REFUSES) - {"total_mismatch", "duplicate_cell"})


@pytest.mark.parametrize("case", REFUSED_ALIKE)
def test_refuses_what_the_build_refuses_with_the_same_message(case):
    with pytest.raises(BuildError) as caught:
        compare_keyings(KEYING / "base.csv", FIXTURES / "bad" / f"{case}.csv")
    expected = BUILD_REFUSES[case].replace(REPORT, f"tests/fixtures/bad/{case}.csv")
    assert expected in [str(p) for p in caught.value.problems]


def test_other_dash_and_decimal_forms(tmp_path):
    """A dash is typed one way, so two keyings never differ in how they wrote it: another dash
    character is refused as the build refuses it (curated/README.md, "When the build stops")."""
    base = (KEYING / "base.csv").read_text(encoding="utf-8")
    # Decimals: a rate (a count is a whole number, refused with a decimal point like the build does).
    (tmp_path / "first.csv").write_text(base.replace(",138,rso", ",138.0,rso"), encoding="utf-8")
    (tmp_path / "second.csv").write_text(base.replace(",138,rso", ",138.5,rso"), encoding="utf-8")
    differences = compare_keyings(tmp_path / "first.csv", tmp_path / "second.csv").differences
    assert [d.what for d in differences] == ["the value differs: '138.0' in the first keying, '138.5' in the second"]

    (tmp_path / "first.csv").write_text(base.replace(",-,", ",\u2013,"), encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        compare_keyings(tmp_path / "first.csv", tmp_path / "second.csv")
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 'first.csv'}:6: column 'value': expected the value as printed: a whole or decimal number "
        "(thousands separators allowed), or - for a printed dash; found '\u2013' (U+2013 EN DASH: type a printed "
        "dash as -)"]


def test_writes_nothing(tiny_project):
    """Not even the build's validation markers in .cache/: a comparison only reads."""
    report = tiny_project.report_files / "staffordshire-2023-24.csv"
    before = sorted(p for p in tiny_project.root.rglob("*"))
    comparison = compare_keyings(report, KEYING / "value.csv", tiny_project)
    assert len(comparison.differences) == 1
    assert sorted(p for p in tiny_project.root.rglob("*")) == before


def test_new_report_writes_the_second_keying_blank_outside_curated(tiny_project, capsys):
    keying = tiny_project.root / "keying"
    assert main(["--root", str(tiny_project.root), "new-report", "--area", "norfolk", "--year", "2024-25",
                 "--into", str(keying)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Wrote keying/norfolk-2024-25.csv. Next: replace every TODO with what the report prints, without looking at "
        "the first keying, then compare the two:",
        "make compare-keyings FIRST=curated/reports/norfolk-2024-25.csv SECOND=keying/norfolk-2024-25.csv",
    ]
    assert not (tiny_project.report_files / "norfolk-2024-25.csv").exists()

    # The same blank as the first keyer's, and refused alike until it is filled in.
    new_report(tiny_project, "norfolk", "2024-25")
    first = tiny_project.report_files / "norfolk-2024-25.csv"
    second = keying / "norfolk-2024-25.csv"
    assert second.read_bytes() == first.read_bytes()
    with pytest.raises(BuildError) as caught:
        compare_keyings(first, second, tiny_project)
    problems = [str(p) for p in caught.value.problems]
    for file in ("curated/reports", "keying"):
        assert (f"{file}/norfolk-2024-25.csv:2: column 'value': expected the value as printed: a whole or decimal "
                "number (thousands separators allowed), or - for a printed dash; found the placeholder 'TODO' that "
                "make new-report or make draft-report wrote (replace it)") in problems

    with pytest.raises(BuildError, match="never overwrites"):
        new_report(tiny_project, "norfolk", "2024-25", keying)


def test_make_targets():
    def dry_run(*args: str) -> list[str]:
        return subprocess.run(["make", "-n", *args], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.splitlines()

    assert ('.venv/bin/python -m build_scripts compare-keyings "curated/reports/a.csv" "keying/a.csv"'
            in dry_run("compare-keyings", "FIRST=curated/reports/a.csv", "SECOND=keying/a.csv"))
    assert ('.venv/bin/python -m build_scripts new-report --area "norfolk" --year "2024-25" --into "keying"'
            in dry_run("new-report", "AREA=norfolk", "YEAR=2024-25", "INTO=keying"))
    assert ('.venv/bin/python -m build_scripts new-report --area "norfolk" --year "2024-25"'
            in [line.rstrip() for line in dry_run("new-report", "AREA=norfolk", "YEAR=2024-25")])
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "compare-keyings" in next(line for line in makefile.splitlines() if line.startswith(".PHONY:"))
    assert "/keying/" in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
