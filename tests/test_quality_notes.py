"""Warnings at the figure (issue 21): a data-quality note is shown under every table it concerns
and marked beside every figure it concerns, both sides of a breach across tables, on the year's
page and wherever else the site shows that figure; a figure can carry a correction and a note;
every row of a table can be linked to and cited on its own. Exact outputs on the tiny project,
invariants over the real site."""
from __future__ import annotations

import re

import pytest
import yaml
from conftest import REPO
from test_crosschecks import ENTRY, RULES_BY_ID, add_ftr_row

from build_scripts.build import build_docs, build_package
from build_scripts.checks.quality import figures_concerned
from build_scripts.inputs.dataset import number
from build_scripts.render.markup import environment
from build_scripts.steps.pages.notes import with_notes
from build_scripts.steps.pages.words import long_date, sentence

R = "staffordshire-2023-24"


def row(measure, level, category, **fields):
    return {"report_id": R, "measure_id": measure, "level": level, "category": category, "value": "1",
            "status": "reported", "source_table": "", "source_row": "", "source_column": "", **fields}


ROWS = [row("eligible", "1", "1"), row("eligible", "1", "all"), row("eligible", "3", "2"),
        row("eligible", "3", "all"), row("managed_l2_l3", "3", "2"), row("managed_l2_l3", "3", "all"),
        row("managed_l2_l3", "2", "2"), row("shpo", "all", "all", source_table="SHPOs & NOs")]


@pytest.mark.parametrize("entry, cells", [
    ({"kind": "total_mismatch", "measure_id": "eligible",
      "check": {"level": "1", "category": "all", "over": "category", "printed_total": 1, "sum_of_parts": 2}},
     [("eligible", "1", "all")]),
    # Both sides of the breach, at the rule's level, in each category the entry lists.
    ({"kind": "cross_table", "measure_id": "eligible",
      "check": {"rule": "eligible-level-3-within-managed",
                "breaches": [{"category": "2", "smaller": 1, "larger": 0}, {"category": "all", "smaller": 2,
                                                                             "larger": 1}]}},
     [("eligible", "3", "2"), ("eligible", "3", "all"), ("managed_l2_l3", "3", "2"), ("managed_l2_l3", "3", "all")]),
    ({"kind": "label_missing", "measure_id": "shpo",
      "check": {"present": {"observations": {"source_table_contains": "& NOs"}}}}, [("shpo", "all", "all")]),
    ({"kind": "other", "measure_id": "eligible", "check": {"absent": {"observations": {"category": "4"}}}}, []),
    ({"kind": "label_missing", "measure_id": "", "check": {"present": {"reports": {"title_as_printed": "x"}}}}, []),
])
def test_the_figures_an_entry_concerns(entry, cells):
    assert figures_concerned(entry, ROWS, RULES_BY_ID) == cells


def test_a_figure_carries_its_correction_and_its_data_quality_note():
    env = environment(REPO / "templates", number=number, long_date=long_date, sentence=sentence)
    correction = {"level": "1", "category": "1", "corrected_in": "1.0.1", "corrected_on": "2026-12-02",
                  "released_value": "1409", "released_status": "reported", "corrected_value": "1408",
                  "corrected_status": "reported", "released_in": "1.0.0", "reason": "Typed wrongly."}
    cell = with_notes([row("eligible", "1", "1", value="1408")], [correction],
                      lambda c: [dict(text="note 1", hidden="data-quality", page="", anchor="eligible-note-1")])[0]
    html = env.from_string('{% import "_macros.md.j2" as m %}{{ m.value_cell(cell) }}').render(cell=cell)
    assert html == ('<td>1,408<br><span class="figure-note">corrected in v1.0.1: was 1,409</span><br>'
                    '<span class="figure-note"><a href="#eligible-note-1"><span class="visually-hidden">data-quality '
                    '</span>note 1</a></span></td>')


# The tiny report (tests/fixtures/tiny) with a register of one entry of each shape: a breach across
# tables (140 SHPOs with a foreign travel restriction, 138 SHPOs), two printed totals that are not
# the sum of their parts (level 1, category 2 typed as 332), a table-wide note and one about the
# report as a whole.
ENTRIES = [
    ENTRY,
    {"quality_id": "tiny-level-1-total", "report_id": R, "measure_id": "eligible", "kind": "total_mismatch",
     "location": "row Level 1", "printed": "Total 1740", "found": "The parts add up to 1741.",
     "handling": "Published as printed.",
     "check": {"level": "1", "category": "all", "over": "category", "printed_total": 1740, "sum_of_parts": 1741}},
    {"quality_id": "tiny-category-2-total", "report_id": R, "measure_id": "eligible", "kind": "total_mismatch",
     "location": "column Category 2", "printed": "Total 331", "found": "The levels add up to 332.",
     "handling": "Published as printed.",
     "check": {"level": "all", "category": "2", "over": "level", "printed_total": 331, "sum_of_parts": 332}},
    {"quality_id": "tiny-no-category-4", "report_id": R, "measure_id": "eligible", "kind": "other",
     "location": "every table", "printed": "No Category 4.", "found": "Category 4 began in 2022.",
     "handling": "No Category 4 figures are published.", "check": {"absent": {"observations": {"category": "4"}}}},
    {"quality_id": "tiny-title", "report_id": R, "measure_id": "", "kind": "label_missing", "location": "Cover",
     "printed": "Annual Report", "found": "No area and no year.", "handling": "Filed from the tables' dates.",
     "check": {"present": {"reports": {"title_as_printed": "Annual Report"}}}},
]


@pytest.fixture
def noted(tiny_project):
    add_ftr_row(tiny_project)
    report = tiny_project.root / "curated" / "reports" / f"{R}.csv"
    report.write_text(report.read_text(encoding="utf-8").replace(
        "Eligible on 31 March,Level 1,Category 2,331,", "Eligible on 31 March,Level 1,Category 2,332,"), encoding="utf-8")
    (tiny_project.metadata / "quality-register.yaml").write_text(
        yaml.safe_dump([{k: v for k, v in e.items() if v != ""} for e in ENTRIES]), encoding="utf-8")
    build_package(tiny_project)
    build_docs(tiny_project)
    return tiny_project


def section(page: str, measure_id: str) -> str:
    return page.split(f"{{: #{measure_id} }}")[1].split("\n## ")[0]


def test_notes_are_numbered_as_a_reader_meets_them_and_shown_at_their_figures(noted):
    page = (noted.docs / "areas" / "staffordshire" / "2023-24" / "index.md").read_text(encoding="utf-8")
    mark = ('<span class="figure-note figure-note--{2}"><a href="#{0}-note-{1}"><span class="visually-hidden">data-quality '
            '</span>note {1}<span class="visually-hidden"> ({3})</span></a></span>')
    eligible = section(page, "eligible")
    # Each total carries its own note, not the other's, though both are about the same table.
    assert f"<td>1,740<br>{mark.format('eligible', 1, 'doubtful', 'read with care')}</td>" in eligible
    assert f"<td>331<br>{mark.format('eligible', 2, 'doubtful', 'read with care')}</td>" in eligible
    assert "<td>1,741</td>" in eligible and "<td>1,409</td>" in eligible
    assert "Data-quality notes 1, 2 and 3, below the table, concern its figures." in eligible
    assert ('<p id="eligible-note-1"><strong>Data-quality note 1: read these figures with care</strong> (level 1: all '
            'categories). A printed total '
            'is not the sum of its parts. The parts add up to 1741. Published as printed. '
            '<a href="#quality-note-1">All the notes</a></p>') in eligible
    assert ('<p id="eligible-note-2"><strong>Data-quality note 2: read these figures with care</strong> (all levels: '
            'category 2).') in eligible
    assert ('<p id="eligible-note-3"><strong>Data-quality note 3: read these figures with care</strong> (the whole '
            'table). Category 4') in eligible
    # Both sides of the breach across tables.
    for measure_id in ("shpo", "shpo_foreign_travel"):
        part = section(page, measure_id)
        assert "Data-quality note 4, below the table, concerns this figure." in part
        assert f"<br>{mark.format(measure_id, 4, 'disagree', 'figures appear not to agree')}</td>" in part
        # The heading says the figures appear not to agree: the kind's words are not said twice.
        assert (f'<p id="{measure_id}-note-4"><strong>Data-quality note 4: these figures appear not to agree</strong> '
                "(the figure). More orders with a restriction than orders. Published as printed.") in part
    # The note about the report as a whole is named at the top and numbered last.
    assert "About the report as a whole: [note 5](#quality-note-5) (a label is missing or unclear)." in page
    listed = page.split('<ol class="quality-list">')[1].split("</ol>")[0]
    assert re.findall(r'<li id="quality-note-(\d)" value="\1"><strong>([^<]+)</strong>', listed) == [
        ("1", "A printed total is not the sum of its parts: Eligible people"),
        ("2", "A printed total is not the sum of its parts: Eligible people"),
        ("3", "Note: Eligible people"),
        ("4", "These figures appear not to agree: SHPOs with foreign travel restriction"),
        ("5", "A label is missing or unclear")]
    assert ('Shown under the tables <a href="#shpo">Sexual Harm Prevention Orders imposed</a> and '
            '<a href="#shpo_foreign_travel">') in listed


def test_other_pages_mark_the_figure_and_link_to_its_note(noted):
    """A page showing figures of several reports numbers their notes itself: one number for one
    note, on both figures it concerns, each mark linked to the note on the year's page."""
    mark = ('<span class="figure-note figure-note--disagree"><a href="{0}#{1}-note-4"><span class="visually-hidden">'
            'data-quality </span>note 1<span class="visually-hidden"> (figures appear not to agree)</span></a></span>')
    for page, year_page in (("compare/index.md", "../areas/staffordshire/2023-24/"),
                            ("areas/staffordshire/index.md", "2023-24/")):
        text = (noted.docs / page).read_text(encoding="utf-8")
        assert f"<td>138<br>{mark.format(year_page, 'shpo')}</td>" in text
        assert f"<td>140<br>{mark.format(year_page, 'shpo_foreign_travel')}</td>" in text
        assert re.findall(r"<li value=.*?</li>", text) == [
            f'<li value="1"><a href="{year_page}#shpo-note-4">Staffordshire 2023-24, note 4</a>. These figures appear '
            "not to agree: SHPOs with foreign travel restriction.</li>"]


def test_every_row_of_a_table_can_be_linked_to_and_cited(noted):
    page = (noted.docs / "areas" / "staffordshire" / "2023-24" / "index.md").read_text(encoding="utf-8")
    eligible = section(page, "eligible")
    assert re.findall(r'<tr id="([^"]+)">', eligible) == ["eligible-level-1", "eligible-level-2", "eligible-total"]
    url = "https://mappa-open-data.github.io/mappa-statistics/areas/staffordshire/2023-24/#eligible-level-2"
    version = yaml.safe_load((noted.metadata / "package.yaml").read_text(encoding="utf-8"))["version"]
    assert (f'<li><a href="{url}">Level 2</a>: <q class="citation">MAPPA open data (2026). MAPPA-eligible people on '
            "31 March, level 2, Staffordshire, 1 April 2023 to 31 March 2024: total 1; category 1: 1; category 2: a "
            "dash (does not apply). In: MAPPA annual report statistics for England and Wales. Dataset version "
            f"{version}") in eligible


def test_on_the_real_site_every_note_is_beside_its_figures_and_every_row_has_an_address(built):
    """Every figure of a year page marked with a note has that note under its table, and every
    note listed at the end of a page is shown under a table or named at the top; every row of
    a table by level and category has an id."""
    pages = sorted(built.docs.glob("areas/*/*/index.md"))
    marks = rows = 0
    for path in pages:
        page = path.read_text(encoding="utf-8")
        for measure_id, number_ in re.findall(r'<a href="#([a-z0-9_]+)-note-(\d+)"><span class="visually-hidden">',
                                              page):
            marks += 1
            assert f'<p id="{measure_id}-note-{number_}">' in page, (path, measure_id, number_)
        listed = re.findall(r'<li id="quality-note-(\d+)"', page)
        for number_ in listed:
            assert re.search(rf'<p id="[a-z0-9_]+-note-{number_}">|\(#quality-note-{number_}\)', page), (path, number_)
        for table in re.findall(r"by level and category</caption>(.*?)</table>", page, re.S):
            ids = re.findall(r'<tr id="([^"]+)">', table)
            rows += len(ids)
            assert len(ids) == table.split("<tbody>")[1].count("<tr") == len(set(ids)), path
    assert marks > 0 and rows > 4 * len(pages)


def test_observations_link_each_figure_to_the_notes_the_pages_mark(noted):
    """observations.csv names, for each figure, the register entries that concern it; the year
    page marks exactly those figures, and the table's download and citations carry each note."""
    import csv

    with (noted.datapackage / "observations.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {(r["measure_id"], r["level"], r["category"]): r["quality_ids"] for r in rows if r["quality_ids"]} == {
        ("eligible", "1", "all"): "tiny-level-1-total", ("eligible", "all", "2"): "tiny-category-2-total",
        ("shpo", "all", "all"): "tiny-ftr", ("shpo_foreign_travel", "all", "all"): "tiny-ftr"}
    folder = noted.docs / "areas" / "staffordshire" / "2023-24"
    page_url = "https://mappa-open-data.github.io/mappa-statistics/areas/staffordshire/2023-24/"
    with (folder / f"{R}-eligible.csv").open(encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [(r["level"], r["category"], r["quality_ids"], r["quality_notes"]) for r in table if r["quality_ids"]] == [
        ("1", "all", "tiny-level-1-total", page_url + "#eligible-note-1"),
        ("all", "2", "tiny-category-2-total", page_url + "#eligible-note-2")]
    eligible = section((folder / "index.md").read_text(encoding="utf-8"), "eligible")
    row_cites = re.findall(r'<li><a href="[^"]+#(eligible-[a-z0-9-]+)">[^<]+</a>: <q class="citation">([^<]+)</q>',
                           eligible)
    # The row of level 1 carries note 1 (its total), the total row note 2 (its category 2 figure).
    assert [(row, re.findall(r"Read with data-quality note (\d): (\S+)", text)) for row, text in row_cites] == [
        ("eligible-level-1", [("1", page_url + "#eligible-note-1")]), ("eligible-level-2", []),
        ("eligible-total", [("2", page_url + "#eligible-note-2")])]
    table_cite = re.search(r'Cite this table: <q class="citation">([^<]+)</q>', eligible).group(1)
    assert re.findall(r"Read with data-quality note (\d)", table_cite) == ["1", "2", "3"]


def test_quality_csv_says_how_much_each_note_matters(noted):
    """An entry with no grade takes its kind's: two figures that disagree, a doubtful total, a label."""
    import csv

    with (noted.datapackage / "quality.csv").open(encoding="utf-8", newline="") as handle:
        assert {r["quality_id"]: r["grade"] for r in csv.DictReader(handle)} == {
            "tiny-ftr": "disagree", "tiny-level-1-total": "doubtful", "tiny-category-2-total": "doubtful",
            "tiny-no-category-4": "doubtful", "tiny-title": "unaffected"}


def test_on_the_real_site_every_noted_figure_carries_its_notes_out_of_the_page(built):
    """For every figure of observations.csv that a note concerns, its table's download names the
    note and its address on the year page, where the note is; and every figure the downloads
    leave unnoted has no note. The row and table citations and the chart carry it too."""
    import csv

    with (built.datapackage / "observations.csv").open(encoding="utf-8", newline="") as handle:
        observations = list(csv.DictReader(handle))
    noted = 0
    for path in sorted(built.docs.glob("areas/*/*/*.csv")):
        page = (path.parent / "index.md").read_text(encoding="utf-8")
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                published = next(o for o in observations if all(o[k] == row[k] for k in (
                    "report_id", "measure_id", "level", "category")))
                assert row["quality_ids"] == published["quality_ids"], (path, row)
                addresses = row["quality_notes"].split()
                assert len(addresses) == len(row["quality_ids"].split()), (path, row)
                for address in addresses:
                    noted += 1
                    assert f'<p id="{address.split("#")[1]}">' in page, (path, address)
                    # The table's citation, and the chart's image when it draws the figure (a
                    # chart by level draws each level's categories, not the totals), carry it.
                    assert f"Read with data-quality note {address.split('-note-')[1]}: " in page
                    chart = path.parent / f"{row['measure_id']}.svg"
                    if chart.exists() and "all" not in (row["level"], row["category"]):
                        assert "A data-quality note concerns each figure marked so" in page.split(
                            f'{{: #{row["measure_id"]} }}')[1].split("\n## ")[0]
    assert noted > 10
