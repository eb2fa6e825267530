"""An area page, areas/<area>/ (templates/area.md.j2): its key figures every year we hold, and
each measure over the years, with its chart and embed."""
from __future__ import annotations

from build_scripts.render.markup import anchor, url
from build_scripts.steps.pages.embed import embed_chart
from build_scripts.steps.pages.notes import correction_note
from build_scripts.steps.pages.tables import table
from build_scripts.steps.pages.words import printed_as, year_ranges
from build_scripts.steps.pages.writer import Site, rel_href


def area_page(site: Site, area_id: str) -> None:
    data = site.data
    area = data.areas[area_id]
    page_path = f"areas/{area_id}/index.md"
    reports = data.report_ids_for_area(area_id)
    notes = site.notes.on_page(page_path)
    summary = table(
        f"Key figures for {area['name']}, every year we hold",
        ["Year"] + [data.measures[m]["short_label"] for m in site.key_measures],
        [dict(head=r["year"], href=url(rel_href(page_path, f"areas/{area_id}/{r['year']}/index.md")),
              cells=[notes.noted(data.cell(r["report_id"], m)) for m in site.key_measures])
         for r in reports],
        missing="not published")
    charts = []
    for measure in data.measures_in_order():
        mid = measure["measure_id"]
        if not any(data.cell(r["report_id"], mid) for r in reports):
            continue
        printed = [c for c in (data.cell(r["report_id"], mid) for r in reports) if c is not None]
        by_year = table(f"{measure['label']}, {area['name']}, by year", ["Year", "Value"],
                        [dict(head=r["year"], cells=[notes.noted(data.cell(r["report_id"], mid))])
                         for r in reports],
                        missing="not published")
        held = [r for r in reports if data.cell(r["report_id"], mid) is not None]
        corrections = [correction_note(c) | dict(where=c["year"]) for r in held
                       for c in data.corrections_for(r["report_id"]) if c["measure_id"] == mid]
        source = (f"the MAPPA annual reports of {area['name']} for {year_ranges([r['year'] for r in held])}, the "
                  f"table of each printed as {' and '.join(sorted({printed_as([data.cell(r['report_id'], mid)]) for r in held}))}")
        charts.append(dict(measure=measure, chart=site.chart(f"area:{area_id}:{mid}", page_path,
                                                             lazy=any(c["chart"] for c in charts)),
                           years_printed=len(printed), table=by_year,
                           embed=embed_chart(site, page_path, mid, f"area:{area_id}:{mid}",
                                             f"{measure['label']}, {area['name']}, by year", source, by_year,
                                             corrections)))
    # With one report there is nothing to compare over time: its figures in one table, each
    # linked to its table on the year's page, and one sentence saying so (not one per measure).
    only = reports[0] if len(reports) == 1 else None
    figures = only and table(
        f"Figures of the {only['year']} report for {area['name']}", ["Measure", only["year"]],
        [dict(head=m["label"], href=url(rel_href(page_path, f"areas/{area_id}/{only['year']}/index.md")) + "#" + anchor(m["measure_id"])
              if data.cell(only["report_id"], m["measure_id"]) else None,
              cells=[notes.noted(data.cell(only["report_id"], m["measure_id"]))])
         for m in data.measures_in_order()], missing="not published")
    site.page(page_path, "area.md.j2", area=area, reports=reports, summary=summary, charts=charts, figures=figures,
              page_notes=notes.listed)
