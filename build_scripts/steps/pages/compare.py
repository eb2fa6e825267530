"""The compare page, compare/ (templates/compare.md.j2): each measure's latest figure of every
area, with its chart and embed."""
from __future__ import annotations

from decimal import Decimal

from build_scripts.render.markup import anchor, url
from build_scripts.steps.pages.embed import embed_chart
from build_scripts.steps.pages.notes import correction_note
from build_scripts.steps.pages.tables import table
from build_scripts.steps.pages.words import year_ranges
from build_scripts.steps.pages.writer import Site, rel_href


def compare_page(site: Site) -> None:
    data = site.data
    page_path = "compare/index.md"
    notes = site.notes.on_page(page_path)
    blocks = []
    for measure in data.measures_in_order():
        latest = data.latest_by_area(measure["measure_id"])
        if not latest:
            continue
        ordered = sorted(latest.items(), key=lambda kv: (-Decimal(kv[1][1]["value"]), data.areas[kv[0]]["name"]))
        # Each area links to this measure's section of its year's page, not to the page's top.
        rows = [dict(head=data.areas[area_id]["name"],
                     href=url(rel_href(page_path, f"areas/{area_id}/{report['year']}/index.md"))
                     + "#" + anchor(measure["measure_id"]),
                     cells=[report["year"], notes.noted(obs)]) for area_id, (report, obs) in ordered]
        years = sorted({r["year"] for r, _ in latest.values()})
        bases = sorted({(data.areas[a]["name"], r["year"], r["population_base"]) for a, (r, _) in latest.items()})
        latest_table = table(f"{measure['label']}: latest year held for each area", ["Area", "Year", "Value"], rows)
        mid = measure["measure_id"]
        corrections = [correction_note(c) | dict(where=f"{data.areas[a]['name']} {r['year']}")
                       for a, (r, _) in latest.items() for c in data.corrections_for(r["report_id"])
                       if c["measure_id"] == mid]
        source = (f"the latest MAPPA annual report we hold of each area ({year_ranges(years)}); the areas' years and "
                  "population bases differ, so compare them with care")
        blocks.append(dict(measure=measure, chart=site.chart(f"compare:{mid}", page_path,
                                                             lazy=any(b["chart"] for b in blocks)),
                           table=latest_table, years=years, bases=bases, count=len(latest),
                           embed=embed_chart(site, page_path, mid, f"compare:{mid}",
                                             f"{measure['label']}: latest year held for each area", source,
                                             latest_table, corrections)))
    site.page(page_path, "compare.md.j2", blocks=blocks, page_notes=notes.listed)
