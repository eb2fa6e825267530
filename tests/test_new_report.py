"""The curator's command for a blank report file."""
import pytest

from build_scripts.__main__ import main
from build_scripts.build import build_package
from build_scripts.curator.new_report import new_report
from build_scripts.errors import BuildError

PRINTED_ROW = ("norfolk-2024-25,norfolk,2024-25,TODO: title as printed on the cover,2024-04-01,2025-03-31,2025-03-31,"
               "TODO: population base as the report states it,,TODO: publisher as printed,"
               "TODO: a descriptive title for citing the report,,")


def test_writes_a_blank_whose_every_cell_to_write_says_todo(tiny_project, capsys):
    assert main(["--root", str(tiny_project.root), "new-report", "--area", "norfolk", "--year", "2024-25"]) == 0
    path = tiny_project.report_files / "norfolk-2024-25.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "table,row,column,value,measure_id,level,category,note"
    assert lines[1] == "TODO: MAPPA-eligible people on 31 March,Level 1,TODO: Category 1,TODO,eligible,1,1,"
    assert lines[4] == "TODO: MAPPA-eligible people on 31 March,Level 1,Total,TODO,eligible,1,all,"
    assert lines[-1] == ('"TODO: Registered sex offenders per 100,000 population","TODO: Registered sex offenders '
                         'per 100,000 population",,TODO,rso_per_100k,all,all,')
    assert len(lines) == 1 + 16 + 12 + 6 + 12 + 12 + 1
    out = capsys.readouterr().out
    assert out == ("Wrote curated/reports/norfolk-2024-25.csv. Next: replace every TODO in it with what the report "
                   "prints, then add this row to curated/reports.csv and replace its TODOs too:\n" + PRINTED_ROW + "\n")


def test_the_build_refuses_every_placeholder_with_its_line_column_and_what_to_write(tiny_project, capsys):
    """The register row as printed: each placeholder is named, with what to write there."""
    main(["--root", str(tiny_project.root), "new-report", "--area", "norfolk", "--year", "2024-25"])
    register = tiny_project.register
    register.write_text(register.read_text() + PRINTED_ROW + "\n", encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        build_package(tiny_project)
    made = "that make new-report or make draft-report wrote (replace it)"
    assert [str(p) for p in caught.value.problems] == [
        "curated/reports.csv:3: column 'title_as_printed': expected the report's title as printed on its cover; "
        f"found the placeholder 'TODO: title as printed on the cover' {made}",
        "curated/reports.csv:3: column 'population_base': expected the population estimate the report used for its "
        f"rate per 100,000, as the report states it; found the placeholder 'TODO: population base as the report "
        f"states it' {made}",
        f"curated/reports.csv:3: column 'publisher': expected who published the report; found the placeholder "
        f"'TODO: publisher as printed' {made}",
        "curated/reports.csv:3: column 'source_title': expected a descriptive title for citing the report; found the "
        f"placeholder 'TODO: a descriptive title for citing the report' {made}"]

    # The row completed: now the report file's placeholders, each cell to write named.
    register.write_text(register.read_text().replace(PRINTED_ROW, "norfolk-2024-25,norfolk,2024-25,Annual Report,"
                                                     "2024-04-01,2025-03-31,2025-03-31,ONS,,Norfolk SMB,Norfolk "
                                                     "report,,"), encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        build_package(tiny_project)
    problems = [str(p) for p in caught.value.problems]
    assert problems[:3] == [
        "curated/reports/norfolk-2024-25.csv:2: column 'table': expected the table's title as printed; found the "
        f"placeholder 'TODO: MAPPA-eligible people on 31 March' {made}",
        "curated/reports/norfolk-2024-25.csv:2: column 'column': expected the column label as printed (empty when "
        f"none was printed); found the placeholder 'TODO: Category 1' {made}",
        "curated/reports/norfolk-2024-25.csv:2: column 'value': expected the value as printed: a whole or decimal "
        "number (thousands separators allowed), or - for a printed dash; found the placeholder 'TODO' that make "
        "new-report or make draft-report wrote (replace it)"]
    lines = (tiny_project.report_files / "norfolk-2024-25.csv").read_text(encoding="utf-8").splitlines()
    assert len(problems) == sum(line.count("TODO") for line in lines)


def test_a_row_left_unfinished_is_refused(tiny_project):
    """A value left empty, as when a curator deletes a placeholder and types nothing."""
    main(["--root", str(tiny_project.root), "new-report", "--area", "norfolk", "--year", "2024-25"])
    path = tiny_project.report_files / "norfolk-2024-25.csv"
    path.write_text("table,row,column,value,measure_id,level,category,note\n"
                    "Eligible,Level 1,Category 1,,eligible,1,1,\n", encoding="utf-8")
    register = tiny_project.register
    register.write_text(register.read_text() + "norfolk-2024-25,norfolk,2024-25,Annual Report,2024-04-01,"
                        "2025-03-31,2025-03-31,ONS,,Norfolk SMB,Norfolk report,,\n", encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        build_package(tiny_project)
    assert [str(p) for p in caught.value.problems] == [
        "curated/reports/norfolk-2024-25.csv:2: column 'value': expected a value (this column is required); "
        "found an empty cell"]


def test_refuses_unknown_area_bad_year_and_overwriting(tiny_project):
    with pytest.raises(BuildError, match="expected an area_id listed there; found 'norfolkshire'"):
        new_report(tiny_project, "norfolkshire", "2024-25")
    with pytest.raises(BuildError, match="expected a financial year such as 2024-25; found '2024-26'"):
        new_report(tiny_project, "norfolk", "2024-26")
    with pytest.raises(BuildError, match="never overwrites"):
        new_report(tiny_project, "staffordshire", "2023-24")
