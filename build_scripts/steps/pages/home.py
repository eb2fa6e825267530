"""The home page (templates/home.md.j2) and the areas index, areas/ (templates/areas_index.md.j2),
both with the tile map (render/tilemap.py) and its downloads."""
from __future__ import annotations

from typing import Any

from build_scripts.inputs.metadata import LEVEL_TERMS
from build_scripts.render import tilemap
from build_scripts.render.feed import FEED_PATH
from build_scripts.render.markup import url
from build_scripts.steps.pages.feed import releases_in_words
from build_scripts.steps.pages.tables import table
from build_scripts.steps.pages.words import human_bytes
from build_scripts.steps.pages.writer import Site, rel_href, rel_link


def home_and_areas(site: Site) -> None:
    data = site.data
    held = sorted({r["area_id"] for r in data.reports.values()})
    # The areas we hold first; every area of the 42 is in the map's key after them.
    holdings = [dict(area=data.areas[a], years=[r["year"] for r in data.report_ids_for_area(a)])
                for a in sorted(held, key=lambda a: data.areas[a]["name"])]
    layout = tilemap.read_layout(site.paths.root, sorted(data.areas))
    sizes = tile_map_downloads(site, layout)
    site.page("areas/index.md", "areas_index.md.j2", holdings=holdings, held=held,
              tiles=tile_map_for(site, "areas/index.md", layout, sizes))
    rows = []
    notes = site.notes.on_page("index.md")
    for area_id in held:
        report = data.report_ids_for_area(area_id)[-1]
        # The year goes with the area (one column fewer), so the table fits a 390 px phone.
        rows.append(dict(head=data.areas[area_id]["name"], year=report["year"],
                         href=url(rel_href("index.md", f"areas/{area_id}/{report['year']}/index.md")),
                         cells=[notes.noted(data.cell(report["report_id"], m)) for m in site.key_measures]))
    latest = table("Headline figures from the latest report we hold for each area",
                   ["Area and year"] + [site.words[m]["key_figure"] for m in site.key_measures], rows,
                   missing="not published")
    years = sorted({r["year"] for r in data.reports.values()})
    news = releases_in_words(site, "index.md")
    site.page("index.md", "home.md.j2", held=held, latest=latest, years=years, n_reports=len(data.reports),
              news=news[0] if news else None, feed=url(rel_link("index.md", FEED_PATH)),
              page_notes=notes.listed,
              levels=[data.glossary[LEVEL_TERMS[lv]] for lv in sorted(LEVEL_TERMS)], tiles=tile_map_for(site, "index.md", layout, sizes))


TILE_MAP_FILES = {"svg": "areas/tile-map.svg", "png": "areas/tile-map.png"}


def tile_map_downloads(site: Site, layout: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Write the tile map's downloads, with its title, source and licence drawn in; their sizes.
    Images, like the charts: drawn by the build, not committed, not in the URL manifest."""
    svg = site.env.get_template("tile_map.svg.j2").render(map=tilemap.tile_map(
        site.data, layout, site.map_measure, lambda a: site.homepage + url(f"areas/{a}/")))
    publisher = site.data.descriptor["contributors"][0]["title"]
    files = dict(zip(TILE_MAP_FILES.values(), tilemap.downloads(
        svg, f"Source: MAPPA annual reports of each area, latest year held, as published by {publisher}, "
             f"{site.homepage}areas/", site.paths.cache), strict=True))
    for path, content in files.items():
        site.write(path, content, listed=False)
    return {path: len(content.encode("utf-8") if isinstance(content, str) else content) for path, content in files.items()}


def tile_map_for(site: Site, page_path: str, layout: dict[str, dict[str, Any]], sizes: dict[str, int]
                 ) -> dict[str, Any]:
    """The tile map's values for one page, its key and its downloads (build_scripts/render/tilemap.py)."""
    href = (lambda a: url(rel_href(page_path, f"areas/{a}/index.md")))
    return dict(map=tilemap.tile_map(site.data, layout, site.map_measure, href),
                rows=table("Key to the map: each area's tile, and the latest rate of registered sex offenders per "
                           "100,000 people we hold", ["Area", "Tile", "Latest year", "Per 100,000 people"],
                           tilemap.table_rows(site.data, layout, site.map_measure, href), text=True),
                download=[dict(format=fmt.upper(), href=url(rel_link(page_path, path)), size=human_bytes(sizes[path]))
                          for fmt, path in TILE_MAP_FILES.items()])
