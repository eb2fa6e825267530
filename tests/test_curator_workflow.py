"""The sixth report, added as a curator adds it, on a copy of the project as a fresh clone has it.

With the guide's own commands (curated/README.md): `make new-report`, the blank filled in,
`make site`, `make release VERSION=<next minor>`; then one of its figures corrected and
`make release VERSION=<next patch> REASON=…`. At every step, no byte of an earlier release changes,
in releases/ or on the site. Then the real-data checks (`pytest -m real_data`, tests/conftest.py)
run on the copy, unedited: no test may depend on today's reports, rows, version or date.
"""
from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from curator import complete_register_row, fill_blank, retype

from build_scripts.curator.release import compare, next_versions
from build_scripts.inputs.releases import read_releases
from build_scripts.paths import Paths

# Whole builds and releases of a copy of the project, then the real-data tests on it.
pytestmark = pytest.mark.slow

# Outside a git checkout (a copy of the project), everything but what git ignores at the top.
NOT_THE_PROJECT = {".git", ".venv", "node_modules", ".cache", ".pytest_cache", "site", "keying", ".bench"}


def clone(target: Path) -> Path:
    """The project's files as git has them (committed or new, not ignored), with its virtualenv."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True)
    names = listed.stdout.decode().split("\0") if listed.returncode == 0 else [
        p.relative_to(REPO).as_posix() for p in REPO.rglob("*")
        if p.relative_to(REPO).parts[0] not in NOT_THE_PROJECT and "__pycache__" not in p.parts]
    for name in filter(None, names):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)  # times kept: make sees the virtualenv as up to date
    for installed in (".venv", "node_modules"):  # what make test installed: Python, and the HTML checkers
        if (REPO / installed).exists():
            (target / installed).symlink_to(REPO / installed)
    return target


def make(root: Path, *args: str) -> str:
    result = subprocess.run(["make", "--no-print-directory", *args], cwd=root, capture_output=True, text=True,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert result.returncode == 0, f"make {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def published_releases(root: Path) -> dict[str, str]:
    """Every file of every release, in releases/ and as the site publishes it, and each line of
    the manifest (which only grows)."""
    found = {f"releases/{k}": v for k, v in digests(root / "releases").items() if k != "SHA256SUMS"}
    lines = (root / "releases" / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    found.update({f"releases/SHA256SUMS:{n}": line for n, line in enumerate(lines, start=1)})
    data = root / "site" / "data"
    for folder in sorted(data.glob("v*")) if data.exists() else []:
        found.update({f"site/data/{folder.name}/{k}": v for k, v in digests(folder).items()})
    return found


def unchanged(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Files of `before` that are gone or differ in `after` (new files are allowed)."""
    return sorted(k for k, v in before.items() if after.get(k) != v)


def feed_entry(root: Path, version: str):
    """The feed's entry for a release, as a feed reader reads the built site's /feed.xml."""
    import feedparser

    parsed = feedparser.parse((root / "site" / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    found = [e for e in parsed.entries if e.id.endswith(f"/data/v{version}/")]
    assert len(found) == 1, [e.id for e in parsed.entries]
    return found[0]


def free_area_and_year(root: Path) -> tuple[str, str]:
    held = {(r["area_id"], r["year"]) for r in csv.DictReader((root / "curated/reports.csv").open(encoding="utf-8"))}
    areas = [a["area_id"] for a in csv.DictReader((root / "metadata/areas.csv").open(encoding="utf-8"))]
    for start in range(2024, 2100):
        year = f"{start}-{(start + 1) % 100:02d}"
        for area in areas:
            if (area, year) not in held:
                return area, year
    raise AssertionError("no free area and year")


def test_a_made_up_report_is_added_released_and_corrected_with_the_guides_commands(tmp_path):
    root = clone(tmp_path / "project")
    releases = read_releases(Paths(root=root))
    latest = releases.latest
    make(root, "site")
    before = published_releases(root)
    # A new report needs the next minor version, unless the working data already hold a change not
    # yet released that needs a major one (a new column).
    working = {p.name: p.read_bytes() for p in (root / "datapackage").iterdir()}
    pending = compare(releases.package_files(latest), working).level
    minor = next_versions(latest)["major" if pending == "major" else "minor"]

    # 2. The blank file, and the register row the command prints.
    area, year = free_area_and_year(root)
    out = make(root, "new-report", f"AREA={area}", f"YEAR={year}")
    printed_row = out.strip().splitlines()[-1]
    assert printed_row.startswith(f"{area}-{year},{area},{year},TODO")
    # 3, 6. Filled in as printed, the row completed.
    report = root / "curated" / "reports" / f"{area}-{year}.csv"
    fill_blank(report)
    with (root / "curated/reports.csv").open("a", encoding="utf-8") as handle:
        handle.write(complete_register_row(printed_row))
    # 7. Built: not yet released, and no release touched.
    assert "Not yet released" in make(root, "site")
    assert unchanged(before, published_releases(root)) == []
    # 9. Released as the next minor version.
    make(root, "release", f"VERSION={minor}", "DATE=2099-01-01")
    after_minor = published_releases(root)
    assert unchanged(before, after_minor) == []
    assert f"releases/v{minor}/observations.csv" in after_minor
    assert f"{area}-{year}" in (root / "releases" / f"v{minor}" / "observations.csv").read_text(encoding="utf-8")
    # The released report's citation files give the release's own files, at their address for ever.
    for name in ("cite.bib", "cite.ris"):
        cite = (root / "docs" / "areas" / area / year / name).read_text(encoding="utf-8")
        assert f"Dataset files: https://mappa-open-data.github.io/mappa-statistics/data/v{minor}/." in cite, name
    entry = feed_entry(root, minor)
    assert entry.title == f"Release {minor}: 1 report added"
    assert f"/areas/{area}/{year}/" in entry.summary

    # A keying slip found later: corrected and released as the next patch.
    patch = next_versions(minor)["patch"]
    old = retype(report, "eligible", "1", "1", 901)
    make(root, "site")
    assert unchanged(after_minor, published_releases(root)) == []
    make(root, "release", f"VERSION={patch}", "REASON=Typed 900 for the 901 the report prints.", "DATE=2099-01-02")
    assert unchanged(after_minor, published_releases(root)) == []
    corrections = list(csv.DictReader((root / "releases" / f"v{patch}" / "corrections.csv").open(encoding="utf-8")))
    assert {(c["report_id"], c["level"], c["category"], c["released_value"], c["corrected_value"], c["released_in"],
             c["corrected_in"], c["reason"]) for c in corrections if c["corrected_in"] == patch} >= {
        (f"{area}-{year}", "1", "1", str(old), "901", minor, patch, "Typed 900 for the 901 the report prints.")}
    page = (root / "docs" / "areas" / area / year / "index.md").read_text(encoding="utf-8")
    assert f'901<br><span class="figure-note">corrected in v{patch}: was {old}</span>' in page
    # The feed gains one entry, listing the correction with its old and new value and the reason;
    # the earlier entries keep their ids; the home page says what is new.
    entry = feed_entry(root, patch)
    fixed = sum(c["corrected_in"] == patch for c in corrections)  # the figure and the totals typed from it
    assert entry.title == f"Release {patch}: {fixed} figure{'s' if fixed != 1 else ''} corrected"
    assert f"was {old:,}, now 901" in entry.summary and "Typed 900 for the 901 the report prints." in entry.summary
    assert feed_entry(root, minor).id.endswith(f"/data/v{minor}/")
    # The chart's embed page, wherever it is embedded, says the figure was corrected, with the old value.
    embed = (root / "docs" / "areas" / area / year / "embed" / "eligible" / "index.html").read_text(encoding="utf-8")
    assert f"orrected in version {patch}" in embed and f"was {old:,}, now 901" in embed
    assert f"Data package version {patch}" in embed
    home = (root / "docs" / "index.md").read_text(encoding="utf-8")
    assert f"**Release {patch}**" in home and f"was {old:,}, now 901" in home

    # The real-data checks, on the copy, with no test edited.
    result = subprocess.run([sys.executable, "-m", "pytest", "-m", "real_data", "-q", "-p", "no:cacheprovider",
                             "-x"], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_a_report_drafted_from_its_pdf_is_settled_and_built_with_the_guides_commands(tmp_path):
    """make draft-report from a made-up report's PDF (tests/fixtures/draft), the register row it
    prints completed, make site: the report's page shows the drafted figures."""
    root = clone(tmp_path / "project")
    pdf = root / "tests" / "fixtures" / "draft" / "reportlab-ruled.pdf"
    out = make(root, "draft-report", f"FROM={pdf}")
    assert "Drafted curated/reports/kent-2023-24.csv" in out and "0 left TODO" in out
    printed_row = out.split("Add this row to curated/reports.csv and replace its TODOs (step 6):\n", 1)[1]
    printed_row = printed_row.splitlines()[0].strip()
    assert printed_row.startswith("kent-2023-24,kent,2023-24,Annual Report 2023-24,")
    with (root / "curated/reports.csv").open("a", encoding="utf-8") as handle:
        handle.write(complete_register_row(printed_row))
    assert "Not yet released" in make(root, "site")
    page = (root / "docs" / "areas" / "kent" / "2023-24" / "index.md").read_text(encoding="utf-8")
    assert "2,134" in page  # a figure printed with its thousands separator, drafted as printed
    assert (root / "keying" / "kent-2023-24.review.html").is_file()
