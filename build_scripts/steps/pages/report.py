"""An area-year page, areas/<area>/<year>/ (templates/report.md.j2): one report's tables, with
their CSV downloads, notes, corrections, charts, embeds and citations, down to each row, and
its link-preview card."""
from __future__ import annotations

from decimal import Decimal

from build_scripts.inputs.dataset import Dataset, number
from build_scripts.inputs.metadata import CATEGORY_TERMS, LEVEL_TERMS
from build_scripts.render.markup import anchor, url
from build_scripts.reproducible import csv_text
from build_scripts.steps.pages.citations import citation, notes_cited
from build_scripts.steps.pages.embed import embed_chart
from build_scripts.steps.pages.notes import cells_in_words, correction_note, with_notes
from build_scripts.steps.pages.tables import matrix_table, table
from build_scripts.steps.pages.words import (
    breakdown_sentence,
    figure_words,
    fill,
    headline,
    human_bytes,
    long_date,
    printed_as,
)
from build_scripts.steps.pages.writer import Site, rel_link


def report_page(site: Site, report: dict[str, str]) -> None:
    data = site.data
    rid, area_id, year = report["report_id"], report["area_id"], report["year"]
    area = data.areas[area_id]
    page_path = f"areas/{area_id}/{year}/index.md"
    sections, missing = [], []
    quality = site.notes.for_report(rid)
    corrected = data.corrections_for(rid)
    for measure in data.measures_in_order():
        mid = measure["measure_id"]
        corrections = [c for c in corrected if c["measure_id"] == mid]
        cells = with_notes(data.cells(rid, mid), corrections,
                           lambda c: site.notes.marks(rid, c["measure_id"], c["level"], c["category"]))
        # The notes of this table: those about some of its figures, or about the whole table.
        table_notes = [dict(n, anchor=anchor(f"{mid}-note-{n['number']}"),
                            where=cells_in_words([c for c in n["cells"] if c[0] == mid],
                                                 measure["breakdown"] == "level_and_category")
                            if any(c[0] == mid for c in n["cells"]) else "")
                       for n in quality if mid in n["measures"]]
        if not cells:
            replaced = bool(data.glossary[measure["term_id"]]["replaced_by"])
            missing.append(dict(measure=measure, term=data.glossary[measure["term_id"]], replaced=replaced,
                                notes=table_notes))
            continue
        total = next((c for c in cells if c["level"] == "all" and c["category"] == "all"), None)
        page_url = site.homepage + url(f"areas/{area_id}/{year}/")
        # The published fields, and the address of each data-quality note about the figure.
        csv_text = measure_csv([dict(c, quality_notes=" ".join(
            page_url + "#" + n["anchor"] for n in site.notes.marks(rid, mid, c["level"], c["category"])))
            for c in data.cells(rid, mid)])
        csv_path = f"areas/{area_id}/{year}/{rid}-{mid}.csv"
        site.write(csv_path, csv_text)
        row_cites = []
        if measure["breakdown"] == "level_and_category":
            grid = matrix_table(f"{measure['label']}, {area['name']} {year}, by level and category", cells)
            # Each row can be linked to and cited on its own: a reader who came for the level 3
            # figure cites it, not the table's total.
            for row in grid["rows"]:
                row["id"] = row_anchor(mid, row["head"])
                row_url = site.homepage + url(f"areas/{area_id}/{year}/") + "#" + row["id"]
                row_notes = sorted({n["number"] for c in row["cells"] if c
                                    for n in site.notes.by_cell.get((rid, mid, c["level"], c["category"]), [])})
                row_cites.append(dict(head=row["head"], url=row_url, citation=citation(
                    data, row_url, row_title(measure, row["head"], row["cells"], grid["columns"][1:], area["name"],
                                             report)) + notes_cited(row_notes, page_url, mid)))
            levels = sorted({c["level"] for c in cells if c["level"] != "all"})
            categories = sorted({c["category"] for c in cells if c["category"] != "all"})
            term_ids = [LEVEL_TERMS[lv] for lv in levels] + [CATEGORY_TERMS[ct] for ct in categories]
        else:
            # This report's figure only: every year's is on the area page, with its chart. A year's
            # page is the record of one report: its figures change only when that report's do, and
            # a changed figure rewrites two pages (this and the area's), not all of its area's. A
            # new report still adds a link to its area's other year pages.
            grid = table(f"{measure['label']}, {area['name']} {year}", ["Year", "Value"],
                         [dict(head=year, cells=cells)])
            term_ids = []
        term_ids = [measure["term_id"]] + [t for t in term_ids if t != measure["term_id"]]
        table_url = site.homepage + url(f"areas/{area_id}/{year}/#{mid}")
        sections.append(dict(
            table_url=table_url,
            table_citation=citation(data, table_url, figure_title(measure, site.words[mid], total, area["name"],
                                                                  report))
            + notes_cited([n["number"] for n in table_notes], page_url, mid),
            measure=measure,
            headline=headline(site.words[mid], total, area["name"], report),
            breakdown=breakdown_sentence(cells) if measure["breakdown"] == "level_and_category" else "",
            quality_notes=table_notes, row_cites=row_cites,
            # A single figure is shown large here; its chart over the years is on the area page, so a
            # year's page carries only the charts of its own tables.
            chart=site.chart(f"report:{rid}:{mid}", page_path, lazy=any(x["chart"] for x in sections))
            if measure["breakdown"] == "level_and_category" else None,
            embed=embed_chart(site, page_path, mid, f"report:{rid}:{mid}",
                              f"{measure['label']}, {area['name']} {year}",
                              f"{report['source_title']}, the table printed as “{cells[0]['source_table']}”",
                              grid, [correction_note(c) for c in corrections], table_notes)
            if measure["breakdown"] == "level_and_category" else None,
            total=total, single=measure["breakdown"] != "level_and_category",
            over_the_years=f"area:{area_id}:{mid}" in site.charts,
            table=grid,
            csv_link=url(rel_link(page_path, csv_path)), csv_size=human_bytes(len(csv_text.encode())),
            terms=[data.glossary[t] for t in term_ids],
            has_dash=any(c["status"] == "not_applicable" for c in cells),
            printed_as=printed_as(cells),
            corrections=[correction_note(c, measure["breakdown"] == "level_and_category") for c in corrections],
        ))
    years = [r["year"] for r in data.report_ids_for_area(area_id)]
    figure, words = card_headline(data, report, site.words)
    card = site.card(f"areas/{area_id}/{year}/", "card", "MAPPA statistics", area["name"],
                     f"{year}: {long_date(report['period_start'])} to {long_date(report['period_end'])}",
                     figure, words, f"Source: MAPPA annual report of {area['name']}, {year}")
    site.page(page_path, "report.md.j2", card=card, report=report, area=area, sections=sections, missing=missing,
              quality=quality, years=years, corrected=bool(corrected))


def measure_csv(cells: list[dict[str, str]]) -> str:
    return csv_text(list(cells[0].keys()), cells)


def row_anchor(measure_id: str, head: str) -> str:
    """The id of a table's row: eligible-level-3, eligible-total."""
    return anchor(f"{measure_id}-{head.lower().replace(' ', '-')}")


def row_title(measure: dict[str, str], head: str, row_cells: list[dict[str, str] | None], columns: list[str],
              area: str, report: dict[str, str]) -> str:
    """What a row's citation calls its figures: "People managed at levels 2 and 3 during the year,
    level 3, Norfolk, 1 April 2018 to 31 March 2019: total 3; category 1: 0; category 2: 1"."""
    values = [f"{column.lower()}: {figure_words(cell['value'], cell['status']) if cell else 'not printed'}"
              for column, cell in zip(columns, row_cells, strict=True)]
    total = [v for v in values if v.startswith("total: ")]
    parts = [v.replace("total: ", "total ", 1) for v in total] + [v for v in values if v not in total]
    return (f"{measure['label']}, {head.lower()}, {area}, {long_date(report['period_start'])} to "
            f"{long_date(report['period_end'])}: " + "; ".join(parts))


def figure_title(measure: dict[str, str], words: dict[str, str], total: dict[str, str] | None, area: str,
                 report: dict[str, str]) -> str:
    """What a table's citation calls the figure: its headline sentence (the figure, the area and
    the date), or, with no printed number, the measure, the area and the period."""
    if total is not None and total["status"] == "reported":
        return headline(words, total, area, report).rstrip(".")
    return (f"{measure['label']}, {area}, {long_date(report['period_start'])} to "
            f"{long_date(report['period_end'])}")


def card_headline(data: Dataset, report: dict[str, str], words: dict[str, dict[str, str]]) -> tuple[str, str]:
    """The figure (as printed, formatted) and its words for an area-year card: those of the
    first measure with card words (metadata/headlines.yaml) that the report printed a number for."""
    for measure in data.measures_in_order():
        said = words[measure["measure_id"]]
        obs = data.cell(report["report_id"], measure["measure_id"]) if said["card_one"] else None
        if obs is not None and obs["status"] == "reported":
            form = said["card_one"] if Decimal(obs["value"]) == 1 else said["card_many"]
            return number(obs["value"]), fill(form, data.areas[report["area_id"]]["name"], report)
    return "", "Figures from the area's MAPPA annual report, as printed"
