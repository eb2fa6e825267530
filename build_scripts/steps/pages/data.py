"""The data page, data/ (templates/data.md.j2), and the changelog: the downloads of every
release and of the working data, their listing, the code examples, the dataset's JSON-LD, the
release history and every correction by release."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from markupsafe import Markup

from build_scripts.inputs.dataset import Dataset
from build_scripts.inputs.releases import Releases, version_key
from build_scripts.render.downloads import (
    CHECKSUMS_NAME,
    CITATION_NAME,
    README_NAME,
    XLSX_NAME,
    ZIP_NAME,
    folder_files,
    release_files,
)
from build_scripts.render.markup import absolute_url, url
from build_scripts.reproducible import sha256
from build_scripts.steps.pages.citations import citation, versioned_data_url
from build_scripts.steps.pages.feed import feed_file
from build_scripts.steps.pages.notes import correction_item
from build_scripts.steps.pages.words import long_date
from build_scripts.steps.pages.writer import Site, rel_link


def data_page(site: Site) -> None:
    data = site.data
    feed_file(site)
    listing = data_files(site)
    releases = site.releases
    resources = {r["path"]: r for r in data.descriptor["resources"]}
    years = sorted(r["year"] for r in data.reports.values())
    changelog = (site.paths.root / "CHANGELOG.md").read_text(encoding="utf-8")
    folder = download_folder(site)
    history = [dict(version=v, date=releases.date(v), names=releases.names(v), lacks=release_lacks(releases, v))
               for v in reversed(releases.versions)]
    site.page("data/index.md", "data.md.j2", listing=listing, resources=resources, releases=history,
              latest_release=releases.latest, folder=folder, corrections=corrections_by_release(data, "data/index.md"),
              jsonld=dataset_jsonld(site, listing, changelog), years=years,
              files=dict(zip=ZIP_NAME, xlsx=XLSX_NAME, sums=CHECKSUMS_NAME, readme=README_NAME,
                         cff=CITATION_NAME),
              base=site.homepage + url(folder), snippet_templates=SNIPPETS, site_url=str(site.homepage),
              citation=citation(data, site.homepage + "data/" if data.unreleased else versioned_data_url(data),
                                data.descriptor["title"]))
    # CHANGELOG.md is written by the project, like the templates, and is meant to be read as
    # Markdown; it is the one text that reaches a page unescaped.
    site.page("data/changelog/index.md", "changelog.md.j2", changelog=Markup(changelog.split("\n", 1)[1]))


MEDIA_TYPES = {".json": "application/json", ".csv": "text/csv", ".zip": "application/zip",
               ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
SNIPPETS = {"pandas": "snippets/pandas.py.j2", "frictionless": "snippets/frictionless.py.j2",
            "r": "snippets/frictionless.R.j2", "duckdb": "snippets/duckdb.sql.j2"}


def snippet(env: Any, name: str, base: str) -> str:
    """A code example of the data page, with the address of a release folder in it. The page and
    tests/test_clients.py both render it here, so the test runs exactly what the page prints."""
    return env.get_template(SNIPPETS[name]).render(base=Markup(base))


def data_files(site: Site) -> list[dict[str, Any]]:
    """Publish every release kept in releases/ at /data/v<version>/, byte for byte as released
    (each file checked against releases/SHA256SUMS as it is read), and the working data at
    /data/latest/: the newest release's files when the data are released, otherwise the files
    made from the working package (releases.py). Returns the listing of /data/latest/'s
    downloads for the data page."""
    releases = site.releases
    for version in releases.versions:
        for name in releases.names(version):
            site.write(f"data/v{version}/{name}", releases.read(version, name))
    if site.data.unreleased:
        made = site.release.result() if site.release is not None else release_files(
            site.data, site.paths, *release_arguments(site.data))
        files = folder_files(made)
    else:
        files = [(name, releases.read(releases.latest, name)) for name in releases.names(releases.latest)]
    for name, content in files:
        site.write(f"data/latest/{name}", content)
    return [dict(name=n, size=len(c), sha256=sha256(c), media_type=MEDIA_TYPES[Path(n).suffix])
            for n, c in files if Path(n).suffix in MEDIA_TYPES]


def changelog_dates(changelog: str) -> list[str]:
    """The release dates of CHANGELOG.md's `## <version> (YYYY-MM-DD)` headings, oldest first."""
    return sorted(re.findall(r"^## \S+ \((\d{4}-\d{2}-\d{2})\)$", changelog, re.M))


def dataset_jsonld(site: Site, listing: list[dict[str, Any]], changelog: str) -> dict[str, Any]:
    """schema.org Dataset for search engines, from the same metadata as datapackage.json."""
    data = site.data
    d = data.descriptor
    reports = sorted(data.reports.values(), key=lambda r: r["period_start"])
    folder = site.homepage + download_folder(site)
    organisation = {"@type": "Organization", "name": d["contributors"][0]["title"], "url": d["homepage"]}
    dates = changelog_dates(changelog)
    return {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": d["title"],
        "description": " ".join(d["description"].split()) + f" This version holds {data.holdings()}.",
        "url": site.homepage + "data/",
        "identifier": d["id"],
        "version": data.version,
        "keywords": d["keywords"],
        "license": d["licenses"][0]["path"],
        "isAccessibleForFree": True,
        "creator": organisation,
        "publisher": organisation,
        "datePublished": dates[0] if dates else d["created"][:10],
        "dateModified": d["created"][:10],
        "variableMeasured": [
            {"@type": "PropertyValue", "propertyID": m["measure_id"], "name": m["label"],
             "description": m["description"], "unitText": m["unit"]}
            for m in data.measures_in_order()],
        "isBasedOn": [
            {"@type": "Report", "name": r["source_title"], "alternateName": r["title_as_printed"],
             "publisher": {"@type": "Organization", "name": r["publisher"]},
             "temporalCoverage": f"{r['period_start']}/{r['period_end']}",
             **({"url": r["source_url"]} if r.get("source_url") else {})}
            for r in reports],
        "temporalCoverage": f"{reports[0]['period_start']}/{reports[-1]['period_end']}" if reports else "",
        "spatialCoverage": {"@type": "Place", "name": "England and Wales",
                            "containsPlace": [{"@type": "AdministrativeArea", "name": data.areas[a]["name"]}
                                              for a in sorted({r["area_id"] for r in reports})]},
        "distribution": [
            {"@type": "DataDownload", "name": f["name"], "encodingFormat": f["media_type"],
             "contentUrl": folder + f["name"], "contentSize": f"{f['size']} bytes", "sha256": f["sha256"]}
            for f in listing],
    }


def release_arguments(data: Dataset) -> tuple[str, str]:
    """The citation and the URL that the download files carry (in the zip's README)."""
    data_url = absolute_url(data.descriptor["homepage"].rstrip("/") + "/") + "data/"
    if not data.unreleased:
        data_url = versioned_data_url(data)
    return citation(data, data_url, data.descriptor["title"]), data_url


def download_folder(site: Site) -> str:
    """Where the data page sends a download: the release's own folder, or /data/latest/ for
    data not yet released."""
    return "data/latest/" if site.data.unreleased else f"data/v{site.data.version}/"


def release_lacks(releases: Releases, version: str) -> list[str]:
    """What a release lacks of what the data page describes, as keys the page words
    (data.md.j2): `sha256` (a checksum file beside each file), `xlsx` (the spreadsheet),
    `corrections` (corrections.csv), `quality_ids` (the column linking figures to their notes)."""
    names = releases.names(version)
    observations = next((r for r in releases.descriptor(version)["resources"] if r["name"] == "observations"), {})
    fields = [f["name"] for f in observations.get("schema", {}).get("fields", [])]
    return [key for key, held in (("sha256", any(name.endswith(".sha256") for name in names)),
                                  ("xlsx", XLSX_NAME in names), ("corrections", "corrections.csv" in names),
                                  ("quality_ids", "quality_ids" in fields)) if not held]


def corrections_by_release(data: Dataset, page_path: str) -> list[dict[str, Any]]:
    """Every correction, grouped by the release that made it, newest first, each linked to its
    report's page (a list, not a table: it reads the same on a phone as on a desk)."""
    releases: dict[str, dict[str, Any]] = {}
    for c in sorted(data.corrections, key=lambda c: version_key(c["corrected_in"]), reverse=True):
        release = releases.setdefault(c["corrected_in"], dict(version=c["corrected_in"],
                                                               date=long_date(c["corrected_on"]), items=[]))
        release["items"].append(correction_item(data, c, lambda target: url(rel_link(page_path, target))))
    return list(releases.values())
