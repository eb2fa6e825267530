"""Every class of bad input stops the build with file, line, column, expected and found,
a non-zero exit, and the previous datapackage/ left untouched."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, REPO, copy_project

from build_scripts.__main__ import main
from build_scripts.build import build_docs, build_package
from build_scripts.errors import BuildError
from build_scripts.inputs.metadata import MAX_INPUT_BYTES

REPORT = "curated/reports/staffordshire-2023-24.csv"
VALUE = ("column 'value': expected the value as printed: a whole or decimal number (thousands separators allowed), "
         "or - for a printed dash; found")
UNSEEN = ("expected text with no control or invisible characters (delete it; it can come with text copied from a "
          "PDF); found")

CASES = {
    "non_number": f"{REPORT}:3: column 'value': expected the value as printed: a whole or decimal number "
                  "(thousands separators allowed), or - for a printed dash; found '33l'",
    "negative_count": f"{REPORT}:11: column 'value': expected the value as printed: a whole or decimal number "
                      "(thousands separators allowed), or - for a printed dash; found '-138'",
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
    "formula_cell": f"{REPORT}:11: column 'row': expected the row label as printed; found '=HYPERLINK(\"x\")'",
    # Malformed CSV: found by load's own reading, before frictionless and before any register check.
    "unclosed_quote": f"{REPORT}:2: column 'value': expected a closing double quote (\") before the end of the "
                      "line; found '\"1,409,eligible,1,1,' with no closing quote",
    "text_after_quote": f"{REPORT}:5: column 'column': expected a comma straight after a closing double quote "
                        "(put the whole value in quotes); found '\"Category\" 1'",
    "too_many_cells": f"{REPORT}:3: column 'cell 9': expected 8 cells, one for each column of the header; "
                      "found 9 cells (put a value that contains a comma in double quotes, like \"1,409\")",
    "too_few_cells": f"{REPORT}:3: column 'note': expected 8 cells, one for each column of the header; "
                     "found 7 cells (none for note)",
    "blank_header_cell": f"{REPORT}:1: column 'cell 3': expected the header row table,row,column,value,"
                         "measure_id,level,category,note; found a blank header cell",
    "blank_line": f"{REPORT}:4: expected a row of 8 cells; found a blank line (delete it)",
    "empty_file": f"{REPORT}:1: expected the header row table,row,column,value,measure_id,level,category,note; "
                  "found an empty file",
    "header_only": f"{REPORT}:2: expected at least one printed cell (a row after the header); "
                   "found only the header row",
    # A spreadsheet saving "CSV" with another separator (European Excel writes semicolons).
    "semicolons": f"{REPORT}:1: expected the header row table,row,column,value,measure_id,level,category,note, the "
                  "names separated by commas; found names separated by semicolons (save the file as \"CSV UTF-8 "
                  "(Comma delimited)\", or with commas as the separator)",
    "tabs": f"{REPORT}:1: expected the header row table,row,column,value,measure_id,level,category,note, the names "
            "separated by commas; found names separated by tabs (save the file as \"CSV UTF-8 (Comma delimited)\", "
            "or with commas as the separator)",
    "utf16": f"{REPORT}:1: column 'character 1': expected text encoded as UTF-8; found byte 0xff, which is not valid "
             "UTF-8 (save the file as UTF-8)",
    # A printed dash is typed "-": every other dash is refused by name (curated/README.md).
    "minus_sign": f"{REPORT}:6: VALUE '\u2212' (U+2212 MINUS SIGN: type a printed dash as -)",
    "em_dash": f"{REPORT}:6: VALUE '\u2014' (U+2014 EM DASH: type a printed dash as -)",
    "en_dash": f"{REPORT}:6: VALUE '\u2013' (U+2013 EN DASH: type a printed dash as -)",
    "hyphen": f"{REPORT}:6: VALUE '\u2010' (U+2010 HYPHEN: type a printed dash as -)",
    "figure_dash": f"{REPORT}:6: VALUE '\u2012' (U+2012 FIGURE DASH: type a printed dash as -)",
    "no_break_space": f"{REPORT}:2: VALUE '1\\xa0409' (U+00A0 NO-BREAK SPACE)",
    # Characters no one can see are refused in every text field, named, with an escaped excerpt.
    "nul_in_note": f"{REPORT}:11: column 'note': UNSEEN a control character, U+0000, at character 5 of "
                   "'read\\x00as SHPO'",
    "right_to_left_override": f"{REPORT}:11: column 'row': UNSEEN an invisible formatting character, U+202E "
                              "RIGHT-TO-LEFT OVERRIDE, at character 1 of '\\u202eOPHS'",
}
CASES = {case: message.replace("VALUE", VALUE).replace("UNSEEN", UNSEEN) for case, message in CASES.items()}


def test_tiny_project_builds(tiny_project):
    """The fixture itself is valid, so each broken copy differs from a good one in one thing."""
    build_package(tiny_project)
    observations = (tiny_project.datapackage / "observations.csv").read_text(encoding="utf-8").splitlines()
    assert len(observations) == 1 + 11
    assert "staffordshire-2023-24,staffordshire,2023-24,eligible,1,1,1409,reported" in observations[1]
    assert "staffordshire-2023-24,staffordshire,2023-24,eligible,2,2,,not_applicable" in observations[5]


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_report_file(packaged_tiny_project, case, capsys):
    tiny_project = packaged_tiny_project()
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


def test_header_only_report_is_not_a_stale_register_entry(tiny_project, capsys):
    """The inputs are checked before the register: a report with no cells is reported as such,
    not as an entry that "no longer matches"."""
    (tiny_project.metadata / "quality-register.yaml").write_text(
        "- quality_id: tiny-shpo\n  report_id: staffordshire-2023-24\n  measure_id: shpo\n  kind: other\n"
        "  location: x\n  printed: x\n  found: x\n  handling: x\n"
        "  check: {present: {observations: {measure_id: shpo}}}\n", encoding="utf-8")
    build_package(tiny_project)
    shutil.copyfile(FIXTURES / "bad" / "header_only.csv", tiny_project.root / REPORT)
    assert main(["--root", str(tiny_project.root), "package"]) == 1
    assert capsys.readouterr().err.splitlines()[1:] == ["  " + CASES["header_only"]]


def test_byte_order_mark_and_windows_line_endings_are_accepted(tiny_project):
    """Excel's "CSV UTF-8" and a Windows checkout give the same package as the plain file."""
    build_package(tiny_project)
    before = {p.name: p.read_bytes() for p in tiny_project.datapackage.iterdir()}
    shutil.copyfile(FIXTURES / "bad" / "bom_crlf.csv", tiny_project.root / REPORT)
    assert (tiny_project.root / REPORT).read_bytes().startswith(b"\xef\xbb\xbftable,row,column,value")
    build_package(tiny_project)
    assert {p.name: p.read_bytes() for p in tiny_project.datapackage.iterdir()} == before


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


# A valid register entry for the tiny report, so each case below differs from a good build in one edit.
REGISTER = """\
- quality_id: tiny-shpo-label
  report_id: staffordshire-2023-24
  measure_id: shpo
  kind: label_missing
  location: row SHPO
  printed: SHPO
  found: The label is printed.
  handling: Published as printed.
  check: {present: {observations: {measure_id: shpo}}}
"""
GLOSSARY = "metadata/glossary.yaml"
QUALITY = "metadata/quality-register.yaml"
PACKAGE = "metadata/package.yaml"
AREAS_SCHEMA = "metadata/schemas/areas.yaml"
REPORT_SCHEMA = "metadata/schemas/curated-report.yaml"
REGISTER_CSV = "curated/reports.csv"
# Nine levels of nine aliases, a few hundred bytes: 9**9 values once expanded.
ALIAS_BOMB = 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n' + "".join(
    f"{name}: &{name} [*{last}, *{last}, *{last}, *{last}, *{last}, *{last}, *{last}, *{last}, *{last}]\n"
    for last, name in zip("abcdefgh", "bcdefghi", strict=True))

HEADLINES = "metadata/headlines.yaml"
LAYOUT = "metadata/measure-layout.csv"
RULES = "metadata/crosscheck-rules.csv"


def line_of(file, start):
    """The line of the real project's `file` (which the tiny project copies) that starts with
    `start`, so editing the real file moves no expected line."""
    lines = (REPO / file).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if line.startswith(start))


def entry_of(measure_id):
    """The whole entry of a measure in metadata/headlines.yaml, as written."""
    text = (REPO / HEADLINES).read_text(encoding="utf-8")
    start = text.index(f"- measure_id: {measure_id}\n")
    end = text.find("\n- measure_id: ", start)
    return text[start:end + 1]


def text_of(measure_id, field):
    """The line of one field of a measure's entry in metadata/headlines.yaml (on one line there)."""
    line = next(line for line in entry_of(measure_id).splitlines() if line.startswith(f"  {field}: "))
    assert not line.endswith(">-"), f"{field} of {measure_id} is written over several lines: pick another"
    return line


# The second measure on the tile map, when a case puts a second one there.
MAP_LINE = max(line_of(LAYOUT, "shpo,"), line_of(LAYOUT, next(
    line.split(",")[0] + "," for line in (REPO / LAYOUT).read_text(encoding="utf-8").splitlines()
    if line.endswith(",true"))))

# (file, text to replace, replacement, the exact message). An empty text to replace means the
# whole file becomes the replacement.
EDITS = {
    # YAML syntax, at PyYAML's line and character.
    "yaml_colon_in_value": (GLOSSARY, "  term: Multi-Agency Public Protection Arrangements",
                            "  term: Multi-Agency: Public Protection Arrangements",
                            f"{GLOSSARY}:5: column 'character 21': expected one 'key: value' per line, lined up "
                            "with the keys above it (put a value that contains ': ' in quotes); found a ':' in "
                            "'term: Multi-Agency: Public Protection Arrangements' that cannot start a value"),
    "yaml_tab": (GLOSSARY, "  kind: process", "\tkind: process",
                 f"{GLOSSARY}:7: column 'character 1': expected spaces (YAML does not allow tabs); found a tab"),
    "yaml_unclosed_quote": (QUALITY, "location: row SHPO", 'location: "row SHPO',
                            f"{QUALITY}:5: column 'character 13': expected a closing \" for the text that opens "
                            "here; found no closing \" before the end of the file"),
    "yaml_missing_colon": (PACKAGE, "version: 1.0.0", "version 1.0.0",
                           f"{PACKAGE}:14: column 'character 1': expected 'key: value' (or, for text that goes on "
                           "over several lines, those lines indented under the key); found 'version 1.0.0' "
                           "with no ':'"),
    "yaml_unclosed_list": (QUALITY, "measure_id: shpo}}}", "measure_id: shpo}}",
                           f"{QUALITY}:10: column 'character 1': expected ',' or '}}' to close the mapping opened "
                           "on line 9; found the end of the file"),
    "yaml_text_after_quote": (QUALITY, "printed: SHPO", 'printed: "SHPO" row',
                              f"{QUALITY}:6: column 'character 19': expected the next key or list item, lined up "
                              "with the ones above it (a quoted value ends at its closing quote); found more text "
                              "in 'printed: \"SHPO\" row'"),
    "yaml_in_schema": (REPORT_SCHEMA, "title: Curated report", "title: Curated: report",
                       f"{REPORT_SCHEMA}:3: column 'character 15': expected one 'key: value' per line, lined up "
                       "with the keys above it (put a value that contains ': ' in quotes); found a ':' in "
                       "'title: Curated: report' that cannot start a value"),
    "yaml_duplicate_key": (GLOSSARY, "  kind: process", "  kind: process\n  kind: order",
                           f"{GLOSSARY}:8: column 'kind': expected each key once in a mapping; found 'kind' again "
                           "(first on line 7)"),
    "yaml_empty": (GLOSSARY, "", "# nothing yet\n",
                   f"{GLOSSARY}:1: expected a list of terms, each starting '- term_id:'; found an empty file"),
    "yaml_empty_schema": (AREAS_SCHEMA, "", "",
                          f"{AREAS_SCHEMA}:1: expected a Table Schema (title, description, fields, primaryKey); "
                          "found an empty file"),
    "yaml_not_utf8_schema": (AREAS_SCHEMA, "title: Areas", "title: \udce9reas",
                             f"{AREAS_SCHEMA}:1: column 'character 8': expected text encoded as UTF-8; found byte "
                             "0xe9, which is not valid UTF-8 (save the file as UTF-8)"),
    # Glossary structure: frictionless checks each term against schemas/glossary.yaml.
    "glossary_not_a_list": (GLOSSARY, "", "term_id: mappa\nterm: MAPPA\n",
                            f"{GLOSSARY}:1: expected a list of terms, each starting '- term_id:'; found a mapping "
                            "(key: value lines)"),
    "glossary_entry_not_a_mapping": (GLOSSARY, "- term_id: mappa-eligible\n", "- mappa-eligible\n- term_id: x\n",
                                     f"{GLOSSARY}:15: expected a term of 'key: value' lines (term_id, term, "
                                     "abbreviation, kind, definition, replaced, replaced_by, changed, law, "
                                     "source, printed_as); found 'mappa-eligible'"),
    "glossary_missing_definition": (GLOSSARY, "  definition: >-\n    MAPPA is", "  changed: >-\n    MAPPA is",
                                    f"{GLOSSARY}:4: column 'definition': expected a value (this field is "
                                    "required); found no definition in this entry"),
    "glossary_unknown_field": (GLOSSARY, "  abbreviation: MAPPA", "  abbrev: MAPPA",
                               f"{GLOSSARY}:6: column 'abbrev': expected one of the fields term_id, term, "
                               "abbreviation, kind, definition, replaced, replaced_by, changed, law, source, "
                               "printed_as; found 'abbrev'"),
    "glossary_bad_kind": (GLOSSARY, "  kind: process", "  kind: proces",
                          f"{GLOSSARY}:7: column 'kind': expected one of order, category, level, agency, process, "
                          "measure; found 'proces'"),
    "glossary_duplicate_term": (GLOSSARY, "- term_id: mappa-eligible", "- term_id: mappa",
                                f"{GLOSSARY}:15: column 'term_id': expected each term_id once; found 'mappa' again "
                                "(first on line 4)"),
    "glossary_unknown_replaced_by": (GLOSSARY, "  kind: process", "  kind: process\n  replaced_by: [mapa]",
                                     f"{GLOSSARY}:8: column 'replaced_by': expected the term_id of a term in this "
                                     "glossary; found 'mapa'"),
    "glossary_yes_no": (GLOSSARY, "  abbreviation: MAPPA", "  abbreviation: no",
                        f"{GLOSSARY}:6: column 'abbreviation': expected text; found false, which YAML reads as "
                        "yes/no (put it in quotes)"),
    # Quality register structure.
    "quality_missing_field": (QUALITY, "  printed: SHPO\n", "",
                              f"{QUALITY}:1: column 'printed': expected a value (this field is required); found "
                              "no printed in this entry"),
    "quality_bad_kind": (QUALITY, "kind: label_missing", "kind: label-missing",
                         f"{QUALITY}:4: column 'kind': expected one of total_mismatch, cross_table, "
                         "period_mismatch, label_missing, terminology, other; found 'label-missing'"),
    "quality_unknown_report": (QUALITY, "report_id: staffordshire-2023-24", "report_id: staffordshire-2023",
                               f"{QUALITY}:2: column 'report_id': expected the report_id of a report in "
                               "curated/reports.csv; found 'staffordshire-2023'"),
    "quality_check_table": (QUALITY, "{observations:", "{observation:",
                            f"{QUALITY}:9: column 'check.present.observation': expected one of observations, "
                            "reports; found 'observation'"),
    "quality_check_field": (QUALITY, "{measure_id: shpo}", "{measure: shpo}",
                            f"{QUALITY}:9: column 'check.present.observations.measure': expected a field of "
                            "observations (with _contains for part of the text): report_id, area_id, year, "
                            "measure_id, level, category, value, status, source_table, source_row, source_column, "
                            "note; found 'measure'"),
    "quality_total_check": (QUALITY, "kind: label_missing", "kind: total_mismatch",
                            f"{QUALITY}:9: column 'check': expected a level in the check; found none"),
    "quality_total_check_level": (
        QUALITY, "kind: label_missing\n", "kind: total_mismatch\n",
        f"{QUALITY}:9: column 'check.over': expected one of category, level; found 'sideways'"),
    # package.yaml: the keys the package and CITATION.cff need, with the right types.
    "package_version_number": (PACKAGE, "version: 1.0.0", "version: 1.0",
                               f"{PACKAGE}:14: column 'version': expected a version number major.minor.patch, like "
                               "1.2.0; found the number 1.0 (put it in quotes to make it text)"),
    "package_unquoted_created": (PACKAGE, 'created: "2026-11-22T00:00:00Z"', "created: 2026-11-22T00:00:00Z",
                                 f"{PACKAGE}:15: column 'created': expected a date and time in quotes, like "
                                 "\"2026-11-22T00:00:00Z\"; found 2026-11-22 00:00:00+00:00, which YAML reads as a "
                                 "date (put it in quotes)"),
    "package_missing_key": (PACKAGE, "homepage: https://", "home: https://",
                            f"{PACKAGE}:4: column 'homepage': expected a 'homepage' key; found none"),
    "package_contributor_title": (PACKAGE, "  - title: MAPPA open data\n    roles", "  - name: MAPPA\n    roles",
                                  f"{PACKAGE}:32: column 'contributors item 1': expected a title (text); "
                                  "found none"),
    # A schema that is valid YAML but not a valid Table Schema.
    "schema_unknown_type": (AREAS_SCHEMA, "type: string, title: Name", "type: text, title: Name",
                            f"{AREAS_SCHEMA}:5: column 'name': expected a valid Table Schema; found field type "
                            "\"text\" is not supported"),
    "schema_no_fields": (AREAS_SCHEMA, "fields:", "field:",
                         f"{AREAS_SCHEMA}:1: expected a valid Table Schema; found 'fields' is a required property"),
    "schema_primary_key": (AREAS_SCHEMA, "primaryKey: [area_id]", "primaryKey: [area]",
                           f"{AREAS_SCHEMA}:9: column 'primaryKey': expected a valid Table Schema; found primary "
                           "key \"['area']\" does not match the fields \"['area_id', 'name', 'nation', "
                           "'other_names']\""),
    # The metadata CSVs.
    "areas_duplicate": ("metadata/areas.csv", "bedfordshire,Bedfordshire", "avon-and-somerset,Bedfordshire",
                        "metadata/areas.csv:3: column 'area_id': expected each area_id once; found "
                        "'avon-and-somerset' again (the same as in the row at line 2)"),
    "areas_unclosed_quote": ("metadata/areas.csv", "bedfordshire,Bedfordshire", 'bedfordshire,"Bedfordshire',
                             "metadata/areas.csv:3: column 'name': expected a closing double quote (\") before the "
                             "end of the line; found '\"Bedfordshire,England,' with no closing quote"),
    "measures_unknown_term": ("metadata/measures.csv", ",mappa-eligible,", ",mappa-eligibl,",
                              "metadata/measures.csv:2: column 'term_id': expected a term_id of "
                              "metadata/glossary.yaml; found 'mappa-eligibl'"),
    "register_too_many_cells": ("curated/reports.csv", "Annual Report,", "Annual, Report,",
                                "curated/reports.csv:2: column 'cell 14': expected 13 cells, one for each column "
                                "of the header; found 14 cells (put a value that contains a comma in double "
                                "quotes, like \"1,409\")"),
    "register_header_only": ("curated/reports.csv", "", "report_id,area_id,year,title_as_printed,period_start,"
                             "period_end,snapshot_date,population_base,population_base_published,publisher,"
                             "source_title,source_url,source_accessed\n",
                             "curated/reports.csv:2: expected at least one report (a row after the header); "
                             "found only the header row"),
    "register_semicolons": ("curated/reports.csv", "", "report_id;area_id;year;title_as_printed;period_start;"
                            "period_end;snapshot_date;population_base;population_base_published;publisher;"
                            "source_title;source_url;source_accessed\n",
                            "curated/reports.csv:1: expected the header row report_id,area_id,year,title_as_printed,"
                            "period_start,period_end,snapshot_date,population_base,population_base_published,"
                            "publisher,source_title,source_url,source_accessed, the names separated by commas; found names separated by "
                            "semicolons (save the file as \"CSV UTF-8 (Comma delimited)\", or with commas as the "
                            "separator)"),
    # Dates that cannot all be true of one report.
    "register_end_before_start": (REGISTER_CSV, "2023-04-01,2024-03-31,2024-03-31", "2023-04-01,2023-03-31,2024-03-31",
                                  "curated/reports.csv:2: column 'period_end': expected a date after period_start "
                                  "(2023-04-01); found '2023-03-31'"),
    "register_end_is_start": (REGISTER_CSV, "2023-04-01,2024-03-31,2024-03-31", "2023-04-01,2023-04-01,2024-03-31",
                              "curated/reports.csv:2: column 'period_end': expected a date after period_start "
                              "(2023-04-01); found '2023-04-01'"),
    "register_snapshot_after_end": (REGISTER_CSV, "2023-04-01,2024-03-31,2024-03-31",
                                    "2023-04-01,2024-03-31,2024-04-30",
                                    "curated/reports.csv:2: column 'snapshot_date': expected a date in the period, "
                                    "from 2023-04-01 to 2024-03-31; found '2024-04-30'"),
    "register_snapshot_before_start": (REGISTER_CSV, "2023-04-01,2024-03-31,2024-03-31",
                                       "2023-04-01,2024-03-31,2023-03-31",
                                       "curated/reports.csv:2: column 'snapshot_date': expected a date in the period, "
                                       "from 2023-04-01 to 2024-03-31; found '2023-03-31'"),
    # Where the report was read and when: both, or neither (never a guess).
    "register_source_url_without_date": (REGISTER_CSV, "Tiny test report,,", "Tiny test report,https://example.org/r.pdf,",
                                         "curated/reports.csv:2: column 'source_accessed': expected the date you read "
                                         "the report at source_url (YYYY-MM-DD); found nothing"),
    "register_source_date_without_url": (REGISTER_CSV, "Tiny test report,,", "Tiny test report,,2026-01-05",
                                         "curated/reports.csv:2: column 'source_url': expected the address where you "
                                         "read the report on source_accessed, or no date; found nothing"),
    "register_source_url_not_an_address": (REGISTER_CSV, "Tiny test report,,",
                                           "Tiny test report,www.example.org/r.pdf,2026-01-05",
                                           "curated/reports.csv:2: column 'source_url': expected the web address, "
                                           "starting https:// or http://, at which we read the report where its area "
                                           "published it. Empty when we do not know where it was published: never "
                                           "guessed; found 'www.example.org/r.pdf'"),
    # Characters no one can see, in every kind of input; YAML escapes included.
    "register_nul": (REGISTER_CSV, "Annual Report,", "Annual\x00Report,",
                     f"curated/reports.csv:2: column 'title_as_printed': {UNSEEN} a control character, U+0000, at "
                     "character 7 of 'Annual\\x00Report'"),
    "areas_vertical_tab": ("metadata/areas.csv", "bedfordshire,Bedfordshire", "bedfordshire,Bedford\x0bshire",
                           f"metadata/areas.csv:3: column 'name': {UNSEEN} a control character, U+000B, at character "
                           "8 of 'Bedford\\x0bshire'"),
    "yaml_nul_escape": (GLOSSARY, "  kind: process", '  kind: "pro\\0cess"',
                        f"{GLOSSARY}:7: column 'kind': {UNSEEN} a control character, U+0000, at character 4 of "
                        "'pro\\x00cess'"),
    "yaml_right_to_left": (GLOSSARY, "  abbreviation: MAPPA", "  abbreviation: MA\u202ePPA",
                           f"{GLOSSARY}:6: column 'abbreviation': {UNSEEN} an invisible formatting character, U+202E "
                           "RIGHT-TO-LEFT OVERRIDE, at character 3 of 'MA\\u202ePPA'"),
    "yaml_soft_hyphen": (QUALITY, "  found: The label is printed.", "  found: The label is print\u00aded.",
                         f"{QUALITY}:7: column 'found': {UNSEEN} an invisible formatting character, U+00AD SOFT "
                         "HYPHEN, at character 19 of 'The label is print\\xaded.'"),
    "package_zero_width_space": (PACKAGE, "version: 1.0.0", "version: 1.0.0\u200b",
                                 f"{PACKAGE}:14: column 'version': {UNSEEN} an invisible formatting character, U+200B "
                                 "ZERO WIDTH SPACE, at character 6 of '1.0.0\\u200b'"),
    "long_text_quoted_short": (QUALITY, "  found: The label is printed.", "  found: " + "x" * 5000 + "\x01",
                               f"{QUALITY}:7: column 'character 5010': expected printable text; found the control "
                               "character U+0001 (delete it)"),
    "long_note_quoted_short": (REPORT, "138,shpo,all,all,", "138,shpo,all,all," + "y" * 5000 + "\x7f",
                               f"{REPORT}:11: column 'note': {UNSEEN} a control character, U+007F, at character "
                               "5001 of '" + "y" * 59 + "\u2026'"),
    # YAML that stands for more than it holds: anchors, aliases, deep nesting.
    "yaml_alias_bomb": (GLOSSARY, "", ALIAS_BOMB,
                        f"{GLOSSARY}:1: column 'character 4': expected a value written out in full (put a value that "
                        "starts with '&' in quotes: these files use no YAML anchors); found the anchor '&a'"),
    "yaml_alias": (QUALITY, "  printed: SHPO", "  printed: *label",
                   f"{QUALITY}:6: column 'character 12': expected a value written out in full (put a value that "
                   "starts with '*' in quotes: these files use no YAML aliases); found the alias '*label'"),
    "yaml_anchor": (QUALITY, "  printed: SHPO", "  printed: &label SHPO",
                    f"{QUALITY}:6: column 'character 12': expected a value written out in full (put a value that "
                    "starts with '&' in quotes: these files use no YAML anchors); found the anchor '&label'"),
    "yaml_deep_nesting": (QUALITY, "  printed: SHPO", "  printed: " + "[" * 25 + "]" * 25,
                          f"{QUALITY}:6: column 'character 30': expected lists and mappings at most 20 deep; found "
                          "one 21 deep"),
    "yaml_deep_nesting_in_schema": (AREAS_SCHEMA, "title: Areas", "title: Areas\nx: " + "{a: " * 30 + "}" * 30,
                                    f"{AREAS_SCHEMA}:2: column 'character 80': expected lists and mappings at most 20 "
                                    "deep; found one 21 deep"),
    # Counts are whole numbers: "1.409" is how a European keyboard writes 1,409.
    "count_with_a_decimal_point": (REPORT, '"1,409"', "1.409",
                                   f"{REPORT}:2: column 'value': expected a whole number (measure eligible is a "
                                   "count); found '1.409' (type a thousands separator as a comma, like 1,409)"),
    "package_created_no_such_date": (PACKAGE, '"2026-11-22T00:00:00Z"', '"2026-13-45T00:00:00Z"',
                                     f"{PACKAGE}:15: column 'created': expected a date and time that exists (month "
                                     "01 to 12, a day in that month); found '2026-13-45T00:00:00Z'"),
    "schema_field_not_a_mapping": (AREAS_SCHEMA, "fields:\n", "fields:\n  - 5\n",
                                   f"{AREAS_SCHEMA}:4: column 'fields': expected a field of 'key: value' pairs (name, "
                                   "type, ...); found the number 5 (put it in quotes to make it text)"),
    "mkdocs_yml_alias": ("mkdocs.yml", "", "a: &a [x, x]\nb: *a\n",
                         "mkdocs.yml:1: column 'character 4': expected a value written out in full (put a value that "
                         "starts with '&' in quotes: these files use no YAML anchors); found the anchor '&a'"),
    # What the pages name by id, checked when the inputs are loaded.
    "glossary_term_the_pages_need": (GLOSSARY, "- term_id: level-1\n", "- term_id: level-one\n",
                                     f"{GLOSSARY}:1: column 'term_id': expected a term with term_id level-1 (the pages "
                                     "explain each level and category with its term); found no such term"),
    "measure_the_rules_need": ("metadata/measures.csv", "managed_l2_l3,People managed",
                               "managed_l2_and_l3,People managed",
                               f"{RULES}:2: column 'larger': expected a measure_id of metadata/measures.csv; "
                               "found 'managed_l2_l3'"),
    # What the pages say about each measure (metadata/headlines.yaml): one entry per measure,
    # only the placeholders the pages fill, and plain words.
    "headline_for_no_measure": (HEADLINES, "- measure_id: shpo\n", "- measure_id: shpos\n",
                                f"{HEADLINES}:{line_of(HEADLINES, '- measure_id: shpo')}: column 'measure_id': expected "
                                "a measure_id of metadata/measures.csv; found 'shpos'"),
    "measure_without_headlines": (HEADLINES, entry_of("shpo"), "",
                                  f"metadata/measures.csv:{line_of('metadata/measures.csv', 'shpo,')}: column "
                                  "'measure_id': expected a measure with its headline sentences in "
                                  f"{HEADLINES}; found 'shpo'"),
    "headline_required_sentence_missing": (HEADLINES, text_of("shpo", "one"), "",
                                           f"{HEADLINES}:{line_of(HEADLINES, '- measure_id: shpo')}: column 'one': "
                                           "expected a value (this field is required); found no one in this entry"),
    "headline_placeholder_not_filled": (HEADLINES, text_of("shpo", "many"),
                                        text_of("shpo", "many").replace("in {area}", "in {region}"),
                                        f"{HEADLINES}:{line_of(HEADLINES, text_of('shpo', 'many'))}: column 'many': "
                                        "expected only the placeholders {n}, {area}, {snapshot}, {start} and {end}; "
                                        "found '{region}'"),
    "headline_placeholder_with_a_format": (HEADLINES, text_of("shpo", "many"),
                                           text_of("shpo", "many").replace("{n}", "{n.real}"),
                                           f"{HEADLINES}:{line_of(HEADLINES, text_of('shpo', 'many'))}: column "
                                           "'many': expected only the placeholders {n}, {area}, {snapshot}, {start} "
                                           "and {end}; found '{n.real}'"),
    "headline_brace_alone": (HEADLINES, text_of("shpo", "one"), text_of("shpo", "one").replace("{area}", "{area"),
                             f"{HEADLINES}:{line_of(HEADLINES, text_of('shpo', 'one'))}: column 'one': expected a "
                             "brace only around a placeholder, like {area}; found '{' at character 74 of 'Between "
                             "{start} and {end}, courts made 1 Sexual Harm Preven\u2026'"),
    "headline_without_the_figure": (HEADLINES, text_of("shpo", "many"), text_of("shpo", "many").replace("{n}", "many"),
                                    f"{HEADLINES}:{line_of(HEADLINES, text_of('shpo', 'many'))}: column 'many': "
                                    "expected a sentence that gives the figure as {n}; found 'Between {start} and "
                                    "{end}, courts made many Sexual Harm Pre\u2026'"),
    "headline_markup": (HEADLINES, text_of("shpo", "one"),
                        text_of("shpo", "one").replace("1 Sexual Harm Prevention Order", "<b>1</b> Sexual Harm "
                                                       "Prevention Order"),
                        f"{HEADLINES}:{line_of(HEADLINES, text_of('shpo', 'one'))}: column 'one': expected plain "
                        "words, with no markup (the pages would show it as typed); found '<' at character 40 of "
                        "'Between {start} and {end}, courts made <b>1</b> Sexual Harm\u2026'"),
    "headline_markdown": (HEADLINES, text_of("shpo", "none"), text_of("shpo", "none").replace(" no ", " *no* "),
                          f"{HEADLINES}:{line_of(HEADLINES, text_of('shpo', 'none'))}: column 'none': expected plain "
                          "words, with no markup (the pages would show it as typed); found '*' at character 40 of "
                          "'Between {start} and {end}, courts made *no* Sexual Harm Pre\u2026'"),
    "headline_character_reference": (HEADLINES, text_of("shpo", "none"),
                                     text_of("shpo", "none").replace("courts", "courts&nbsp;"),
                                     f"{HEADLINES}:{line_of(HEADLINES, text_of('shpo', 'none'))}: column 'none': "
                                     "expected plain words, with no markup (the pages would show it as typed); found "
                                     "'&nbsp;' at character 34 of 'Between {start} and {end}, courts&nbsp; made no "
                                     "Sexual Harm\u2026'"),
    "card_words_not_in_pairs": (HEADLINES, text_of("eligible", "card_many"), "",
                                f"{HEADLINES}:{line_of(HEADLINES, text_of('eligible', 'card_one'))}: column "
                                "'card_many': expected card_one and card_many together, or neither; found card_one "
                                "alone"),
    "card_words_with_the_figure": (HEADLINES, text_of("eligible", "card_one"),
                                   text_of("eligible", "card_one").replace(" on ", " {n} on "),
                                   f"{HEADLINES}:{line_of(HEADLINES, text_of('eligible', 'card_one'))}: column "
                                   "'card_one': expected only the placeholders {area}, {snapshot}, {start} and {end}; "
                                   "found '{n}'"),
    # Where the build places each measure (metadata/measure-layout.csv).
    "layout_for_no_measure": (LAYOUT, "\nsopo,", "\nsopos,",
                              f"{LAYOUT}:{line_of(LAYOUT, 'sopo,')}: column 'measure_id': expected a measure_id of "
                              "metadata/measures.csv; found 'sopos'"),
    "measure_without_layout": (LAYOUT, "\nsopo,,false", "",
                               f"metadata/measures.csv:{line_of('metadata/measures.csv', 'sopo,')}: column "
                               f"'measure_id': expected a measure with a row in {LAYOUT}; found 'sopo'"),
    "layout_two_measures_on_the_map": (LAYOUT, "\nshpo,all,false", "\nshpo,all,true",
                                       f"{LAYOUT}:{MAP_LINE}: column 'tile_map': expected true for exactly one "
                                       "measure, the one the tile map shows; found 2 measures with true"),
    "layout_map_of_a_count": (LAYOUT, "\neligible,1 2 3 all,false", "\neligible,1 2 3 all,true",
                              f"{LAYOUT}:{line_of(LAYOUT, 'eligible,')}: column 'tile_map': expected false (the tile "
                              "map shows a measure whose unit is rate per 100000 population; eligible is in people); "
                              "found true"),
    "layout_not_true_or_false": (LAYOUT, "\nshpo,all,false", "\nshpo,all,no",
                                 f"{LAYOUT}:{line_of(LAYOUT, 'shpo,')}: column 'tile_map': expected one of true, false; "
                                 "found 'no'"),
    "layout_levels_for_a_single_figure": (LAYOUT, "\nshpo,all,", "\nshpo,2 3 all,",
                                          f"{LAYOUT}:{line_of(LAYOUT, 'shpo,')}: column 'new_report_levels': "
                                          "expected all or nothing (measure shpo is a single figure); found '2 3 all'"),
    "rules_unknown_measure": (RULES, "\ncustody-order-level-3-within-managed,custody_breach_order,",
                              "\ncustody-order-level-3-within-managed,custody_breach_orders,",
                              f"{RULES}:{line_of(RULES, 'custody-order-level-3-')}: column 'smaller': expected a "
                              "measure_id of metadata/measures.csv; found 'custody_breach_orders'"),
    "rules_unknown_level": (RULES, "managed_l2_l3,2 3,\"Everyone", "managed_l2_l3,2 4,\"Everyone",
                            f"{RULES}:3: column 'levels': expected the levels added up on each side, separated by "
                            "spaces, like 2 3; all for single figures; found '2 4'"),
    "layout_unknown_level": (LAYOUT, "\neligible,1 2 3 all,", "\neligible,1 2 4 all,",
                             f"{LAYOUT}:{line_of(LAYOUT, 'eligible,')}: column 'new_report_levels': expected the "
                             "levels of the measure's table in the blank file that make new-report writes, separated "
                             "by spaces, like 2 3 all (all alone for a single figure); empty for a table the current "
                             "report template no longer prints, which the blank file leaves out; found '1 2 4 all'"),
}


def edit(paths, file, old, new):
    path = paths.root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {file}: the case no longer tests anything"
    text = text.replace(old, new, 1) if old else new
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))


@pytest.mark.parametrize("case", sorted(EDITS))
def test_bad_metadata(packaged_tiny_project, case, capsys):
    file, old, new, message = EDITS[case]
    tiny_project = packaged_tiny_project(REGISTER)
    before = {p.name: p.read_bytes() for p in tiny_project.datapackage.iterdir()}
    citation = (tiny_project.root / "CITATION.cff").read_bytes()
    edit(tiny_project, file, old, new)
    if case == "quality_total_check_level":
        edit(tiny_project, QUALITY, "check: {present: {observations: {measure_id: shpo}}}",
             "check: {level: all, category: all, over: sideways, printed_total: 138, sum_of_parts: 138}")

    assert main(["--root", str(tiny_project.root), "package"]) == 1
    err = capsys.readouterr().err
    assert "  " + message in err.splitlines(), err
    assert "Traceback" not in err
    assert {p.name: p.read_bytes() for p in tiny_project.datapackage.iterdir()} == before
    assert (tiny_project.root / "CITATION.cff").read_bytes() == citation


@pytest.mark.slow  # two whole packages of copies of the project
def test_a_cold_build_validates_in_parallel_and_reports_a_bad_file_as_one_at_a_time(tmp_path, monkeypatch):
    """At full scale a cold build validates the report files on every core. A bad file is then
    reported exactly as the one-at-a-time path reports it, and no good file is validated twice."""
    import os

    from build_scripts.steps import load as load_module

    def problems_of(paths):
        shutil.copyfile(FIXTURES / "bad" / "non_number.csv", paths.root / "curated/reports/staffordshire-2023-24.csv")
        with pytest.raises(BuildError) as caught:
            build_package(paths)
        return [str(p) for p in caught.value.problems]

    one_at_a_time = problems_of(copy_project(tmp_path / "sequential"))

    pools, validated_here = [], []
    real_pool, real_validate = load_module.render_pool, load_module._validate_with_frictionless
    monkeypatch.setattr(load_module, "PARALLEL_VALIDATION_FROM", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(load_module, "render_pool", lambda workers: pools.append(workers) or real_pool(workers))
    monkeypatch.setattr(load_module, "_validate_with_frictionless",
                        lambda path, root, schema: validated_here.append(path.name) or real_validate(path, root, schema))
    in_parallel = problems_of(copy_project(tmp_path / "parallel"))

    assert pools == [2]
    assert in_parallel == one_at_a_time
    assert any(p.startswith("curated/reports/staffordshire-2023-24.csv:3: column 'value'") for p in in_parallel)
    # In this process, only the bad file is validated again (to report it); the good ones were done by the pool.
    report_files = {p.name for p in (tmp_path / "parallel/curated/reports").glob("*.csv")}
    assert len(report_files) > 1
    assert [name for name in validated_here if name in report_files] == ["staffordshire-2023-24.csv"]


def test_spaces_around_header_names_are_ignored(tiny_project):
    """A space typed after a column name in the header (frictionless ignores it too) changes nothing."""
    build_package(tiny_project)
    before = {p.name: p.read_bytes() for p in tiny_project.datapackage.iterdir()}
    shutil.copyfile(FIXTURES / "bad" / "header_spaces.csv", tiny_project.root / REPORT)
    assert (tiny_project.root / REPORT).read_text(encoding="utf-8").startswith("table, row ,column,value ,")
    build_package(tiny_project)
    assert {p.name: p.read_bytes() for p in tiny_project.datapackage.iterdir()} == before


def test_a_registered_report_without_its_file_is_reported_at_its_register_row(tiny_project):
    (tiny_project.root / REPORT).unlink()
    with pytest.raises(BuildError) as caught:
        build_package(tiny_project)
    assert [str(p) for p in caught.value.problems] == [
        "curated/reports.csv:2: column 'report_id': expected a file curated/reports/staffordshire-2023-24.csv for "
        "report staffordshire-2023-24; found no such file"]


SECRET = "root:x:0:0:SECRET-LINE-FROM-OUTSIDE-THE-PROJECT"


def link_glossary_outside(paths, outside):
    (outside / "passwd").write_text(SECRET + "\n", encoding="utf-8")
    (paths.root / GLOSSARY).unlink()
    (paths.root / GLOSSARY).symlink_to(outside / "passwd")


def link_report_inside(paths, outside):
    copy = paths.root / "curated" / "copy.txt"
    shutil.copyfile(paths.root / REPORT, copy)
    (paths.root / REPORT).unlink()
    (paths.root / REPORT).symlink_to(copy)


def link_reports_folder_outside(paths, outside):
    shutil.move(paths.report_files, outside / "reports")
    paths.report_files.symlink_to(outside / "reports")


def link_changelog_outside(paths, outside):
    (outside / "passwd").write_text(SECRET + "\n", encoding="utf-8")
    (paths.root / "CHANGELOG.md").unlink()
    (paths.root / "CHANGELOG.md").symlink_to(outside / "passwd")


def link_a_theme_folder_outside(paths, outside):
    (outside / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    (paths.root / "theme" / "extra").symlink_to(outside)


def make_report_a_pipe(paths, outside):
    (paths.root / REPORT).unlink()
    os.mkfifo(paths.root / REPORT)


def make_report_a_folder(paths, outside):
    (paths.root / REPORT).unlink()
    (paths.root / REPORT).mkdir()


def make_report_too_large(paths, outside):
    text = (paths.root / REPORT).read_text(encoding="utf-8")
    (paths.root / REPORT).write_text(text + "#" * (MAX_INPUT_BYTES + 1 - len(text)), encoding="utf-8")


def delete_package_yaml(paths, outside):
    (paths.root / PACKAGE).unlink()


# Each makes one input something other than a plain file of the project: it is refused before
# a byte of it is read, and no message quotes what it holds.
NOT_PLAIN_FILES = {
    "glossary_linked_outside": (link_glossary_outside,
                                f"{GLOSSARY}:1: LINKED"),
    "report_linked_inside": (link_report_inside,
                             f"{REPORT}:1: LINKED"),
    "reports_folder_linked_outside": (link_reports_folder_outside,
                                      "curated/reports:1: LINKED"),
    # Read by the pages or MkDocs, and published as they are.
    "changelog_linked_outside": (link_changelog_outside,
                                 "CHANGELOG.md:1: LINKED"),
    "theme_folder_linked_outside": (link_a_theme_folder_outside,
                                    "theme/extra:1: LINKED"),
    "report_a_pipe": (make_report_a_pipe, f"{REPORT}:1: expected a file; found a special file (not a regular file)"),
    "report_a_folder": (make_report_a_folder, f"{REPORT}:1: expected a file; found a folder"),
    "report_too_large": (make_report_too_large,
                         f"{REPORT}:1: expected a file of at most 2,097,152 bytes; found 2,097,153 bytes"),
    "package_yaml_missing": (delete_package_yaml, f"{PACKAGE}: expected this file; found no such file"),
}


LINKED = ("expected a file or folder of its own in the project; found a symbolic link (copy what it leads to here "
          "instead: the build reads nothing through a link)")
NOT_PLAIN_FILES = {case: (change, message.replace("LINKED", LINKED))
                   for case, (change, message) in NOT_PLAIN_FILES.items()}


@pytest.mark.parametrize("case", sorted(NOT_PLAIN_FILES))
def test_an_input_that_is_not_a_plain_file_of_the_project_is_refused_unread(tiny_project, tmp_path, case, capsys):
    change, message = NOT_PLAIN_FILES[case]
    build_package(tiny_project)
    before = {p.name: p.read_bytes() for p in tiny_project.datapackage.iterdir()}
    outside = tmp_path / "outside"
    outside.mkdir()
    change(tiny_project, outside)

    assert main(["--root", str(tiny_project.root), "package"]) == 1
    err = capsys.readouterr().err
    assert "  " + message in err.splitlines(), err
    assert "Traceback" not in err and "SECRET" not in err
    assert {p.name: p.read_bytes() for p in tiny_project.datapackage.iterdir()} == before


def test_an_alias_bomb_is_refused_at_once(tiny_project):
    """Expanded, it would be 387 million values: the build must refuse it before building any.
    Run as the curator runs it; the timeout is only a bound that a hang cannot pass."""
    (tiny_project.root / GLOSSARY).write_text(ALIAS_BOMB, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "build_scripts", "--root", str(tiny_project.root), "package"],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.splitlines()[1:] == ["  " + EDITS["yaml_alias_bomb"][3]]


def test_thousands_of_problems_print_the_first_hundred(tiny_project, capsys):
    """A file with thousands of bad rows is one mistake; the first problems say which."""
    text = (tiny_project.root / REPORT).read_text(encoding="utf-8")
    (tiny_project.root / REPORT).write_text(text + "x,y,z,lots,eligible,1,1,\n" * 500, encoding="utf-8")
    assert main(["--root", str(tiny_project.root), "package"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "Build stopped: 1000 problem(s) in the inputs. Nothing was changed."
    assert len(lines) == 1 + 100 + 1
    assert lines[1] == f"  {REPORT}:13: {VALUE} 'lots'"
    assert lines[-1] == "  ... and 900 more problems, not shown"


# What only the pages need, checked by the docs step before it writes anything: (edits, message).
# The line of the year page template's body, wherever an edit of the template puts it.
BODY_LINE = 1 + (REPO / "templates" / "report.md.j2").read_text(encoding="utf-8").split("{% block body %}")[0].count("\n")
DOCS_STEP_CASES = {
    "template_jinja_cannot_read": (
        [("templates/report.md.j2", "{% block body %}", "{% block body %}{% if %}")],
        f"templates/report.md.j2:{BODY_LINE}: expected a template Jinja can read; found a mistake in it: Expected an "
        "expression, got 'end of statement block'"),
}


@pytest.mark.parametrize("case", sorted(DOCS_STEP_CASES))
def test_what_the_pages_need_is_checked_before_any_page_is_written(tiny_project, case):
    edits, message = DOCS_STEP_CASES[case]
    for file, old, new in edits:
        edit(tiny_project, file, old, new)
    build_package(tiny_project)
    with pytest.raises(BuildError) as caught:
        build_docs(tiny_project)
    assert [str(p) for p in caught.value.problems] == [message]
    assert not tiny_project.docs.exists()
    assert [p.name for p in tiny_project.root.iterdir() if p.name.startswith(".docs-")] == []


def test_a_file_reached_through_a_folder_linked_outside_the_project_is_refused_unread(tiny_project, tmp_path):
    """load refuses every link among the inputs; a file named on the command line, such as a second
    keying in keying/, is checked as it is read."""
    from build_scripts.curator.second_keying import compare_keyings

    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copyfile(tiny_project.root / REPORT, outside / "staffordshire-2023-24.csv")
    (tiny_project.root / "keying").symlink_to(outside)
    with pytest.raises(BuildError) as caught:
        compare_keyings(tiny_project.root / REPORT, tiny_project.root / "keying/staffordshire-2023-24.csv",
                        tiny_project)
    assert [str(p) for p in caught.value.problems] == [
        "keying/staffordshire-2023-24.csv:1: expected a file inside the project folder; found a path that leads "
        "outside it, through a linked folder"]


def test_the_curators_guide_states_the_limits_the_build_applies():
    """curated/README.md, "When the build stops", gives the numbers the code uses."""
    from build_scripts.__main__ import PRINTED_PROBLEMS
    from build_scripts.errors import EXCERPT_LIMIT
    from build_scripts.inputs.metadata import MAX_YAML_DEPTH

    guide = " ".join((REPO / "curated" / "README.md").read_text(encoding="utf-8").split())
    for words in (f"larger than {MAX_INPUT_BYTES:,} bytes", f"nested more than {MAX_YAML_DEPTH} deep",
                  f"at most {EXCERPT_LIMIT} characters", f"more than {PRINTED_PROBLEMS} problems, the first "
                  f"{PRINTED_PROBLEMS} are printed", "type a printed dash as -"):
        assert words in guide, words
