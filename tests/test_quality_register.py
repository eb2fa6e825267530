"""The register must list every total mismatch, and every entry must still match the data."""
import pytest
import yaml

from build_scripts.build import build_package
from build_scripts.errors import BuildError

REPORT = "curated/reports/staffordshire-2023-24.csv"


def break_total(paths):
    path = paths.root / REPORT
    path.write_text(path.read_text().replace("Level 1,Total,1740,", "Level 1,Total,1750,"), encoding="utf-8")


ENTRY = {
    "quality_id": "tiny-level-1-total", "report_id": "staffordshire-2023-24", "measure_id": "eligible",
    "kind": "total_mismatch", "location": "row Level 1", "printed": "Total 1750",
    "found": "The parts add up to 1740.", "handling": "Published as printed.",
    "check": {"level": "1", "category": "all", "over": "category", "printed_total": 1750, "sum_of_parts": 1740},
}


# Changing one printed total breaks its row and the grand total's column: two entries.
ENTRY_GRAND = dict(ENTRY, quality_id="tiny-grand-total", location="column Total",
                   check={"level": "all", "category": "all", "over": "level", "printed_total": 1741,
                          "sum_of_parts": 1751})


def write_register(paths, entries):
    (paths.metadata / "quality-register.yaml").write_text(yaml.safe_dump(entries), encoding="utf-8")


def build_problems(paths) -> list[str]:
    """Run the package step, which must fail, and return its problems as printed."""
    with pytest.raises(BuildError) as caught:
        build_package(paths)
    return [str(p) for p in caught.value.problems]


def test_listed_mismatch_is_published_as_printed(tiny_project):
    break_total(tiny_project)
    write_register(tiny_project, [ENTRY, ENTRY_GRAND])
    build_package(tiny_project)
    observations = (tiny_project.datapackage / "observations.csv").read_text()
    assert "staffordshire-2023-24,staffordshire,2023-24,eligible,1,all,1750,reported" in observations
    quality = (tiny_project.datapackage / "quality.csv").read_text().splitlines()
    assert quality[2].startswith("tiny-level-1-total,staffordshire-2023-24,eligible,total_mismatch,")


def test_unlisted_mismatch_fails(tiny_project):
    break_total(tiny_project)
    write_register(tiny_project, [ENTRY])
    assert build_problems(tiny_project) == [
        "curated/reports/staffordshire-2023-24.csv:10: column 'value': expected the sum of its levels (1751) or an "
        "entry in metadata/quality-register.yaml for eligible level all category all; found printed total 1741"]


def test_entry_that_no_longer_matches_fails(tiny_project):
    write_register(tiny_project, [ENTRY])  # the data add up, so the entry is stale
    assert build_problems(tiny_project) == [
        "metadata/quality-register.yaml:1: column 'check': expected a total mismatch that the data still shows; "
        "found the data no longer has this mismatch (remove or update the entry tiny-level-1-total)"]


def test_presence_check_that_no_longer_matches_fails(tiny_project):
    entry = dict(ENTRY, quality_id="tiny-label", kind="label_missing",
                 check={"present": {"observations": {"measure_id": "shpo", "source_column": "Total"}}})
    write_register(tiny_project, [entry])
    assert "expected observations rows of staffordshire-2023-24 where" in build_problems(tiny_project)[0]


def test_absence_check(tiny_project):
    entry = dict(ENTRY, quality_id="tiny-no-sopo", kind="other",
                 check={"absent": {"observations": {"measure_id": "sopo"}}})
    write_register(tiny_project, [entry])
    build_package(tiny_project)  # passes: the tiny report prints no SOPO table
    entry["check"] = {"absent": {"observations": {"measure_id": "shpo"}}}
    write_register(tiny_project, [entry])
    assert len(build_problems(tiny_project)) == 1
