"""Incremental builds (memo.py) give exactly what a build from nothing gives.

make site remembers each page unit (a page with its CSV, citation and card files) by the hash
of what it is made from, and make preview updates docs/ in place. For each kind of change a
curator makes, the docs/ written with the memo must equal, byte for byte, docs/ written with
an empty page cache; and a change to one report must re-render only its area's units."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from conftest import copy_project

from build_scripts.build import build_docs, build_package

# Whole builds of copies of the project, with and without the caches.
pytestmark = pytest.mark.slow


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def build_docs_cold(paths) -> dict[str, bytes]:
    """docs/ from an empty page cache (the chart and card caches are keyed by their inputs)."""
    shutil.rmtree(paths.cache / "pages", ignore_errors=True)
    build_package(paths)
    build_docs(paths)
    return tree(paths.docs)


def edit_csv(path: Path, match: dict[str, str], column: str, value: str) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    hits = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert hits, f"no row {match} in {path}"
    for row in hits:
        row[column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# Made-up years, far from any report a curator will add, so the real data can grow freely.
SECOND_YEAR, THIRD_YEAR = 2090, 2091


def add_cheshire_year(root: Path, start: int) -> None:
    """A copy of Cheshire's report for another year, so the area has pages for several years."""
    year = f"{start}-{(start + 1) % 100:02d}"
    reports = root / "curated/reports"
    shutil.copyfile(reports / "cheshire-2014-15.csv", reports / f"cheshire-{year}.csv")
    with (root / "curated/reports.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow([
            f"cheshire-{year}", "cheshire", year, f"Annual Report {start}/{start + 1}", f"{start}-04-01",
            f"{start + 1}-03-31", f"{start + 1}-03-31", f"ONS mid-{start} population estimates",
            f"{start + 1}-06-23", "Cheshire MAPPA Strategic Management Board",
            f"Cheshire Multi-Agency Public Protection Arrangements Annual Report {start}/{start + 1}", "", ""])


def add_second_year(root: Path) -> None:
    add_cheshire_year(root, SECOND_YEAR)


def change_single_figure(root: Path) -> None:
    edit_csv(root / "curated/reports/norfolk-2018-19.csv", {"measure_id": "notification_order"}, "value", "7")


def change_register_field(root: Path) -> None:
    edit_csv(root / "curated/reports.csv", {"report_id": "cheshire-2014-15"}, "source_title", "A retitled source")


def change_area_name(root: Path) -> None:
    edit_csv(root / "metadata/areas.csv", {"area_id": "staffordshire"}, "name", "Staffordshire and Stoke")


def change_glossary(root: Path) -> None:
    path = root / "metadata/glossary.yaml"
    text = path.read_text(encoding="utf-8")
    assert "Sexual Harm Prevention Order" in text
    path.write_text(text.replace("Sexual Harm Prevention Order", "Sexual Harm Prevention Order (SHPO)", 1),
                    encoding="utf-8")


def change_figure_of_another_year(root: Path) -> None:
    edit_csv(root / "curated/reports/cheshire-2090-91.csv", {"measure_id": "notification_order"}, "value", "12")


def add_a_year(root: Path) -> None:
    """Every year page of the area links to the new year."""
    add_cheshire_year(root, THIRD_YEAR)


def change_template(root: Path) -> None:
    path = root / "templates/report.md.j2"
    text = path.read_text(encoding="utf-8")
    assert "Download this data" in text
    path.write_text(text.replace("Download this data", "Download these figures"), encoding="utf-8")


def change_measure_words(root: Path) -> None:
    """A headline sentence (year pages) and a new key figure (area pages and the home page),
    in metadata/headlines.yaml: words the package does not hold."""
    path = root / "metadata/headlines.yaml"
    text = path.read_text(encoding="utf-8")
    many = "  many: Between {start} and {end}, courts made {n} Sexual Harm Prevention Orders in {area}.\n"
    assert many in text
    path.write_text(text.replace(many, many.replace("in {area}.", "in {area}, as printed.") +
                                 "  key_figure: Sexual Harm Prevention Orders made\n"), encoding="utf-8")


CHANGES = [change_single_figure, change_figure_of_another_year, change_register_field, change_area_name,
           change_glossary, add_a_year, change_template, change_measure_words]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    paths = copy_project(tmp_path_factory.mktemp("incremental") / "project")
    add_second_year(paths.root)
    build_package(paths)
    build_docs(paths)
    return paths


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: c.__name__)
def test_a_rebuild_with_the_memo_equals_one_without(project, change):
    change(project.root)
    build_package(project)
    build_docs(project)
    with_memo = tree(project.docs)
    assert with_memo == build_docs_cold(project)


def test_a_changed_figure_re_renders_only_its_year_and_area_pages(tmp_path):
    from build_scripts.cache.memo import DiskMemo, environment_digest
    from build_scripts.inputs.dataset import read_dataset
    from build_scripts.steps.charts import build_charts
    from build_scripts.steps.pages import build_pages

    paths = copy_project(tmp_path / "project")
    add_second_year(paths.root)
    build_package(paths)
    build_docs(paths)
    edit_csv(paths.root / "curated/reports/cheshire-2090-91.csv", {"measure_id": "notification_order"}, "value", "9")
    build_package(paths)
    data = read_dataset(paths.datapackage)
    out = tmp_path / "out"
    memo = DiskMemo(out, paths.cache / "pages", environment_digest(paths.templates))
    jobs, _ = build_charts(data, out, paths.cache / "charts")
    build_pages(data, jobs, out, paths, memo)
    units = {name for name in memo.seen}
    # Not the area's other year: a year's page shows only its own report's figures.
    assert "report:cheshire-2014-15" in units
    assert units - set(memo.recalled) == {"area:cheshire", "report:cheshire-2090-91"}
    assert len(memo.recalled) == len(units) - 2


def built_then_edited_in_place(tmp_path: Path, rel_path: str, prepare=lambda root: None) -> tuple[object, bytes]:
    """A built project (after `prepare(root)`) whose docs/ file at rel_path was overwritten in place
    (the same inode as its cached blob, as an editor saving over a hard link does). Returns the
    paths and the bytes the build had written."""
    paths = copy_project(tmp_path / "project")
    prepare(paths.root)
    build_package(paths)
    build_docs(paths)
    target = paths.docs / rel_path
    expected = target.read_bytes()
    with target.open("r+b") as handle:
        handle.write(b"EDITED BY HAND")
    return paths, expected


def test_a_cached_file_edited_in_place_is_not_trusted(tmp_path):
    """docs/ files are hard links into the page cache: an edit made in place there must not
    reach the next build."""
    paths, expected = built_then_edited_in_place(tmp_path, "areas/norfolk/2018-19/index.md")
    build_docs(paths)
    assert (paths.docs / "areas/norfolk/2018-19/index.md").read_bytes() == expected


def test_a_blob_edited_in_place_is_replaced_when_its_unit_is_rendered_again(tmp_path):
    """An edited blob must not be reused by a unit that renders the same bytes again (it would
    then be recorded as checked, and trusted from then on)."""
    # The data are made unreleased first, so the figure's change below keeps the version (which
    # the citation gives) whether or not the real data are a release.
    paths, expected = built_then_edited_in_place(tmp_path, "areas/norfolk/2018-19/cite.bib", change_register_field)
    # The figure changes, so the year's unit is rendered again; its citation's bytes do not.
    change_single_figure(paths.root)
    build_package(paths)
    build_docs(paths)
    assert (paths.docs / "areas/norfolk/2018-19/cite.bib").read_bytes() == expected
    build_docs(paths)  # and from the cache
    assert (paths.docs / "areas/norfolk/2018-19/cite.bib").read_bytes() == expected
