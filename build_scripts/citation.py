"""The fields of every citation, from the package metadata: CITATION.cff (package step), and each
page's citation, BibTeX and RIS files (pages step) all take them from here."""
from __future__ import annotations

from typing import Any


def citation_fields(package: dict[str, Any], url: str, title: str, key: str = "") -> dict[str, str]:
    """`package` is metadata/package.yaml or the datapackage.json made from it."""
    return dict(key=key, publisher=package["contributors"][0]["title"], year=package["created"][:4],
                date=package["created"][:10], title=title, dataset=package["title"], version=package["version"],
                url=str(url))
