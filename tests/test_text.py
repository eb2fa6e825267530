"""Sentences, numbers and charts written from the data: exact outputs for tiny inputs."""
from build_scripts.charts import matrix_chart, series_chart
from build_scripts.dataset import number, percent
from build_scripts.pages import breakdown_sentence, constraint_parts, headline, long_date
from build_scripts.reproducible import deterministic_zip

REPORT = {"snapshot_date": "2024-03-31", "period_start": "2023-04-01", "period_end": "2024-03-31"}


def cell(level, category, value, status="reported"):
    return {"level": level, "category": category, "value": value, "status": status}


def test_number_and_percent_formats():
    assert number("1750") == "1,750"
    assert number("12.5") == "12.5"
    assert number("0") == "0"
    assert percent("1740", "1750") == "99.4%"
    assert percent("10", "27") == "37%"
    assert percent("1", "0") == "0%"
    assert long_date("2024-03-31") == "31 March 2024"


def test_headline_sentences():
    assert headline("eligible", cell("all", "all", "1750"), "Staffordshire", REPORT) == (
        "On 31 March 2024, 1,750 people in Staffordshire were eligible for MAPPA.")
    assert headline("notification_revoked", cell("all", "all", "1"), "Staffordshire", REPORT) == (
        "Between 1 April 2023 and 31 March 2024, the police in Staffordshire ended the lifetime notification "
        "requirements of 1 person after a review the person asked for.")
    assert headline("shpo", cell("all", "all", "1"), "Norfolk", REPORT) == (
        "Between 1 April 2023 and 31 March 2024, courts made 1 Sexual Harm Prevention Order in Norfolk.")
    assert headline("shpo", cell("all", "all", "", "not_applicable"), "Norfolk", REPORT) == (
        "The report printed a dash for this figure: it does not apply.")
    assert headline("shpo", None, "Norfolk", REPORT) == ""


def test_breakdown_sentence_uses_printed_totals():
    cells = [cell("1", "all", "1740"), cell("2", "all", "8"), cell("3", "all", "2"),
             cell("all", "1", "1411"), cell("all", "2", "336"), cell("all", "3", "3"), cell("all", "all", "1750"),
             cell("1", "3", "", "not_applicable")]
    assert breakdown_sentence(cells) == (
        "By level: 1,740 (99.4%) at level 1, 8 (0.5%) at level 2 and 2 (0.1%) at level 3. "
        "By category: 1,411 (80.6%) in category 1, 336 (19.2%) in category 2 and 3 (0.2%) in category 3.")


def test_constraints_in_words():
    assert constraint_parts({"required": True, "enum": ["1", "all"]}) == [
        {"text": "required", "code": ""}, {"text": "one of 1, all", "code": ""}]
    assert constraint_parts({"minimum": 0, "pattern": "[a-z]+"}) == [
        {"text": "at least 0", "code": ""}, {"text": "pattern", "code": "[a-z]+"}]
    assert constraint_parts(None) == []


def test_matrix_chart_text_alternative_states_printed_totals():
    cells = [cell("1", "1", "3"), cell("2", "1", "2"), cell("1", "2", "4"), cell("all", "1", "6"),
             cell("all", "2", "4")]
    spec, alt = matrix_chart("Eligible people", cells, "people")
    assert alt == ("Stacked bar chart: Eligible people, by category and level. Category 1: 6 in total as printed "
                   "(Level 1 3, Level 2 2); Category 2: 4 in total as printed (Level 1 4).")
    assert "$schema" not in spec and "http" not in str(spec)


def test_series_chart_marks_missing_years_as_not_published():
    _, alt = series_chart("SHPOs, Norfolk", [("2018-19", "85"), ("2019-20", None), ("2020-21", "")], "orders")
    assert alt == ("Bar chart: SHPOs, Norfolk, by financial year. 2018-19: 85; 2019-20: not published; "
                   "2020-21: not applicable.")


def test_zip_is_byte_identical_for_the_same_files():
    files = [("b.csv", b"x\n"), ("a.csv", b"y\n")]
    assert deterministic_zip(files, 1_700_000_000) == deterministic_zip(list(reversed(files)), 1_700_000_000)
    assert deterministic_zip(files, 1_700_000_000) != deterministic_zip(files, 1_600_000_000)


def test_year_ranges():
    from build_scripts.pages import year_ranges

    assert year_ranges(["2019-20", "2018-19", "2021-22"]) == "2018-19 to 2019-20, 2021-22"
    assert year_ranges(["2023-24"]) == "2023-24"


def test_relative_links_between_pages():
    from build_scripts.pages import rel_link

    assert rel_link("areas/norfolk/2018-19/index.md", "glossary/shpo/index.md") == "../../../glossary/shpo/index.md"
    assert rel_link("areas/norfolk/index.md", "areas/norfolk/2018-19/index.md") == "2018-19/index.md"
    assert rel_link("areas/norfolk/2018-19/index.md", "areas/norfolk/shpo.svg") == "../shpo.svg"
    assert rel_link("index.md", "areas/index.md") == "areas/index.md"
    assert rel_link("glossary/shpo/index.md", "glossary/index.md") == "../index.md"


def test_register_fields_read_as_sentences():
    from build_scripts.pages import sentence

    assert sentence("Total 7") == "Total 7."
    assert sentence("Published as printed.") == "Published as printed."
    assert sentence('"0"') == '"0"'
