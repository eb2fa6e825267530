"""Link-preview cards (og:image): a 1200x630 PNG for every area-year page and one for the rest of
the site, drawn at build time.

Python computes the values (lines of text, wrapped in the chart font, and their positions); the
template templates/card.svg.j2 writes the SVG, which carries the chart font like a chart;
vl-convert renders it to PNG with its text as glyph outlines, shaped as it was measured
(images.outline_text). Each PNG is cached by the hash of its SVG (and the code and libraries that
draw it), so a rebuild redraws only cards whose text changed.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable

from build_scripts.cache import keys
from build_scripts.render.images import (
    FONT_FAMILY,
    MUTED_COLOUR,
    TEXT_COLOUR,
    TEXT_LIBRARIES,
    converter,
    embed_font,
    outline_text,
    text_width,
    wrap_lines,
)
from build_scripts.workers import render_pool

WIDTH, HEIGHT = 1200, 630
MARGIN = 48
ACCENT = "#1f4e79"
LICENCE = "Licence: Open Government Licence v3.0"


def fit(text: str, size: float, width: float, weight: str = "normal", most: int = 2) -> list[str]:
    """Wrap text to a width in at most `most` lines; a longer text ends with an ellipsis (the
    whole text is in the card's alternative text, og:image:alt)."""
    lines = wrap_lines(text, size, width, weight)
    if len(lines) <= most:
        return lines
    last = lines[most - 1]
    while last and text_width(last + "\u2026", size, weight) > width:
        last = last[:-1]
    return lines[: most - 1] + [last.rstrip() + "\u2026"]


def layout(kicker: str, heading: str, subheading: str, figure: str, words: str, source: str) -> dict[str, Any]:
    """The lines of a card, top to bottom. `figure` (large) and `words` are the headline; either
    may be empty. Text is wrapped in the chart font, never shrunk; the build stops if the lines
    do not fit the card."""
    width = WIDTH - 2 * MARGIN
    blocks: list[tuple[str, float, str, str]] = [(kicker, 28, "bold", ACCENT)]
    blocks += [(line, 56, "bold", TEXT_COLOUR) for line in fit(heading, 56, width, "bold")]
    blocks += [(line, 30, "normal", TEXT_COLOUR) for line in fit(subheading, 30, width)]
    if figure:
        blocks.append((figure, 96, "bold", ACCENT))
    blocks += [(line, 34, "normal", TEXT_COLOUR) for line in fit(words, 34, width)]
    footer = [(line, 24, "normal", MUTED_COLOUR) for line in fit(source, 24, width, most=1) + [LICENCE]]
    lines, y, previous = [], float(MARGIN), 0.0
    for text, size, weight, colour in blocks:
        # From the last baseline: its descent, this line's ascent (Lato: 0.213 and 0.987 em), a gap.
        y += size if not lines else 0.22 * previous + 0.99 * size + 6
        previous = size
        lines.append(dict(text=text, x=MARGIN, y=round(y), size=size, bold=weight == "bold", colour=colour))
    footer_top = HEIGHT - MARGIN + 24 - 34 * len(footer)
    rule_y = footer_top - 44
    if y + 0.25 * blocks[-1][1] + 16 > rule_y:  # the last line's descenders clear the rule
        raise ValueError(f"card text too long for {WIDTH}x{HEIGHT}: {heading!r}, {words!r}")
    for i, (text, size, _, colour) in enumerate(footer):
        lines.append(dict(text=text, x=MARGIN, y=footer_top + 34 * i, size=size, bold=False, colour=colour))
    return dict(width=WIDTH, height=HEIGHT, font=FONT_FAMILY, accent=ACCENT, lines=lines,
                rule_y=rule_y, rule_x2=WIDTH - MARGIN)


def _render(svg: str) -> bytes:
    """The PNG of a card: drawn with its text as glyph outlines (outline.py), the same picture in
    half the time, and without its @font-face (the renderer has the font registered)."""
    return converter().svg_to_png(outline_text(re.sub(r"<style>.*?</style>", "", svg, count=1, flags=re.S)),
                                   scale=1)


def prepare(svg_text: str) -> tuple[str, str]:
    """The card's SVG with the chart font embedded, and the key of its PNG (its hash). A card
    carries the font subset to all of printable ASCII (and any other character it shows), like a
    chart's download, so most cards ask for the same subset, made once: subset to each card's own
    characters, it took longer than drawing the card."""
    svg = embed_font(svg_text, download=True)
    return keys.key("card", svg, code=[__name__], libraries=["vl-convert-python", *TEXT_LIBRARIES]), svg


class CardWriter:
    """Collects the cards of a build (their SVG files are written by the caller) and draws, at
    the end (`finish`), only the PNGs not in the cache, in parallel like the charts: a cold build
    at full scale has 1,000+ cards."""

    def __init__(self, cache: Path):
        self.cache = cache
        self.pending: list[tuple[str, Path, str]] = []  # (key, SVG file, PNG path relative to docs/)

    def add(self, key: str, svg_file: Path, png_rel: str) -> None:
        self.pending.append((key, svg_file, png_rel))

    def _store(self, key: str, png: bytes) -> None:
        tmp = self.cache / f"{key}.png.tmp"
        tmp.write_bytes(png)
        tmp.replace(self.cache / f"{key}.png")

    def finish(self, place_file: Callable[[Path, str], None], workers: int | None = None) -> int:
        """Draw the PNGs not cached and put every PNG in place. Returns how many were drawn."""
        self.cache.mkdir(parents=True, exist_ok=True)
        todo = {key: svg_file for key, svg_file, _ in self.pending if not (self.cache / f"{key}.png").exists()}
        if todo:
            keys = list(todo)
            svgs = (todo[k].read_text(encoding="utf-8") for k in keys)
            workers = workers or min(len(keys), os.cpu_count() or 1)
            if workers > 1 and len(keys) > 4:
                with render_pool(workers) as pool:
                    # Written as they arrive, not gathered first, so memory stays flat at full scale.
                    for key, png in zip(keys, pool.map(_render, svgs, chunksize=4), strict=True):
                        self._store(key, png)
            else:
                for key, svg in zip(keys, svgs, strict=True):
                    self._store(key, _render(svg))
        for key, _, png_rel in self.pending:
            place_file(self.cache / f"{key}.png", png_rel)
        self.pending = []
        return len(todo)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
