"""The glossary stays in plain English: reading grade and sentence length (issue 9).

Scored: every `definition` and every `changed` text in metadata/glossary.yaml, with
textstat's Flesch-Kincaid grade. `law` and `source` hold the legal detail and are not scored.

Sentences are split the same simple way everywhere in this file: a sentence ends at ".",
"!" or "?" (optionally followed by a closing quote or bracket) followed by white space, or at
the end of the text. Words are runs of characters between white space.
"""
import re
import statistics
from pathlib import Path

import textstat
import yaml

GLOSSARY = Path(__file__).resolve().parent.parent / "metadata" / "glossary.yaml"
SCORED_FIELDS = ("definition", "changed")
MEDIAN_GRADE = 7
MAX_GRADE = 10
MAX_SENTENCE_WORDS = 25
SENTENCE_END = re.compile(r"([.!?][\"')\u201d\u2019]?)\s+")


def sentences(text: str) -> list[str]:
    marked = SENTENCE_END.sub("\\1\n", " ".join(text.split()))
    return [s for s in marked.split("\n") if s.strip()]


def scored_texts() -> list[tuple[str, str, str]]:
    """(term_id, field, text) for every scored text."""
    terms = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
    return [(t["term_id"], field, " ".join(str(t[field]).split()))
            for t in terms for field in SCORED_FIELDS if t.get(field)]


def grades(field: str | None = None) -> list[tuple[float, str]]:
    """(grade, "term_id field") for the scored texts, worst first."""
    return sorted(((textstat.flesch_kincaid_grade(text), f"{tid} {name}")
                   for tid, name, text in scored_texts() if field in (None, name)), reverse=True)


def worst(rows: list[tuple[float, str]], n: int = 5) -> str:
    return "; ".join(f"{label}: {grade:.1f}" for grade, label in rows[:n])


def test_sentence_splitting_is_simple_and_stated():
    assert sentences('One. Two "three." Four (five.) Six? Seven') == [
        "One.", 'Two "three."', "Four (five.)", "Six?", "Seven"]
    assert sentences("A rate of 100,000 people aged 10 or over.") == ["A rate of 100,000 people aged 10 or over."]


def test_textstat_scores_as_expected():
    # Pins the scorer: a different textstat version could move every grade.
    assert textstat.flesch_kincaid_grade("The cat sat on the mat. It was a happy cat.") < 2
    assert textstat.flesch_kincaid_grade(
        "Responsibilities notwithstanding, administrative determinations necessitate comprehensive "
        "interdepartmental consultation.") > 15


def test_every_glossary_text_is_at_most_grade_10():
    too_hard = [(g, label) for g, label in grades() if g > MAX_GRADE]
    assert not too_hard, f"Flesch-Kincaid grade above {MAX_GRADE}: {worst(too_hard, 10)}"


def test_median_grade_of_definitions_is_at_most_7():
    rows = grades("definition")
    median = statistics.median(g for g, _ in rows)
    assert median <= MEDIAN_GRADE, f"median definition grade {median:.1f} > {MEDIAN_GRADE}; hardest: {worst(rows)}"


def test_median_grade_of_changed_texts_is_at_most_7():
    rows = grades("changed")
    median = statistics.median(g for g, _ in rows)
    assert median <= MEDIAN_GRADE, f"median 'changed' grade {median:.1f} > {MEDIAN_GRADE}; hardest: {worst(rows)}"


def test_no_sentence_is_longer_than_25_words():
    long = sorted(((len(s.split()), f"{tid} {field}: {s}") for tid, field, text in scored_texts()
                   for s in sentences(text) if len(s.split()) > MAX_SENTENCE_WORDS), reverse=True)
    assert not long, "sentences over 25 words: " + " | ".join(f"({n} words) {s}" for n, s in long[:5])
