"""The data tables of the pages, as the `grid` macro of templates/_macros.md.j2 draws them."""
from __future__ import annotations

from typing import Any

from build_scripts.inputs.metadata import CATEGORIES, LEVELS


def table(caption: str, columns: list[str], rows: list[dict[str, Any]], missing: str = "not printed",
          text: bool = False, head: list[list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    """A data table for the `grid` macro. Each row has a `head` (and an `href` if it links) and
    `cells`: an observation, None (shown as `missing`) or a plain string. `head`: header rows
    (see the `data_table` macro) in place of the one row of `columns`."""
    return dict(caption=caption, columns=columns, rows=rows, missing=missing, text=text, head=head)


def matrix_table(caption: str, cells: list[dict[str, str]]) -> dict[str, Any]:
    """Levels down, categories across, as the reports print them. The categories sit under one
    heading, "Category", each column headed by its number alone (a screen reader hears
    "Category 1"), so the table, Total column included, fits a 390 px phone."""
    levels = [lv for lv in LEVELS if any(c["level"] == lv for c in cells)]
    categories = [ct for ct in CATEGORIES if any(c["category"] == ct for c in cells)]
    index = {(c["level"], c["category"]): c for c in cells}
    columns = ["Level"] + ["Total" if ct == "all" else f"Category {ct}" for ct in categories]
    numbered = [ct for ct in categories if ct != "all"]
    head = None
    if numbered:
        top = [dict(text="Level", scope="col", rowspan=2),
               dict(text="Category", scope="colgroup", colspan=len(numbered))]
        top += [dict(text="Total", scope="col", rowspan=2)] if "all" in categories else []
        head = [top, [dict(text=ct, hidden="Category", scope="col") for ct in numbered]]
    rows = [dict(head="Total" if lv == "all" else f"Level {lv}", cells=[index.get((lv, ct)) for ct in categories])
            for lv in levels]
    return table(caption, columns, rows, head=head)
