"""Read the published data package (never the curated inputs) for the charts and pages."""
from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from build_scripts.inputs.releases import UNRELEASED


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass
class Dataset:
    descriptor: dict[str, Any]
    observations: list[dict[str, str]]
    measures: dict[str, dict[str, str]]
    areas: dict[str, dict[str, str]]
    reports: dict[str, dict[str, str]]
    glossary: dict[str, dict[str, str]]
    quality: list[dict[str, str]]
    folder: Path
    corrections: list[dict[str, str]] = field(default_factory=list)
    by_report: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.descriptor["version"]

    @property
    def unreleased(self) -> bool:
        """The working data differ from every release (releases.py)."""
        return self.version.endswith(UNRELEASED)

    def report_ids_for_area(self, area_id: str) -> list[dict[str, str]]:
        """The area's reports, oldest first."""
        return self._by_area.get(area_id, [])

    def cells(self, report_id: str, measure_id: str) -> list[dict[str, str]]:
        return self._by_measure.get((report_id, measure_id), [])

    def cell(self, report_id: str, measure_id: str, level: str = "all", category: str = "all") -> dict[str, str] | None:
        return self._by_cell.get((report_id, measure_id, level, category))

    def index(self) -> None:
        """Lookups built once, so pages for 1,000+ reports take linear time."""
        self._by_area: dict[str, list[dict[str, str]]] = defaultdict(list)
        for report in sorted(self.reports.values(), key=lambda r: (r["year"], r["report_id"])):
            self._by_area[report["area_id"]].append(report)
        self._by_measure: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
        self._by_cell = {}
        for obs in self.observations:
            self._by_measure[(obs["report_id"], obs["measure_id"])].append(obs)
            self._by_cell[(obs["report_id"], obs["measure_id"], obs["level"], obs["category"])] = obs

    def measures_in_order(self) -> list[dict[str, str]]:
        return sorted(self.measures.values(), key=lambda m: int(m["sort_order"]))

    def holdings(self) -> str:
        """What this version holds, e.g. "5 reports from 5 of the 42 MAPPA areas of England and
        Wales, for years from 2014-15 to 2023-24" (for descriptions that must not read as if
        every area were covered)."""
        years = sorted({r["year"] for r in self.reports.values()})
        held = {r["area_id"] for r in self.reports.values()}
        if not years:
            return f"no reports yet from the {len(self.areas)} MAPPA areas of England and Wales"
        span = years[0] if len(years) == 1 else f"years from {years[0]} to {years[-1]}"
        return (f"{len(self.reports)} report{'s' if len(self.reports) != 1 else ''} from {len(held)} of the "
                f"{len(self.areas)} MAPPA areas of England and Wales, for {span}")

    def latest_by_area(self, measure_id: str) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
        """For each area, its latest report that printed a number for this measure's total."""
        latest = {}
        for report in sorted(self.reports.values(), key=lambda r: r["year"]):
            obs = self.cell(report["report_id"], measure_id)
            if obs is not None and obs["status"] == "reported":
                latest[report["area_id"]] = (report, obs)
        return latest

    def quality_for(self, report_id: str) -> list[dict[str, str]]:
        return [q for q in self.quality if q["report_id"] == report_id]

    def corrections_for(self, report_id: str) -> list[dict[str, str]]:
        """The report's corrected figures, each correction in the order released."""
        return [c for c in self.corrections if c["report_id"] == report_id]


def read_dataset(folder: Path) -> Dataset:
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    return dataset_from(descriptor, {r["name"]: (folder / r["path"]).read_bytes() for r in descriptor["resources"]},
                        folder)


def dataset_from(descriptor: dict[str, Any], contents: dict[str, bytes], folder: Path) -> Dataset:
    """The dataset from a descriptor and its CSV files' bytes (by resource name), read exactly
    as from files, so a preview built from memory equals a build read from datapackage/."""
    def rows(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(contents[name].decode("utf-8"), newline="")))

    observations = rows("observations")
    data = Dataset(
        descriptor=descriptor,
        observations=observations,
        measures={m["measure_id"]: m for m in rows("measures")},
        areas={a["area_id"]: a for a in rows("areas")},
        reports={r["report_id"]: r for r in rows("reports")},
        glossary={g["term_id"]: g for g in rows("glossary")},
        quality=rows("quality"),
        folder=folder,
        corrections=rows("corrections") if "corrections" in contents else [],
    )
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for obs in observations:
        grouped[obs["report_id"]].append(obs)
    data.by_report = dict(grouped)
    data.index()
    return data


# Formatting shared by charts and pages, so a figure reads the same everywhere.

def number(value: str | Decimal | int) -> str:
    """1750 -> '1,750'; 12.5 -> '12.5'."""
    d = Decimal(str(value))
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d:,}"


def percent(part: str | Decimal, whole: str | Decimal) -> str:
    whole_d = Decimal(str(whole))
    if whole_d == 0:
        return "0%"
    share = Decimal(str(part)) * 100 / whole_d
    return f"{share:.1f}%".replace(".0%", "%")


def level_label(level: str) -> str:
    return "All levels" if level == "all" else f"Level {level}"


def category_label(category: str) -> str:
    return "All categories" if category == "all" else f"Category {category}"

