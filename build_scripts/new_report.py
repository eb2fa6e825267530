"""Write a blank curated CSV for a new area and year, laid out like the current report template.

The curator fills in each value as printed (or a dash), deletes the rows of any table the
report does not print, corrects the labels to match the report, and adds a register row.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

from .errors import BuildError, InputProblem
from .load import CURATED_COLUMNS
from .metadata import read_csv_dicts, rel
from .paths import Paths

MATRIX_LEVELS = {"eligible": ["1", "2", "3", "all"], "managed_l2_l3": ["2", "3", "all"],
                 "custody_breach_licence": ["2", "3", "all"], "custody_breach_order": ["2", "3", "all"]}
TEMPLATE_MEASURES = ["eligible", "managed_l2_l3", "breach_notification", "notification_revoked", "shpo",
                     "shpo_foreign_travel", "notification_order", "sro_breach_notification",
                     "custody_breach_licence", "custody_breach_order", "rso_per_100k"]
CATEGORY_COLUMNS = {"1": "Category 1", "2": "Category 2", "3": "Category 3", "all": "Total"}


def blank_rows(measures: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    rows = []
    for mid in TEMPLATE_MEASURES:
        label = measures[mid]["label"]
        if mid in MATRIX_LEVELS:
            for level in MATRIX_LEVELS[mid]:
                for category, column in CATEGORY_COLUMNS.items():
                    rows.append(dict(table=label, row="Total" if level == "all" else f"Level {level}",
                                     column=column, value="", measure_id=mid, level=level, category=category, note=""))
        else:
            rows.append(dict(table=label, row=label, column="", value="", measure_id=mid, level="all",
                             category="all", note=""))
    return rows


def new_report(paths: Paths, area_id: str, year: str, folder: Path | None = None) -> str:
    """Write the blank file in curated/reports, or in `folder`: a second keying is typed into its own
    blank file, outside curated/ so the build never reads it (see curated/README.md)."""
    areas = {a["area_id"] for a in read_csv_dicts(paths.metadata / "areas.csv", paths.root)}
    if area_id not in areas:
        raise BuildError([InputProblem("metadata/areas.csv", None, "area_id", "an area_id listed there",
                                       repr(area_id))])
    match = re.fullmatch(r"(\d{4})-(\d{2})", year)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise BuildError([InputProblem("--year", None, None, "a financial year such as 2024-25", repr(year))])
    target = (folder or paths.report_files).resolve() / f"{area_id}-{year}.csv"
    curated = paths.report_files.resolve() / target.name
    if target.exists():
        raise BuildError([InputProblem(rel(target, paths.root), None, None,
                                       "no file yet (this command never overwrites)", "an existing file")])
    measures = {m["measure_id"]: m for m in read_csv_dicts(paths.metadata / "measures.csv", paths.root)}
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CURATED_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(blank_rows(measures))
    if target != curated:
        return (f"Wrote {rel(target, paths.root)}. Next: fill in every value as printed, without looking at the "
                f"first keying, then compare the two:\nmake compare-keyings FIRST={rel(curated, paths.root)} "
                f"SECOND={rel(target, paths.root)}")
    start = int(year[:4])
    return (f"Wrote {rel(target, paths.root)}. Next: fill in every value as printed, then add this row to "
            f"curated/reports.csv and complete it:\n{area_id}-{year},{area_id},{year},TITLE AS PRINTED,"
            f"{start}-04-01,{start + 1}-03-31,{start + 1}-03-31,POPULATION BASE,,PUBLISHER,SOURCE TITLE")
