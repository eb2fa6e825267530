"""Sentences, numbers and charts written from the data: exact outputs for tiny inputs."""
import json
import re

import pytest

from build_scripts.inputs.dataset import number, percent
from build_scripts.render.images import NARROW, WIDE, outline_text, text_width, wrap_lines
from build_scripts.reproducible import deterministic_zip
from build_scripts.steps.charts import ChartJob, levels_alt, levels_spec, series_alt
from build_scripts.inputs.metadata import measure_words
from build_scripts.paths import Paths
from build_scripts.steps.pages.report import card_headline
from build_scripts.steps.pages.words import breakdown_sentence, constraint_parts, headline, long_date

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


# A measure's words as metadata/headlines.yaml gives them (hand-written, not the project's).
WORDS = {"none": "On {snapshot} in {area}: no widgets.", "one": "From {start} to {end}, {area} made 1 widget.",
         "many": "{area} made {n} widgets by {end}.", "card_one": "widget in {area} on {snapshot}",
         "card_many": "widgets to {end}", "key_figure": ""}


def test_headline_sentences():
    """No one, one, many: the sentence for the figure, every placeholder filled with a value."""
    assert headline(WORDS, cell("all", "all", "0"), "Kent", REPORT) == "On 31 March 2024 in Kent: no widgets."
    assert headline(WORDS, cell("all", "all", "1"), "Kent", REPORT) == (
        "From 1 April 2023 to 31 March 2024, Kent made 1 widget.")
    assert headline(WORDS, cell("all", "all", "1750"), "Kent", REPORT) == "Kent made 1,750 widgets by 31 March 2024."
    assert headline(WORDS, cell("all", "all", "12.5"), "Kent", REPORT) == "Kent made 12.5 widgets by 31 March 2024."
    # A printed dash (the year page's template says so) and no figure: no sentence.
    assert headline(WORDS, cell("all", "all", "", "not_applicable"), "Kent", REPORT) == ""
    assert headline(WORDS, None, "Kent", REPORT) == ""


def test_a_value_is_never_read_as_a_placeholder_or_escaped_twice():
    """Placeholders are filled once, with plain text: an area named like a placeholder or like
    markup stays as it is, for the template's escaper."""
    assert headline(WORDS, cell("all", "all", "2"), "{n} <b>&amp;</b> {0}", REPORT) == (
        "{n} <b>&amp;</b> {0} made 2 widgets by 31 March 2024.")


def test_card_headline_is_the_first_measure_with_card_words_and_a_printed_number():
    class Data:
        areas = {"kent": {"name": "Kent"}}

        @staticmethod
        def measures_in_order():
            return [{"measure_id": m} for m in ("a", "b", "c")]

        @staticmethod
        def cell(report_id, measure_id):
            return {"a": cell("all", "all", "5"), "b": cell("all", "all", "", "not_applicable"),
                    "c": cell("all", "all", "1")}[measure_id]

    report = dict(REPORT, report_id="kent-2023-24", area_id="kent")
    no_card = dict(WORDS, card_one="", card_many="")
    assert card_headline(Data, report, {"a": no_card, "b": WORDS, "c": WORDS}) == ("1", "widget in Kent on 31 March 2024")
    assert card_headline(Data, report, {"a": WORDS, "b": WORDS, "c": WORDS}) == ("5", "widgets to 31 March 2024")
    assert card_headline(Data, report, {"a": no_card, "b": WORDS, "c": no_card}) == (
        "", "Figures from the area's MAPPA annual report, as printed")


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


def test_levels_chart_text_alternative_gives_every_value():
    cells = [cell("1", "1", "3"), cell("2", "1", "2"), cell("1", "2", "4"), cell("all", "1", "6"),
             cell("all", "2", "4"), cell("2", "2", "", "not_applicable")]
    alt = levels_alt("Eligible people", cells)
    assert alt == ("Bar chart in 2 panels, one for each level, all on one scale: Eligible people, by category. "
                   "Level 1: Category 1 3, Category 2 4; Level 2: Category 1 2, Category 2 not applicable.")
    spec = levels_spec(cells)
    assert "$schema" not in spec and "http" not in str(spec)
    assert "resolve" not in spec  # the panels share the facet's one x scale


@pytest.mark.parametrize("kind, args", [
    ("levels", [cell("1", "1", "3"), cell("2", "1", "2"), cell("1", "2", "4"), cell("2", "2", "", "not_applicable"),
                cell("3", "1", "0"), cell("all", "all", "9")]),
    ("levels", [cell("1", "all", "1740"), cell("2", "all", "8"), cell("3", "all", "2"), cell("all", "all", "1750")]),
    ("series", [("2018-19", "85", False), ("2019-20", None, False), ("2020-21", "", False), ("2021-22", "12.5", True)]),
    ("ranked", [("Leicester, Leicestershire and Rutland (2023-24)", "12", True), ("Kent (2022-23)", "7.25", False),
                ("Dyfed-Powys (2023-24)", "12", False)]),
])
def test_chart_specs_are_altairs_own(kind, args):
    """Each chart fills in the spec Altair wrote once for its shape: the result is the spec Altair
    writes (and validates) for the chart itself, key for key and in the same order."""
    job = ChartJob("x.svg", "title", "alt", kind, (args,), "x", "source")
    for width in (NARROW, WIDE):
        assert json.dumps(job.spec(width)) == json.dumps(job.altair_spec(width))


def test_a_single_value_gets_no_chart():
    assert levels_alt("Eligible people", [cell("1", "all", "3"), cell("all", "all", "3")]) is None


def test_series_chart_marks_missing_years_as_not_published():
    alt = series_alt("SHPOs, Norfolk", [("2018-19", "85", False), ("2019-20", None, False), ("2020-21", "", False)])
    assert alt == ("Bar chart: SHPOs, Norfolk, by financial year. 2018-19: 85; 2019-20: not published; "
                   "2020-21: not applicable.")


def test_a_chart_marks_a_figure_a_data_quality_note_concerns_and_says_so():
    alt = series_alt("SHPOs, Norfolk", [("2018-19", "85", True), ("2019-20", "90", False)])
    assert alt == ("Bar chart: SHPOs, Norfolk, by financial year. 2018-19: 85 *; 2019-20: 90. * A data-quality "
                   "note concerns each figure marked so: read it on the report's page of this site.")


def test_chart_font_metrics():
    # Lato's advance widths, as vl-convert lays them out: digits are tabular.
    assert text_width("0000", 12) == 4 * text_width("0", 12)
    assert 25 < text_width("1,750", 12) < 32


def test_text_is_measured_as_shaped_kerning_and_ligatures_included():
    # Lato kerns A and V by 136 of its 2,000 units an em: 2,584 units, not 2,720.
    assert text_width("AV", 20) == 25.84 < text_width("A", 20) + text_width("V", 20) == 27.2
    assert text_width("Ty", 20, "bold") < text_width("T", 20, "bold") + text_width("y", 20, "bold")
    # "fi" is one glyph, narrower than an f and an i side by side.
    assert text_width("fi", 20) == 11.4 < text_width("f", 20) + text_width("i", 20)


def test_wrapping_measures_the_kerning_it_draws():
    text = "WAVY AVATAR"
    kerned = text_width(text, 12, "bold")
    assert kerned < sum(text_width(ch, 12, "bold") for ch in text) - 1
    assert wrap_lines(text, 12, kerned, "bold") == ["WAVY AVATAR"]
    assert wrap_lines(text, 12, kerned - 0.01, "bold") == ["WAVY", "AVATAR"]


def test_text_is_wrapped_to_the_width_it_is_drawn_at():
    """Each wrapped line, drawn as glyph outlines ending at x = width (text-anchor="end"), starts
    where its measured width says: the width it was wrapped to is the width it is drawn at."""
    width = 160
    lines = wrap_lines("Notification orders: AVA, Ty, Wales, fly and fit in Ynys M\u00f4n", 15, width, "bold")
    assert len(lines) > 2
    for line in lines:
        outlined = outline_text(f'<svg xmlns="http://www.w3.org/2000/svg"><text x="{width}" y="20" text-anchor="end" '
                                f'font-family="Lato" font-size="15" font-weight="bold">{line}</text></svg>')
        left = float(re.search(r'<path transform="translate\(([-\d.e]+),20\) scale\(', outlined).group(1))
        measured = text_width(line, 15, "bold")
        assert width - left == pytest.approx(measured, abs=1e-6) and measured <= width


def test_zip_is_byte_identical_for_the_same_files():
    files = [("b.csv", b"x\n"), ("a.csv", b"y\n")]
    assert deterministic_zip(files, 1_700_000_000) == deterministic_zip(list(reversed(files)), 1_700_000_000)
    assert deterministic_zip(files, 1_700_000_000) != deterministic_zip(files, 1_600_000_000)


def test_year_ranges():
    from build_scripts.steps.pages.words import year_ranges

    assert year_ranges(["2019-20", "2018-19", "2021-22"]) == "2018-19 to 2019-20, 2021-22"
    assert year_ranges(["2023-24"]) == "2023-24"


def test_relative_links_between_pages():
    from build_scripts.steps.pages.writer import rel_link

    assert rel_link("areas/norfolk/2018-19/index.md", "glossary/shpo/index.md") == "../../../glossary/shpo/index.md"
    assert rel_link("areas/norfolk/index.md", "areas/norfolk/2018-19/index.md") == "2018-19/index.md"
    assert rel_link("areas/norfolk/2018-19/index.md", "areas/norfolk/shpo.svg") == "../shpo.svg"
    assert rel_link("index.md", "areas/index.md") == "areas/index.md"
    assert rel_link("glossary/shpo/index.md", "glossary/index.md") == "../index.md"


def test_register_fields_read_as_sentences():
    from build_scripts.steps.pages.words import sentence

    assert sentence("Total 7") == "Total 7."
    assert sentence("Published as printed.") == "Published as printed."
    assert sentence('"0"') == '"0"'


REAL_WORDS = measure_words(Paths())


@pytest.mark.real_data
@pytest.mark.parametrize("measure_id", sorted(REAL_WORDS))
def test_headlines_read_as_a_person_writes_them(measure_id):
    """Zero, one and many, for every measure of metadata/headlines.yaml: "no one" or "no ...
    Orders", "1 person" or "1 ... Order", never "0 people" or "1 people"."""
    zero, one, many = (headline(REAL_WORDS[measure_id], cell("all", "all", v), "Norfolk", REPORT)
                       for v in ("0", "1", "1750"))
    assert not re.search(r"\b0\b", zero) and re.search(r"\bno\b|\bno one\b", zero), zero
    assert re.search(r"\b1 (person|registered sex offender\b|[A-Z][a-z]+( [A-Z][a-z]+)* Order\b)", one), one
    assert not re.search(r"\b1 (people|[A-Za-z ]*Orders|registered sex offenders)\b", one), one
    assert "1,750" in many and not re.search(r"\b1,750 (person\b|(?:[A-Z][a-z]+ )+Order\b)", many), many
    for text in (zero, one, many):
        assert "Norfolk" in text and text.endswith(".") and text[0].isupper()
        assert not re.search(r"\b(was|were) were\b|\bpersons\b|\bpeoples\b", text)
