"""The writer of the pages step: Site collects the pages and files of one build in a staging
folder (units remembered by the memo, pages rendered from templates with their front matter and
cite files, link-preview cards, charts placed), and rel_link and rel_href make the links between
its pages."""
from __future__ import annotations

import functools
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import yaml

from build_scripts.cache.keys import digest
from build_scripts.cache.memo import NoMemo, Recording
from build_scripts.checks.crosschecks import Rule
from build_scripts.inputs.dataset import Dataset, number
from build_scripts.inputs.metadata import measure_layout, measure_words, tile_map_measure
from build_scripts.inputs.urls import read_manifest
from build_scripts.inputs.releases import read_releases
from build_scripts.paths import Paths
from build_scripts.render import cards
from build_scripts.render.citation import citation_fields
from build_scripts.render.images import WIDE_FROM_EM, svg_size
from build_scripts.render.markup import (
    absolute_url,
    bibtex_text,
    citation_environment,
    describe,
    environment,
    front_matter,
    ris_text,
    url,
)
from build_scripts.steps.pages.citations import citation, citation_key, versioned_data_url
from build_scripts.steps.pages.words import constraint_parts, human_bytes, long_date, sentence

if TYPE_CHECKING:  # the charts step's output, which the pages place: no code is borrowed from it
    from build_scripts.steps.charts import ChartJob
    from build_scripts.steps.pages.notes import QualityNotes


@functools.lru_cache(maxsize=None)
def rel_link(from_page: str, to_page: str) -> str:
    """Relative link between two docs/ paths (MkDocs checks these in strict mode).
    Plain string work: os.path.relpath was a third of the pages step at 1,000+ reports."""
    source = from_page.split("/")[:-1]
    target = to_page.split("/")
    common = 0
    while common < len(source) and common < len(target) - 1 and source[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(source) - common) + target[common:])


def rel_href(from_page: str, to_page: str) -> str:
    """The URL of a page as a browser follows it from another page. Links in HTML blocks are
    not rewritten by MkDocs, so they point at the folder, not at its index.md."""
    return rel_link(from_page, to_page).removesuffix("index.md") or "./"


# One Jinja environment per templates folder for the life of the process, so a long-running
# preview compiles each template once (Jinja reloads a template whose file changed).
_environment = functools.lru_cache(maxsize=8)(environment)
_citation_environment = functools.lru_cache(maxsize=8)(citation_environment)


class Site:
    """Collects the pages and files of one build in a staging folder."""

    def __init__(self, data: Dataset, charts: dict[str, ChartJob], out: Path, paths: Paths,
                 memo: NoMemo | None, notes: QualityNotes, rules: tuple[Rule, ...]):
        self.data = data
        self.charts = charts
        self.notes = notes
        self.rules = rules  # the rules across tables (metadata/crosscheck-rules.csv)
        self.out = out
        self.paths = paths
        self.env = _environment(paths.templates, number=number, long_date=long_date, human_bytes=human_bytes,
                               sentence=sentence, constraint_parts=constraint_parts)
        self.urls: list[str] = []
        self.homepage = absolute_url(data.descriptor["homepage"].rstrip("/") + "/")
        self._site_card: dict[str, str] | None = None
        self.cards = cards.CardWriter(paths.cache / "cards")
        self.bibtex_env = _citation_environment(paths.templates, bibtex_text)
        self.ris_env = _citation_environment(paths.templates, ris_text)
        self.memo = memo if memo is not None else NoMemo(out)
        self.units: set[str] = set()
        self.release: Future | None = None  # the working data's download files, being made in a thread
        self.releases = read_releases(paths)
        # Every URL published so far: an embed page stays at its URL after its chart is no longer drawn.
        self.published = set(read_manifest(paths.url_manifest))
        self._recording: Recording | None = None
        # What the pages say about each measure, and the measures of the tables of key figures and
        # of the tile map (metadata/headlines.yaml and measure-layout.csv, checked by load).
        self.words = measure_words(paths)
        self.key_measures = [m["measure_id"] for m in data.measures_in_order()
                             if self.words[m["measure_id"]]["key_figure"]]
        self.map_measure = tile_map_measure(measure_layout(paths))
        # The site's name as every page's <title> gives it (mkdocs.yml), for the pages written
        # outside MkDocs' theme (the embed pages).
        self.site_name = str(yaml.safe_load((paths.root / "mkdocs.yml").read_text(encoding="utf-8"))["site_name"])
        d = data.descriptor
        # What every page may show besides its own unit's data: the package's metadata (not the
        # sizes and hashes of its files, which change with any figure), the reference tables and
        # the words about each measure.
        self.base_digest = digest(
            {k: v for k, v in d.items() if k != "resources"},
            [{k: v for k, v in r.items() if k not in ("bytes", "hash")} for r in d["resources"]],
            data.measures, data.areas, data.glossary, data.quality, self.words, self.map_measure, self.site_name)

    # -- writing ---------------------------------------------------------------
    def write(self, rel_path: str, content: str | bytes, listed: bool | None = None) -> None:
        """Write a file of the build. `listed`: whether its URL goes in the URL manifest (pages
        and downloads do; images, which belong to their page, do not)."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        sha = self.memo.write(rel_path, data)
        listed = not rel_path.endswith(".md") or rel_path.endswith("index.md") if listed is None else listed
        if self._recording is not None:
            self._recording.files.append([rel_path, sha, listed])
        if listed:
            self._list(rel_path)

    def _list(self, rel_path: str) -> None:
        self.urls.append("/" + rel_path.removesuffix("index.md").removesuffix("index.html"))

    def unit(self, name: str, unit_digest: str | None, render: Callable[[], None]) -> None:
        """Render a unit (a page with its CSV, citation and card files), or, when nothing it is
        made from has changed since it was last rendered, take its files from the memo (memo.py).
        A unit_digest of None: always render (pages that draw on the whole dataset)."""
        self.units.add(name)
        key = self.memo.key(name, digest(self.base_digest, unit_digest)) if unit_digest is not None else None
        recording = self.memo.recall(key, name) if key is not None else None
        if recording is not None:
            for rel_path, _, listed in recording.files:
                if listed:
                    self._list(rel_path)
            for card_key, svg_rel, png_rel in recording.cards:
                self.cards.add(card_key, self.out / svg_rel, png_rel)
            return
        self._recording = Recording()
        try:
            render()
            recording = self._recording
        finally:
            self._recording = None
        self.memo.remember(key, name, recording)

    def card(self, folder: str, stem: str, kicker: str, heading: str, subheading: str, figure: str, words: str,
             source: str) -> dict[str, str]:
        """Draw a link-preview card (cards.py) as <folder><stem>.svg and .png; returns its path and
        the text alternative (og:image:alt)."""
        values = cards.layout(kicker, heading, subheading, figure, words, source)
        key, svg = cards.prepare(self.env.get_template("card.svg.j2").render(card=values))
        svg_rel, png = f"{folder}{stem}.svg", f"{folder}{stem}.png"
        self.write(svg_rel, svg, listed=False)
        self.cards.add(key, self.out / svg_rel, png)
        if self._recording is not None:
            self._recording.cards.append([key, svg_rel, png])
        headline = " ".join(part for part in (figure, words) if part)
        return dict(path=png, alt=f"{heading}. {subheading}. {headline}. {source}. {cards.LICENCE}.")

    def site_card(self) -> dict[str, str]:
        """The card of every page other than an area-year page, drawn once."""
        if self._site_card is None:
            d = self.data.descriptor
            self._site_card = self.card(
                "", "card", "MAPPA statistics", "England and Wales",
                self.data.holdings()[0].upper() + self.data.holdings()[1:], "",
                "Figures from the MAPPA annual reports, as printed, explained in plain English",
                f"Source: the MAPPA annual reports of the areas, as published by {d['contributors'][0]['title']}")
        return self._site_card

    def page(self, rel_path: str, template: str, card: dict[str, str] | None = None, **context: Any) -> None:
        """Render a page template. The template sets `title` and `description` (plain text) and
        may set `search_boost` (its rank in the site search) and `search_tags` (words that find it first); they become
        the YAML front matter, with the link-preview values
        (og_*, read by theme/main.html) and the card, the site's unless one is given."""
        permanent_url = self.homepage + url(rel_path[: -len("index.md")])
        common = dict(
            data=self.data, page_path=rel_path, version=self.data.version, permanent_url=permanent_url,
            link=lambda to: url(rel_link(rel_path, to)), href=lambda to: url(rel_href(rel_path, to)),
            citation=lambda title: citation(self.data, permanent_url, title),
        )
        common.update(context)
        module = self.env.get_template(template).make_module(common)
        if getattr(module, "cite_title", ""):
            # The cite box's downloads, beside the page, from the same fields as its citation.
            fields = citation_fields(self.data.descriptor, permanent_url, module.cite_title, citation_key(rel_path))
            # A released version's files, at their own address for ever (none for unreleased data).
            fields["files"] = "" if self.data.unreleased else versioned_data_url(self.data)
            folder = rel_path[: -len("index.md")]
            for name, env in (("cite.bib", self.bibtex_env), ("cite.ris", self.ris_env)):
                self.write(folder + name, env.get_template(name + ".j2").render(c=fields))
        meta: dict[str, Any] = {"title": module.title, "description": describe(module.description)}
        if getattr(module, "search_boost", None):
            meta["search"] = {"boost": module.search_boost}
        if getattr(module, "search_tags", None):
            meta["tags"] = list(module.search_tags)
        card = card or self.site_card()
        meta.update(og_title=module.title, og_description=meta["description"], og_url=str(permanent_url),
                    og_type="website" if rel_path == "index.md" else "article",
                    og_image=str(self.homepage + url(card["path"])), og_image_width=cards.WIDTH,
                    og_image_height=cards.HEIGHT, og_image_alt=card["alt"], twitter_card="summary_large_image")
        self.write(rel_path, front_matter(meta) + str(module))

    def chart(self, chart_id: str, from_page: str, lazy: bool = True) -> dict[str, Any] | None:
        """What a page needs to place a chart: its image, size, title and text alternative."""
        job = self.charts.get(chart_id)
        if job is None:
            return None
        width, height = svg_size(self.out / job.path)
        wide_width, wide_height = svg_size(self.out / job.wide_path)
        downloads = [dict(format=fmt.upper(), href=url(rel_link(from_page, path)),
                          size=human_bytes((self.out / path).stat().st_size)) for fmt, path in job.downloads.items()]
        return dict(src=url(rel_link(from_page, job.path)), width=width, height=height, title=job.title,
                    wide=dict(src=url(rel_link(from_page, job.wide_path)), width=wide_width, height=wide_height,
                              media=f"(min-width: {WIDE_FROM_EM}em)"),
                    alt=job.alt, lazy=lazy, downloads=downloads, caveats=list(job.caveats))
