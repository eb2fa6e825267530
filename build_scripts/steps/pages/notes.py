"""What the pages show beside a figure: the data-quality notes of the register (QualityNotes, and
PageNotes for a page showing several reports' figures) and the corrections of the corrections
log (with_notes, correction_note; correction_item for the lists of corrections)."""
from __future__ import annotations

from typing import Any, Callable

from build_scripts.inputs.dataset import Dataset, category_label, level_label
from build_scripts.inputs.metadata import CATEGORIES, LEVELS
from build_scripts.render.markup import anchor, url
from build_scripts.steps.pages.words import figure_words, long_date
from build_scripts.steps.pages.writer import rel_href


def register_figures(data: Dataset) -> dict[str, list[tuple[str, str, str]]]:
    """For each entry of the data-quality register, the printed figures it concerns, as
    (measure_id, level, category), in the order of its report's observations: read from the
    package's own link from each figure to its notes (observations.csv's `quality_ids`, which
    the package step fills from the checks it has run), so a page marks exactly the figures a
    researcher finds flagged in the data."""
    figures: dict[str, list[tuple[str, str, str]]] = {}
    for obs in data.observations:
        for quality_id in (obs.get("quality_ids") or "").split():
            figures.setdefault(quality_id, []).append((obs["measure_id"], obs["level"], obs["category"]))
    return figures


class QualityNotes:
    """The data-quality register as notes beside the figures they concern. Each report's entries
    are numbered in the order a reader meets them on its page: by the first table they concern
    (an entry with no figure, by its measure's table), entries about the report as a whole last.
    A note is shown under every table it concerns, and marked ("note 2") beside each figure it
    concerns, there and wherever else the site shows that figure; each figure can carry several
    notes, and corrections too (`with_notes`)."""

    def __init__(self, data: Dataset, figures: dict[str, list[tuple[str, str, str]]]):
        order = {m["measure_id"]: i for i, m in enumerate(data.measures_in_order())}
        self.data = data
        self.by_report: dict[str, list[dict[str, Any]]] = {}
        self.by_cell: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
        for rid in sorted({q["report_id"] for q in data.quality}):
            notes = []
            for q in data.quality_for(rid):
                cells = figures.get(q["quality_id"], [])
                measures = list(dict.fromkeys([c[0] for c in cells] + ([q["measure_id"]] if q["measure_id"] else [])))
                measures.sort(key=order.__getitem__)
                notes.append(dict(q=q, cells=cells, measures=measures))
            notes.sort(key=lambda n: self._place(n, order))
            for number_, note in enumerate(notes, start=1):
                note["number"] = number_
                for cell in note["cells"]:
                    self.by_cell.setdefault((rid, *cell), []).append(note)
            self.by_report[rid] = notes

    @staticmethod
    def _place(note: dict[str, Any], order: dict[str, int]) -> tuple:
        """Where a reader first meets a note: its first table, and in it its first figure, row by
        row (a note about the whole table after those about some of its figures)."""
        if not note["measures"]:
            return (len(order), (), note["q"]["quality_id"])
        first = note["measures"][0]
        figures = sorted((LEVELS.index(level), CATEGORIES.index(category))
                         for measure, level, category in note["cells"] if measure == first)
        return (order[first], figures[0] if figures else (len(LEVELS), 0), note["q"]["quality_id"])

    def for_report(self, report_id: str) -> list[dict[str, Any]]:
        return self.by_report.get(report_id, [])

    def marks(self, report_id: str, measure_id: str, level: str, category: str, to_page: str = "") -> list[dict[str, str]]:
        """The marks beside one figure: "note 2", linked to the note under the figure's table on
        its year page (`to_page`: the link from another page to that year page)."""
        return [dict(text=f"note {n['number']}", hidden="data-quality", page=to_page, grade=n["q"]["grade"],
                     anchor=anchor(f"{measure_id}-note-{n['number']}"))
                for n in self.by_cell.get((report_id, measure_id, level, category), [])]

    def on_page(self, page_path: str) -> PageNotes:
        """The notes as another page shows them, numbered on that page (PageNotes)."""
        return PageNotes(self, page_path)


class PageNotes:
    """The data-quality notes of figures that a page other than their year page shows (home, an
    area, compare), numbered on that page in the order they are met: one number for one note
    wherever it appears on the page, and never one number for two notes of two reports. Each mark
    links to the note under its table on the figure's year page; `listed` says which report's
    note each number is, for the list under the page's tables."""

    def __init__(self, notes: QualityNotes, page_path: str):
        self.notes, self.page_path = notes, page_path
        self.numbers: dict[tuple[str, str], int] = {}
        self.listed: list[dict[str, Any]] = []

    def noted(self, cell: dict[str, str] | None) -> dict[str, Any] | None:
        """A figure as this page shows it (a copy), with the marks of its data-quality notes."""
        if cell is None:
            return None
        data = self.notes.data
        report = data.reports[cell["report_id"]]
        year_page = url(rel_href(self.page_path, f"areas/{report['area_id']}/{report['year']}/index.md"))
        marks = []
        for n in self.notes.by_cell.get((cell["report_id"], cell["measure_id"], cell["level"], cell["category"]), []):
            target = anchor(f"{cell['measure_id']}-note-{n['number']}")
            key = (cell["report_id"], n["q"]["quality_id"])
            if key not in self.numbers:
                self.numbers[key] = len(self.numbers) + 1
                self.listed.append(dict(number=self.numbers[key], q=n["q"], own_number=n["number"],
                                        area=data.areas[report["area_id"]]["name"], year=report["year"],
                                        href=f"{year_page}#{target}"))
            marks.append(dict(text=f"note {self.numbers[key]}", hidden="data-quality", page=year_page,
                              grade=n["q"]["grade"], anchor=target))
        return dict(cell, notes=marks)


def cells_in_words(cells: list[tuple[str, str, str]], matrix: bool) -> str:
    """Which figures of a table a note concerns: "level 3: category 1, category 2 and all categories"."""
    if not matrix:
        return "the figure"
    by_level: dict[str, list[str]] = {}
    for _, level, category in cells:
        by_level.setdefault(level, []).append(category_label(category).lower())
    parts = []
    for level in LEVELS:
        if level in by_level:
            names = by_level[level]
            listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            parts.append(f"{level_label(level).lower()}: {listed}")
    return "; ".join(parts)


def correction_note(correction: dict[str, str], matrix: bool = True) -> dict[str, str]:
    """One correction of a figure, in words: where in its table (for a table by level and
    category), when, the old and new figure, and why."""
    where = ", ".join([level_label(correction["level"]), category_label(correction["category"])]).lower()
    return dict(where=where if matrix else "", version=correction["corrected_in"], date=long_date(correction["corrected_on"]),
                short=f"corrected in v{correction['corrected_in']}: was "
                      f"{figure_words(correction['released_value'], correction['released_status'])}",
                was=figure_words(correction["released_value"], correction["released_status"]),
                now=figure_words(correction["corrected_value"], correction["corrected_status"]),
                released_in=correction["released_in"], reason=correction["reason"])


def with_notes(cells: list[dict[str, str]], corrections: list[dict[str, str]],
               marks: Callable[[dict[str, str]], list[dict[str, str]]] = lambda cell: []) -> list[dict[str, Any]]:
    """The cells of one table, each with the notes to show beside it (`notes`): its corrections
    (short texts, in the order released), so a reader sees at the figure itself that it was
    corrected, then the marks of its data-quality notes (`marks(cell)`: text, words for a screen
    reader, link)."""
    notes: dict[tuple[str, str], list[str]] = {}
    for c in corrections:
        notes.setdefault((c["level"], c["category"]), []).append(correction_note(c)["short"])
    return [dict(cell, notes=notes.get((cell["level"], cell["category"]), []) + marks(cell)) for cell in cells]


def correction_item(data: Dataset, c: dict[str, str], link: Callable[[str], str]) -> dict[str, Any]:
    """One correction as a list of corrections says it (the data page, the home page, the feed):
    its words, the report and measure it is of, and a link to the report's page (`link` makes it
    from the page's docs/ path) while we hold the report."""
    note = correction_note(c, data.measures.get(c["measure_id"], {}).get("breakdown") == "level_and_category")
    return dict(note, report=f"{data.areas.get(c['area_id'], {}).get('name', c['area_id'])} {c['year']}",
                href=link(f"areas/{c['area_id']}/{c['year']}/index.md") if c["report_id"] in data.reports else None,
                measure=data.measures.get(c["measure_id"], {}).get("label", c["measure_id"]))
