"""The methodology page, methodology/ (templates/methodology.md.j2): the data-quality register
in full and the rules across tables."""
from __future__ import annotations

from build_scripts.render.markup import url
from build_scripts.steps.pages.writer import Site, rel_link


def methodology_page(site: Site) -> None:
    data = site.data
    entries = sorted(data.quality, key=lambda q: (q["report_id"], q["quality_id"]))
    kinds = {}
    for q in entries:
        kinds[q["kind"]] = kinds.get(q["kind"], 0) + 1
    site.page("methodology/index.md", "methodology.md.j2", entries=entries, kinds=kinds,
              rules=site.rules,
              measures=data.measures,
              report_names={r: f"{data.areas[v['area_id']]['name']} {v['year']}" for r, v in data.reports.items()},
              report_links={r: url(rel_link("methodology/index.md", f"areas/{v['area_id']}/{v['year']}/index.md"))
                            for r, v in data.reports.items()})
