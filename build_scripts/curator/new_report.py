"""Write a blank curated CSV for a new area and year, laid out like the current report template:
the tables of metadata/measure-layout.csv's measures with new_report_levels, in the order of
metadata/measures.csv, each with those levels.

Every cell the curator must write holds a placeholder starting TODO (metadata.PLACEHOLDER), and
so does the register row it prints: the build refuses a file or row that still has one, naming
the line, the column and what to write there. Labels that every report we hold prints the same
way ("Level 1", "Total") are filled in, to be checked against the report. The curator fills in
each value as printed (or a dash), deletes the rows of any table the report does not print,
writes the labels as printed, and adds the register row.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from build_scripts.errors import BuildError, InputProblem
from build_scripts.inputs.metadata import PLACEHOLDER, read_csv_dicts, rel
from build_scripts.paths import Paths
from build_scripts.steps.load import CURATED_COLUMNS, read_measure_layout, read_table

CATEGORY_COLUMNS = {"1": f"{PLACEHOLDER}: Category 1", "2": f"{PLACEHOLDER}: Category 2",
                    "3": f"{PLACEHOLDER}: Category 3", "all": "Total"}
# The register row's cells to complete, after the ones the command fills in.
REGISTER_PLACEHOLDERS = {
    "title_as_printed": f"{PLACEHOLDER}: title as printed on the cover",
    "population_base": f"{PLACEHOLDER}: population base as the report states it",
    "publisher": f"{PLACEHOLDER}: publisher as printed",
    "source_title": f"{PLACEHOLDER}: a descriptive title for citing the report",
}


def blank_rows(measures: list[dict[str, str]], layout: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    """The blank file's rows: for each measure in the order of measures.csv (its sort_order) that
    has levels in a new report, a row per level and category of a table by level and category,
    or one row for a single figure."""
    rows = []
    for measure in sorted(measures, key=lambda m: int(m["sort_order"])):
        mid = measure["measure_id"]
        levels = layout[mid]["new_report_levels"].split()
        if not levels:
            continue
        todo = f"{PLACEHOLDER}: {measure['label']}"
        if measure["breakdown"] == "level_and_category":
            for level in levels:
                for category, column in CATEGORY_COLUMNS.items():
                    rows.append(dict(table=todo, row="Total" if level == "all" else f"Level {level}",
                                     column=column, value=PLACEHOLDER, measure_id=mid, level=level, category=category,
                                     note=""))
        else:
            rows.append(dict(table=todo, row=todo, column="", value=PLACEHOLDER, measure_id=mid, level="all",
                             category="all", note=""))
    return rows


def register_row(area_id: str, year: str) -> str:
    """The row of curated/reports.csv for the new report, as a CSV line, with the dates a
    financial year has and placeholders for the rest."""
    return csv_line(register_fields(area_id, year))


def csv_line(row: dict[str, str]) -> str:
    line = io.StringIO()
    csv.writer(line, lineterminator="").writerow(row.values())
    return line.getvalue()


def register_fields(area_id: str, year: str) -> dict[str, str]:
    """The register row's cells by column, in the register's order: what make draft-report fills
    from the document starts from these too."""
    start = int(year[:4])
    return {"report_id": f"{area_id}-{year}", "area_id": area_id, "year": year,
           "title_as_printed": REGISTER_PLACEHOLDERS["title_as_printed"], "period_start": f"{start}-04-01",
           "period_end": f"{start + 1}-03-31", "snapshot_date": f"{start + 1}-03-31",
           "population_base": REGISTER_PLACEHOLDERS["population_base"], "population_base_published": "",
           "publisher": REGISTER_PLACEHOLDERS["publisher"], "source_title": REGISTER_PLACEHOLDERS["source_title"],
           "source_url": "", "source_accessed": ""}


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
    measures = read_table(paths, paths.metadata / "measures.csv", "measures", "measure", cache=False)
    layout = {row["measure_id"]: row for row in read_measure_layout(paths, measures, cache=False).rows}
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CURATED_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(blank_rows(measures.rows, layout))
    if target != curated:
        return (f"Wrote {rel(target, paths.root)}. Next: replace every {PLACEHOLDER} with what the report prints, "
                f"without looking at the first keying, then compare the two:\nmake compare-keyings FIRST={rel(curated, paths.root)} "
                f"SECOND={rel(target, paths.root)}")
    return (f"Wrote {rel(target, paths.root)}. Next: replace every {PLACEHOLDER} in it with what the report "
            f"prints, then add this row to curated/reports.csv and replace its {PLACEHOLDER}s too:\n"
            + register_row(area_id, year))
