"""An embed page: one chart alone, for an <iframe> in someone else's page
(templates/embed.html.j2), written beside the page that shows the chart."""
from __future__ import annotations

from typing import Any

from build_scripts.render.markup import anchor, url
from build_scripts.steps.pages.writer import Site, rel_href, rel_link


# Room for an embedded chart's title, source line and links, under the chart in its frame (px).
EMBED_ROOM = 190


def embed_chart(site: Site, page_path: str, section: str, chart_id: str, title: str, source: str,
                figures: dict[str, Any], corrections: list[dict[str, str]],
                notes: list[dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """Write the embed page of one chart, <page folder>/embed/<section>/index.html (the chart alone,
    its source, data version and corrections; templates/embed.html.j2), and return what the chart's
    page shows to embed it: the <iframe> code, as text.
    A chart that is no longer drawn (a report or a correction left none of its figures above zero)
    keeps its published embed page, which shows its figures as a table: an embed URL never breaks.
    The chart's page then offers no embed."""
    folder = page_path.removesuffix("index.md")
    embed_path = f"{folder}embed/{section}/index.html"
    drawn = chart_id in site.charts
    if not drawn and f"/{folder}embed/{section}/" not in site.published:
        return None
    chart = site.chart(chart_id, embed_path, lazy=False) if drawn else None
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
    if not drawn:
        return None
    embed_url = site.homepage + url(f"{folder}embed/{section}/")
    height = chart["wide"]["height"] + EMBED_ROOM
    code = (f'<iframe src="{embed_url}" title="{title} (chart)" width="100%" height="{height}" loading="lazy" '
            'style="border: 0; max-width: 900px"></iframe>')
    return dict(code=code, href=url(rel_href(page_path, f"{folder}embed/{section}/index.md")))
