"""make draft-report's find stage on tiny hand-built lines: what is a figure, how each is placed,
and that what cannot be placed without doubt is TODO with a note saying where."""
from __future__ import annotations

import contextlib
import csv
import io

import pytest

from build_scripts.__main__ import main
from build_scripts.curator.draft import _cells
from build_scripts.curator.draft.find import Finder, level_of, printed_value
from build_scripts.curator.draft.read import Cell, Line
from build_scripts.curator.draft.terms import Terms
from build_scripts.steps.load import read_table
from tests.conftest import copy_tiny_project

ELIGIBLE = "MAPPA-eligible offenders on 31 March 2018"
HEADINGS = ["Category 1", "Category 2", "Category 3", "Total"]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_tiny_project(tmp_path_factory.mktemp("find") / "p")


def finder(project, exact_places: bool = True) -> Finder:
    measures = read_table(project, project.metadata / "measures.csv", "measures", "measure", cache=False)
    breakdown = {m["measure_id"]: m["breakdown"] for m in measures.rows}
    return Finder(Terms(project, list(breakdown)), breakdown, exact_places=exact_places)


def text_line(number: int, *cells: str) -> Line:
    """A line of a text file: each cell at its place in the row (read._indexed)."""
    return Line(None, number, [Cell(text, i * 100.0, i * 100.0 + 90.0) for i, text in enumerate(cells)])


def lines_of(*rows: tuple[str, ...]) -> list[Line]:
    return [text_line(number, *cells) for number, cells in enumerate(rows, start=1)]


def rows_of(project, lines: list[Line], exact_places: bool = True) -> list[tuple[str, ...]]:
    tables, _ = finder(project, exact_places).find(lines)
    return [(c.table, c.row, c.column, c.value, c.measure_id, c.level, c.category, c.note) for c in _cells(tables)]


def draft_text(project, tmp_path, text: str) -> list[dict[str, str]]:
    source = tmp_path / "report.txt"
    source.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(project.root), "draft-report", "--from", str(source), "--into",
                     str(tmp_path / "out")])
    assert (code, err.getvalue()) == (0, "")
    (written,) = (tmp_path / "out").iterdir()
    return list(csv.DictReader(written.open(encoding="utf-8", newline="")))


# ---------------------------------------------------------------------------------------------
# a figure


@pytest.mark.parametrize("dash", ["-", "\u2013", "\u2014", "\u2212", "\u2010"])
def test_every_printed_dash_is_a_dash(dash):
    assert printed_value(dash) == ("-", "")
    assert printed_value(f" {dash} ") == ("-", "")


def test_figures_as_printed():
    assert printed_value("1,409") == ("1,409", "")
    assert printed_value("12,345,678") == ("12,345,678", "")
    assert printed_value("152.4") == ("152.4", "")
    assert printed_value("13*") == ("13", "*")
    assert printed_value("7\u00b9") == ("7", "\u00b9")
    assert printed_value("0") == ("0", "")


@pytest.mark.parametrize("text", ["165 people", "Level 2", "1,40", "--", "2016/17", "", "n/a", "about 12"])
def test_what_is_not_a_figure(text):
    assert printed_value(text) is None


def test_levels():
    assert [level_of(t) for t in ("Level 1", "Level 2*", "level 3", "Total", "Level 4", "Totals row", "MAPPA")] == [
        "1", "2", "3", "all", None, None, None]


def test_every_dash_drafts_as_a_dash_and_thousands_separators_and_marks_as_printed(project, tmp_path):
    """End to end through a text file: en dash, em dash, minus sign and U+2010 hyphen."""
    rows = draft_text(project, tmp_path, "Surrey\nMAPPA Annual Report 2017/18\n\n"
                      f"{ELIGIBLE}\n\t" + "\t".join(HEADINGS) + "\n"
                      "Level 1\t1,409\t20\t-\t1,429\n"
                      "Level 2\t1\t2\t\u2013\t3\n"
                      "Level 3\t13*\t\u2014\t\u2212\t13\n"
                      "Total\t1,423\t\u2010\t0\t1,445\n\n* includes interim figures\n")
    assert [(r["row"], r["column"], r["value"], r["level"], r["category"], r["note"]) for r in rows] == [
        ("Level 1", "Category 1", "1,409", "1", "1", ""), ("Level 1", "Category 2", "20", "1", "2", ""),
        ("Level 1", "Category 3", "-", "1", "3", ""), ("Level 1", "Total", "1,429", "1", "all", ""),
        ("Level 2", "Category 1", "1", "2", "1", ""), ("Level 2", "Category 2", "2", "2", "2", ""),
        ("Level 2", "Category 3", "-", "2", "3", ""), ("Level 2", "Total", "3", "2", "all", ""),
        ("Level 3", "Category 1", "13", "3", "1", "Printed with the footnote mark '*', not part of the figure."),
        ("Level 3", "Category 2", "-", "3", "2", ""), ("Level 3", "Category 3", "-", "3", "3", ""),
        ("Level 3", "Total", "13", "3", "all", ""),
        ("Total", "Category 1", "1,423", "all", "1", ""), ("Total", "Category 2", "-", "all", "2", ""),
        ("Total", "Category 3", "0", "all", "3", ""), ("Total", "Total", "1,445", "all", "all", "")]
    assert {r["table"] for r in rows} == {ELIGIBLE} and {r["measure_id"] for r in rows} == {"eligible"}


# ---------------------------------------------------------------------------------------------
# numbers in running text


def test_a_number_in_running_text_is_never_a_figure(project):
    lines = lines_of(
        ("In 2017/18 the Strategic Management Board met 4 times and its conference was attended by 165 people.",),
        ("RSOs cautioned or convicted for breach of notification requirements",),
        ("Over the year 165 people were cautioned or convicted, up from 12 the year before.",),
        ("Restrictive orders for Category 1 offenders rose to 165 in the year.",),
        ("Total number of Registered Sexual Offenders per 100,000 population",),
        ("The rate of 121 is the highest of the last 5 years.",))
    tables, local = finder(project).find(lines)
    assert tables == [] and local == []


def test_a_sentence_beside_a_figure_is_not_its_table(project):
    """A figure in a table found by its title is drafted; the narrative around it is not."""
    lines = lines_of(("The board met 4 times; 165 people attended its conference.",),
                     ("RSOs cautioned or convicted for breach of notification requirements", "52"),
                     ("Of these, 12 were cautioned and 40 convicted.",))
    assert rows_of(project, lines) == [
        ("RSOs cautioned or convicted for breach of notification requirements",
         "RSOs cautioned or convicted for breach of notification requirements", "", "52", "breach_notification",
         "all", "all", "")]


# ---------------------------------------------------------------------------------------------
# a table by level and category


def eligible(*rows: tuple[str, ...], header: tuple[str, ...] = ("", *HEADINGS)) -> list[Line]:
    return lines_of((ELIGIBLE,), header, *rows)


def test_a_row_with_fewer_figures_than_columns_is_todo_naming_the_line(project):
    rows = rows_of(project, eligible(("Level 1", "10", "20", "5", "35"), ("Level 2", "1", "2", "3"),
                                     ("Level 3", "1", "1", "1", "3")))
    note = "TODO: this row prints 3 figure(s) ('1', '2', '3') for 4 columns at line 4: which column is '{}' in?"
    assert rows[4:7] == [(ELIGIBLE, "Level 2", "", value, "eligible", "2", "TODO", note.format(value))
                         for value in ("1", "2", "3")]
    assert [r[6] for r in rows[:4] + rows[7:]] == ["1", "2", "3", "all"] * 2
    assert len(rows) == 11


def test_headings_that_do_not_line_up_make_the_block_todo(project):
    """A PDF: four headings, each standing between two columns of figures (no overlap), with
    exact places (a text or Word file): no figure is given a heading by guess."""
    heading_cells = [Cell(name, x, x + 8.0) for name, x in zip(HEADINGS, (191.0, 291.0, 391.0, 491.0), strict=True)]
    lines = [Line(3, 1, [Cell(ELIGIBLE, 50.0, 400.0)], (50.0, 100.0, 400.0, 110.0)),
             Line(3, 2, heading_cells, (191.0, 120.0, 499.0, 130.0))]
    for number, (label, *figures) in enumerate([("Level 1", "10", "20", "5", "35"), ("Level 2", "1", "2", "3", "6")],
                                               start=3):
        cells = [Cell(label, 50.0, 90.0)] + [Cell(f, x, x + 90.0) for f, x in zip(figures, (100.0, 200.0, 300.0,
                                                                                              400.0), strict=True)]
        lines.append(Line(3, number, cells, (50.0, 100.0 + 10 * number, 490.0, 108.0 + 10 * number)))
    rows = rows_of(project, lines, exact_places=True)
    assert len(rows) == 8
    assert {(r[6], r[7]) for r in rows} == {
        ("TODO", "TODO: the column headings do not line up with the figures; which column is this?")}
    assert [r[3] for r in rows] == ["10", "20", "5", "35", "1", "2", "3", "6"]


def test_headings_shifted_in_a_text_file_make_the_block_todo(project):
    rows = rows_of(project, eligible(("Level 1", "10", "20", "5", "35"), ("Level 2", "1", "2", "3", "6"),
                                     header=("", "", *HEADINGS)))
    assert len(rows) == 8
    assert [r[6] for r in rows] == ["TODO"] * 8


def test_an_unheaded_column_that_adds_up_is_read_as_the_total_with_a_note(project):
    rows = rows_of(project, eligible(("Level 1", "10", "20", "5", "35"), ("Level 2", "1", "2", "-", "3"),
                                     header=("", "Category 1", "Category 2", "Category 3")))
    note = "No column heading printed: read as the total from its place in the table, and every row adds up with it."
    assert [(r[1], r[2], r[3], r[6], r[7]) for r in rows] == [
        ("Level 1", "Category 1", "10", "1", ""), ("Level 1", "Category 2", "20", "2", ""),
        ("Level 1", "Category 3", "5", "3", ""), ("Level 1", "", "35", "all", note),
        ("Level 2", "Category 1", "1", "1", ""), ("Level 2", "Category 2", "2", "2", ""),
        ("Level 2", "Category 3", "-", "3", ""), ("Level 2", "", "3", "all", note)]


def test_an_unheaded_column_that_does_not_add_up_is_todo(project):
    rows = rows_of(project, eligible(("Level 1", "10", "20", "5", "35"), ("Level 2", "1", "2", "3", "7"),
                                     header=("", "Category 1", "Category 2", "Category 3")))
    note = ("TODO: the column has no printed heading; it stands where the template prints the total, but the row at "
            "line 4 does not add up with it")
    assert [(r[1], r[3], r[6], r[7]) for r in rows if r[2] == ""] == [("Level 1", "35", "TODO", note),
                                                                      ("Level 2", "7", "TODO", note)]
    assert [r[6] for r in rows if r[2]] == ["1", "2", "3"] * 2


def test_an_unheaded_first_column_in_the_template_place_is_read_by_its_place(project):
    """The other three columns where the template puts them and the row adds up: Category 1."""
    rows = rows_of(project, eligible(("Level 1", "10", "20", "5", "35"),
                                     header=("", "", "Category 2", "Category 3", "Total")))
    assert rows[0][2:] == ("", "10", "eligible", "1", "1", "No column heading printed: read as Category 1 from its "
                           "place in the table, and every row adds up with it.")
    assert [r[6] for r in rows[1:]] == ["2", "3", "all"]


def test_an_unheaded_column_of_a_table_not_in_the_template_shape_is_todo(project):
    """Three columns, not the template's four: no place to read the unheaded one by."""
    rows = rows_of(project, eligible(("Level 1", "10", "20", "30"), header=("", "Category 1", "", "Total")))
    assert [(r[2], r[3], r[6], r[7]) for r in rows] == [
        ("Category 1", "10", "1", ""),
        ("", "20", "TODO", "TODO: the column has no printed heading; which category is it?"),
        ("Total", "30", "all", "")]


# ---------------------------------------------------------------------------------------------
# the orders table, and a table printed twice


def test_an_order_the_table_does_not_know_leaves_its_measure_todo(project):
    title = "Restrictive orders for Category 1 offenders"
    lines = lines_of((title,), ("SHPO", "12"), ("Stalking Protection Order", "5"), ("NOs", "1"))
    assert rows_of(project, lines) == [
        (title, "SHPO", "", "12", "shpo", "all", "all", ""),
        (title, "Stalking Protection Order", "", "5", "TODO", "all", "all",
         "TODO: the row 'Stalking Protection Order' at line 3 names no order we know: which measure is it "
         "(metadata/measures.csv)?"),
        (title, "NOs", "", "1", "notification_order", "all", "all", "")]


def test_a_table_printed_twice_with_different_figures_is_todo_with_both_places(project):
    title = "Total number of Registered Sexual Offenders per 100,000 population"
    lines = lines_of((title, "121"), ("Our rate is among the lowest in the region.",), (title, "125"))
    assert rows_of(project, lines) == [
        (title, title, "", "TODO", "rso_per_100k", "all", "all",
         "TODO: printed twice, '121' at line 1 and '125' at line 3: which is this report's figure?")]


def test_a_table_printed_twice_with_the_same_figures_is_drafted_once(project):
    title = "Total number of Registered Sexual Offenders per 100,000 population"
    lines = lines_of((title, "121"), ("Our rate is among the lowest in the region.",), (title, "121"))
    assert rows_of(project, lines) == [(title, title, "", "121", "rso_per_100k", "all", "all", "")]


def test_two_figures_beside_one_title_are_todo(project):
    title = "RSOs who have had their life time notification revoked on application"
    assert rows_of(project, lines_of((title, "18", "21"))) == [
        (title, title, "", "TODO", "notification_revoked", "all", "all",
         "TODO: 2 figures ('18', '21') beside one title at line 1; which is the figure?")]


def test_returns_to_custody_sections_name_the_measure(project):
    title = "Level 2 and 3 offenders returned to custody"
    lines = lines_of((title,), ("", *HEADINGS), ("Breach of licence",), ("Level 2", "10", "22", "7", "39"),
                     ("Breach of SOPO",), ("Level 2", "2", "-", "-", "2"))
    rows = rows_of(project, lines)
    assert [(r[0], r[3], r[4], r[5], r[6]) for r in rows] == [
        (f"{title}: Breach of licence", v, "custody_breach_licence", "2", c)
        for v, c in zip(("10", "22", "7", "39"), ("1", "2", "3", "all"), strict=True)] + [
        (f"{title}: Breach of SOPO", v, "custody_breach_order", "2", c)
        for v, c in zip(("2", "-", "-", "2"), ("1", "2", "3", "all"), strict=True)]


def test_returns_to_custody_tables_whose_titles_name_their_sections(project):
    """One table a section, the section in its title (a layout of numbered tables): each table is
    its own measure, and the second title starts a table, not a section of the first."""
    licence = "Table 7. Level 2 and 3 offenders returned to custody: Breach of licence"
    order = "Table 8. Level 2 and 3 offenders returned to custody: Breach of SOPO/SHPO"
    lines = lines_of((licence,), ("", *HEADINGS), ("Level 2", "11", "19", "2", "32"),
                     (order,), ("", *HEADINGS), ("Level 2", "3", "-", "-", "3"))
    rows = rows_of(project, lines)
    assert [(r[0], r[3], r[4], r[5], r[6], r[7]) for r in rows] == [
        (licence, v, "custody_breach_licence", "2", c, "")
        for v, c in zip(("11", "19", "2", "32"), ("1", "2", "3", "all"), strict=True)] + [
        (order, v, "custody_breach_order", "2", c, "")
        for v, c in zip(("3", "-", "-", "3"), ("1", "2", "3", "all"), strict=True)]


def test_a_local_table_is_listed_not_drafted(project):
    lines = lines_of(("MAPPA meetings held",), ("Level 2 meetings", "412"), ("Level 3 meetings", "57"),
                     ("Total", "469"))
    tables, local = finder(project).find(lines)
    assert tables == []
    assert [(t.title, t.line.where) for t in local] == [("MAPPA meetings held", "line 1")]


def test_a_local_table_with_column_headings_is_named_by_its_title(project):
    lines = lines_of(("MAPPA meetings held",), ("", "Level 2", "Level 3"), ("Meetings", "120", "45"),
                     ("Reviews", "80", "30"))
    tables, local = finder(project).find(lines)
    assert tables == []
    assert [(t.title, t.line.where) for t in local] == [("MAPPA meetings held", "line 1")]
