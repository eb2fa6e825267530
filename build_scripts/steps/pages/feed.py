"""The feed, /feed.xml (render/feed.py): an Atom entry for every release; and the release record
in words, which the home page's news shows too."""
from __future__ import annotations

from typing import Any

from build_scripts.render import feed
from build_scripts.render.feed import FEED_PATH
from build_scripts.render.markup import url
from build_scripts.steps.pages.notes import correction_item
from build_scripts.steps.pages.writer import Site, rel_link


def feed_file(site: Site) -> None:
    """/feed.xml: an Atom entry for every release, from the same record as the home page's news."""
    d = site.data.descriptor
    template = site.env.get_template("feed_entry.html.j2")
    record = releases_in_words(site, FEED_PATH, absolute=True)
    site.write(FEED_PATH, feed.atom_feed(record, str(site.homepage), f"{d['title']}: releases and corrections",
                                         d["contributors"][0]["title"],
                                         lambda release: template.render(release=release).strip()))


def releases_in_words(site: Site, page_path: str, absolute: bool = False) -> list[dict[str, Any]]:
    """The release record (render/feed.py), newest first, each report and correction with a link
    (relative to page_path, or absolute for the feed) and the words a reader sees."""
    data = site.data
    to = (lambda target: str(site.homepage + url(target.removesuffix("index.md")))) if absolute else \
        (lambda target: url(rel_link(page_path, target)))  # a Markdown link: MkDocs checks and rewrites it
    record = feed.release_record(site.releases, data.corrections, data.reports, data.areas)
    for release in record:
        release["folder"] = str(site.homepage + f"data/v{release['version']}/")
        for report in release["added"]:
            report["href"] = to(f"areas/{report['area_id']}/{report['year']}/index.md") if report["held"] else None
        release["corrections"] = [correction_item(data, c, to) for c in release["corrections"]]
    return record
