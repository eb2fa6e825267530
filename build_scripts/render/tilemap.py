"""The tile map of the 42 MAPPA areas (home page and /areas/): one equal tile per area, placed
roughly where the area lies, from the hand-made layout in metadata/tile-map.csv.

Python computes values only (positions, colours, lines of text, links); the template macro
`tile_map` in templates/_macros.md.j2 writes the SVG. The same macro writes the download file
`areas/tile-map.svg`, which carries the chart font as the charts do, so tests/test_charts.py
checks its text like any chart's.
"""
from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path
from typing import Any

from build_scripts.cache import keys
from build_scripts.errors import BuildError, InputProblem, excerpt
from build_scripts.inputs.dataset import Dataset, number
from build_scripts.inputs.metadata import read_csv_table
from build_scripts.render.images import (
    FONT_FAMILY,
    MUTED_COLOUR,
    TEXT_COLOUR,
    converter,
    font_data,
    framed,
    text_width,
    wrap_lines,
)

LAYOUT_FILE = "tile-map.csv"
FIELDS = ["area_id", "tile_col", "tile_row", "tile_label"]
COLUMNS, ROWS = 8, 9  # the grid; at most 340 px wide, so it is never shrunk on a 390 px phone
TILE_W, TILE_H, GAP, MARGIN = 40, 50, 2, 3
WIDTH = MARGIN * 2 + COLUMNS * (TILE_W + GAP) - GAP  # 338
# Fixed classes, so a tile's colour does not change when another area's report is added. Every
# fill keeps the tile text (TEXT_COLOUR) above 4.5:1.
CLASSES = [(None, Decimal(100), "#e8f1fa", "under 100"),
           (Decimal(100), Decimal(125), "#b9d4ec", "100 to 124"),
           (Decimal(125), Decimal(150), "#8ab8de", "125 to 149"),
           (Decimal(150), None, "#5e9cd0", "150 or more")]
NO_RATE = ("#e6e6e6", "held, no rate printed")
NOT_HELD = ("#ffffff", "no reports yet")
NATION_STROKE = {"England": ("#595959", 1), "Wales": ("#b3123e", 3)}
LABEL_SIZE, RATE_SIZE, YEAR_SIZE, LEGEND_SIZE = 11, 12, 10, 11


def read_layout(root: Path, area_ids: list[str]) -> dict[str, dict[str, Any]]:
    """metadata/tile-map.csv, checked: every area exactly once, a whole-number place inside the
    grid, no two areas on one tile, and a short label that fits its tile."""
    path = root / "metadata" / LAYOUT_FILE
    file = f"metadata/{LAYOUT_FILE}"
    problems: list[InputProblem] = []
    # Read as every curated CSV is (size, links, encoding, shape, invisible characters).
    table = read_csv_table(path, root, FIELDS, "tile")
    rows = table.rows
    if list(rows[0]) != FIELDS:
        raise BuildError([InputProblem(file, 1, None, "the header " + ",".join(FIELDS), excerpt(",".join(rows[0])))])
    layout: dict[str, dict[str, Any]] = {}
    taken: dict[tuple[int, int], str] = {}
    for line, row in zip(table.lines, rows, strict=True):
        area_id = row["area_id"]
        if area_id not in area_ids:
            problems.append(InputProblem(file, line, "area_id", "an area_id from metadata/areas.csv",
                                         excerpt(area_id)))
            continue
        if area_id in layout:
            problems.append(InputProblem(file, line, "area_id", "each area once", f"{area_id} again"))
            continue
        place = []
        for column, limit in (("tile_col", COLUMNS), ("tile_row", ROWS)):
            value = row[column]
            if not value.isdigit() or int(value) >= limit:
                problems.append(InputProblem(file, line, column, f"a whole number from 0 to {limit - 1}",
                                             excerpt(value)))
            else:
                place.append(int(value))
        label = row["tile_label"]
        if not label.strip() or text_width(label, LABEL_SIZE, "bold") > TILE_W - 6:
            problems.append(InputProblem(file, line, "tile_label", f"a short label that fits a {TILE_W} px tile "
                                         "(about 4 capital letters)", excerpt(label)))
        if len(place) == 2:
            key = (place[0], place[1])
            if key in taken:
                problems.append(InputProblem(file, line, "tile_col", "a tile no other area uses",
                                             f"column {key[0]}, row {key[1]}, already {taken[key]}"))
            taken[key] = area_id
            layout[area_id] = dict(col=key[0], row=key[1], label=label)
    for area_id in area_ids:
        if area_id not in layout and not any(row["area_id"] == area_id for row in rows):
            problems.append(InputProblem(file, None, None, "a tile for every area of metadata/areas.csv",
                                         f"no row for {area_id}"))
    if problems:
        raise BuildError(problems)
    return layout


def rate_class(value: Decimal) -> tuple[str, str]:
    for low, high, fill, label in CLASSES:
        if (low is None or value >= low) and (high is None or value < high):
            return fill, label
    raise AssertionError(value)


def latest_rates(data: Dataset, measure_id: str) -> dict[str, tuple[str, dict[str, str] | None]]:
    """For each area we hold: its latest report's year and that report's rate, the figure of
    `measure_id` (None when the report printed none or printed a dash)."""
    latest = {}
    for area_id in sorted({r["area_id"] for r in data.reports.values()}):
        report = data.report_ids_for_area(area_id)[-1]
        obs = data.cell(report["report_id"], measure_id)
        latest[area_id] = (report["year"], obs if obs is not None and obs["status"] == "reported" else None)
    return latest


def tile_map(data: Dataset, layout: dict[str, dict[str, Any]], measure_id: str, href: Any) -> dict[str, Any]:
    """Everything the `tile_map` macro draws: the rates of `measure_id` (the measure of
    metadata/measure-layout.csv with tile_map true). `href(area_id)` is the link to an area page."""
    latest = latest_rates(data, measure_id)
    tiles = []
    for area_id, place in sorted(layout.items(), key=lambda kv: (kv[1]["row"], kv[1]["col"])):
        area = data.areas[area_id]
        x = MARGIN + place["col"] * (TILE_W + GAP)
        y = MARGIN + place["row"] * (TILE_H + GAP)
        stroke, stroke_width = NATION_STROKE[area["nation"]]
        lines = [dict(text=place["label"], y=y + 13, size=LABEL_SIZE, bold=True)]
        if area_id not in latest:
            fill, state = NOT_HELD[0], "no reports yet"
            name = f"{area['name']} ({area['nation']}): no reports yet"
        else:
            year, obs = latest[area_id]
            if obs is None:
                fill, state = NO_RATE[0], f"no rate printed in {year}"
                lines.append(dict(text="no rate", y=y + 30, size=YEAR_SIZE, bold=False))
                name = f"{area['name']} ({area['nation']}): no rate printed in the {year} report"
            else:
                fill, _ = rate_class(Decimal(obs["value"]))
                state = f"{number(obs['value'])} in {year}"
                lines.append(dict(text=number(obs["value"]), y=y + 30, size=RATE_SIZE, bold=False))
                name = (f"{area['name']} ({area['nation']}): {number(obs['value'])} registered sex offenders "
                        f"per 100,000 people in {year}")
            lines.append(dict(text=year, y=y + 45, size=YEAR_SIZE, bold=False))
        inset = stroke_width / 2
        tiles.append(dict(
            area_id=area_id, area=area, x=x, y=y, cx=x + TILE_W / 2, rect_x=x + inset, rect_y=y + inset,
            rect_w=TILE_W - stroke_width, rect_h=TILE_H - stroke_width, fill=fill, stroke=stroke,
            stroke_width=stroke_width, dashed=area_id not in latest, lines=lines, name=name, state=state,
            href=href(area_id) if area_id in latest else ""))
    # The legend, below the grid: a title wrapped to the width, then one swatch a line.
    top = MARGIN + ROWS * (TILE_H + GAP) + 6
    title = "Registered sex offenders per 100,000 people, latest year we hold for each area"
    title_lines = []
    for line in wrap_lines(title, LEGEND_SIZE, WIDTH - 2 * MARGIN, "bold"):
        title_lines.append(dict(text=line, y=top + 11))
        top += 15
    top += 4
    swatches = [dict(fill=fill, stroke=MUTED_COLOUR, stroke_width=1, dashed=False, text=label)
                for _, _, fill, label in CLASSES]
    swatches += [dict(fill=NO_RATE[0], stroke=MUTED_COLOUR, stroke_width=1, dashed=False, text=NO_RATE[1]),
                 dict(fill=NOT_HELD[0], stroke=MUTED_COLOUR, stroke_width=1, dashed=True, text=NOT_HELD[1]),
                 dict(fill="#ffffff", stroke=NATION_STROKE["England"][0], stroke_width=NATION_STROKE["England"][1],
                      dashed=False, text="England: thin grey outline"),
                 dict(fill="#ffffff", stroke=NATION_STROKE["Wales"][0], stroke_width=NATION_STROKE["Wales"][1],
                      dashed=False, text="Wales: thick red outline")]
    column_width = (WIDTH - 2 * MARGIN) / 2
    legend = []
    for i, s in enumerate(swatches):
        col, row = i % 2, i // 2
        x = MARGIN + col * column_width
        y = top + row * 20
        inset = s["stroke_width"] / 2
        legend.append(dict(s, x=x + inset, y=y + inset, w=14 - s["stroke_width"], h=14 - s["stroke_width"],
                           text_x=x + 20, text_y=y + 11))
        assert 20 + text_width(s["text"], LEGEND_SIZE) <= column_width, s["text"]
    height = top + ((len(swatches) + 1) // 2) * 20 + MARGIN
    return dict(width=WIDTH, height=height, tile_w=TILE_W, tiles=tiles, legend=legend,
                legend_title=title_lines, title="Map of the 42 MAPPA areas",
                font=FONT_FAMILY, text_colour=TEXT_COLOUR, label_size=LABEL_SIZE, legend_size=LEGEND_SIZE,
                fonts=[dict(weight=w, data=font_data(w, chars)) for w, chars in characters(tiles, title_lines,
                                                                                           legend).items()])


def characters(tiles: list[dict[str, Any]], title_lines: list[dict[str, Any]],
               legend: list[dict[str, Any]]) -> dict[str, str]:
    """The characters drawn in each weight, to subset the font to."""
    normal = {" "}
    bold = {" "}
    for tile in tiles:
        for line in tile["lines"]:
            (bold if line["bold"] else normal).update(line["text"])
    for line in title_lines:
        bold.update(line["text"])
    for item in legend:
        normal.update(item["text"])
    return {"normal": "".join(sorted(normal)), "bold": "".join(sorted(bold))}


def table_rows(data: Dataset, layout: dict[str, dict[str, Any]], measure_id: str, href: Any) -> list[dict[str, Any]]:
    """The map's key and its data, a row per area in the order of the area names: the area (its
    nation when Welsh, as the thick red outline says), its tile's code, and the latest year and
    rate we hold. With 4 narrow columns it fits a 390 px phone."""
    latest = latest_rates(data, measure_id)
    rows = []
    for area in sorted((data.areas[a] for a in layout), key=lambda a: a["name"]):
        area_id = area["area_id"]
        name = area["name"] + (f" ({area['nation']})" if area["nation"] != "England" else "")
        code = layout[area_id]["label"]
        if area_id in latest:
            year, obs = latest[area_id]
            rows.append(dict(head=name, href=href(area_id),
                             cells=[code, year, obs if obs is not None else "no rate printed"]))
        else:
            rows.append(dict(head=name, cells=[code, "none yet", ""]))
    return rows


TITLE = "Map of the 42 MAPPA areas: registered sex offenders per 100,000 people, latest year we hold for each area"
PNG_WIDTH = 1200  # at least: print size, like the charts' PNGs


def downloads(svg: str, source: str, cache: Path) -> tuple[str, bytes]:
    """The map to download, with its title, source and licence drawn in (charts.framed), as SVG
    and as a PNG at least PNG_WIDTH wide. The PNG is kept in `cache`/maps by the hash of what it
    is drawn from (the picture, with its text as glyph outlines, and its scale)."""
    download, raster = framed(svg, TITLE, source)
    scale = math.ceil(PNG_WIDTH / WIDTH)
    cached = cache / "maps" / (keys.key("tile map png", [scale, raster], libraries=["vl-convert-python"]) + ".png")
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(cached.name + ".tmp")
        tmp.write_bytes(converter().svg_to_png(raster, scale=scale))
        tmp.replace(cached)
    return download, cached.read_bytes()
