"""What a curator does by hand, done by a test: fill in a blank report that `make new-report`
wrote, as if typing a made-up report whose totals add up and whose tables agree with each other
(the build's checks, totals.py and crosschecks.py), and complete the register row it printed."""
from __future__ import annotations

import csv
import io
from pathlib import Path

# A made-up report's parts, level by level and category by category. Levels 2 and 3 of the
# yearly table hold at least the snapshot's people and the returns to custody, so the rules
# across tables hold.
PARTS = {
    "eligible": {"1": [900, 400, 5], "2": [6, 3, 4], "3": [1, 1, 0]},
    "managed_l2_l3": {"2": [30, 35, 40], "3": [3, 4, 2]},
    "custody_breach_licence": {"2": [2, 3, 1], "3": [0, 1, 0]},
    "custody_breach_order": {"2": [1, 0, 0], "3": [0, 0, 0]},
}
SINGLES = {"breach_notification": 40, "notification_revoked": 5, "shpo": 60, "shpo_foreign_travel": 2,
           "notification_order": 1, "sro_breach_notification": 0, "rso_per_100k": 123.4}


def figure(measure: str, level: str, category: str) -> str:
    """The made-up report's figure for one cell, totals included."""
    if measure in SINGLES:
        return str(SINGLES[measure])
    table = PARTS[measure]
    levels = list(table) if level == "all" else [level]
    categories = [0, 1, 2] if category == "all" else [int(category) - 1]
    return str(sum(table[lv][c] for lv in levels for c in categories))


def fill_blank(path: Path) -> None:
    """Replace every placeholder of a blank report with printed-looking labels and figures."""
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    for row in rows:
        measure = row["measure_id"]
        row["table"] = f"Made-up table of {measure}"
        if row["row"].startswith("TODO"):
            row["row"] = f"Made-up row of {measure}"
        if row["column"].startswith("TODO"):
            row["column"] = row["column"].removeprefix("TODO: ") + ": made up"
        row["value"] = figure(measure, row["level"], row["category"])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def complete_register_row(printed_row: str) -> str:
    """The register row `make new-report` printed, with its placeholders completed."""
    cells = next(csv.reader([printed_row]))
    words = {"TODO: title as printed on the cover": "Annual Report (made up)",
             "TODO: population base as the report states it": "ONS mid-year estimate (made up)",
             "TODO: publisher as printed": "Made-up MAPPA Strategic Management Board",
             "TODO: a descriptive title for citing the report": "A made-up MAPPA annual report"}
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([words.get(c, c) for c in cells])
    return out.getvalue()


def retype(path: Path, measure: str, level: str, category: str, value: int) -> int:
    """Correct one figure of a report by hand, with the totals typed from it, as a curator does
    who finds a keying slip; returns the figure as it was."""
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    old = next(int(r["value"]) for r in rows if (r["measure_id"], r["level"], r["category"]) == (measure, level, category))
    touched = {(level, category), (level, "all"), ("all", category), ("all", "all")}
    for row in rows:
        if row["measure_id"] == measure and (row["level"], row["category"]) in touched:
            row["value"] = str(int(row["value"]) + value - old)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return old
