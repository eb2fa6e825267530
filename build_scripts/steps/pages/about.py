"""The About page, about/ (templates/about.md.j2): all its words are the template's."""
from __future__ import annotations

from build_scripts.steps.pages.writer import Site


def about_page(site: Site) -> None:
    site.page("about/index.md", "about.md.j2")
