"""Step 4, pages: write the site's Markdown pages, downloads and data files from the data
package. Python computes values (figures, table rows, links, and the sentences of
metadata/headlines.yaml filled with them); templates/ owns every piece of markup, with
autoescaping on (see markup.py). Every page carries a "generated, do not edit" comment."""
from __future__ import annotations

import functools
import re
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Collection

import yaml
from markupsafe import Markup

from build_scripts.cache.keys import digest
from build_scripts.cache.memo import NoMemo, Recording
from build_scripts.checks.crosschecks import Rule, read_rules
from build_scripts.inputs.dataset import Dataset, category_label, level_label, number, percent
from build_scripts.inputs.metadata import (
    CATEGORIES,
    CATEGORY_TERMS,
    LEVEL_TERMS,
    LEVELS,
    measure_layout,
    measure_words,
    tile_map_measure,
)
from build_scripts.inputs.releases import Releases, read_releases, version_key
from build_scripts.paths import Paths
from build_scripts.render import cards, feed, tilemap
from build_scripts.render.feed import FEED_PATH
from build_scripts.render.citation import citation_fields
from build_scripts.render.downloads import (
    CHECKSUMS_NAME,
    CITATION_NAME,
    README_NAME,
    XLSX_NAME,
    ZIP_NAME,
    folder_files,
    release_files,
)
from build_scripts.render.images import WIDE_FROM_EM, svg_size
from build_scripts.render.markup import (
    absolute_url,
    anchor,
    bibtex_text,
    citation_environment,
    describe,
    environment,
    front_matter,
    ris_text,
    url,
)
from build_scripts.reproducible import csv_text, sha256

if TYPE_CHECKING:  # the charts step's output, which the pages place: no code is borrowed from it
    from build_scripts.steps.charts import ChartJob

def long_date(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B %Y')}"


def human_bytes(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1_000_000:.1f} MB"


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


# Room for an embedded chart's title, source line and links, under the chart in its frame (px).
EMBED_ROOM = 190


def embed_chart(site: Site, page_path: str, section: str, chart_id: str, title: str, source: str,
                figures: dict[str, Any], corrections: list[dict[str, str]],
                notes: list[dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """Write the embed page of one chart, <page folder>/embed/<section>/index.html (the chart alone,
    its source, data version and corrections; templates/embed.html.j2), and return what the chart's
    page shows to embed it: the <iframe> code, as text."""
    if chart_id not in site.charts:
        return None
    folder = page_path.removesuffix("index.md")
    embed_path = f"{folder}embed/{section}/index.html"
    chart = site.chart(chart_id, embed_path, lazy=False)
    page_url = site.homepage + url(folder)
    data = site.data
    licence = data.descriptor["licenses"][0]
    site.write(embed_path, site.env.get_template("embed.html.j2").render(
        title=title, chart=chart, page_url=page_url, anchor=anchor(section), site_name=site.site_name,
        # The site's own icon (Material's, in the built site), or a browser asks the host's root for one.
        favicon=url(rel_link(embed_path, "assets/images/favicon.png")),
        dataset=data.descriptor["title"],
        version=data.version, unreleased=data.unreleased, source=source, table=figures, licence=licence,
        data_url=site.homepage + "data/",
        corrections=[dict(c, href=page_url + "#" + anchor(section)) for c in corrections],
        # The data-quality notes of its figures, each in words with how much it matters and a link
        # to it in full; a chart of several reports' figures links to them under the full table.
        notes=[dict(n, href=page_url + "#" + n["anchor"]) for n in notes or []], measures=data.measures))
    embed_url = site.homepage + url(f"{folder}embed/{section}/")
    height = chart["wide"]["height"] + EMBED_ROOM
    code = (f'<iframe src="{embed_url}" title="{title} (chart)" width="100%" height="{height}" loading="lazy" '
            'style="border: 0; max-width: 900px"></iframe>')
    return dict(code=code, href=url(rel_href(page_path, f"{folder}embed/{section}/index.md")))


def sentence(text: str) -> str:
    """End a register field with a full stop, so fields read as separate sentences."""
    text = text.strip()
    return text if text.endswith((".", "?", "!", '"', ")")) else text + "."


def constraint_parts(constraints: dict[str, Any] | None) -> list[dict[str, str]]:
    """A field's constraints in words, for the data dictionary: each part is `text`, and
    `code` where a value must be shown exactly (a pattern)."""
    c = constraints or {}
    parts = []
    if c.get("required"):
        parts.append("required")
    if c.get("unique"):
        parts.append("unique")
    if "enum" in c:
        parts.append("one of " + ", ".join(str(v) for v in c["enum"]))
    if "minimum" in c:
        parts.append(f"at least {c['minimum']}")
    listed = [{"text": text, "code": ""} for text in parts]
    if "pattern" in c:
        listed.append({"text": "pattern", "code": c["pattern"]})
    return listed


def table(caption: str, columns: list[str], rows: list[dict[str, Any]], missing: str = "not printed",
          text: bool = False, head: list[list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    """A data table for the `grid` macro. Each row has a `head` (and an `href` if it links) and
    `cells`: an observation, None (shown as `missing`) or a plain string. `head`: header rows
    (see the `data_table` macro) in place of the one row of `columns`."""
    return dict(caption=caption, columns=columns, rows=rows, missing=missing, text=text, head=head)


def matrix_table(caption: str, cells: list[dict[str, str]]) -> dict[str, Any]:
    """Levels down, categories across, as the reports print them. The categories sit under one
    heading, "Category", each column headed by its number alone (a screen reader hears
    "Category 1"), so the table, Total column included, fits a 390 px phone."""
    levels = [lv for lv in LEVELS if any(c["level"] == lv for c in cells)]
    categories = [ct for ct in CATEGORIES if any(c["category"] == ct for c in cells)]
    index = {(c["level"], c["category"]): c for c in cells}
    columns = ["Level"] + ["Total" if ct == "all" else f"Category {ct}" for ct in categories]
    numbered = [ct for ct in categories if ct != "all"]
    head = None
    if numbered:
        top = [dict(text="Level", scope="col", rowspan=2),
               dict(text="Category", scope="colgroup", colspan=len(numbered))]
        top += [dict(text="Total", scope="col", rowspan=2)] if "all" in categories else []
        head = [top, [dict(text=ct, hidden="Category", scope="col") for ct in numbered]]
    rows = [dict(head="Total" if lv == "all" else f"Level {lv}", cells=[index.get((lv, ct)) for ct in categories])
            for lv in levels]
    return table(caption, columns, rows, head=head)


def headline(words: dict[str, str], total: dict[str, str] | None, area: str, report: dict[str, str]) -> str:
    """A measure's headline sentence (its `words` of metadata/headlines.yaml) for a printed
    figure; empty when there is none (the template says so for a printed dash)."""
    if total is None or total["status"] != "reported":
        return ""
    n = Decimal(total["value"])
    return fill(words["none" if n == 0 else "one" if n == 1 else "many"], area, report, number(n))


def fill(text: str, area: str, report: dict[str, str], n: str = "") -> str:
    """A text of metadata/headlines.yaml with its placeholders filled with values, as plain text
    (the template escapes it). load has checked that it names no other placeholder and holds no
    other brace, so no attribute, index or format spec can run."""
    return text.format(n=n, area=area, snapshot=long_date(report["snapshot_date"]),
                       start=long_date(report["period_start"]), end=long_date(report["period_end"]))


def breakdown_sentence(cells: list[dict[str, str]]) -> str:
    index = {(c["level"], c["category"]): c for c in cells if c["status"] == "reported"}
    total = index.get(("all", "all"))
    if total is None:
        return ""
    whole = total["value"]
    parts = []
    levels = [(lv, index[(lv, "all")]["value"]) for lv in ("1", "2", "3") if (lv, "all") in index]
    if len(levels) > 1:
        bits = [f"{number(v)} ({percent(v, whole)}) at level {lv}" for lv, v in levels]
        parts.append("By level: " + ", ".join(bits[:-1]) + " and " + bits[-1] + ".")
    cats = [(ct, index[("all", ct)]["value"]) for ct in CATEGORIES[:-1] if ("all", ct) in index]
    if len(cats) > 1:
        bits = [f"{number(v)} ({percent(v, whole)}) in category {ct}" for ct, v in cats]
        parts.append("By category: " + ", ".join(bits[:-1]) + " and " + bits[-1] + ".")
    return " ".join(parts)


def measure_csv(cells: list[dict[str, str]]) -> str:
    return csv_text(list(cells[0].keys()), cells)


def printed_as(cells: list[dict[str, str]]) -> str:
    """The printed title of a table, and for a single figure its printed row label too."""
    first = cells[0]
    if len(cells) == 1 and first["source_row"] and first["source_row"] != first["source_table"]:
        return f'"{first["source_table"]}", row "{first["source_row"]}"'
    return f'"{first["source_table"]}"'


def report_page(site: Site, report: dict[str, str]) -> None:
    data = site.data
    rid, area_id, year = report["report_id"], report["area_id"], report["year"]
    area = data.areas[area_id]
    page_path = f"areas/{area_id}/{year}/index.md"
    sections, missing = [], []
    quality = site.notes.for_report(rid)
    corrected = data.corrections_for(rid)
    for measure in data.measures_in_order():
        mid = measure["measure_id"]
        corrections = [c for c in corrected if c["measure_id"] == mid]
        cells = with_notes(data.cells(rid, mid), corrections,
                           lambda c: site.notes.marks(rid, c["measure_id"], c["level"], c["category"]))
        # The notes of this table: those about some of its figures, or about the whole table.
        table_notes = [dict(n, anchor=anchor(f"{mid}-note-{n['number']}"),
                            where=cells_in_words([c for c in n["cells"] if c[0] == mid],
                                                 measure["breakdown"] == "level_and_category")
                            if any(c[0] == mid for c in n["cells"]) else "")
                       for n in quality if mid in n["measures"]]
        if not cells:
            replaced = bool(data.glossary[measure["term_id"]]["replaced_by"])
            missing.append(dict(measure=measure, term=data.glossary[measure["term_id"]], replaced=replaced,
                                notes=table_notes))
            continue
        total = next((c for c in cells if c["level"] == "all" and c["category"] == "all"), None)
        page_url = site.homepage + url(f"areas/{area_id}/{year}/")
        # The published fields, and the address of each data-quality note about the figure.
        csv_text = measure_csv([dict(c, quality_notes=" ".join(
            page_url + "#" + n["anchor"] for n in site.notes.marks(rid, mid, c["level"], c["category"])))
            for c in data.cells(rid, mid)])
        csv_path = f"areas/{area_id}/{year}/{rid}-{mid}.csv"
        site.write(csv_path, csv_text)
        row_cites = []
        if measure["breakdown"] == "level_and_category":
            grid = matrix_table(f"{measure['label']}, {area['name']} {year}, by level and category", cells)
            # Each row can be linked to and cited on its own: a reader who came for the level 3
            # figure cites it, not the table's total.
            for row in grid["rows"]:
                row["id"] = row_anchor(mid, row["head"])
                row_url = site.homepage + url(f"areas/{area_id}/{year}/") + "#" + row["id"]
                row_notes = sorted({n["number"] for c in row["cells"] if c
                                    for n in site.notes.by_cell.get((rid, mid, c["level"], c["category"]), [])})
                row_cites.append(dict(head=row["head"], url=row_url, citation=citation(
                    data, row_url, row_title(measure, row["head"], row["cells"], grid["columns"][1:], area["name"],
                                             report)) + notes_cited(row_notes, page_url, mid)))
            levels = sorted({c["level"] for c in cells if c["level"] != "all"})
            categories = sorted({c["category"] for c in cells if c["category"] != "all"})
            term_ids = [LEVEL_TERMS[lv] for lv in levels] + [CATEGORY_TERMS[ct] for ct in categories]
        else:
            # This report's figure only: every year's is on the area page, with its chart. A year's
            # page is the record of one report: its figures change only when that report's do, and
            # a changed figure rewrites two pages (this and the area's), not all of its area's. A
            # new report still adds a link to its area's other year pages.
            grid = table(f"{measure['label']}, {area['name']} {year}", ["Year", "Value"],
                         [dict(head=year, cells=cells)])
            term_ids = []
        term_ids = [measure["term_id"]] + [t for t in term_ids if t != measure["term_id"]]
        table_url = site.homepage + url(f"areas/{area_id}/{year}/#{mid}")
        sections.append(dict(
            table_url=table_url,
            table_citation=citation(data, table_url, figure_title(measure, site.words[mid], total, area["name"],
                                                                  report))
            + notes_cited([n["number"] for n in table_notes], page_url, mid),
            measure=measure,
            headline=headline(site.words[mid], total, area["name"], report),
            breakdown=breakdown_sentence(cells) if measure["breakdown"] == "level_and_category" else "",
            quality_notes=table_notes, row_cites=row_cites,
            # A single figure is shown large here; its chart over the years is on the area page, so a
            # year's page carries only the charts of its own tables.
            chart=site.chart(f"report:{rid}:{mid}", page_path, lazy=any(x["chart"] for x in sections))
            if measure["breakdown"] == "level_and_category" else None,
            embed=embed_chart(site, page_path, mid, f"report:{rid}:{mid}",
                              f"{measure['label']}, {area['name']} {year}",
                              f"{report['source_title']}, the table printed as “{cells[0]['source_table']}”",
                              grid, [correction_note(c) for c in corrections], table_notes)
            if measure["breakdown"] == "level_and_category" else None,
            total=total, single=measure["breakdown"] != "level_and_category",
            over_the_years=f"area:{area_id}:{mid}" in site.charts,
            table=grid,
            csv_link=url(rel_link(page_path, csv_path)), csv_size=human_bytes(len(csv_text.encode())),
            terms=[data.glossary[t] for t in term_ids],
            has_dash=any(c["status"] == "not_applicable" for c in cells),
            printed_as=printed_as(cells),
            corrections=[correction_note(c, measure["breakdown"] == "level_and_category") for c in corrections],
        ))
    years = [r["year"] for r in data.report_ids_for_area(area_id)]
    figure, words = card_headline(data, report, site.words)
    card = site.card(f"areas/{area_id}/{year}/", "card", "MAPPA statistics", area["name"],
                     f"{year}: {long_date(report['period_start'])} to {long_date(report['period_end'])}",
                     figure, words, f"Source: MAPPA annual report of {area['name']}, {year}")
    site.page(page_path, "report.md.j2", card=card, report=report, area=area, sections=sections, missing=missing,
              quality=quality, years=years, corrected=bool(corrected))


def notes_cited(numbers: list[int], page_url: str, measure_id: str) -> str:
    """What a citation of a table or a row adds for the data-quality notes about its figures, so
    that the caveat goes wherever the citation goes: " Read with data-quality note 1: <its address>"."""
    return "".join(f" Read with data-quality note {n}: {page_url}#{anchor(f'{measure_id}-note-{n}')}" for n in numbers)


def correction_note(correction: dict[str, str], matrix: bool = True) -> dict[str, str]:
    """One correction of a figure, in words: where in its table (for a table by level and
    category), when, the old and new figure, and why."""
    where = ", ".join([level_label(correction["level"]), category_label(correction["category"])]).lower()
    return dict(where=where if matrix else "", version=correction["corrected_in"], date=long_date(correction["corrected_on"]),
                short=f"corrected in v{correction['corrected_in']}: was "
                      f"{figure_words(correction['released_value'], correction['released_status'])}",
                was=figure_words(correction["released_value"], correction["released_status"]),
                now=figure_words(correction["corrected_value"], correction["corrected_status"]),
                released_in=correction["released_in"], reason=correction["reason"])


def with_notes(cells: list[dict[str, str]], corrections: list[dict[str, str]],
               marks: Callable[[dict[str, str]], list[dict[str, str]]] = lambda cell: []) -> list[dict[str, Any]]:
    """The cells of one table, each with the notes to show beside it (`notes`): its corrections
    (short texts, in the order released), so a reader sees at the figure itself that it was
    corrected, then the marks of its data-quality notes (`marks(cell)`: text, words for a screen
    reader, link)."""
    notes: dict[tuple[str, str], list[str]] = {}
    for c in corrections:
        notes.setdefault((c["level"], c["category"]), []).append(correction_note(c)["short"])
    return [dict(cell, notes=notes.get((cell["level"], cell["category"]), []) + marks(cell)) for cell in cells]


def register_figures(data: Dataset) -> dict[str, list[tuple[str, str, str]]]:
    """For each entry of the data-quality register, the printed figures it concerns, as
    (measure_id, level, category), in the order of its report's observations: read from the
    package's own link from each figure to its notes (observations.csv's `quality_ids`, which
    the package step fills from the checks it has run), so a page marks exactly the figures a
    researcher finds flagged in the data."""
    figures: dict[str, list[tuple[str, str, str]]] = {}
    for obs in data.observations:
        for quality_id in (obs.get("quality_ids") or "").split():
            figures.setdefault(quality_id, []).append((obs["measure_id"], obs["level"], obs["category"]))
    return figures


class QualityNotes:
    """The data-quality register as notes beside the figures they concern. Each report's entries
    are numbered in the order a reader meets them on its page: by the first table they concern
    (an entry with no figure, by its measure's table), entries about the report as a whole last.
    A note is shown under every table it concerns, and marked ("note 2") beside each figure it
    concerns, there and wherever else the site shows that figure; each figure can carry several
    notes, and corrections too (`with_notes`)."""

    def __init__(self, data: Dataset, figures: dict[str, list[tuple[str, str, str]]]):
        order = {m["measure_id"]: i for i, m in enumerate(data.measures_in_order())}
        self.data = data
        self.by_report: dict[str, list[dict[str, Any]]] = {}
        self.by_cell: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
        for rid in sorted({q["report_id"] for q in data.quality}):
            notes = []
            for q in data.quality_for(rid):
                cells = figures.get(q["quality_id"], [])
                measures = list(dict.fromkeys([c[0] for c in cells] + ([q["measure_id"]] if q["measure_id"] else [])))
                measures.sort(key=order.__getitem__)
                notes.append(dict(q=q, cells=cells, measures=measures))
            notes.sort(key=lambda n: self._place(n, order))
            for number_, note in enumerate(notes, start=1):
                note["number"] = number_
                for cell in note["cells"]:
                    self.by_cell.setdefault((rid, *cell), []).append(note)
            self.by_report[rid] = notes

    @staticmethod
    def _place(note: dict[str, Any], order: dict[str, int]) -> tuple:
        """Where a reader first meets a note: its first table, and in it its first figure, row by
        row (a note about the whole table after those about some of its figures)."""
        if not note["measures"]:
            return (len(order), (), note["q"]["quality_id"])
        first = note["measures"][0]
        figures = sorted((LEVELS.index(level), CATEGORIES.index(category))
                         for measure, level, category in note["cells"] if measure == first)
        return (order[first], figures[0] if figures else (len(LEVELS), 0), note["q"]["quality_id"])

    def for_report(self, report_id: str) -> list[dict[str, Any]]:
        return self.by_report.get(report_id, [])

    def marks(self, report_id: str, measure_id: str, level: str, category: str, to_page: str = "") -> list[dict[str, str]]:
        """The marks beside one figure: "note 2", linked to the note under the figure's table on
        its year page (`to_page`: the link from another page to that year page)."""
        return [dict(text=f"note {n['number']}", hidden="data-quality", page=to_page, grade=n["q"]["grade"],
                     anchor=anchor(f"{measure_id}-note-{n['number']}"))
                for n in self.by_cell.get((report_id, measure_id, level, category), [])]

    def on_page(self, page_path: str) -> PageNotes:
        """The notes as another page shows them, numbered on that page (PageNotes)."""
        return PageNotes(self, page_path)


class PageNotes:
    """The data-quality notes of figures that a page other than their year page shows (home, an
    area, compare), numbered on that page in the order they are met: one number for one note
    wherever it appears on the page, and never one number for two notes of two reports. Each mark
    links to the note under its table on the figure's year page; `listed` says which report's
    note each number is, for the list under the page's tables."""

    def __init__(self, notes: QualityNotes, page_path: str):
        self.notes, self.page_path = notes, page_path
        self.numbers: dict[tuple[str, str], int] = {}
        self.listed: list[dict[str, Any]] = []

    def noted(self, cell: dict[str, str] | None) -> dict[str, Any] | None:
        """A figure as this page shows it (a copy), with the marks of its data-quality notes."""
        if cell is None:
            return None
        data = self.notes.data
        report = data.reports[cell["report_id"]]
        year_page = url(rel_href(self.page_path, f"areas/{report['area_id']}/{report['year']}/index.md"))
        marks = []
        for n in self.notes.by_cell.get((cell["report_id"], cell["measure_id"], cell["level"], cell["category"]), []):
            target = anchor(f"{cell['measure_id']}-note-{n['number']}")
            key = (cell["report_id"], n["q"]["quality_id"])
            if key not in self.numbers:
                self.numbers[key] = len(self.numbers) + 1
                self.listed.append(dict(number=self.numbers[key], q=n["q"], own_number=n["number"],
                                        area=data.areas[report["area_id"]]["name"], year=report["year"],
                                        href=f"{year_page}#{target}"))
            marks.append(dict(text=f"note {self.numbers[key]}", hidden="data-quality", page=year_page,
                              grade=n["q"]["grade"], anchor=target))
        return dict(cell, notes=marks)


def cells_in_words(cells: list[tuple[str, str, str]], matrix: bool) -> str:
    """Which figures of a table a note concerns: "level 3: category 1, category 2 and all categories"."""
    if not matrix:
        return "the figure"
    by_level: dict[str, list[str]] = {}
    for _, level, category in cells:
        by_level.setdefault(level, []).append(category_label(category).lower())
    parts = []
    for level in LEVELS:
        if level in by_level:
            names = by_level[level]
            listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            parts.append(f"{level_label(level).lower()}: {listed}")
    return "; ".join(parts)


def row_anchor(measure_id: str, head: str) -> str:
    """The id of a table's row: eligible-level-3, eligible-total."""
    return anchor(f"{measure_id}-{head.lower().replace(' ', '-')}")


def row_title(measure: dict[str, str], head: str, row_cells: list[dict[str, str] | None], columns: list[str],
              area: str, report: dict[str, str]) -> str:
    """What a row's citation calls its figures: "People managed at levels 2 and 3 during the year,
    level 3, Norfolk, 1 April 2018 to 31 March 2019: total 3; category 1: 0; category 2: 1"."""
    values = [f"{column.lower()}: {figure_words(cell['value'], cell['status']) if cell else 'not printed'}"
              for column, cell in zip(columns, row_cells, strict=True)]
    total = [v for v in values if v.startswith("total: ")]
    parts = [v.replace("total: ", "total ", 1) for v in total] + [v for v in values if v not in total]
    return (f"{measure['label']}, {head.lower()}, {area}, {long_date(report['period_start'])} to "
            f"{long_date(report['period_end'])}: " + "; ".join(parts))


def figure_title(measure: dict[str, str], words: dict[str, str], total: dict[str, str] | None, area: str,
                 report: dict[str, str]) -> str:
    """What a table's citation calls the figure: its headline sentence (the figure, the area and
    the date), or, with no printed number, the measure, the area and the period."""
    if total is not None and total["status"] == "reported":
        return headline(words, total, area, report).rstrip(".")
    return (f"{measure['label']}, {area}, {long_date(report['period_start'])} to "
            f"{long_date(report['period_end'])}")


def card_headline(data: Dataset, report: dict[str, str], words: dict[str, dict[str, str]]) -> tuple[str, str]:
    """The figure (as printed, formatted) and its words for an area-year card: those of the
    first measure with card words (metadata/headlines.yaml) that the report printed a number for."""
    for measure in data.measures_in_order():
        said = words[measure["measure_id"]]
        obs = data.cell(report["report_id"], measure["measure_id"]) if said["card_one"] else None
        if obs is not None and obs["status"] == "reported":
            form = said["card_one"] if Decimal(obs["value"]) == 1 else said["card_many"]
            return number(obs["value"]), fill(form, data.areas[report["area_id"]]["name"], report)
    return "", "Figures from the area's MAPPA annual report, as printed"


def area_page(site: Site, area_id: str) -> None:
    data = site.data
    area = data.areas[area_id]
    page_path = f"areas/{area_id}/index.md"
    reports = data.report_ids_for_area(area_id)
    notes = site.notes.on_page(page_path)
    summary = table(
        f"Key figures for {area['name']}, every year we hold",
        ["Year"] + [data.measures[m]["short_label"] for m in site.key_measures],
        [dict(head=r["year"], href=url(rel_href(page_path, f"areas/{area_id}/{r['year']}/index.md")),
              cells=[notes.noted(data.cell(r["report_id"], m)) for m in site.key_measures])
         for r in reports],
        missing="not published")
    charts = []
    for measure in data.measures_in_order():
        mid = measure["measure_id"]
        if not any(data.cell(r["report_id"], mid) for r in reports):
            continue
        printed = [c for c in (data.cell(r["report_id"], mid) for r in reports) if c is not None]
        by_year = table(f"{measure['label']}, {area['name']}, by year", ["Year", "Value"],
                        [dict(head=r["year"], cells=[notes.noted(data.cell(r["report_id"], mid))])
                         for r in reports],
                        missing="not published")
        held = [r for r in reports if data.cell(r["report_id"], mid) is not None]
        corrections = [correction_note(c) | dict(where=c["year"]) for r in held
                       for c in data.corrections_for(r["report_id"]) if c["measure_id"] == mid]
        source = (f"the MAPPA annual reports of {area['name']} for {year_ranges([r['year'] for r in held])}, the "
                  f"table of each printed as {' and '.join(sorted({printed_as([data.cell(r['report_id'], mid)]) for r in held}))}")
        charts.append(dict(measure=measure, chart=site.chart(f"area:{area_id}:{mid}", page_path,
                                                             lazy=any(c["chart"] for c in charts)),
                           years_printed=len(printed), table=by_year,
                           embed=embed_chart(site, page_path, mid, f"area:{area_id}:{mid}",
                                             f"{measure['label']}, {area['name']}, by year", source, by_year,
                                             corrections)))
    # With one report there is nothing to compare over time: its figures in one table, each
    # linked to its table on the year's page, and one sentence saying so (not one per measure).
    only = reports[0] if len(reports) == 1 else None
    figures = only and table(
        f"Figures of the {only['year']} report for {area['name']}", ["Measure", only["year"]],
        [dict(head=m["label"], href=url(rel_href(page_path, f"areas/{area_id}/{only['year']}/index.md")) + "#" + anchor(m["measure_id"])
              if data.cell(only["report_id"], m["measure_id"]) else None,
              cells=[notes.noted(data.cell(only["report_id"], m["measure_id"]))])
         for m in data.measures_in_order()], missing="not published")
    site.page(page_path, "area.md.j2", area=area, reports=reports, summary=summary, charts=charts, figures=figures,
              page_notes=notes.listed)


def compare_page(site: Site) -> None:
    data = site.data
    page_path = "compare/index.md"
    notes = site.notes.on_page(page_path)
    blocks = []
    for measure in data.measures_in_order():
        latest = data.latest_by_area(measure["measure_id"])
        if not latest:
            continue
        ordered = sorted(latest.items(), key=lambda kv: (-Decimal(kv[1][1]["value"]), data.areas[kv[0]]["name"]))
        # Each area links to this measure's section of its year's page, not to the page's top.
        rows = [dict(head=data.areas[area_id]["name"],
                     href=url(rel_href(page_path, f"areas/{area_id}/{report['year']}/index.md"))
                     + "#" + anchor(measure["measure_id"]),
                     cells=[report["year"], notes.noted(obs)]) for area_id, (report, obs) in ordered]
        years = sorted({r["year"] for r, _ in latest.values()})
        bases = sorted({(data.areas[a]["name"], r["year"], r["population_base"]) for a, (r, _) in latest.items()})
        latest_table = table(f"{measure['label']}: latest year held for each area", ["Area", "Year", "Value"], rows)
        mid = measure["measure_id"]
        corrections = [correction_note(c) | dict(where=f"{data.areas[a]['name']} {r['year']}")
                       for a, (r, _) in latest.items() for c in data.corrections_for(r["report_id"])
                       if c["measure_id"] == mid]
        source = (f"the latest MAPPA annual report we hold of each area ({year_ranges(years)}); the areas' years and "
                  "population bases differ, so compare them with care")
        blocks.append(dict(measure=measure, chart=site.chart(f"compare:{mid}", page_path,
                                                             lazy=any(b["chart"] for b in blocks)),
                           table=latest_table, years=years, bases=bases, count=len(latest),
                           embed=embed_chart(site, page_path, mid, f"compare:{mid}",
                                             f"{measure['label']}: latest year held for each area", source,
                                             latest_table, corrections)))
    site.page(page_path, "compare.md.j2", blocks=blocks, page_notes=notes.listed)


def glossary_pages(site: Site) -> None:
    data = site.data
    terms = sorted(data.glossary.values(), key=lambda t: t["term"].lower())
    site.page("glossary/index.md", "glossary_index.md.j2", terms=terms,
              kinds=["order", "category", "level", "process", "agency", "measure"])
    labels = {rid: " | ".join(sorted({f"{c['source_table']} | {c['source_row']} | {c['source_column']}"
                                      for c in cells})).lower()
              for rid, cells in data.by_report.items()}
    # What each report holds, gathered once (not once per term): measures, levels, categories.
    held = {rid: ({c["measure_id"] for c in cells}, {c["level"] for c in cells}, {c["category"] for c in cells})
            for rid, cells in data.by_report.items()}
    nothing: tuple[set[str], set[str], set[str]] = (set(), set(), set())
    # The compare page has a section only for a measure some report gives a number for: link to
    # no other (a link to a missing section would point nowhere).
    compared = {m["measure_id"] for m in data.measures_in_order() if data.latest_by_area(m["measure_id"])}
    reports_in_order = sorted(data.reports.values(), key=lambda r: (r["year"], r["report_id"]))
    order = {m["measure_id"]: i for i, m in enumerate(data.measures_in_order())}
    for term in terms:
        tid = term["term_id"]
        page_path = f"glossary/{tid}/index.md"
        printed = [p.lower() for p in split_list(term["printed_as"])]
        measures = [m for m in data.measures_in_order() if m["term_id"] == tid]
        measure_ids = {m["measure_id"] for m in measures}
        by_area: dict[str, list[str]] = {}
        for report in reports_in_order:
            measures_held, levels, categories = held.get(report["report_id"], nothing)
            hit = not measure_ids.isdisjoint(measures_held)
            if tid.startswith("level-"):
                hit = hit or tid[-1] in levels
            if tid.startswith("category-"):
                hit = hit or tid[-1] in categories
            hit = hit or any(p in labels.get(report["report_id"], "") for p in printed)
            if hit:
                by_area.setdefault(report["area_id"], []).append(report)
        # One row per area, with its years as ranges, so the page stays short with 1,000+ reports;
        # each year links to the section of its page where the term is used.
        uses = [dict(area=data.areas[a], years=year_ranges([r["year"] for r in reports]), count=len(reports),
                     href=url(rel_href(page_path, f"areas/{a}/index.md")),
                     year_links=[(r["year"], url(rel_href(page_path, f"areas/{a}/{r['year']}/index.md"))
                                  + term_section(term, measure_ids, printed, data.by_report.get(r["report_id"], []),
                                                 order))
                                 for r in reports] if len(reports) <= 6 else [])
                for a, reports in sorted(by_area.items(), key=lambda kv: data.areas[kv[0]]["name"])]
        related = {
            "replaced": [data.glossary[t] for t in split_list(term["replaced"])],
            "replaced_by": [data.glossary[t] for t in split_list(term["replaced_by"])],
        }
        site.page(page_path, "term.md.j2", term=term, measures=measures, uses=uses, related=related,
                  compared=compared)


def term_section(term: dict[str, str], measure_ids: set[str], printed: list[str], cells: list[dict[str, str]],
                 order: dict[str, int]) -> str:
    """The fragment ("#shpo") of the first section of a year's page, in the page's order, whose
    table uses a glossary term: the term's own measure, a table with its level or category, or
    one whose printed labels contain its words; "" when no one table does."""
    tid = term["term_id"]

    def uses(c: dict[str, str]) -> bool:
        if c["measure_id"] in measure_ids:
            return True
        if (tid.startswith("level-") and c["level"] == tid[-1]) or (tid.startswith("category-")
                                                                   and c["category"] == tid[-1]):
            return True
        label = f"{c['source_table']} | {c['source_row']} | {c['source_column']}".lower()
        return any(p in label for p in printed)

    found = {c["measure_id"] for c in cells if uses(c) and c["measure_id"] in order}
    return "#" + anchor(min(found, key=order.__getitem__)) if found else ""


def year_ranges(years: list[str]) -> str:
    """['2018-19', '2019-20', '2021-22'] -> '2018-19 to 2019-20, 2021-22'."""
    starts = sorted(int(y[:4]) for y in years)
    runs: list[list[int]] = []
    for start in starts:
        if runs and start == runs[-1][-1] + 1:
            runs[-1].append(start)
        else:
            runs.append([start])

    def fy(start: int) -> str:
        return f"{start}-{str(start + 1)[-2:]}"

    return ", ".join(fy(r[0]) if len(r) == 1 else f"{fy(r[0])} to {fy(r[-1])}" for r in runs)


def split_list(text: str) -> list[str]:
    return [t.strip() for t in (text or "").split(";") if t.strip()]


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


def feed_file(site: Site) -> None:
    """/feed.xml: an Atom entry for every release, from the same record as the home page's news."""
    d = site.data.descriptor
    template = site.env.get_template("feed_entry.html.j2")
    record = releases_in_words(site, FEED_PATH, absolute=True)
    site.write(FEED_PATH, feed.atom_feed(record, str(site.homepage), f"{d['title']}: releases and corrections",
                                         d["contributors"][0]["title"],
                                         lambda release: template.render(release=release).strip()))


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


def figure_words(value: str, status: str) -> str:
    """A figure of the corrections log as a reader says it."""
    return {"reported": number(value) if value else "", "not_applicable": "a dash (does not apply)",
            "not_published": "not published"}[status]


def corrections_by_release(data: Dataset, page_path: str) -> list[dict[str, Any]]:
    """Every correction, grouped by the release that made it, newest first, each linked to its
    report's page (a list, not a table: it reads the same on a phone as on a desk)."""
    releases: dict[str, dict[str, Any]] = {}
    for c in sorted(data.corrections, key=lambda c: version_key(c["corrected_in"]), reverse=True):
        release = releases.setdefault(c["corrected_in"], dict(version=c["corrected_in"],
                                                               date=long_date(c["corrected_on"]), items=[]))
        release["items"].append(correction_item(data, c, lambda target: url(rel_link(page_path, target))))
    return list(releases.values())


def correction_item(data: Dataset, c: dict[str, str], link: Callable[[str], str]) -> dict[str, Any]:
    """One correction as a list of corrections says it (the data page, the home page, the feed):
    its words, the report and measure it is of, and a link to the report's page (`link` makes it
    from the page's docs/ path) while we hold the report."""
    note = correction_note(c, data.measures.get(c["measure_id"], {}).get("breakdown") == "level_and_category")
    return dict(note, report=f"{data.areas.get(c['area_id'], {}).get('name', c['area_id'])} {c['year']}",
                href=link(f"areas/{c['area_id']}/{c['year']}/index.md") if c["report_id"] in data.reports else None,
                measure=data.measures.get(c["measure_id"], {}).get("label", c["measure_id"]))


def citation(data: Dataset, url: str, title: str) -> str:
    """One citation form for every page, every table, the data page and CITATION.cff's fields."""
    c = citation_fields(data.descriptor, url, title)
    within = "" if title == c["dataset"] else f" In: {c['dataset']}."
    # A released version's files never change: the citation names them, at their own address.
    files = "" if data.unreleased or url == versioned_data_url(data) else f" ({versioned_data_url(data)})"
    return f"{c['publisher']} ({c['year']}). {title}.{within} Dataset version {c['version']}{files}. {c['url']}"


def versioned_data_url(data: Dataset) -> str:
    """Where a released version's files are, for ever: <homepage>data/v<version>/."""
    return f"{data.descriptor['homepage']}data/v{data.version}/"


def citation_key(rel_path: str) -> str:
    """A stable key for a page: areas/west-midlands/2021-22/index.md -> mappa-west-midlands-2021-22."""
    parts = [p for p in rel_path.removesuffix("index.md").split("/") if p and p != "areas"]
    return "-".join(["mappa"] + parts) if parts else "mappa-statistics"


def about_page(site: Site) -> None:
    site.page("about/index.md", "about.md.j2")


def methodology_page(site: Site) -> None:
    data = site.data
    entries = sorted(data.quality, key=lambda q: (q["report_id"], q["quality_id"]))
    kinds = {}
    for q in entries:
        kinds[q["kind"]] = kinds.get(q["kind"], 0) + 1
    site.page("methodology/index.md", "methodology.md.j2", entries=entries, kinds=kinds,
              rules=site.rules,
              measures=data.measures,
              report_names={r: f"{data.areas[v['area_id']]['name']} {v['year']}" for r, v in data.reports.items()},
              report_links={r: url(rel_link("methodology/index.md", f"areas/{v['area_id']}/{v['year']}/index.md"))
                            for r, v in data.reports.items()})


TILE_MAP_FILES = {"svg": "areas/tile-map.svg", "png": "areas/tile-map.png"}


def tile_map_downloads(site: Site, layout: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Write the tile map's downloads, with its title, source and licence drawn in; their sizes.
    Images, like the charts: drawn by the build, not committed, not in the URL manifest."""
    svg = site.env.get_template("tile_map.svg.j2").render(map=tilemap.tile_map(
        site.data, layout, site.map_measure, lambda a: site.homepage + url(f"areas/{a}/")))
    publisher = site.data.descriptor["contributors"][0]["title"]
    files = dict(zip(TILE_MAP_FILES.values(), tilemap.downloads(
        svg, f"Source: MAPPA annual reports of each area, latest year held, as published by {publisher}, "
             f"{site.homepage}areas/", site.paths.cache), strict=True))
    for path, content in files.items():
        site.write(path, content, listed=False)
    return {path: len(content.encode("utf-8") if isinstance(content, str) else content) for path, content in files.items()}


def tile_map_for(site: Site, page_path: str, layout: dict[str, dict[str, Any]], sizes: dict[str, int]
                 ) -> dict[str, Any]:
    """The tile map's values for one page, its key and its downloads (build_scripts/render/tilemap.py)."""
    href = (lambda a: url(rel_href(page_path, f"areas/{a}/index.md")))
    return dict(map=tilemap.tile_map(site.data, layout, site.map_measure, href),
                rows=table("Key to the map: each area's tile, and the latest rate of registered sex offenders per "
                           "100,000 people we hold", ["Area", "Tile", "Latest year", "Per 100,000 people"],
                           tilemap.table_rows(site.data, layout, site.map_measure, href), text=True),
                download=[dict(format=fmt.upper(), href=url(rel_link(page_path, path)), size=human_bytes(sizes[path]))
                          for fmt, path in TILE_MAP_FILES.items()])


def home_and_areas(site: Site) -> None:
    data = site.data
    held = sorted({r["area_id"] for r in data.reports.values()})
    # The areas we hold first; every area of the 42 is in the map's key after them.
    holdings = [dict(area=data.areas[a], years=[r["year"] for r in data.report_ids_for_area(a)])
                for a in sorted(held, key=lambda a: data.areas[a]["name"])]
    layout = tilemap.read_layout(site.paths.root, sorted(data.areas))
    sizes = tile_map_downloads(site, layout)
    site.page("areas/index.md", "areas_index.md.j2", holdings=holdings, held=held,
              tiles=tile_map_for(site, "areas/index.md", layout, sizes))
    rows = []
    notes = site.notes.on_page("index.md")
    for area_id in held:
        report = data.report_ids_for_area(area_id)[-1]
        # The year goes with the area (one column fewer), so the table fits a 390 px phone.
        rows.append(dict(head=data.areas[area_id]["name"], year=report["year"],
                         href=url(rel_href("index.md", f"areas/{area_id}/{report['year']}/index.md")),
                         cells=[notes.noted(data.cell(report["report_id"], m)) for m in site.key_measures]))
    latest = table("Headline figures from the latest report we hold for each area",
                   ["Area and year"] + [site.words[m]["key_figure"] for m in site.key_measures], rows,
                   missing="not published")
    years = sorted({r["year"] for r in data.reports.values()})
    news = releases_in_words(site, "index.md")
    site.page("index.md", "home.md.j2", held=held, latest=latest, years=years, n_reports=len(data.reports),
              news=news[0] if news else None, feed=url(rel_link("index.md", FEED_PATH)),
              page_notes=notes.listed,
              levels=[data.glossary[LEVEL_TERMS[lv]] for lv in sorted(LEVEL_TERMS)], tiles=tile_map_for(site, "index.md", layout, sizes))


def unit_digests(data: Dataset, charts: dict[str, ChartJob],
                 figures: dict[str, list[tuple[str, str, str]]]) -> dict[str, str]:
    """For each area page and year page (unit), a hash of everything it is made from besides the
    package's metadata.
    - An area page: its reports, their figures and quality notes, its charts, and the holdings
      ("7 reports from 5 of the 42 areas"), which the site card it shares gives in its text
      alternative.
    - A year page: its own report, figures, quality notes (with the figures each concerns) and
      charts, and what it shows of its area: the area, the list of years (its links) and which figures have a chart over the years.
    So a changed figure re-renders its year page and its area page, not the area's other years.
    tests/test_incremental.py checks each kind of change against a build from nothing."""
    area_of = {rid: r["area_id"] for rid, r in data.reports.items()}
    chart_keys: dict[str, list[tuple[str, str]]] = {}
    for chart_id, job in charts.items():
        kind, owner = chart_id.split(":")[:2]
        if kind in ("area", "report"):
            chart_keys.setdefault(f"{kind}:{owner}", []).append((chart_id, job.key))
    digests, holdings = {}, data.holdings()
    for area_id in sorted(set(area_of.values())):
        reports = data.report_ids_for_area(area_id)
        years = [r["year"] for r in reports]
        area_charts = sorted(chart_keys.get(f"area:{area_id}", []))
        own = {}
        for report in reports:
            rid = report["report_id"]
            own[rid] = digest(report, data.by_report.get(rid, []), data.quality_for(rid), data.corrections_for(rid),
                              [figures.get(q["quality_id"], []) for q in data.quality_for(rid)],
                              sorted(chart_keys.get(f"report:{rid}", [])))
            digests[f"report:{rid}"] = digest(data.areas[area_id], years, [c for c, _ in area_charts], own[rid])
        digests[f"area:{area_id}"] = digest(data.areas[area_id], [own[r["report_id"]] for r in reports], area_charts,
                                            holdings)
    return digests


def other_pages(site: Site, digests: dict[str, str]) -> None:
    """Every page but the data page: those drawn on the whole dataset, then each area's pages."""

    def whole_dataset_pages() -> None:
        home_and_areas(site)
        compare_page(site)
        glossary_pages(site)
        methodology_page(site)
        about_page(site)

    site.unit("site", None, whole_dataset_pages)
    for area_id in sorted({r["area_id"] for r in site.data.reports.values()}):
        site.unit(f"area:{area_id}", digests[f"area:{area_id}"], functools.partial(area_page, site, area_id))
        for report in site.data.report_ids_for_area(area_id):
            name = f"report:{report['report_id']}"
            site.unit(name, digests[name], functools.partial(report_page, site, report))


def build_pages(data: Dataset, charts: dict[str, ChartJob], out: Path, paths: Paths, memo: NoMemo | None = None,
                data_page_too: bool = True, only_reports: Collection[str] | None = None) -> list[str]:
    """Entry point: write every page into `out` (a staging docs/ folder, or docs/ itself for a
    preview). Returns the URLs. Area and year pages are units remembered by memo (memo.py);
    the pages that draw on the whole dataset are always rendered. `only_reports` (the preview's
    first pass): write only those reports' year pages, so the page being checked is served
    before the rest are rendered."""
    rules = read_rules(paths)  # the rules across tables, read once for the notes and the methodology page
    figures = register_figures(data)
    site = Site(data, charts, out, paths, memo, QualityNotes(data, figures), rules)
    digests = unit_digests(data, charts, figures)
    if only_reports is not None:
        for report_id in sorted(only_reports):
            name = f"report:{report_id}"
            site.unit(name, digests[name], functools.partial(report_page, site, data.reports[report_id]))
        site.cards.finish(site.memo.place_file)
        return sorted(set(site.urls))
    site.site_card()  # drawn first, outside any unit: every page without its own card shares it
    if data_page_too:
        # The downloads of data not yet released (spreadsheet, zip) are made in a thread while the
        # other pages are rendered: most of their time is deflate, which runs without the
        # interpreter lock. A release's are copied as released. The data page, which gives their
        # sizes and checksums, comes last.
        with ThreadPoolExecutor(max_workers=1) as pool:
            if data.unreleased:
                site.release = pool.submit(release_files, data, paths, *release_arguments(site.data))
            other_pages(site, digests)
            site.unit("data", None, functools.partial(data_page, site))
    else:
        other_pages(site, digests)
    site.cards.finish(site.memo.place_file)
    if data_page_too:
        site.memo.finish(site.units)
    # Chart images are not in the URL manifest: a chart belongs to its page, which is the
    # thing to cite, and may be redrawn under a new name.
    return sorted(set(site.urls))
