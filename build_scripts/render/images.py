"""Ground floor of every image the build draws (charts, link-preview cards, the tile map): one
font, measured and drawn, and the frame a download carries.

- The chart font (Lato, from the `font-lato` package): text shaped by HarfBuzz (outline.py),
  which gives both the widths text is laid out and wrapped to and the glyph outlines a PNG is
  drawn from, so what is measured is what is drawn; subsets embedded in each SVG as a data: URL
  (an SVG shown by <img> may load nothing else);
- `framed`: a picture with its title above and its source and licence below, for reuse;
- vl-convert, the renderer: Vega-Lite to SVG, and SVG to PNG;
- the two widths every chart is drawn at: NARROW for a phone, WIDE for a desktop column.
"""
from __future__ import annotations

import base64
import functools
import io
import os
import re
import string
from pathlib import Path

import font_lato
from markupsafe import Markup

from build_scripts.cache import keys
from build_scripts.render.outline import Face, Outliner

# Packages whose version changes the bytes of an embedded font subset.
FONT_LIBRARIES = ("font-lato", "fonttools", "brotli")
# Packages whose version changes where text is laid out and how a PNG draws it: the font, its
# shaper (HarfBuzz) and what outlines its glyphs (fontTools).
TEXT_LIBRARIES = ("font-lato", "uharfbuzz", "fonttools")
# Colours of text: each has at least 4.5:1 contrast with the white background of every image.
TEXT_COLOUR = "#1b1b1b"


MUTED_COLOUR = "#595959"


FONT_FAMILY = "Lato"


FONT_FILES = {"normal": font_lato.font_files["Lato"], "bold": font_lato.font_files["LatoBold"]}


FONT_SIZE = 12  # the smallest text in a chart: 12 px, never scaled down on a phone


# A 390 px phone has 358 px of content, less the figure's padding: the narrow chart fits it. From
# WIDE_FROM_EM (720 px) the page column is at least 686 px wide (Material's layout, measured in
# Chromium at 720 to 2560 px), and the wide chart fits it at its own size.
NARROW, WIDE = 340, 640


WIDE_FROM_EM = 45


@functools.lru_cache(maxsize=None)
def face(weight: str) -> Face:
    """The chart font in one weight, shaped by HarfBuzz and outlined (outline.py): one per process,
    shared by what measures text and what draws it."""
    return Face(FONT_FILES[weight])


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """The width of a line of text in the chart font, in pixels, as HarfBuzz shapes it (kerning
    and ligatures included): the width outline_text draws it at, so text wrapped to a width
    is drawn within it."""
    shaper = face(weight)
    return shaper.advance(text) * size / shaper.units_per_em


@functools.lru_cache(maxsize=512)
def _font_face(weight: str, characters: str) -> str:
    """A @font-face rule with the chart font subset to `characters`, as a data: URL (an SVG
    shown by <img> may load nothing else). Cached: most charts use the same characters."""
    return (f'@font-face{{font-family:"{FONT_FAMILY}";font-weight:{400 if weight == "normal" else 700};'
            f'src:url(data:font/woff2;base64,{font_data(weight, characters)}) format("woff2")}}')


# Where subsets are kept between builds, beside the chart cache: making one takes about 0.3 s,
# which a rebuild that draws a single chart would otherwise pay. Set by use_font_cache (the
# charts step calls it) before the pages are built: cards and the tile map use it too.
FONT_CACHE: Path | None = None


def use_font_cache(folder: Path) -> None:
    """Keep font subsets in `folder` between builds."""
    global FONT_CACHE
    FONT_CACHE = folder


@functools.lru_cache(maxsize=512)
def font_data(weight: str, characters: str) -> str:
    """The chart font in one weight, subset to `characters`, as base64 WOFF2."""
    cached = None
    if FONT_CACHE is not None:
        cached = FONT_CACHE / keys.key("font subset", [weight, characters], code=[__name__],
                                       libraries=FONT_LIBRARIES, files=[Path(FONT_FILES[weight])])
        if cached.exists():
            return cached.read_text(encoding="ascii")
    data = _subset(weight, characters)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f".{cached.name}.tmp-{os.getpid()}")
        tmp.write_text(data, encoding="ascii")
        tmp.replace(cached)
    return data


HARFBUZZ_REPACKER = "fontTools.ttLib.tables.otBase:USE_HARFBUZZ_REPACKER"  # a fontTools setting


def _subset(weight: str, characters: str) -> str:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"  # brotli-compressed: a third smaller than woff
    options.layout_features = ["kern"]
    options.hinting = False
    options.name_IDs = [0, 1, 2, 13]  # keep the copyright and licence names (OFL)
    # Byte-identical builds: no "modified now"; and fontTools' own packing of the layout tables, not
    # HarfBuzz's, which fontTools uses by default once uharfbuzz is installed (for shaping): the
    # same font in other bytes, and every published SVG would change for nothing.
    font = TTFont(FONT_FILES[weight], recalcTimestamp=False, cfg={HARFBUZZ_REPACKER: False})
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    font.flavor = options.flavor
    buffer = io.BytesIO()
    font.save(buffer)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


_TEXT = re.compile(r"<text\b([^>]*)>(.*?)</text>", re.S)


# Characters every chart of a kind uses, added to each subset so that most charts ask for the
# same subset, which is then made once per worker (subsetting is the slow part). Downloads and
# link-preview cards carry all of printable ASCII, so one subset serves them all; pages carry
# only what charts show.
COMMON_CHARACTERS = frozenset("0123456789,.-\u2013() Category Level All categories not applicable not published")


DOWNLOAD_CHARACTERS = frozenset(string.printable.strip() + " ")


def embed_font(svg: str, download: bool = False) -> str:
    """Add the chart font, subset to the characters of each weight, to an SVG (with `download`,
    to printable ASCII as well: for downloads and cards)."""
    import html

    by_weight: dict[str, set[str]] = {"normal": set(), "bold": set()}
    for attributes, content in _TEXT.findall(svg):
        weight = "bold" if re.search(r'font-weight="(bold|700)"', attributes) else "normal"
        by_weight[weight].update(html.unescape(re.sub(r"<[^>]+>", "", content)))
    common = DOWNLOAD_CHARACTERS if download else COMMON_CHARACTERS
    rules = "".join(_font_face(w, "".join(sorted(chars | common))) for w, chars in by_weight.items() if chars)
    return re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + f"<style>{rules}</style>", svg, count=1)


def wrap_lines(text: str, size: float, width: float, weight: str = "normal") -> list[str]:
    """Wrap text to a width, breaking a word too long for a line (a web address) after a "/"."""
    words, lines = [], []
    for word in text.split():
        pieces = re.findall(r"[^/]*/|[^/]+", word) if text_width(word, size, weight) > width else [word]
        words += [("" if i == 0 else "\0") + piece for i, piece in enumerate(pieces)]
    for word in words:
        if word.startswith("\0"):  # the rest of a broken word: joins without a space
            word = word[1:]
            if lines and text_width(lines[-1] + word, size, weight) <= width:
                lines[-1] += word
            else:
                lines.append(word)
            continue
        if lines and text_width(lines[-1] + " " + word, size, weight) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def download_svg(chart_svg: str, title: str, source: str) -> str:
    """The chart with its title above and its source and licence below, for reuse."""
    return framed(chart_svg, title, source)[0]


def framed(chart_svg: str, title: str, source: str, caveats: tuple[str, ...] = ()) -> tuple[str, str]:
    """The download SVG and the same picture for drawing the PNG from. In the second the chart's
    content is placed without its own <svg> element, whose viewport the renderer would draw
    through a clip, in a layer of its own (over half the time of the PNG); the chart fills its
    viewBox, so nothing is clipped anyway. Its text is drawn as glyph outlines (outline.py), and
    it carries no @font-face: the renderer has the font."""
    width, height = _size(chart_svg)
    width = max(width, NARROW)
    margin = 8
    title_lines = wrap_lines(title, 15, width - 2 * margin, "bold")
    # What a reader must know to read the chart (caveats) in the text's colour, then the source.
    caveat_lines = [line for caveat in caveats for line in wrap_lines(caveat, 11, width - 2 * margin)]
    footer_lines = caveat_lines + wrap_lines(source, 11, width - 2 * margin) + wrap_lines(
        "Licence: Open Government Licence v3.0.", 11, width - 2 * margin)
    title_height = margin + 20 * len(title_lines)
    footer_top = title_height + height + 6
    total_height = footer_top + 15 * len(footer_lines) + margin
    head = [Markup('<rect width="100%" height="100%" fill="white"/>')]
    for i, line in enumerate(title_lines):
        head.append(Markup('<text x="{x}" y="{y}" font-family="{f}" font-size="15" font-weight="bold" fill="{c}">'
                           '{t}</text>').format(x=margin, y=margin + 15 + 20 * i, f=FONT_FAMILY, c=TEXT_COLOUR,
                                                t=line))
    head.append(Markup('<g transform="translate(0,{y})">').format(y=title_height))
    tail = [Markup("</g>")]
    for i, line in enumerate(footer_lines):
        tail.append(Markup('<text x="{x}" y="{y}" font-family="{f}" font-size="11" fill="{c}">{t}</text>').format(
            x=margin, y=footer_top + 11 + 15 * i, f=FONT_FAMILY, c=TEXT_COLOUR if i < len(caveat_lines) else MUTED_COLOUR,
            t=line))
    tail.append(Markup("</svg>"))
    head, tail = str(Markup("").join(head)), str(Markup("").join(tail))
    root = f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_height}" ' \
           f'viewBox="0 0 {width} {total_height}">'
    inner = re.sub(r"<style>.*?</style>", "", chart_svg, count=1, flags=re.S)
    download = embed_font(root + head + inner + tail, download=True)
    raster = root.replace("<svg ", '<svg xmlns:xlink="http://www.w3.org/1999/xlink" ', 1) + head + _content(inner) + tail
    return download, outline_text(raster)


_ROOT = re.compile(r'\s*<svg\b[^>]*\bwidth="([\d.]+)" height="([\d.]+)" viewBox="0 0 ([\d.]+) ([\d.]+)">(.*)</svg>\s*',
                   re.S)


def _content(chart_svg: str) -> str:
    """What a chart's <svg> element holds, when its viewBox is its own size (as Vega writes it),
    so drawing the content in place draws the same picture; otherwise the chart SVG itself."""
    match = _ROOT.fullmatch(chart_svg)
    return match.group(5) if match and match.group(1, 2) == match.group(3, 4) else chart_svg


@functools.lru_cache(maxsize=1)
def _outliner() -> Outliner:
    return Outliner(FONT_FAMILY, {weight: face(weight) for weight in FONT_FILES})


def outline_text(svg: str) -> str:
    """The SVG with its text in the chart font drawn as glyph outlines, for drawing a PNG of it."""
    return _outliner()(svg)


@functools.lru_cache(maxsize=1)
def converter():
    import vl_convert as vlc  # imported in the worker process

    vlc.register_font_directory(font_lato.font_directory)
    return vlc


def _size(svg: str) -> tuple[int, int]:
    head = svg[:600]
    width = re.search(r'width="(\d+(?:\.\d+)?)"', head)
    height = re.search(r'height="(\d+(?:\.\d+)?)"', head)
    return round(float(width.group(1))) if width else NARROW, round(float(height.group(1))) if height else 200


def svg_size(svg_path: Path) -> tuple[int, int]:
    stat = svg_path.stat()
    # Keyed by the file's identity and time too: the preview redraws a chart under the same path.
    return _svg_size(svg_path, stat.st_ino, stat.st_mtime_ns)


@functools.lru_cache(maxsize=None)
def _svg_size(svg_path: Path, inode: int, mtime_ns: int) -> tuple[int, int]:
    with svg_path.open(encoding="utf-8") as handle:
        return _size(handle.read(600))

