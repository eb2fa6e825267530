"""The curator's command for a blank report file."""
import pytest

from build_scripts.__main__ import main
from build_scripts.errors import BuildError
from build_scripts.new_report import new_report
from build_scripts.package import build_package


def test_writes_blank_template_that_the_build_refuses_until_filled(tiny_project, capsys):
    assert main(["--root", str(tiny_project.root), "new-report", "--area", "norfolk", "--year", "2024-25"]) == 0
    path = tiny_project.report_files / "norfolk-2024-25.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "table,row,column,value,measure_id,level,category,note"
    assert lines[1] == "MAPPA-eligible people on 31 March,Level 1,Category 1,,eligible,1,1,"
    assert len(lines) == 1 + 16 + 12 + 6 + 12 + 12 + 1
    assert "norfolk-2024-25,norfolk,2024-25,TITLE AS PRINTED,2024-04-01,2025-03-31" in capsys.readouterr().out

    register = tiny_project.register
    register.write_text(register.read_text() + "norfolk-2024-25,norfolk,2024-25,Annual Report,2024-04-01,"
                        "2025-03-31,2025-03-31,ONS,,Norfolk SMB,Norfolk report\n", encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        build_package(tiny_project)
    assert str(caught.value.problems[0]) == (
        "curated/reports/norfolk-2024-25.csv:2: column 'value': expected a value (this column is required); "
        "found an empty cell")


def test_refuses_unknown_area_bad_year_and_overwriting(tiny_project):
    with pytest.raises(BuildError, match="expected an area_id listed there; found 'norfolkshire'"):
        new_report(tiny_project, "norfolkshire", "2024-25")
    with pytest.raises(BuildError, match="expected a financial year such as 2024-25; found '2024-26'"):
        new_report(tiny_project, "norfolk", "2024-26")
    with pytest.raises(BuildError, match="never overwrites"):
        new_report(tiny_project, "staffordshire", "2023-24")
