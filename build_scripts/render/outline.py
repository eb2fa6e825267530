"""Text shaped by HarfBuzz, and drawn as glyph outlines for PNGs: the same picture, a third of the time.

Shaping: HarfBuzz (uharfbuzz) turns a line of text into glyphs and their positions, applying the
features the font turns on by default (Lato's: "fi"/"fl" ligatures and pair kerning). resvg, the
renderer that draws our PNGs, shapes with rustybuzz, a port of HarfBuzz, so the glyphs placed here
are the glyphs it would place. The same shaping measures text for laying it out and wrapping it
(images.text_width), so the width text is wrapped to is the width it is drawn at, kerning and
ligatures included.

Outlines: vl-convert's renderer (resvg) reopens the font file for every glyph it lays out, so text
is most of the time of a PNG. Before a chart's download image, a link-preview card or the tile
map is drawn, each <text> is replaced here by the chart font's own glyph outlines, placed where
HarfBuzz puts them, anchored as text-anchor says, scaled to the font size: one path a line, as
resvg makes of a line of text (two glyphs that touch share their edge pixels, not paint them
twice). fontTools draws each glyph once, into a pen that writes its outline in relative
commands, so the glyph is placed anywhere by the one absolute "M" before it. fontTools' own
SVGPathPen writes absolute coordinates: a glyph would be redrawn at each place it appears (about
fifty times slower, measured, losing the speed this is for), or be a <path> of its own, which
resvg anti-aliases apart from its neighbours. Only the PNG is drawn from this; the SVGs readers
get keep their text.

Any text this cannot place exactly as resvg would (another font, a character the font lacks, so
resvg would fall back to another font; spacing SVG collapses; right-to-left text, which resvg
reorders first; marks and controls; an attribute not listed below) is left as text, for resvg to
draw. tests/test_outline.py compares PNGs drawn both ways.
"""
from __future__ import annotations

import functools
import html
import re
import unicodedata
from typing import NamedTuple

import uharfbuzz
from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont

# Attributes a <text> may carry here. Those that only describe it (ARIA) are dropped; those
# that paint or place it go to the paths' group.
_KEPT = ("transform", "fill", "opacity", "fill-opacity")
_READ = ("x", "y", "font-family", "font-size", "font-weight", "text-anchor")
_DROPPED = ("aria-label", "aria-roledescription", "role", "class")
_TEXT = re.compile(r"<text\b([^>]*)>(.*?)</text>", re.S)
_TSPAN = re.compile(r"<tspan\b([^>]*)>([^<]*)</tspan>")
_ATTR = re.compile(r'\s+([\w:-]+)="([^"]*)"')
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?")
# Bidirectional classes of left-to-right text (letters, digits, punctuation, spaces).
_LTR = frozenset(("L", "EN", "ES", "ET", "CS", "ON", "WS"))
# The language text is shaped in, said once: left unset, HarfBuzz would take it from the
# process's locale, and the same text could shape differently on another machine.
LANGUAGE = "en"


def _num(value: float) -> str:
    return f"{value:.10g}"


class _RelativePen(BasePen):
    """A glyph's outline as SVG path data: its first point, then relative commands."""

    def __init__(self, glyph_set):
        super().__init__(glyph_set)
        self.first: tuple[float, float] | None = None
        self.parts: list[str] = []
        self.current = (0.0, 0.0)
        self.start = (0.0, 0.0)

    def _step(self, *points) -> str:
        x, y = self.current
        return " ".join(f"{_num(px - x)} {_num(py - y)}" for px, py in points)

    def _moveTo(self, point):
        if self.first is None:
            self.first = point
        else:
            self.parts.append("m" + self._step(point))
        self.current = self.start = point

    def _lineTo(self, point):
        self.parts.append("l" + self._step(point))
        self.current = point

    def _qCurveToOne(self, control, point):
        self.parts.append("q" + self._step(control, point))
        self.current = point

    def _curveToOne(self, control1, control2, point):
        self.parts.append("c" + self._step(control1, control2, point))
        self.current = point

    def _closePath(self):
        self.parts.append("z")
        self.current = self.start

    _endPath = _closePath


class Glyph(NamedTuple):
    """A glyph of a shaped line: its name, and where it is drawn, in font units from the line's start."""
    name: str
    x: int
    y: int


class Shaped(NamedTuple):
    glyphs: tuple[Glyph, ...]
    advance: int  # the line's width in font units: where the next line would start


class Face:
    """One font file: text shaped by HarfBuzz, glyphs outlined by fontTools."""

    def __init__(self, path: str):
        # HarfBuzz's font at its default scale, the font's units per em: positions in font units.
        self._font = uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob.from_file_path(path)))
        font = TTFont(path)
        self.units_per_em = font["head"].unitsPerEm
        self.cmap = font.getBestCmap()
        self.glyph_order = font.getGlyphOrder()
        self.glyph_set = font.getGlyphSet()
        self.shape = functools.lru_cache(maxsize=4096)(self._shape)
        self.advance = functools.lru_cache(maxsize=4096)(self._advance)
        self.outline = functools.lru_cache(maxsize=1024)(self._outline)

    def can_shape(self, text: str) -> bool:
        """Whether resvg would draw this text in this font as one left-to-right run, as shaped here."""
        return all(
            ord(ch) in self.cmap and unicodedata.bidirectional(ch) in _LTR and unicodedata.category(ch)[0] not in "MC"
            and ch not in "\u2044\u00ad" for ch in text)

    def _run(self, text: str) -> uharfbuzz.Buffer:
        """A line of text shaped by HarfBuzz with the font's default features."""
        buffer = uharfbuzz.Buffer()
        buffer.add_str(text)
        buffer.direction = "ltr"
        buffer.language = LANGUAGE
        buffer.guess_segment_properties()  # the script, from the text
        uharfbuzz.shape(self._font, buffer)
        return buffer

    def _shape(self, text: str) -> Shaped:
        """The glyphs of a line of text, each where HarfBuzz places it, and the line's advance."""
        buffer = self._run(text)
        glyphs, pen = [], 0
        for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
            glyphs.append(Glyph(self.glyph_order[info.codepoint], pen + position.x_offset, position.y_offset))
            pen += position.x_advance
        return Shaped(tuple(glyphs), pen)

    def _advance(self, text: str) -> int:
        """The width of a line of text in font units, as shaped: the same run as shape() gives,
        added up alone, since wrapping measures many more lines than are drawn."""
        return sum(position.x_advance for position in self._run(text).glyph_positions)

    def _outline(self, glyph: str) -> tuple[tuple[float, float], str] | None:
        """A glyph's outline in font units (y up): its first point and the relative commands
        from there; None for a glyph with no ink (a space)."""
        pen = _RelativePen(self.glyph_set)
        self.glyph_set[glyph].draw(pen)
        return None if pen.first is None else (pen.first, "".join(pen.parts))

    def path_data(self, text: str) -> tuple[str, int]:
        """Path data of a line of text in font units (y up), each glyph where HarfBuzz places
        it, and the line's advance."""
        shaped = self.shape(text)
        parts = []
        for glyph in shaped.glyphs:
            outline = self.outline(glyph.name)
            if outline is not None:
                (x, y), rest = outline
                parts.append(f"M{_num(glyph.x + x)} {_num(glyph.y + y)}{rest}")
        return "".join(parts), shaped.advance


class Outliner:
    """Replaces the <text> of an SVG in one font family by glyph outlines."""

    def __init__(self, family: str, faces: dict[str, Face]):
        self.family = family
        self.faces = faces  # by weight: "normal", "bold"

    def __call__(self, svg: str) -> str:
        return _TEXT.sub(self._replace, svg)

    def _replace(self, match: re.Match) -> str:
        return self._paths(match.group(1), match.group(2)) or match.group(0)

    def _paths(self, attributes: str, body: str) -> str | None:
        attrs = dict(_ATTR.findall(attributes))
        if (_ATTR.sub("", attributes).strip() or any(k not in _KEPT + _READ + _DROPPED for k in attrs)
                or attrs.get("font-family") != self.family or "font-size" not in attrs):
            return None
        weight = {"bold": "bold", "700": "bold", "normal": "normal", "400": "normal"}.get(
            attrs.get("font-weight", "normal"))
        face = self.faces.get(weight)
        size = attrs["font-size"].removesuffix("px")
        anchor = attrs.get("text-anchor", "start")
        if face is None or anchor not in ("start", "middle", "end") or not _NUMBER.fullmatch(size):
            return None
        scale = float(size) / face.units_per_em
        spans = [("", body)] if "<" not in body else _TSPAN.findall(body)
        if not spans or "<" in body and _TSPAN.sub("", body):
            return None
        if not all(_NUMBER.fullmatch(attrs.get(name, "0")) for name in ("x", "y")):
            return None
        x, y = float(attrs.get("x", 0)), float(attrs.get("y", 0))
        paths = []
        for i, (span_attributes, content) in enumerate(spans):
            span = dict(_ATTR.findall(span_attributes))
            # Each line a chunk of its own (Vega's tspans after the first have x), anchored alone.
            if _ATTR.sub("", span_attributes).strip() or set(span) - {"x", "dy"} or not all(
                    _NUMBER.fullmatch(v) for v in span.values()) or (i and "x" not in span):
                return None
            if "x" in span:
                x = float(span["x"])
            y += float(span.get("dy", 0))
            text = html.unescape(content)
            # SVG collapses runs of spaces and trims each text's ends: leave such text to resvg.
            if not text or text != text.strip() or "  " in text or not face.can_shape(text):
                return None
            data, advance = face.path_data(text)
            width = advance * scale
            left = x - (width if anchor == "end" else width / 2 if anchor == "middle" else 0)
            if data:
                paths.append(f'<path transform="translate({_num(left)},{_num(y)}) scale({_num(scale)},'
                             f'{_num(-scale)})" d="{data}"/>')
        kept = "".join(f' {k}="{attrs[k]}"' for k in _KEPT if k in attrs)
        return f"<g{kept}>{''.join(paths)}</g>"
