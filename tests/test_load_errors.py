"""Every class of bad input stops the build with file, line, column, expected and found,
a non-zero exit, and the previous datapackage/ left untouched."""
from __future__ import annotations

import shutil

import pytest

from build_scripts.__main__ import main
from build_scripts.errors import BuildError
from build_scripts.package import build_package
from conftest import FIXTURES, copy_project

REPORT = "curated/reports/staffordshire-2023-24.csv"

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
                                "curated/reports.csv:2: column 'cell 12': expected 11 cells, one for each column "
                                "of the header; found 12 cells (put a value that contains a comma in double "
                                "quotes, like \"1,409\")"),
    "register_header_only": ("curated/reports.csv", "", "report_id,area_id,year,title_as_printed,period_start,"
                             "period_end,snapshot_date,population_base,population_base_published,publisher,"
                             "source_title\n",
                             "curated/reports.csv:2: expected at least one report (a row after the header); "
                             "found only the header row"),
}


def edit(paths, file, old, new):
    path = paths.root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {file}: the case no longer tests anything"
    text = text.replace(old, new, 1) if old else new
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))


@pytest.mark.parametrize("case", sorted(EDITS))
def test_bad_metadata(tiny_project, case, capsys):
    file, old, new, message = EDITS[case]
    (tiny_project.metadata / "quality-register.yaml").write_text(REGISTER, encoding="utf-8")
    build_package(tiny_project)
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


def test_a_cold_build_validates_in_parallel_and_reports_a_bad_file_as_one_at_a_time(tmp_path, monkeypatch):
    """At full scale a cold build validates the report files on every core. A bad file is then
    reported exactly as the one-at-a-time path reports it, and no good file is validated twice."""
    import os

    from build_scripts import load as load_module

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
    assert len(report_files) == 5
    assert [name for name in validated_here if name in report_files] == ["staffordshire-2023-24.csv"]
