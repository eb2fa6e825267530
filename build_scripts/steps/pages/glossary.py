"""The glossary, glossary/ (templates/glossary_index.md.j2) and a page per term (templates/term.md.j2),
each linked to the reports that use it."""
from __future__ import annotations

from build_scripts.render.markup import anchor, url
from build_scripts.steps.pages.words import year_ranges
from build_scripts.steps.pages.writer import Site, rel_href


def glossary_pages(site: Site) -> None:
    data = site.data
    terms = sorted(data.glossary.values(), key=lambda t: t["term"].lower())
    site.page("glossary/index.md", "glossary_index.md.j2", terms=terms,
              kinds=["order", "category", "level", "process", "agency", "measure"])
    labels = {rid: " | ".join(sorted({f"{c['source_table']} | {c['source_row']} | {c['source_column']}"
                                      for c in cells})).lower()
              for rid, cells in data.by_report.items()}
    # What each report holds, gathered once (not once per term): measures, levels, categories.
    held = {rid: ({c["measure_id"] for c in cells}, {c["level"] for c in cells}, {c["category"] for c in cells})
            for rid, cells in data.by_report.items()}
    nothing: tuple[set[str], set[str], set[str]] = (set(), set(), set())
    # The compare page has a section only for a measure some report gives a number for: link to
    # no other (a link to a missing section would point nowhere).
    compared = {m["measure_id"] for m in data.measures_in_order() if data.latest_by_area(m["measure_id"])}
    reports_in_order = sorted(data.reports.values(), key=lambda r: (r["year"], r["report_id"]))
    order = {m["measure_id"]: i for i, m in enumerate(data.measures_in_order())}
    for term in terms:
        tid = term["term_id"]
        page_path = f"glossary/{tid}/index.md"
        printed = [p.lower() for p in split_list(term["printed_as"])]
        measures = [m for m in data.measures_in_order() if m["term_id"] == tid]
        measure_ids = {m["measure_id"] for m in measures}
        by_area: dict[str, list[str]] = {}
        for report in reports_in_order:
            measures_held, levels, categories = held.get(report["report_id"], nothing)
            hit = not measure_ids.isdisjoint(measures_held)
            if tid.startswith("level-"):
                hit = hit or tid[-1] in levels
            if tid.startswith("category-"):
                hit = hit or tid[-1] in categories
            hit = hit or any(p in labels.get(report["report_id"], "") for p in printed)
            if hit:
                by_area.setdefault(report["area_id"], []).append(report)
        # One row per area, with its years as ranges, so the page stays short with 1,000+ reports;
        # each year links to the section of its page where the term is used.
        uses = [dict(area=data.areas[a], years=year_ranges([r["year"] for r in reports]), count=len(reports),
                     href=url(rel_href(page_path, f"areas/{a}/index.md")),
                     year_links=[(r["year"], url(rel_href(page_path, f"areas/{a}/{r['year']}/index.md"))
                                  + term_section(term, measure_ids, printed, data.by_report.get(r["report_id"], []),
                                                 order))
                                 for r in reports] if len(reports) <= 6 else [])
                for a, reports in sorted(by_area.items(), key=lambda kv: data.areas[kv[0]]["name"])]
        related = {
            "replaced": [data.glossary[t] for t in split_list(term["replaced"])],
            "replaced_by": [data.glossary[t] for t in split_list(term["replaced_by"])],
        }
        site.page(page_path, "term.md.j2", term=term, measures=measures, uses=uses, related=related,
                  compared=compared)


def term_section(term: dict[str, str], measure_ids: set[str], printed: list[str], cells: list[dict[str, str]],
                 order: dict[str, int]) -> str:
    """The fragment ("#shpo") of the first section of a year's page, in the page's order, whose
    table uses a glossary term: the term's own measure, a table with its level or category, or
    one whose printed labels contain its words; "" when no one table does."""
    tid = term["term_id"]

    def uses(c: dict[str, str]) -> bool:
        if c["measure_id"] in measure_ids:
            return True
        if (tid.startswith("level-") and c["level"] == tid[-1]) or (tid.startswith("category-")
                                                                   and c["category"] == tid[-1]):
            return True
        label = f"{c['source_table']} | {c['source_row']} | {c['source_column']}".lower()
        return any(p in label for p in printed)

    found = {c["measure_id"] for c in cells if uses(c) and c["measure_id"] in order}
    return "#" + anchor(min(found, key=order.__getitem__)) if found else ""


def split_list(text: str) -> list[str]:
    return [t.strip() for t in (text or "").split(";") if t.strip()]
