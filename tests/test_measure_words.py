"""What the build says about each measure, and where it places it, live beside the measures in
metadata/ (headlines.yaml, measure-layout.csv), not in the code: a new measure is stopped at
load until both have its entry; the key figures and the link-preview card follow the file; a
sentence's awkward characters, and values that look like placeholders or markup, reach the page
as text. Exact outputs on the tiny project; the bad entries of each file, with their messages,
are in tests/test_load_errors.py."""
from __future__ import annotations

import csv
import html
import re

import pytest
import yaml

from build_scripts.__main__ import main
from build_scripts.build import build_docs, build_package, build_site
from build_scripts.errors import BuildError

YEAR_PAGE = "areas/staffordshire/2023-24/index.md"
NEW_MEASURE = 'widgets,Widgets made,Widgets,orders,orders_during_year,single_figure,shpo,99,"Widgets made."\n'
WIDGET_WORDS = """\
- measure_id: widgets
  none: Between {start} and {end}, {area} made no widgets.
  one: Between {start} and {end}, {area} made 1 widget.
  many: Between {start} and {end}, {area} made {n} widgets.
"""


def append(path, text):
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_new_measure_is_stopped_at_load_until_its_words_and_its_place_are_written(tiny_project, capsys):
    measures = tiny_project.metadata / "measures.csv"
    line = len(measures.read_text(encoding="utf-8").splitlines()) + 1
    append(measures, NEW_MEASURE)
    with pytest.raises(BuildError) as caught:
        build_package(tiny_project)
    assert [str(p) for p in caught.value.problems] == [
        f"metadata/measures.csv:{line}: column 'measure_id': expected a measure with its headline sentences in "
        "metadata/headlines.yaml; found 'widgets'",
        f"metadata/measures.csv:{line}: column 'measure_id': expected a measure with a row in "
        "metadata/measure-layout.csv; found 'widgets'"]
    assert not tiny_project.datapackage.exists()

    append(tiny_project.metadata / "headlines.yaml", WIDGET_WORDS)
    append(tiny_project.metadata / "measure-layout.csv", "widgets,all,false\n")
    append(tiny_project.root / "curated/reports/staffordshire-2023-24.csv", "Widgets,Made,,7,widgets,all,all,\n")
    build_package(tiny_project)
    build_docs(tiny_project)
    page = (tiny_project.docs / YEAR_PAGE).read_text(encoding="utf-8")
    assert "\nBetween 1 April 2023 and 31 March 2024, Staffordshire made 7 widgets.\n" in page
    # Its table is in a new report's blank file, last, as its sort_order says.
    assert main(["--root", str(tiny_project.root), "new-report", "--area", "norfolk", "--year", "2024-25"]) == 0
    blank = (tiny_project.report_files / "norfolk-2024-25.csv").read_text(encoding="utf-8").splitlines()
    assert blank[-2:] == ['"TODO: Registered sex offenders per 100,000 population","TODO: Registered sex offenders '
                          'per 100,000 population",,TODO,rso_per_100k,all,all,',
                          "TODO: Widgets made,TODO: Widgets made,,TODO,widgets,all,all,"]
    capsys.readouterr()


def test_a_new_report_has_the_tables_and_levels_of_the_layout(tiny_project):
    """Only the measures with levels in a new report, in the order of measures.csv, each with
    those levels: here level 3 of one table by level and category, and one retired single figure."""
    path = tiny_project.metadata / "measure-layout.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    levels = {"managed_l2_l3": "3 all", "sopo": "all"}
    for row in rows:
        row["new_report_levels"] = levels.get(row["measure_id"], "")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    assert main(["--root", str(tiny_project.root), "new-report", "--area", "norfolk", "--year", "2024-25"]) == 0
    assert (tiny_project.report_files / "norfolk-2024-25.csv").read_text(encoding="utf-8") == (
        "table,row,column,value,measure_id,level,category,note\n"
        "TODO: People managed at levels 2 and 3 during the year,Level 3,TODO: Category 1,TODO,managed_l2_l3,3,1,\n"
        "TODO: People managed at levels 2 and 3 during the year,Level 3,TODO: Category 2,TODO,managed_l2_l3,3,2,\n"
        "TODO: People managed at levels 2 and 3 during the year,Level 3,TODO: Category 3,TODO,managed_l2_l3,3,3,\n"
        "TODO: People managed at levels 2 and 3 during the year,Level 3,Total,TODO,managed_l2_l3,3,all,\n"
        "TODO: People managed at levels 2 and 3 during the year,Total,TODO: Category 1,TODO,managed_l2_l3,all,1,\n"
        "TODO: People managed at levels 2 and 3 during the year,Total,TODO: Category 2,TODO,managed_l2_l3,all,2,\n"
        "TODO: People managed at levels 2 and 3 during the year,Total,TODO: Category 3,TODO,managed_l2_l3,all,3,\n"
        "TODO: People managed at levels 2 and 3 during the year,Total,Total,TODO,managed_l2_l3,all,all,\n"
        "TODO: Sexual Offences Prevention Orders imposed,TODO: Sexual Offences Prevention Orders imposed,,TODO,sopo,"
        "all,all,\n")


def headlines(paths):
    return yaml.safe_load((paths.metadata / "headlines.yaml").read_text(encoding="utf-8"))


def save(paths, entries):
    (paths.metadata / "headlines.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False),
                                                  encoding="utf-8")


def test_the_key_figures_and_the_card_follow_headlines_yaml(tiny_project):
    entries = {entry["measure_id"]: entry for entry in headlines(tiny_project)}
    for entry in entries.values():
        for name in ("card_one", "card_many", "key_figure"):
            entry.pop(name, None)
    entries["shpo"].update(card_one="order in {area} to {end}", card_many="orders in {area} to {end}",
                           key_figure="SHPOs made")
    entries["eligible"].update(key_figure="Eligible")
    save(tiny_project, list(entries.values()))
    # A second year, so the area page has its table of key figures over the years.
    reports = tiny_project.root / "curated/reports"
    (reports / "staffordshire-2022-23.csv").write_text(
        (reports / "staffordshire-2023-24.csv").read_text(encoding="utf-8"), encoding="utf-8")
    append(tiny_project.register, "staffordshire-2022-23,staffordshire,2022-23,Annual Report,2022-04-01,2023-03-31,"
           "2023-03-31,ONS,,Staffordshire MAPPA Strategic Management Board,Tiny test report,,\n")
    build_package(tiny_project)
    build_docs(tiny_project)

    home = (tiny_project.docs / "index.md").read_text(encoding="utf-8")
    assert ('<thead><tr><th scope="col">Area and year</th><th scope="col">Eligible</th><th scope="col">SHPOs made</th>'
            "</tr></thead>") in home
    assert re.search(r'2023-24</span></a></th><td>1,741</td><td>138</td></tr>', home)
    area = (tiny_project.docs / "areas/staffordshire/index.md").read_text(encoding="utf-8")
    assert ('<thead><tr><th scope="col">Year</th><th scope="col">Eligible people</th><th scope="col">SHPOs</th>'
            "</tr></thead>") in area
    page = (tiny_project.docs / YEAR_PAGE).read_text(encoding="utf-8")
    assert ("og_image_alt: 'Staffordshire. 2023-24: 1 April 2023 to 31 March 2024. 138 orders in Staffordshire to 31 "
            "March 2024. Source: MAPPA annual report of Staffordshire, 2023-24. Licence: Open Government Licence "
            "v3.0.'\n") in page


# Awkward but allowed: what starts a numbered list, a heading or a rule in Markdown, quotes, an
# ampersand, a colon. The area's name looks like a placeholder and like markup.
SENTENCE = "1. {area} & co: \"{n}\" orders, 'so' # --- + = !"
AREA = "{n} <b>Staffs</b> [x](javascript:alert(1)) {end}"
SAID = f"1. {AREA} & co: \"138\" orders, 'so' # --- + = !"


def test_a_sentence_and_the_values_in_it_reach_the_page_as_text(tiny_project):
    entries = headlines(tiny_project)
    next(e for e in entries if e["measure_id"] == "shpo")["many"] = SENTENCE
    save(tiny_project, entries)
    areas = tiny_project.metadata / "areas.csv"
    areas.write_text(areas.read_text(encoding="utf-8").replace("staffordshire,Staffordshire,",
                                                               f'staffordshire,"{AREA}",'), encoding="utf-8")
    build_package(tiny_project)
    build_docs(tiny_project)
    build_site(tiny_project)

    page = (tiny_project.docs / YEAR_PAGE).read_text(encoding="utf-8")
    assert ("\n&#49;. &#123;n&#125; &lt;b&gt;Staffs&lt;/b&gt; &#91;x&#93;(javascript:alert(1)) &#123;end&#125; &amp; "
            "co: &#34;138&#34; orders, &#39;so&#39; # --- + = !\n") in page
    # In the browser: a paragraph of text (no list, heading, rule, element or link), and the
    # table's citation, made from the same sentence, text too.
    section = (tiny_project.site / "areas/staffordshire/2023-24/index.html").read_text(encoding="utf-8").split(
        'id="shpo"')[1].split("<h2")[0]
    paragraph = re.search(r"<p>(.*?)</p>", section).group(1)
    assert "<" not in paragraph and html.unescape(paragraph) == SAID
    assert not re.search(r"<(ol|ul|h\d|hr|b|a)\b[^>]*>[^<]*Staffs", section)
    citation = re.search(r'<q class="citation">(.*?)</q>', section).group(1)
    assert "<" not in citation and f" {SAID}. In: " in html.unescape(citation)
