"""make draft-report: the first keying of a report, drafted from its document.

    read (read.py)   the document -> lines of cells with their places (in a bounded child process)
    find (find.py)   lines -> the template's tables, each cell with measure, level and category
    about (about.py) the area, the year and the register row, from what the document says
    write (here)     the curated file(s), all or none; the review sheet; the summary

The draft is a first keying, never the only one: a person keys the report again from the printed
page (never from the draft) and `make compare-keyings` settles every difference (curated/README.md).
What the draft cannot read without doubt is TODO, which the build refuses until a person settles it.
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from build_scripts.curator.draft import about
from build_scripts.curator.draft.find import Drafted, Finder, FoundTable, LocalTable
from build_scripts.curator.draft.read import Document, ReadFailed, read_bounded, render_bounded
from build_scripts.curator.draft.terms import Terms
from build_scripts.curator.new_report import csv_line, register_fields
from build_scripts.errors import BuildError, InputProblem
from build_scripts.inputs.metadata import PLACEHOLDER, read_csv_dicts, rel
from build_scripts.paths import Paths
from build_scripts.steps.load import CURATED_COLUMNS, read_measure_layout, read_table

__all__ = ["draft_report", "ReadFailed", "DraftStopped"]

KEYING_FOLDER = "keying"


class DraftStopped(Exception):
    """The draft cannot go on without the curator (an area or year to give, a file in the way)."""


@dataclass
class Part:
    """One area's report: the whole document, or one area's part of a regional report."""

    area: about.Finding
    lines: list
    tables: list[FoundTable]
    local: list[LocalTable]
    cells: list[Drafted] = field(default_factory=list)
    year: about.Finding | None = None
    dates: dict[str, str] = field(default_factory=dict)
    target: Path | None = None


def draft_report(paths: Paths, source: Path, area_id: str | None = None, year: str | None = None,
                 into: str | None = None) -> str:
    """Draft the report in `source`; return what was written and what is left to do."""
    # Load: what the draft needs to know of the project.
    measures = read_table(paths, paths.metadata / "measures.csv", "measures", "measure", cache=False)
    breakdown = {m["measure_id"]: m["breakdown"] for m in measures.rows}
    layout = {row["measure_id"]: row for row in read_measure_layout(paths, measures, cache=False).rows}
    template = [m["measure_id"] for m in sorted(measures.rows, key=lambda m: int(m["sort_order"]))
                if layout[m["measure_id"]]["new_report_levels"].split()]
    labels = {m["measure_id"]: m["label"] for m in measures.rows}
    terms = Terms(paths, list(breakdown))
    areas = [about.Area(a["area_id"], tuple([a["name"]] + [n.strip() for n in a["other_names"].split(";") if n.strip()]))
             for a in read_csv_dicts(paths.metadata / "areas.csv", paths.root)]
    area_ids = {a.area_id for a in areas}
    if area_id is not None and area_id not in area_ids:
        raise BuildError([InputProblem("AREA", None, None, "an area_id of metadata/areas.csv", repr(area_id))])
    if year is not None and not _is_financial_year(year):
        raise BuildError([InputProblem("YEAR", None, None, "a financial year such as 2024-25", repr(year))])

    # Read.
    document = read_bounded(source)
    if not document.lines and document.kind != "pdf":
        raise ReadFailed(f"{source}: expected a report's text; found an empty file. Nothing was written")
    if not document.lines:
        raise ReadFailed(f"{source}: no page has text to read (a scanned report?): key it by hand with make new-report")

    # Find, then split a regional report into its areas.
    finder = Finder(terms, breakdown, exact_places=document.kind != "pdf")
    parts = _parts(document, finder, areas, area_id)
    if not any(p.tables for p in parts) and document.warnings:
        raise ReadFailed(f"{source}: none of the template's tables could be read: " + "; ".join(document.warnings)
                         + ". Key the report by hand (make new-report). Nothing was written")
    if not any(p.tables for p in parts):
        raise ReadFailed(f"{source}: this does not look like a MAPPA area annual report: none of the template's tables "
                         "was found (people eligible for MAPPA, orders, returns to custody, the rate per 100,000). "
                         "Nothing was written")

    # Map each part to its area, year and cells.
    lines_out: list[str] = []
    for part in parts:
        part.year, part.dates = about.year_of(part.tables, part.lines)
        if year:
            if part.year.value != year:  # the tables' dates are not this year's: the register row takes YEAR's
                part.dates = {}
            stated = f"; the tables state {part.year.value}" if part.year.value and part.year.value != year else ""
            part.year = about.Finding(year, f"given as YEAR{stated}")
        part.cells = _cells(part.tables)
    missing = [p for p in parts if p.area.value is None or p.year.value is None]
    if missing:
        asks = []
        for part in missing:
            if part.area.value is None:
                asks.append(f"the area: {part.area.why}. Give it as AREA=<area_id> (metadata/areas.csv)")
            if part.year.value is None:
                asks.append(f"the year: {part.year.why}. Give it as YEAR=<year>, the financial year the tables cover "
                            "(curated/README.md, step 1)")
        raise DraftStopped(f"{source}: cannot tell " + "; and ".join(dict.fromkeys(asks)) + ". Nothing was written.")

    folder = paths.root / KEYING_FOLDER if into == "keying" else (Path(into) if into else paths.report_files)
    for part in parts:
        part.target = folder / f"{part.area.value}-{part.year.value}.csv"
    in_the_way = [p.target for p in parts if p.target.exists()]
    if len({p.target for p in parts}) != len(parts):
        raise DraftStopped(f"{source}: two parts of the report are for the same area and year; nothing was written")
    if in_the_way:
        raise DraftStopped(f"{', '.join(rel(t, paths.root) for t in in_the_way)}: a file is there already, and a draft "
                           "never overwrites one. Nothing was written. Draft into keying/ to compare it with that file "
                           "(INTO=keying), or move the file away first")

    # Write: every file or none.
    _write_all([(part.target, _csv_text(part.cells)) for part in parts])
    cover_title, cover_year = about.cover_title(document.lines)
    base, base_date = about.population_base(document.lines)
    for part in parts:
        area = next(a for a in areas if a.area_id == part.area.value)
        review = _review_sheet(paths, document, part, source)
        lines_out += _summary(paths, part, document, template, labels, review)
        board = about.publisher(part.lines, area) or about.publisher(document.lines, area)
        lines_out += _register_lines(part, cover_title, cover_year, base, base_date, board)
    return "\n".join(lines_out)


def _is_financial_year(year: str) -> bool:
    return len(year) == 7 and year[4] == "-" and year[:4].isdigit() and year[5:].isdigit() \
        and (int(year[:4]) + 1) % 100 == int(year[5:])


def _parts(document: Document, finder: Finder, areas: list[about.Area], area_id: str | None) -> list[Part]:
    """The whole document as one part, or, for a regional report (several areas' headings, each with
    tables under it), one part per area."""
    regional = about.regional_parts(document.lines, areas) if area_id is None else []
    if regional:
        parts = []
        bounds = [index for _, index in regional] + [len(document.lines)]
        for (found_area, start), end in zip(regional, bounds[1:], strict=True):
            lines = document.lines[start:end]
            tables, local = finder.find(lines)
            if tables:
                parts.append(Part(about.Finding(found_area, "named in the heading of its part of the report"),
                                  lines, tables, local))
        if len(parts) >= 2:
            return parts
    tables, local = finder.find(document.lines)
    found = about.Finding(area_id, "given as AREA") if area_id else \
        about.area_of(document.lines, document.furniture, areas)
    return [Part(found, document.lines, tables, local)]


def _cells(tables: list[FoundTable]) -> list[Drafted]:
    """Every table's cells in the order printed; a cell printed twice (the same measure, level and
    category) with different figures is TODO, with both places."""
    cells: list[Drafted] = []
    first: dict[tuple[str, str, str], Drafted] = {}
    for table in tables:
        for cell in table.cells:
            key = (cell.measure_id, cell.level, cell.category)
            if PLACEHOLDER in key or key not in first:
                first.setdefault(key, cell)
                cells.append(cell)
                continue
            earlier = first[key]
            if earlier.value != cell.value and not earlier.todo:
                earlier.note = (f"{PLACEHOLDER}: printed twice, {earlier.value!r} at {earlier.line.where} and "
                                f"{cell.value!r} at {cell.line.where}: which is this report's figure?")
                earlier.value = PLACEHOLDER
    return cells


def _csv_text(cells: list[Drafted]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CURATED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(cell.curated() for cell in cells)
    return buffer.getvalue()


def _write_all(files: list[tuple[Path, str]]) -> None:
    """Each file to a temporary file beside it, then all renamed: a draft stopped midway leaves
    no file behind."""
    written: list[tuple[Path, Path]] = []
    try:
        for target, text in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".draft", dir=target.parent)
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(text)
            os.chmod(temporary, 0o666 & ~_umask())  # as any new file (mkstemp's own is owner-only)
            written.append((Path(temporary), target))
        for temporary, target in written:
            os.replace(temporary, target)
    finally:
        for temporary, _ in written:
            temporary.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _summary(paths: Paths, part: Part, document: Document, template: list[str], labels: dict[str, str],
             review: Path | None) -> list[str]:
    todo = [c for c in part.cells if c.todo]
    found_measures = {c.measure_id for c in part.cells}
    out = [f"Drafted {rel(part.target, paths.root)}: {part.area.value} ({part.area.why}), {part.year.value} "
           f"({part.year.why}).",
           f"  {len(part.cells)} printed cells: {len(part.cells) - len(todo)} drafted, {len(todo)} left TODO."]
    out.append("  Tables found:")
    for table in part.tables:
        where = f"page {', '.join(map(str, table.pages))}" if table.pages else f"line {table.lines[0].number}"
        out.append(f"    {table.title!r} ({where}): {len(table.cells)} cells")
    not_found = [m for m in template if m not in found_measures]
    if not_found:
        out.append("  Tables of the template not found (left out, never zeroed; check the report does not print "
                   "them):")
        out += [f"    {m}: {labels[m]}" for m in not_found]
    if part.local:
        out.append("  Tables not drafted, not in the template (a new measure? see 'A new measure' in "
                   "curated/README.md):")
        out += [f"    {t.title!r} ({t.line.where})" for t in part.local]
    if todo:
        out.append("  Left TODO (settle each against the printed report; the build refuses the file until then):")
        out += [f"    {rel(part.target, paths.root)}:{index + 2}: {c.note}"
                for index, c in enumerate(part.cells) if c.todo][:50]
    for warning in document.warnings:
        out.append(f"  Warning: {warning}.")
    if review:
        out.append(f"  Review sheet (each drafted table beside the printed one): {rel(review, paths.root)}")
    out.append("  Next: a second person keys the report from the printed page, never from this draft "
               "(curated/README.md, step 5), then make compare-keyings.")
    return out


def _register_lines(part: Part, cover_title: str | None, cover_year: str | None, base: str | None,
                    base_date: str | None, board: str | None) -> list[str]:
    year = part.year.value
    row = register_fields(part.area.value, year)
    row.update({key: value for key, value in (
        ("title_as_printed", cover_title), ("period_start", part.dates.get("period_start")),
        ("period_end", part.dates.get("period_end")), ("snapshot_date", part.dates.get("snapshot_date")),
        ("population_base", base), ("population_base_published", base_date), ("publisher", board)) if value})
    out = ["  Add this row to curated/reports.csv and replace its TODOs (step 6):", "  " + csv_line(row)]
    if cover_year and cover_year != year:
        import yaml

        entry = [{"quality_id": f"{row['report_id']}-period", "report_id": row["report_id"], "kind": "period_mismatch",
                  "location": "Cover and statistics section",
                  "printed": f"The cover says {cover_title!r}.",
                  "found": f"The tables' dates are for {year}; the cover names {cover_year}. {PLACEHOLDER}: say "
                           "which the report's text supports.",
                  "handling": f"Filed under the year the tables state, {year}, as for every report. The printed "
                              "title is kept in title_as_printed.",
                  "check": {"present": {"reports": {"title_as_printed": cover_title, "year": year}}}}]
        out += [f"  The cover names {cover_year}, the tables {year}: add this entry to metadata/quality-register.yaml "
                "(step 8) and complete its TODO:"]
        out += ["    " + text for text in yaml.safe_dump(entry, sort_keys=False, allow_unicode=True,
                                                         width=100).splitlines()]
    return out


def _review_sheet(paths: Paths, document: Document, part: Part, source: Path) -> Path | None:
    """keying/<report_id>.review.html: each drafted table beside the printed one (a picture of the
    PDF's region, or the document's own lines), so a person sees in one look where each figure
    came from. One self-contained file: the pictures are inside it."""
    import base64

    import jinja2

    tables = []
    regions = []
    for table in part.tables:
        boxes = [(line.page, line.box) for line in table.lines if line.page and line.box]
        pages = sorted({page for page, _ in boxes})
        for page in pages:
            on_page = [box for p, box in boxes if p == page]
            width = document.page_sizes[page - 1][0]
            regions.append((page, (0.0, max(min(b[1] for b in on_page) - 8, 0), width,
                                   max(b[3] for b in on_page) + 8)))
    pictures = render_bounded(source, regions) if regions and document.kind == "pdf" else []
    picture_at = 0
    for table in part.tables:
        pages = sorted({line.page for line in table.lines if line.page and line.box})
        images = []
        for page in pages:
            if picture_at < len(pictures):
                images.append({"page": page, "src": "data:image/png;base64,"
                               + base64.b64encode(pictures[picture_at]).decode("ascii")})
            picture_at += 1
        tables.append({"title": table.title, "images": images,
                       "source_lines": [line.text for line in table.lines] if not images else [],
                       "cells": [c.curated() | {"todo": c.todo, "where": c.line.where} for c in table.cells]})
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(paths.templates), autoescape=True,
                                     undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    html = environment.get_template("draft-review.html.j2").render(
        report_id=part.target.stem, source=source.name, draft=rel(part.target, paths.root), tables=tables,
        todo=sum(c.todo for c in part.cells), cells=len(part.cells))
    target = paths.root / KEYING_FOLDER / f"{part.target.stem}.review.html"
    _write_all([(target, html)])
    return target
