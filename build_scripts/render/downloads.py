"""The files of one release, published under /data/latest/ and /data/v<version>/.

- the data package's own files (datapackage.json and the CSV files), as in datapackage/;
- the spreadsheet (spreadsheet.py);
- the zip, which is itself a data package: datapackage.json at its root, the CSV files, the
  spreadsheet, a README (templates/zip_readme.txt.j2), CITATION.cff and SHA256SUMS of its own files.

Checksums work however someone downloads: `<file>.sha256` beside each file checks that file
alone; SHA256SUMS in the folder lists only the files in that folder; SHA256SUMS in the zip
lists only the files in the zip.
"""
from __future__ import annotations

from build_scripts.inputs.dataset import Dataset
from build_scripts.paths import Paths
from build_scripts.render.citation import citation_cff
from build_scripts.render.markup import text_environment
from build_scripts.render.spreadsheet import build_spreadsheet
from build_scripts.reproducible import checksum_lines, deterministic_zip, source_date_epoch

ZIP_NAME = "mappa-statistics.zip"
XLSX_NAME = "mappa-statistics.xlsx"
README_NAME = "README.txt"
CITATION_NAME = "CITATION.cff"
CHECKSUMS_NAME = "SHA256SUMS"


def folder_files(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """A download folder as published: each file, a `<file>.sha256` beside it, and a SHA256SUMS
    of the files. The same layout for /data/latest/ and for every release made by make release."""
    listed = []
    for name, content in files:
        listed += [(name, content), (f"{name}.sha256", checksum_lines([(name, content)]).encode("utf-8"))]
    return listed + [(CHECKSUMS_NAME, checksum_lines(files).encode("utf-8"))]


def release_files(data: Dataset, paths: Paths, citation: str, data_url: str) -> list[tuple[str, bytes]]:
    """Entry point: every download of this release as (file name, bytes), in the order the data
    page lists them. The folder's SHA256SUMS and .sha256 files are made from these by the caller."""
    epoch = source_date_epoch(data.descriptor)
    names = ["datapackage.json"] + [r["path"] for r in data.descriptor["resources"]]
    package = [(n, (data.folder / n).read_bytes()) for n in names]
    spreadsheet = (XLSX_NAME, build_spreadsheet(data, citation, epoch))
    readme = text_environment(paths.templates).get_template("zip_readme.txt.j2").render(
        data=data, citation=citation, data_url=data_url, xlsx=XLSX_NAME, cff=CITATION_NAME,
        sums=CHECKSUMS_NAME)
    inside = package + [spreadsheet, (README_NAME, readme.encode("utf-8")),
                        (CITATION_NAME, citation_cff(data.descriptor).encode("utf-8"))]
    inside.append((CHECKSUMS_NAME, checksum_lines(inside).encode("utf-8")))
    return package + [spreadsheet, (ZIP_NAME, deterministic_zip(inside, epoch))]
