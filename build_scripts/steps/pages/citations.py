"""One citation form for every page, every table and row, the data page and CITATION.cff's
fields, and the stable key of a page's cite files."""
from __future__ import annotations

from build_scripts.inputs.dataset import Dataset
from build_scripts.render.citation import citation_fields
from build_scripts.render.markup import anchor


def citation(data: Dataset, url: str, title: str) -> str:
    """One citation form for every page, every table, the data page and CITATION.cff's fields."""
    c = citation_fields(data.descriptor, url, title)
    within = "" if title == c["dataset"] else f" In: {c['dataset']}."
    # A released version's files never change: the citation names them, at their own address.
    files = "" if data.unreleased or url == versioned_data_url(data) else f" ({versioned_data_url(data)})"
    return f"{c['publisher']} ({c['year']}). {title}.{within} Dataset version {c['version']}{files}. {c['url']}"


def notes_cited(numbers: list[int], page_url: str, measure_id: str) -> str:
    """What a citation of a table or a row adds for the data-quality notes about its figures, so
    that the caveat goes wherever the citation goes: " Read with data-quality note 1: <its address>"."""
    return "".join(f" Read with data-quality note {n}: {page_url}#{anchor(f'{measure_id}-note-{n}')}" for n in numbers)


def versioned_data_url(data: Dataset) -> str:
    """Where a released version's files are, for ever: <homepage>data/v<version>/."""
    return f"{data.descriptor['homepage']}data/v{data.version}/"


def citation_key(rel_path: str) -> str:
    """A stable key for a page: areas/west-midlands/2021-22/index.md -> mappa-west-midlands-2021-22."""
    parts = [p for p in rel_path.removesuffix("index.md").split("/") if p and p != "areas"]
    return "-".join(["mappa"] + parts) if parts else "mappa-statistics"
